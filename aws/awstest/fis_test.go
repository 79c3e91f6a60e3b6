package awstest_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"sort"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	fistypes "github.com/aws/aws-sdk-go-v2/service/fis/types"
	"github.com/aws/smithy-go"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
)

// fisTestEpoch is where fake clocks start in these tests.
var fisTestEpoch = time.Date(2026, 4, 11, 10, 30, 0, 0, time.UTC)

// fisFastRetryer retries like the SDK's standard retryer, without backoff sleeps or a retry quota.
func fisFastRetryer() awssdk.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 5
		o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		o.RateLimiter = ratelimit.None
	})
}

func newFISClient(srv *awstest.Server) *fis.Client {
	cfg := srv.Config()
	cfg.Retryer = fisFastRetryer
	return fis.NewFromConfig(cfg)
}

// fisErr returns the API error code and HTTP status of err.
func fisErr(t *testing.T, err error) (string, int) {
	t.Helper()
	if err == nil {
		t.Fatal("expected an error, got nil")
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is not a smithy.APIError", err)
	}
	status := 0
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	return ae.ErrorCode(), status
}

func seedFISTemplate(srv *awstest.Server) {
	srv.AddExperimentTemplate(awstest.ExperimentTemplate{
		ID:          "EXT1a2b3c4d5e6f7",
		Description: "AZ power interruption",
		RoleArn:     "arn:aws:iam::123456789012:role/service-role/fis-role",
		Actions: map[string]awstest.TemplateAction{
			"failover": {ActionID: "aws:rds:failover-db-cluster", Targets: map[string]string{"Clusters": "cluster"}},
			"wait":     {ActionID: "aws:fis:wait", Parameters: map[string]string{"duration": "PT1M"}, StartAfter: []string{"failover"}},
		},
		Targets: map[string]awstest.TemplateTarget{
			"cluster": {ResourceType: "aws:rds:cluster", ResourceArns: []string{"arn:aws:rds:us-east-1:123456789012:cluster:demo"}, SelectionMode: "ALL"},
			"instances": {
				ResourceType: "aws:ec2:instance", ResourceTags: map[string]string{"app": "demo"}, SelectionMode: "COUNT(2)",
				Filters: []awstest.TemplateTargetFilter{{Path: "State.Name", Values: []string{"running"}}},
			},
		},
		StopConditions:    []awstest.StopCondition{{Source: "aws:cloudwatch:alarm", Value: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:fis-stop"}},
		ExperimentOptions: map[string]string{"accountTargeting": "single-account", "emptyTargetResolutionMode": "skip"},
		ReportConfiguration: &awstest.TemplateReportConfiguration{
			S3Bucket: "reports", S3Prefix: "fis/", CloudWatchDashboards: []string{"arn:aws:cloudwatch::123456789012:dashboard/fis-demo"},
			PreExperimentDuration: "PT5M", PostExperimentDuration: "PT10M",
		},
		Tags: map[string]string{"Name": "demo"},
	})
}

func TestFISGetExperimentTemplate(t *testing.T) {
	ctx := context.Background()
	srv := awstest.New(awstest.WithClock(awstest.NewFakeClock(fisTestEpoch)))
	defer srv.Close()
	seedFISTemplate(srv)
	c := newFISClient(srv)

	out, err := c.GetExperimentTemplate(ctx, &fis.GetExperimentTemplateInput{Id: awssdk.String("EXT1a2b3c4d5e6f7")})
	if err != nil {
		t.Fatal(err)
	}
	tp := out.ExperimentTemplate
	if got := awssdk.ToString(tp.RoleArn); got != "arn:aws:iam::123456789012:role/service-role/fis-role" {
		t.Errorf("roleArn = %q", got)
	}
	if got := awssdk.ToString(tp.Arn); got != "arn:aws:fis:us-east-1:123456789012:experiment-template/EXT1a2b3c4d5e6f7" {
		t.Errorf("arn = %q", got)
	}
	if a := tp.Actions["wait"]; awssdk.ToString(a.ActionId) != "aws:fis:wait" || a.Parameters["duration"] != "PT1M" || len(a.StartAfter) != 1 {
		t.Errorf("wait action = %+v", a)
	}
	tg := tp.Targets["instances"]
	if awssdk.ToString(tg.SelectionMode) != "COUNT(2)" || tg.ResourceTags["app"] != "demo" || len(tg.Filters) != 1 || awssdk.ToString(tg.Filters[0].Path) != "State.Name" {
		t.Errorf("instances target = %+v", tg)
	}
	if len(tp.StopConditions) != 1 || awssdk.ToString(tp.StopConditions[0].Source) != "aws:cloudwatch:alarm" {
		t.Errorf("stop conditions = %+v", tp.StopConditions)
	}
	if tp.ExperimentOptions == nil || tp.ExperimentOptions.EmptyTargetResolutionMode != "skip" {
		t.Errorf("experiment options = %+v", tp.ExperimentOptions)
	}
	rc := tp.ExperimentReportConfiguration
	if rc == nil || awssdk.ToString(rc.PreExperimentDuration) != "PT5M" || awssdk.ToString(rc.Outputs.S3Configuration.BucketName) != "reports" ||
		len(rc.DataSources.CloudWatchDashboards) != 1 {
		t.Errorf("report configuration = %+v", rc)
	}
	if tp.CreationTime == nil || !tp.CreationTime.Equal(fisTestEpoch) {
		t.Errorf("creationTime = %v", tp.CreationTime)
	}

	_, err = c.GetExperimentTemplate(ctx, &fis.GetExperimentTemplateInput{Id: awssdk.String("EXTmissing")})
	if code, status := fisErr(t, err); code != "ResourceNotFoundException" || status != 404 {
		t.Errorf("missing template: %s %d", code, status)
	}
	var rnf *fistypes.ResourceNotFoundException
	if !errors.As(err, &rnf) {
		t.Errorf("missing template error is not *types.ResourceNotFoundException: %T", err)
	}
}

func TestFISStartIdempotentAndHooks(t *testing.T) {
	ctx := context.Background()
	clock := awstest.NewFakeClock(fisTestEpoch)
	srv := awstest.New(awstest.WithClock(clock))
	defer srv.Close()
	seedFISTemplate(srv)
	var hooks []string
	srv.OnExperimentStart(func(id string, start time.Time) {
		if !start.Equal(fisTestEpoch) {
			t.Errorf("hook start = %v", start)
		}
		hooks = append(hooks, id)
	})
	c := newFISClient(srv)
	start := func(token, mode string) (*fis.StartExperimentOutput, error) {
		return c.StartExperiment(ctx, &fis.StartExperimentInput{
			ExperimentTemplateId: awssdk.String("EXT1a2b3c4d5e6f7"), ClientToken: awssdk.String(token),
			Tags:              map[string]string{"fis-mcp-session": "s1"},
			ExperimentOptions: &fistypes.StartExperimentExperimentOptionsInput{ActionsMode: fistypes.ActionsMode(mode)},
		})
	}
	first, err := start("tok-1", "run-all")
	if err != nil {
		t.Fatal(err)
	}
	if st := first.Experiment.State.Status; st != fistypes.ExperimentStatusPending {
		t.Errorf("new experiment state = %s, want pending", st)
	}
	clock.Advance(30 * time.Second)
	again, err := start("tok-1", "run-all")
	if err != nil {
		t.Fatal(err)
	}
	if awssdk.ToString(again.Experiment.Id) != awssdk.ToString(first.Experiment.Id) {
		t.Errorf("same token started a second experiment: %s vs %s", awssdk.ToString(again.Experiment.Id), awssdk.ToString(first.Experiment.Id))
	}
	if again.Experiment.State.Status != fistypes.ExperimentStatusRunning {
		t.Errorf("repeated start state = %s, want running (the original experiment)", again.Experiment.State.Status)
	}
	// Same token, different mode: refused, nothing started.
	_, err = start("tok-1", "skip-all")
	if code, status := fisErr(t, err); code != "ValidationException" || status != 400 {
		t.Errorf("token reuse with other params: %s %d", code, status)
	}
	// A dry run with its own token: started, but no fault hook.
	dry, err := start("tok-dry", "skip-all")
	if err != nil {
		t.Fatal(err)
	}
	if dry.Experiment.ExperimentOptions == nil || dry.Experiment.ExperimentOptions.ActionsMode != fistypes.ActionsModeSkipAll {
		t.Errorf("dry run options = %+v", dry.Experiment.ExperimentOptions)
	}
	started := srv.StartedExperiments()
	if len(started) != 2 || started[0].ClientToken != "tok-1" || started[0].Tags["fis-mcp-session"] != "s1" || started[1].ActionsMode != "skip-all" {
		t.Errorf("started = %+v", started)
	}
	if len(hooks) != 1 || hooks[0] != awssdk.ToString(first.Experiment.Id) {
		t.Errorf("hooks fired for %v, want only %s", hooks, awssdk.ToString(first.Experiment.Id))
	}

	for _, tc := range []struct {
		name, tmpl, mode string
		code             string
		status           int
	}{
		{"unknown template", "EXTnope", "run-all", "ResourceNotFoundException", 404},
		{"bad actions mode", "EXT1a2b3c4d5e6f7", "some-all", "ValidationException", 400},
	} {
		_, err := c.StartExperiment(ctx, &fis.StartExperimentInput{
			ExperimentTemplateId: awssdk.String(tc.tmpl), ClientToken: awssdk.String("tok-" + tc.name),
			ExperimentOptions: &fistypes.StartExperimentExperimentOptionsInput{ActionsMode: fistypes.ActionsMode(tc.mode)},
		})
		if code, status := fisErr(t, err); code != tc.code || status != tc.status {
			t.Errorf("%s: %s %d, want %s %d", tc.name, code, status, tc.code, tc.status)
		}
	}
	if n := len(srv.StartedExperiments()); n != 2 {
		t.Errorf("failed starts recorded: %d started", n)
	}
}

func TestFISProgressionAndStop(t *testing.T) {
	ctx := context.Background()
	clock := awstest.NewFakeClock(fisTestEpoch)
	srv := awstest.New(awstest.WithClock(clock))
	defer srv.Close()
	seedFISTemplate(srv)
	c := newFISClient(srv)
	out, err := c.StartExperiment(ctx, &fis.StartExperimentInput{ExperimentTemplateId: awssdk.String("EXT1a2b3c4d5e6f7")})
	if err != nil {
		t.Fatal(err)
	}
	id := out.Experiment.Id
	// The SDK fills an idempotency token when none is given.
	if st := srv.StartedExperiments(); len(st) != 1 || st[0].ClientToken == "" {
		t.Errorf("SDK did not send a client token: %+v", st)
	}
	steps := []struct {
		at                 time.Duration
		state, fo, waitAct string
	}{
		{0, "pending", "pending", "pending"},
		{2 * time.Second, "initiating", "pending", "pending"},
		{3 * time.Second, "running", "running", "pending"},
		{13 * time.Second, "running", "completed", "running"},
		{73 * time.Second, "completed", "completed", "completed"},
	}
	for _, st := range steps {
		clock.Set(fisTestEpoch.Add(st.at))
		g, err := c.GetExperiment(ctx, &fis.GetExperimentInput{Id: id})
		if err != nil {
			t.Fatal(err)
		}
		e := g.Experiment
		if string(e.State.Status) != st.state || string(e.Actions["failover"].State.Status) != st.fo || string(e.Actions["wait"].State.Status) != st.waitAct {
			t.Errorf("t+%v: %s failover=%s wait=%s, want %s %s %s", st.at, e.State.Status,
				e.Actions["failover"].State.Status, e.Actions["wait"].State.Status, st.state, st.fo, st.waitAct)
		}
	}
	g, _ := c.GetExperiment(ctx, &fis.GetExperimentInput{Id: id})
	if g.Experiment.EndTime == nil || !g.Experiment.EndTime.Equal(fisTestEpoch.Add(73*time.Second)) {
		t.Errorf("endTime = %v", g.Experiment.EndTime)
	}
	if w := g.Experiment.Actions["wait"]; w.StartTime == nil || !w.StartTime.Equal(fisTestEpoch.Add(13*time.Second)) {
		t.Errorf("wait startTime = %v", w.StartTime)
	}
	// Stopping a completed experiment is refused.
	_, err = c.StopExperiment(ctx, &fis.StopExperimentInput{Id: id})
	if code, status := fisErr(t, err); code != "ValidationException" || status != 400 {
		t.Errorf("stop completed: %s %d", code, status)
	}

	// A second run, stopped while the wait action runs.
	out, err = c.StartExperiment(ctx, &fis.StartExperimentInput{ExperimentTemplateId: awssdk.String("EXT1a2b3c4d5e6f7")})
	if err != nil {
		t.Fatal(err)
	}
	id2 := out.Experiment.Id
	clock.Advance(20 * time.Second)
	stop, err := c.StopExperiment(ctx, &fis.StopExperimentInput{Id: id2})
	if err != nil {
		t.Fatal(err)
	}
	if stop.Experiment.State.Status != fistypes.ExperimentStatusStopping || stop.Experiment.Actions["wait"].State.Status != fistypes.ExperimentActionStatusStopping {
		t.Errorf("after stop: %s wait=%s", stop.Experiment.State.Status, stop.Experiment.Actions["wait"].State.Status)
	}
	clock.Advance(2 * time.Second)
	g, _ = c.GetExperiment(ctx, &fis.GetExperimentInput{Id: id2})
	if g.Experiment.State.Status != fistypes.ExperimentStatusStopped || g.Experiment.Actions["wait"].State.Status != fistypes.ExperimentActionStatusStopped ||
		g.Experiment.Actions["failover"].State.Status != fistypes.ExperimentActionStatusCompleted {
		t.Errorf("2 s after stop: %s wait=%s failover=%s", g.Experiment.State.Status, g.Experiment.Actions["wait"].State.Status, g.Experiment.Actions["failover"].State.Status)
	}

	for _, op := range []func() error{
		func() error {
			_, err := c.GetExperiment(ctx, &fis.GetExperimentInput{Id: awssdk.String("EXPnope")})
			return err
		},
		func() error {
			_, err := c.StopExperiment(ctx, &fis.StopExperimentInput{Id: awssdk.String("EXPnope")})
			return err
		},
		func() error {
			_, err := c.ListExperimentResolvedTargets(ctx, &fis.ListExperimentResolvedTargetsInput{ExperimentId: awssdk.String("EXPnope")})
			return err
		},
	} {
		if code, status := fisErr(t, op()); code != "ResourceNotFoundException" || status != 404 {
			t.Errorf("unknown experiment: %s %d", code, status)
		}
	}
}

func TestFISListExperimentsAndResolvedTargets(t *testing.T) {
	ctx := context.Background()
	srv := awstest.New(awstest.WithClock(awstest.NewFakeClock(fisTestEpoch)))
	defer srv.Close()
	seedFISTemplate(srv)
	srv.SetResolvedTargets("EXT1a2b3c4d5e6f7", "instances", "arn:aws:ec2:us-east-1:123456789012:instance/i-1",
		"arn:aws:ec2:us-east-1:123456789012:instance/i-2", "arn:aws:ec2:us-east-1:123456789012:instance/i-3")
	c := newFISClient(srv)
	var ids []string
	for i, sess := range []string{"a", "b", "c"} {
		out, err := c.StartExperiment(ctx, &fis.StartExperimentInput{
			ExperimentTemplateId: awssdk.String("EXT1a2b3c4d5e6f7"), Tags: map[string]string{"fis-mcp-session": sess},
			ClientToken: awssdk.String("t" + sess),
		})
		if err != nil {
			t.Fatalf("start %d: %v", i, err)
		}
		ids = append(ids, awssdk.ToString(out.Experiment.Id))
	}
	var listed []fistypes.ExperimentSummary
	p := fis.NewListExperimentsPaginator(c, &fis.ListExperimentsInput{ExperimentTemplateId: awssdk.String("EXT1a2b3c4d5e6f7"), MaxResults: awssdk.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		listed = append(listed, out.Experiments...)
	}
	if pages != 2 || len(listed) != 3 {
		t.Fatalf("listed %d experiments in %d pages", len(listed), pages)
	}
	if awssdk.ToString(listed[0].Id) != ids[2] || listed[0].Tags["fis-mcp-session"] != "c" || listed[0].State == nil {
		t.Errorf("newest first with tags: %+v", listed[0])
	}
	other, err := c.ListExperiments(ctx, &fis.ListExperimentsInput{ExperimentTemplateId: awssdk.String("EXTother")})
	if err != nil || len(other.Experiments) != 0 {
		t.Errorf("filter by template: %v %d", err, len(other.Experiments))
	}
	_, err = c.ListExperiments(ctx, &fis.ListExperimentsInput{NextToken: awssdk.String("garbage")})
	if code, _ := fisErr(t, err); code != "ValidationException" {
		t.Errorf("bad nextToken: %s", code)
	}

	var got []string
	rp := fis.NewListExperimentResolvedTargetsPaginator(c, &fis.ListExperimentResolvedTargetsInput{ExperimentId: awssdk.String(ids[0]), MaxResults: awssdk.Int32(2)})
	for rp.HasMorePages() {
		out, err := rp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range out.ResolvedTargets {
			got = append(got, awssdk.ToString(r.TargetName)+" "+awssdk.ToString(r.ResourceType)+" "+r.TargetInformation["arn"])
		}
	}
	sort.Strings(got)
	want := []string{
		"cluster aws:rds:cluster arn:aws:rds:us-east-1:123456789012:cluster:demo",
		"instances aws:ec2:instance arn:aws:ec2:us-east-1:123456789012:instance/i-1",
		"instances aws:ec2:instance arn:aws:ec2:us-east-1:123456789012:instance/i-2",
		"instances aws:ec2:instance arn:aws:ec2:us-east-1:123456789012:instance/i-3",
	}
	if len(got) != len(want) {
		t.Fatalf("resolved targets = %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("resolved[%d] = %q, want %q", i, got[i], want[i])
		}
	}
}

func TestFISMalformedRequestsAndFaults(t *testing.T) {
	ctx := context.Background()
	srv := awstest.New(awstest.WithClock(awstest.NewFakeClock(fisTestEpoch)))
	defer srv.Close()
	seedFISTemplate(srv)

	// A malformed JSON body is a ValidationException in the restJson1 error shape.
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/experiments", bytes.NewReader([]byte("{not json")))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDFAKE/20260411/us-east-1/fis/aws4_request, SignedHeaders=host, Signature=0")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != 400 || resp.Header.Get("X-Amzn-Errortype") != "ValidationException" {
		t.Errorf("malformed body: %d %q", resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"))
	}
	if n := len(srv.StartedExperiments()); n != 0 {
		t.Errorf("malformed start started %d experiments", n)
	}

	// Throttling is retried by the SDK; the call then succeeds.
	srv.InjectFault(awstest.Fault{Service: "fis", Operation: "GetExperimentTemplate", Status: 429, Code: "ThrottlingException", Times: 2})
	c := newFISClient(srv)
	if _, err := c.GetExperimentTemplate(ctx, &fis.GetExperimentTemplateInput{Id: awssdk.String("EXT1a2b3c4d5e6f7")}); err != nil {
		t.Fatalf("throttled call not retried to success: %v", err)
	}
	if n := srv.CallCount("fis", "GetExperimentTemplate"); n != 3 {
		t.Errorf("GetExperimentTemplate calls = %d, want 3", n)
	}
}
