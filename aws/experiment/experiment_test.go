package experiment_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/smithy-go"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/aws/experiment"
	"github.com/fis-mcp/fis-mcp/session"
)

var epoch = time.Date(2026, 4, 11, 10, 30, 0, 0, time.UTC)

const tmplID = "EXT1a2b3c4d5e6f7"

func fastRetryer() awssdk.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 5
		o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		o.RateLimiter = ratelimit.None
	})
}

func newClient(srv *awstest.Server) *fis.Client {
	cfg := srv.Config()
	cfg.Retryer = fastRetryer
	return fis.NewFromConfig(cfg)
}

// template: "a-shutdown" runs 30 s, "b-failover" (instantaneous: 10 s by default) after it,
// "c-latency" runs 1 min in parallel with a.
func seedTemplate(srv *awstest.Server) {
	srv.AddExperimentTemplate(awstest.ExperimentTemplate{
		ID:          tmplID,
		Description: "AZ power interruption in use1-az2",
		RoleArn:     "arn:aws:iam::123456789012:role/fis/fis-az-power-role",
		Actions: map[string]awstest.TemplateAction{
			"c-latency": {ActionID: "aws:network:disrupt-connectivity", Description: "cut the AZ", Parameters: map[string]string{"duration": "PT1M", "scope": "all"},
				Targets: map[string]string{"Subnets": "subnets"}},
			"a-shutdown": {ActionID: "aws:ec2:stop-instances", Parameters: map[string]string{"duration": "PT30S", "startInstancesAfterDuration": "true"},
				Targets: map[string]string{"Instances": "instances"}},
			"b-failover": {ActionID: "aws:rds:failover-db-cluster", Targets: map[string]string{"Clusters": "cluster"}, StartAfter: []string{"a-shutdown"}},
		},
		Targets: map[string]awstest.TemplateTarget{
			"subnets":   {ResourceType: "aws:ec2:subnet", ResourceTags: map[string]string{"AzImpairmentPower": "DisruptSubnet"}, SelectionMode: "ALL", Parameters: map[string]string{"availabilityZoneIdentifier": "use1-az2"}},
			"instances": {ResourceType: "aws:ec2:instance", ResourceTags: map[string]string{"app": "demo"}, SelectionMode: "ALL", Filters: []awstest.TemplateTargetFilter{{Path: "State.Name", Values: []string{"running"}}, {Path: "Placement.AvailabilityZone", Values: []string{"us-east-1b"}}}},
			"cluster":   {ResourceType: "aws:rds:cluster", ResourceArns: []string{"arn:aws:rds:us-east-1:123456789012:cluster:demo-aurora"}, SelectionMode: "ALL"},
		},
		StopConditions:    []awstest.StopCondition{{Source: "aws:cloudwatch:alarm", Value: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:fis-stop-az"}},
		ExperimentOptions: map[string]string{"accountTargeting": "single-account", "emptyTargetResolutionMode": "fail"},
		ReportConfiguration: &awstest.TemplateReportConfiguration{
			S3Bucket: "fis-reports", S3Prefix: "az/", CloudWatchDashboards: []string{"arn:aws:cloudwatch::123456789012:dashboard/fis-az"},
			PreExperimentDuration: "PT5M", PostExperimentDuration: "PT1H30M",
		},
		Tags: map[string]string{"Name": "az-power"},
	})
	// The resources the template's tag targets select: FIS fails an experiment at start when a
	// target resolves nothing (https://docs.aws.amazon.com/fis/latest/userguide/experiment-options.html).
	srv.AddInstance(awstest.Instance{ID: "i-0123456789abcdef0", State: "running", AZ: "us-east-1b", Tags: map[string]string{"app": "demo"}})
	srv.AddSubnet(awstest.Subnet{ID: "subnet-0123456789abcdef0", VPCID: "vpc-1", AZ: "us-east-1b", AZID: "use1-az2", State: "available",
		Tags: map[string]string{"AzImpairmentPower": "DisruptSubnet"}})
	srv.TagResource("arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0123456789abcdef0", map[string]string{"AzImpairmentPower": "DisruptSubnet"})
}

func TestGetTemplate(t *testing.T) {
	ctx := context.Background()
	srv := awstest.New(awstest.WithClock(awstest.NewFakeClock(epoch)))
	defer srv.Close()
	seedTemplate(srv)
	got, err := experiment.GetTemplate(ctx, newClient(srv), tmplID)
	if err != nil {
		t.Fatal(err)
	}
	want := session.Template{
		ID:          tmplID,
		Description: "AZ power interruption in use1-az2",
		RoleArn:     "arn:aws:iam::123456789012:role/fis/fis-az-power-role",
		Actions: []session.Action{
			{Name: "a-shutdown", ActionID: "aws:ec2:stop-instances", Parameters: map[string]string{"duration": "PT30S", "startInstancesAfterDuration": "true"}, Targets: map[string]string{"Instances": "instances"}},
			{Name: "b-failover", ActionID: "aws:rds:failover-db-cluster", Targets: map[string]string{"Clusters": "cluster"}, StartAfter: []string{"a-shutdown"}},
			{Name: "c-latency", ActionID: "aws:network:disrupt-connectivity", Description: "cut the AZ", Parameters: map[string]string{"duration": "PT1M", "scope": "all"}, Targets: map[string]string{"Subnets": "subnets"}},
		},
		Targets: []session.Target{
			{Name: "cluster", ResourceType: "aws:rds:cluster", ResourceArns: []string{"arn:aws:rds:us-east-1:123456789012:cluster:demo-aurora"}, SelectionMode: "ALL"},
			{Name: "instances", ResourceType: "aws:ec2:instance", ResourceTags: map[string]string{"app": "demo"}, SelectionMode: "ALL",
				Filters: []session.TargetFilter{{Path: "State.Name", Values: []string{"running"}}, {Path: "Placement.AvailabilityZone", Values: []string{"us-east-1b"}}}},
			{Name: "subnets", ResourceType: "aws:ec2:subnet", ResourceTags: map[string]string{"AzImpairmentPower": "DisruptSubnet"}, SelectionMode: "ALL", Parameters: map[string]string{"availabilityZoneIdentifier": "use1-az2"}},
		},
		StopConditions:    []session.StopCondition{{Source: "aws:cloudwatch:alarm", Value: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:fis-stop-az"}},
		ExperimentOptions: map[string]string{"accountTargeting": "single-account", "emptyTargetResolutionMode": "fail"},
		ReportConfiguration: &session.ReportConfiguration{
			S3Bucket: "fis-reports", S3Prefix: "az/", CloudWatchDashboards: []string{"arn:aws:cloudwatch::123456789012:dashboard/fis-az"},
			PreExperimentSeconds: 300, PostExperimentSecond: 5400,
		},
		Tags: map[string]string{"Name": "az-power"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("template mismatch\n got %+v\nwant %+v", got, want)
	}

	// A minimal template: no stop conditions, options or report configuration.
	srv.AddExperimentTemplate(awstest.ExperimentTemplate{ID: "EXTmin", Actions: map[string]awstest.TemplateAction{"w": {ActionID: "aws:fis:wait", Parameters: map[string]string{"duration": "PT1M"}}}})
	minimal, err := experiment.GetTemplate(ctx, newClient(srv), "EXTmin")
	if err != nil {
		t.Fatal(err)
	}
	if len(minimal.Actions) != 1 || len(minimal.Targets) != 0 || minimal.StopConditions == nil || len(minimal.StopConditions) != 0 || minimal.ReportConfiguration != nil {
		t.Errorf("minimal template = %+v", minimal)
	}

	_, err = experiment.GetTemplate(ctx, newClient(srv), "EXTmissing")
	var ae *awsapi.Error
	if !errors.As(err, &ae) || ae.Kind != awsapi.KindNotFound || ae.Permission != "fis:GetExperimentTemplate" || !strings.Contains(err.Error(), "EXTmissing") {
		t.Errorf("missing template: %v", err)
	}
}

type step struct {
	at      time.Duration
	state   string
	actions string // "a-shutdown=running b-failover=pending c-latency=running"
}

func actionStates(st experiment.Status) string {
	var parts []string
	for _, a := range st.Actions {
		parts = append(parts, a.Name+"="+a.State)
	}
	return strings.Join(parts, " ")
}

func TestProgression(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(srv *awstest.Server)
		dryRun bool
		stopAt time.Duration // user stop at this offset (0: none)
		steps  []step
		reason string // final reason contains
		hooks  int
	}{
		{
			name: "completes with startAfter ordering",
			steps: []step{
				{0, "pending", "a-shutdown=pending b-failover=pending c-latency=pending"},
				{2 * time.Second, "initiating", "a-shutdown=pending b-failover=pending c-latency=pending"},
				{3 * time.Second, "running", "a-shutdown=running b-failover=pending c-latency=running"},
				{32 * time.Second, "running", "a-shutdown=running b-failover=pending c-latency=running"},
				{33 * time.Second, "running", "a-shutdown=completed b-failover=running c-latency=running"},
				{43 * time.Second, "running", "a-shutdown=completed b-failover=completed c-latency=running"},
				{63 * time.Second, "completed", "a-shutdown=completed b-failover=completed c-latency=completed"},
			},
			hooks: 1,
		},
		{
			name: "action fails",
			setup: func(srv *awstest.Server) {
				srv.FailAction(tmplID, "a-shutdown", 10*time.Second, "Instances could not be stopped")
			},
			steps: []step{
				{3 * time.Second, "running", "a-shutdown=running b-failover=pending c-latency=running"},
				{13 * time.Second, "failed", "a-shutdown=failed b-failover=cancelled c-latency=stopped"},
				{10 * time.Minute, "failed", "a-shutdown=failed b-failover=cancelled c-latency=stopped"},
			},
			reason: "Instances could not be stopped",
			hooks:  1,
		},
		{
			name: "stop condition fires",
			setup: func(srv *awstest.Server) {
				srv.StopConditionAfter(tmplID, 20*time.Second, "Stop condition alarm fis-stop-az is in ALARM")
			},
			steps: []step{
				{19 * time.Second, "running", "a-shutdown=running b-failover=pending c-latency=running"},
				{20 * time.Second, "stopping", "a-shutdown=stopping b-failover=cancelled c-latency=stopping"},
				{22 * time.Second, "stopped", "a-shutdown=stopped b-failover=cancelled c-latency=stopped"},
			},
			reason: "fis-stop-az is in ALARM",
			hooks:  1,
		},
		{
			name:   "stopped by user",
			stopAt: 35 * time.Second,
			steps: []step{
				{34 * time.Second, "running", "a-shutdown=completed b-failover=running c-latency=running"},
				{36 * time.Second, "stopping", "a-shutdown=completed b-failover=stopping c-latency=stopping"},
				{37 * time.Second, "stopped", "a-shutdown=completed b-failover=stopped c-latency=stopped"},
			},
			reason: "stopped by user",
			hooks:  1,
		},
		{
			name:   "stuck initiating, then stopped",
			setup:  func(srv *awstest.Server) { srv.SetFISTiming(awstest.FISTiming{StuckInitiating: true}) },
			stopAt: 10 * time.Minute,
			steps: []step{
				{2 * time.Second, "initiating", "a-shutdown=pending b-failover=pending c-latency=pending"},
				{9 * time.Minute, "initiating", "a-shutdown=pending b-failover=pending c-latency=pending"},
				{10*time.Minute + time.Second, "stopping", "a-shutdown=cancelled b-failover=cancelled c-latency=cancelled"},
				{10*time.Minute + 2*time.Second, "stopped", "a-shutdown=cancelled b-failover=cancelled c-latency=cancelled"},
			},
			reason: "stopped by user",
			hooks:  1,
		},
		{
			name:   "dry run skips every action",
			dryRun: true,
			steps: []step{
				{time.Second, "initiating", "a-shutdown=pending b-failover=pending c-latency=pending"},
				{3 * time.Second, "completed", "a-shutdown=skipped b-failover=skipped c-latency=skipped"},
			},
			hooks: 0,
		},
		{
			name: "custom timing",
			setup: func(srv *awstest.Server) {
				srv.SetFISTiming(awstest.FISTiming{Initiating: 30 * time.Second, DefaultAction: time.Minute})
			},
			steps: []step{
				{29 * time.Second, "initiating", "a-shutdown=pending b-failover=pending c-latency=pending"},
				{60 * time.Second, "running", "a-shutdown=completed b-failover=running c-latency=running"},
				{120 * time.Second, "completed", "a-shutdown=completed b-failover=completed c-latency=completed"},
			},
			hooks: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			clock := awstest.NewFakeClock(epoch)
			srv := awstest.New(awstest.WithClock(clock))
			defer srv.Close()
			seedTemplate(srv)
			hooks := 0
			srv.OnExperimentStart(func(string, time.Time) { hooks++ })
			if tc.setup != nil {
				tc.setup(srv)
			}
			c := newClient(srv)
			st, err := experiment.Start(ctx, c, experiment.StartInput{
				TemplateID: tmplID, ClientToken: experiment.ClientToken("sess-1", tmplID), DryRun: tc.dryRun,
				Tags: map[string]string{experiment.SessionTag: "sess-1"},
			})
			if err != nil {
				t.Fatal(err)
			}
			if st.ID == "" || st.State != experiment.StatePending || st.StartTime == nil || !st.StartTime.Equal(epoch) {
				t.Errorf("start status = %+v", st)
			}
			wantMode := "run-all"
			if tc.dryRun {
				wantMode = "skip-all"
			}
			if st.ActionsMode != wantMode || st.Tags[experiment.SessionTag] != "sess-1" {
				t.Errorf("mode %q tags %v", st.ActionsMode, st.Tags)
			}
			stopped := false
			var last experiment.Status
			for _, s := range tc.steps {
				if tc.stopAt > 0 && !stopped && s.at > tc.stopAt {
					clock.Set(epoch.Add(tc.stopAt))
					res, err := experiment.Stop(ctx, c, st.ID)
					if err != nil {
						t.Fatalf("stop: %v", err)
					}
					if res.State != experiment.StateStopping {
						t.Errorf("stop returned state %s", res.State)
					}
					stopped = true
				}
				clock.Set(epoch.Add(s.at))
				got, err := experiment.Get(ctx, c, st.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.State != s.state || actionStates(got) != s.actions {
					t.Errorf("t+%v: %s [%s], want %s [%s]", s.at, got.State, actionStates(got), s.state, s.actions)
				}
				if experiment.IsTerminal(got.State) != (got.EndTime != nil) {
					t.Errorf("t+%v: state %s with end time %v", s.at, got.State, got.EndTime)
				}
				last = got
			}
			if !strings.Contains(last.Reason, tc.reason) {
				t.Errorf("final reason %q lacks %q", last.Reason, tc.reason)
			}
			if hooks != tc.hooks {
				t.Errorf("start hooks fired %d times, want %d", hooks, tc.hooks)
			}
			// Reported figures match the simulation's truth.
			start, end, truth, ok := srv.ExperimentTimes(st.ID)
			if !ok || !last.StartTime.Equal(start) {
				t.Errorf("start %v, truth %v", last.StartTime, start)
			}
			if (last.EndTime == nil) != end.IsZero() || last.EndTime != nil && !last.EndTime.Equal(end) {
				t.Errorf("end %v, truth %v", last.EndTime, end)
			}
			for _, a := range last.Actions {
				tr := truth[a.Name]
				if (a.StartTime == nil) != tr[0].IsZero() || a.StartTime != nil && !a.StartTime.Equal(tr[0]) ||
					(a.EndTime == nil) != tr[1].IsZero() || a.EndTime != nil && !a.EndTime.Equal(tr[1]) {
					t.Errorf("action %s times %v-%v, truth %v", a.Name, a.StartTime, a.EndTime, tr)
				}
			}
		})
	}
}

func TestProgressionActionTimes(t *testing.T) {
	ctx := context.Background()
	clock := awstest.NewFakeClock(epoch)
	srv := awstest.New(awstest.WithClock(clock))
	defer srv.Close()
	seedTemplate(srv)
	c := newClient(srv)
	st, err := experiment.Start(ctx, c, experiment.StartInput{TemplateID: tmplID, ClientToken: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(2 * time.Minute)
	got, err := experiment.Get(ctx, c, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]time.Duration{
		"a-shutdown": {3 * time.Second, 33 * time.Second},
		"b-failover": {33 * time.Second, 43 * time.Second},
		"c-latency":  {3 * time.Second, 63 * time.Second},
	}
	for _, a := range got.Actions {
		w := want[a.Name]
		if a.StartTime == nil || a.EndTime == nil || !a.StartTime.Equal(epoch.Add(w[0])) || !a.EndTime.Equal(epoch.Add(w[1])) {
			t.Errorf("%s: %v-%v, want +%v-+%v", a.Name, a.StartTime, a.EndTime, w[0], w[1])
		}
	}
	if got.EndTime == nil || !got.EndTime.Equal(epoch.Add(63*time.Second)) || got.StartTime.Location() != time.UTC {
		t.Errorf("experiment end %v", got.EndTime)
	}
}

func TestStartIdempotent(t *testing.T) {
	ctx := context.Background()
	clock := awstest.NewFakeClock(epoch)
	srv := awstest.New(awstest.WithClock(clock))
	defer srv.Close()
	seedTemplate(srv)
	c := newClient(srv)

	tok := experiment.ClientToken("sess-1", tmplID)
	if tok != experiment.ClientToken("sess-1", tmplID) || len(tok) > 64 || tok == experiment.ClientToken("sess-2", tmplID) ||
		tok == experiment.ClientToken("sess-1", "EXTother") || tok == experiment.DryRunClientToken("sess-1", tmplID) || len(experiment.DryRunClientToken("sess-1", tmplID)) > 64 {
		t.Fatalf("client tokens not deterministic, distinct and short: %q", tok)
	}
	in := experiment.StartInput{TemplateID: tmplID, ClientToken: tok, Tags: map[string]string{experiment.SessionTag: "sess-1"}}
	first, err := experiment.Start(ctx, c, in)
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(5 * time.Second)
	second, err := experiment.Start(ctx, c, in)
	if err != nil {
		t.Fatal(err)
	}
	if first.ID != second.ID || second.State != experiment.StateRunning {
		t.Errorf("second start: %s %s, first %s", second.ID, second.State, first.ID)
	}
	started := srv.StartedExperiments()
	if len(started) != 1 || started[0].ClientToken != tok || started[0].Tags[experiment.SessionTag] != "sess-1" || started[0].ActionsMode != "run-all" {
		t.Errorf("started = %+v", started)
	}
	// The same token for a dry run is refused: it belongs to the real run.
	in.DryRun = true
	if _, err := experiment.Start(ctx, c, in); err == nil {
		t.Error("a dry run reusing the real run's token was accepted")
	}
	if n := len(srv.StartedExperiments()); n != 1 {
		t.Errorf("%d experiments started", n)
	}
	// Bad input never reaches FIS.
	for _, bad := range []experiment.StartInput{{TemplateID: tmplID}, {ClientToken: "x"}, {TemplateID: tmplID, ClientToken: strings.Repeat("x", 65)}} {
		if _, err := experiment.Start(ctx, c, bad); err == nil {
			t.Errorf("start %+v accepted", bad)
		}
	}
	if n := srv.CallCount("fis", "StartExperiment"); n != 3 {
		t.Errorf("StartExperiment calls = %d, want 3", n)
	}
}

func TestFindBySessionTag(t *testing.T) {
	ctx := context.Background()
	clock := awstest.NewFakeClock(epoch)
	srv := awstest.New(awstest.WithClock(clock))
	defer srv.Close()
	seedTemplate(srv)
	srv.AddExperimentTemplate(awstest.ExperimentTemplate{ID: "EXTother", Actions: map[string]awstest.TemplateAction{"w": {ActionID: "aws:fis:wait"}}})
	c := newClient(srv)
	start := func(tmpl, sess string) string {
		t.Helper()
		clock.Advance(time.Second)
		st, err := experiment.Start(ctx, c, experiment.StartInput{TemplateID: tmpl, ClientToken: fmt.Sprintf("tok-%d", len(srv.StartedExperiments())),
			Tags: map[string]string{experiment.SessionTag: sess}})
		if err != nil {
			t.Fatal(err)
		}
		return st.ID
	}
	target := start(tmplID, "wanted")   // the oldest: on the last page
	otherTmpl := start("EXTother", "x") // same session tag value elsewhere is not confused
	_ = otherTmpl
	for i := range 120 {
		start(tmplID, fmt.Sprintf("s%d", i))
	}
	id, err := experiment.FindBySessionTag(ctx, c, tmplID, "wanted")
	if err != nil || id != target {
		t.Errorf("found %q (%v), want %s", id, err, target)
	}
	if n := srv.CallCount("fis", "ListExperiments"); n != 2 {
		t.Errorf("ListExperiments calls = %d, want 2 pages", n)
	}
	id, err = experiment.FindBySessionTag(ctx, c, tmplID, "never-started")
	if err != nil || id != "" {
		t.Errorf("not started: %q %v", id, err)
	}
	id, err = experiment.FindBySessionTag(ctx, c, "EXTother", "wanted")
	if err != nil || id != "" {
		t.Errorf("other template: %q %v", id, err)
	}

	srv.InjectFault(awstest.Fault{Service: "fis", Operation: "ListExperiments", Status: 400, Code: "AccessDeniedException", Times: 1})
	_, err = experiment.FindBySessionTag(ctx, c, tmplID, "wanted")
	var ae *awsapi.Error
	if !errors.As(err, &ae) || ae.Kind != awsapi.KindAccessDenied || !strings.Contains(err.Error(), "fis:ListExperiments") {
		t.Errorf("access denied: %v", err)
	}
}

func TestResolvedTargets(t *testing.T) {
	ctx := context.Background()
	srv := awstest.New(awstest.WithClock(awstest.NewFakeClock(epoch)))
	defer srv.Close()
	seedTemplate(srv)
	var ids []string
	for i := range 150 {
		ids = append(ids, fmt.Sprintf("arn:aws:ec2:us-east-1:123456789012:instance/i-%04d", i))
	}
	srv.SetResolvedTargets(tmplID, "instances", ids...)
	srv.SetResolvedTargets(tmplID, "subnets", "subnet-1")
	c := newClient(srv)
	st, err := experiment.Start(ctx, c, experiment.StartInput{TemplateID: tmplID, ClientToken: "dry", DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	got, err := experiment.ResolvedTargets(ctx, c, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 152 {
		t.Fatalf("%d resolved targets", len(got))
	}
	if got[0] != (session.ResolvedTarget{TargetName: "cluster", ResourceType: "aws:rds:cluster", Identifier: "arn:aws:rds:us-east-1:123456789012:cluster:demo-aurora"}) {
		t.Errorf("first = %+v", got[0])
	}
	if got[151] != (session.ResolvedTarget{TargetName: "subnets", ResourceType: "aws:ec2:subnet", Identifier: "subnet-1"}) {
		t.Errorf("last = %+v", got[151])
	}
	if n := srv.CallCount("fis", "ListExperimentResolvedTargets"); n != 2 {
		t.Errorf("calls = %d, want 2 pages", n)
	}
	_, err = experiment.ResolvedTargets(ctx, c, "EXPnope")
	if !awsapi.IsNotFound(err) || !strings.Contains(err.Error(), "fis:ListExperimentResolvedTargets") && !strings.Contains(err.Error(), "EXPnope") {
		t.Errorf("unknown experiment: %v", err)
	}
}

func TestErrors(t *testing.T) {
	ctx := context.Background()
	clock := awstest.NewFakeClock(epoch)
	srv := awstest.New(awstest.WithClock(clock))
	defer srv.Close()
	seedTemplate(srv)
	c := newClient(srv)
	tok := experiment.ClientToken("s", tmplID)

	// Throttled twice, then started exactly once.
	srv.InjectFault(awstest.Fault{Service: "fis", Operation: "StartExperiment", Status: 429, Code: "ThrottlingException", Message: "Rate exceeded", Times: 2})
	st, err := experiment.Start(ctx, c, experiment.StartInput{TemplateID: tmplID, ClientToken: tok})
	if err != nil {
		t.Fatalf("throttled start not retried to success: %v", err)
	}
	if n := srv.CallCount("fis", "StartExperiment"); n != 3 {
		t.Errorf("StartExperiment calls = %d, want 3", n)
	}
	if n := len(srv.StartedExperiments()); n != 1 {
		t.Errorf("%d experiments started", n)
	}

	tests := []struct {
		name   string
		fault  *awstest.Fault
		call   func() error
		kind   awsapi.Kind
		code   string
		perms  []string
		status int
	}{
		{
			name:  "start access denied names StartExperiment and TagResource",
			fault: &awstest.Fault{Service: "fis", Operation: "StartExperiment", Status: 403, Code: "AccessDeniedException", Message: "not authorized to perform: fis:TagResource"},
			call: func() error {
				_, err := experiment.Start(ctx, c, experiment.StartInput{TemplateID: tmplID, ClientToken: "other", Tags: map[string]string{experiment.SessionTag: "s"}})
				return err
			},
			kind: awsapi.KindAccessDenied, code: "AccessDeniedException", perms: []string{"fis:StartExperiment", "fis:TagResource"}, status: 403,
		},
		{
			name:  "get access denied",
			fault: &awstest.Fault{Service: "fis", Operation: "GetExperiment", Status: 403, Code: "AccessDeniedException"},
			call:  func() error { _, err := experiment.Get(ctx, c, st.ID); return err },
			kind:  awsapi.KindAccessDenied, code: "AccessDeniedException", perms: []string{"fis:GetExperiment"}, status: 403,
		},
		{
			name:  "stop access denied",
			fault: &awstest.Fault{Service: "fis", Operation: "StopExperiment", Status: 403, Code: "AccessDeniedException"},
			call:  func() error { _, err := experiment.Stop(ctx, c, st.ID); return err },
			kind:  awsapi.KindAccessDenied, code: "AccessDeniedException", perms: []string{"fis:StopExperiment"}, status: 403,
		},
		{
			name: "unknown experiment",
			call: func() error { _, err := experiment.Get(ctx, c, "EXPnope"); return err },
			kind: awsapi.KindNotFound, code: "ResourceNotFoundException", perms: []string{"fis:GetExperiment"}, status: 404,
		},
		{
			name: "unknown template",
			call: func() error {
				_, err := experiment.Start(ctx, c, experiment.StartInput{TemplateID: "EXTnope", ClientToken: "t2"})
				return err
			},
			kind: awsapi.KindNotFound, code: "ResourceNotFoundException", perms: []string{"fis:StartExperiment"}, status: 404,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.fault != nil {
				srv.InjectFault(*tc.fault)
				defer srv.ClearFaults()
			}
			err := tc.call()
			var ae *awsapi.Error
			if !errors.As(err, &ae) {
				t.Fatalf("err %v (%T) is not an *aws.Error", err, err)
			}
			var api smithy.APIError
			if !errors.As(err, &api) || api.ErrorCode() != tc.code {
				t.Errorf("API error code = %v", err)
			}
			if ae.Kind != tc.kind {
				t.Errorf("kind = %s, want %s", ae.Kind, tc.kind)
			}
			for _, p := range tc.perms {
				if !strings.Contains(ae.Permission, p) {
					t.Errorf("permission %q lacks %s", ae.Permission, p)
				}
				if tc.kind == awsapi.KindAccessDenied && !strings.Contains(err.Error(), p) {
					t.Errorf("message %q does not name %s", err, p)
				}
			}
		})
	}
	if n := len(srv.StartedExperiments()); n != 1 {
		t.Errorf("%d experiments started after the error cases", n)
	}

	// Stopping an experiment that has already completed is FIS's validation error.
	clock.Advance(10 * time.Minute)
	_, err = experiment.Stop(ctx, c, st.ID)
	var ae *awsapi.Error
	if !errors.As(err, &ae) || ae.Kind != awsapi.KindValidation {
		t.Errorf("stop completed: %v", err)
	}
}

func TestMalformedResponses(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		body string
		call func(api experiment.API) error
	}{
		{name: "get: empty object", body: `{}`, call: func(api experiment.API) error { _, err := experiment.Get(ctx, api, "EXP1"); return err }},
		{name: "get: garbage", body: `{"experiment": [`, call: func(api experiment.API) error { _, err := experiment.Get(ctx, api, "EXP1"); return err }},
		{name: "start: no experiment id", body: `{"experiment": {"state": {"status": "pending"}}}`, call: func(api experiment.API) error {
			_, err := experiment.Start(ctx, api, experiment.StartInput{TemplateID: tmplID, ClientToken: "t"})
			return err
		}},
		{name: "template: empty", body: `{}`, call: func(api experiment.API) error { _, err := experiment.GetTemplate(ctx, api, tmplID); return err }},
		{name: "stop: wrong type", body: `{"experiment": {"id": 5}}`, call: func(api experiment.API) error { _, err := experiment.Stop(ctx, api, "EXP1"); return err }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(tc.body))
			}))
			defer h.Close()
			c := fis.NewFromConfig(awssdk.Config{
				Region: "us-east-1", BaseEndpoint: awssdk.String(h.URL), Retryer: fastRetryer,
				Credentials: credentials.NewStaticCredentialsProvider("AKIDFAKE", "fake-secret", ""),
			})
			if err := tc.call(c); err == nil {
				t.Error("malformed response accepted")
			}
		})
	}
}

func TestIsTerminal(t *testing.T) {
	for state, want := range map[string]bool{
		"completed": true, "stopped": true, "failed": true, "cancelled": true,
		"pending": false, "initiating": false, "running": false, "stopping": false, "": false,
	} {
		if got := experiment.IsTerminal(state); got != want {
			t.Errorf("IsTerminal(%q) = %v", state, got)
		}
	}
}

func TestParseISODuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"PT2M", 2 * time.Minute, true},
		{"PT30S", 30 * time.Second, true},
		{"PT1H30M", 90 * time.Minute, true},
		{"P1D", 24 * time.Hour, true},
		{"pt10m", 10 * time.Minute, true},
		{"PT0.5S", 500 * time.Millisecond, true},
		{"", 0, false},
		{"P", 0, false},
		{"PT", 0, false},
		{"10 minutes", 0, false},
	}
	for _, tc := range tests {
		got, ok := experiment.ParseISODuration(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseISODuration(%q) = %v %v, want %v %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
