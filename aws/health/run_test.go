package health

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/session"
)

// fakeInstances is a test checker for aws:ec2:instance answering from a table, with the
// real SDK shape as attributes so filters walk what FIS walks.
type fakeInstances struct {
	mu         sync.Mutex
	state      map[string]string // ID → state name
	az         map[string]string
	maxChunk   int
	inFlight   int32
	maxFlight  int32
	delay      time.Duration
	panicOnID  string
	shortReply bool
}

func (fi *fakeInstances) check(ctx context.Context, env Env, rs []Resource) []Result {
	n := atomic.AddInt32(&fi.inFlight, 1)
	defer atomic.AddInt32(&fi.inFlight, -1)
	for {
		m := atomic.LoadInt32(&fi.maxFlight)
		if n <= m || atomic.CompareAndSwapInt32(&fi.maxFlight, m, n) {
			break
		}
	}
	fi.mu.Lock()
	fi.maxChunk = max(fi.maxChunk, len(rs))
	fi.mu.Unlock()
	time.Sleep(fi.delay)
	var out []Result
	for _, r := range rs {
		if r.ID == fi.panicOnID {
			panic("boom")
		}
		st := fi.state[r.ID]
		if st == "" {
			st = "running"
		}
		az := fi.az[r.ID]
		if az == "" {
			az = "us-east-1a"
		}
		in := ec2types.Instance{InstanceId: aws.String(r.ID), State: &ec2types.InstanceState{Name: ec2types.InstanceStateName(st)},
			Placement: &ec2types.Placement{AvailabilityZone: aws.String(az)}}
		out = append(out, describedResult(r, st, st == "running", "", in))
	}
	if fi.shortReply && len(out) > 0 {
		out = out[:len(out)-1]
	}
	return out
}

func arnsOf(ids ...string) []string {
	var out []string
	for _, id := range ids {
		out = append(out, instanceArn(id))
	}
	return out
}

func TestCheckVerdicts(t *testing.T) {
	f := newFakeAWS(t)
	f.srv.AddEKSCluster(awstest.EKSCluster{Name: "prod"})
	f.srv.AddNodegroup(awstest.EKSNodegroup{Cluster: "prod", Name: "ng-a"})
	f.srv.AddNodegroup(awstest.EKSNodegroup{Cluster: "prod", Name: "ng-b", Status: "DEGRADED"})
	f.srv.AddRole("fis-role", "arn:aws:iam::123456789012:role/fis-role")
	env := f.env()
	fi := &fakeInstances{state: map[string]string{"i-3": "stopped"}, az: map[string]string{"i-2": "us-east-1b"}}
	reg := DefaultRegistry()
	reg["aws:ec2:instance"] = fi.check
	ngArn := func(n string) string { return "arn:aws:eks:us-east-1:123456789012:nodegroup/prod/" + n + "/u" }
	fixed := func() time.Time { return time.Date(2026, 4, 11, 10, 0, 0, 0, time.FixedZone("x", 3600)) }

	tests := []struct {
		name        string
		tmpl        session.Template
		wantVerdict string
		wantIDs     []string
		wantStatus  map[string]string
		wantNote    string
	}{
		{name: "all healthy", tmpl: session.Template{Targets: []session.Target{
			{Name: "Nodes", ResourceType: "aws:eks:nodegroup", ResourceArns: []string{ngArn("ng-a")}},
			{Name: "Instances", ResourceType: "aws:ec2:instance", ResourceArns: arnsOf("i-2", "i-1")},
		}}, wantVerdict: session.VerdictHealthy, wantIDs: []string{"i-1", "i-2", "prod/ng-a"}},
		{name: "one degraded", tmpl: session.Template{Targets: []session.Target{
			{Name: "Nodes", ResourceType: "aws:eks:nodegroup", ResourceArns: []string{ngArn("ng-a"), ngArn("ng-b")}},
		}}, wantVerdict: session.VerdictBlocked, wantStatus: map[string]string{"prod/ng-b": "DEGRADED"}},
		{name: "filters drop the unhealthy one", tmpl: session.Template{Targets: []session.Target{
			{Name: "Instances", ResourceType: "aws:ec2:instance", ResourceArns: arnsOf("i-1", "i-2", "i-3"),
				Filters: []session.TargetFilter{{Path: "State.Name", Values: []string{"running"}}}},
		}}, wantVerdict: session.VerdictHealthy, wantIDs: []string{"i-1", "i-2"}, wantNote: "filters kept 2 of 3"},
		{name: "AZ filter", tmpl: session.Template{Targets: []session.Target{
			{Name: "Instances", ResourceType: "aws:ec2:instance", ResourceArns: arnsOf("i-1", "i-2", "i-3"),
				Filters: []session.TargetFilter{{Path: "Placement.AvailabilityZone", Values: []string{"us-east-1b"}}}},
		}}, wantVerdict: session.VerdictHealthy, wantIDs: []string{"i-2"}},
		{name: "filters leave nothing", tmpl: session.Template{Targets: []session.Target{
			{Name: "Instances", ResourceType: "aws:ec2:instance", ResourceArns: arnsOf("i-1"),
				Filters: []session.TargetFilter{{Path: "Placement.AvailabilityZone", Values: []string{"us-east-1c"}}}},
		}}, wantVerdict: session.VerdictBlocked, wantStatus: map[string]string{"(none)": StatusNoTargetsResolved}, wantNote: "no resource matches the filters"},
		{name: "unknown type", tmpl: session.Template{Targets: []session.Target{
			{Name: "X", ResourceType: "aws:foo:bar", ResourceArns: []string{"arn:aws:foo:us-east-1:123456789012:bar/x"}},
		}}, wantVerdict: session.VerdictBlocked, wantStatus: map[string]string{"x": StatusUnchecked}},
		{name: "empty target", tmpl: session.Template{Targets: []session.Target{
			{Name: "Instances", ResourceType: "aws:ec2:instance", ResourceTags: map[string]string{"none": "x"}},
		}}, wantVerdict: session.VerdictBlocked, wantStatus: map[string]string{"(none)": StatusNoTargetsResolved}},
		{name: "role exists", tmpl: session.Template{RoleArn: "arn:aws:iam::123456789012:role/fis-role", Targets: []session.Target{
			{Name: "Instances", ResourceType: "aws:ec2:instance", ResourceArns: arnsOf("i-1")},
		}}, wantVerdict: session.VerdictHealthy},
		{name: "role missing", tmpl: session.Template{RoleArn: "arn:aws:iam::123456789012:role/gone", Targets: []session.Target{
			{Name: "Instances", ResourceType: "aws:ec2:instance", ResourceArns: arnsOf("i-1")},
		}}, wantVerdict: session.VerdictBlocked},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hr := Check(context.Background(), env, reg, tc.tmpl, Options{Now: fixed})
			if hr.Verdict != tc.wantVerdict || hr.AllHealthy != (tc.wantVerdict == session.VerdictHealthy) {
				t.Fatalf("verdict %s all_healthy %v, want %s; resources %+v role %+v", hr.Verdict, hr.AllHealthy, tc.wantVerdict, hr.Resources, hr.Role)
			}
			if !hr.CheckedAt.Equal(fixed()) || hr.CheckedAt.Location() != time.UTC {
				t.Fatalf("checked_at %v", hr.CheckedAt)
			}
			if tc.wantIDs != nil {
				var ids []string
				for _, r := range hr.Resources {
					ids = append(ids, r.ID)
				}
				if strings.Join(ids, ",") != strings.Join(tc.wantIDs, ",") {
					t.Fatalf("ids %v, want %v", ids, tc.wantIDs)
				}
			}
			for id, st := range tc.wantStatus {
				found := false
				for _, r := range hr.Resources {
					if r.ID == id {
						found = true
						if r.Status != st || r.Healthy {
							t.Fatalf("%s: %+v, want status %s", id, r, st)
						}
					}
				}
				if !found {
					t.Fatalf("no resource %s in %+v", id, hr.Resources)
				}
			}
			if tc.wantNote != "" && !strings.Contains(strings.Join(hr.Notes, "\n"), tc.wantNote) {
				t.Fatalf("notes %v, want %q", hr.Notes, tc.wantNote)
			}
		})
	}
	// Unknown types say why.
	hr := Check(context.Background(), env, reg, session.Template{Targets: []session.Target{
		{Name: "X", ResourceType: "aws:foo:bar", ResourceArns: []string{"arn:aws:foo:us-east-1:123456789012:bar/x"}}}}, Options{})
	if len(hr.Resources) != 1 || hr.Resources[0].Detail != "no health checker for resource type aws:foo:bar" {
		t.Fatalf("unknown type %+v", hr.Resources)
	}
}

func TestVerdict(t *testing.T) {
	ok := []session.ResourceHealth{{ID: "a", Healthy: true}}
	bad := []session.ResourceHealth{{ID: "a", Healthy: true}, {ID: "b"}}
	tests := []struct {
		name   string
		rs     []session.ResourceHealth
		alarms []session.AlarmHealth
		role   *session.RoleCheck
		want   string
	}{
		{"all good", ok, []session.AlarmHealth{{Name: "x", Healthy: true}}, &session.RoleCheck{Exists: true}, session.VerdictHealthy},
		{"no role check", ok, nil, nil, session.VerdictHealthy},
		{"unhealthy resource", bad, nil, nil, session.VerdictBlocked},
		{"alarm in ALARM", ok, []session.AlarmHealth{{Name: "x", State: "ALARM"}}, nil, session.VerdictBlocked},
		{"role missing", ok, nil, &session.RoleCheck{Exists: false}, session.VerdictBlocked},
	}
	for _, tc := range tests {
		if got := Verdict(tc.rs, tc.alarms, tc.role); got != tc.want {
			t.Errorf("%s: got %s want %s", tc.name, got, tc.want)
		}
	}
}

func TestCheckConcurrencyAndChunks(t *testing.T) {
	f := newFakeAWS(t)
	fi := &fakeInstances{delay: 5 * time.Millisecond, state: map[string]string{}}
	reg := Registry{"aws:ec2:instance": fi.check}
	var a, b []string
	for i := 0; i < 450; i++ {
		a = append(a, instanceArn(fmt.Sprintf("i-a%03d", i)))
		b = append(b, instanceArn(fmt.Sprintf("i-b%03d", i)))
	}
	tmpl := session.Template{Targets: []session.Target{
		{Name: "Zeta", ResourceType: "aws:ec2:instance", ResourceArns: b},
		{Name: "Alpha", ResourceType: "aws:ec2:instance", ResourceArns: a},
	}}
	hr := Check(context.Background(), f.env(), reg, tmpl, Options{Concurrency: 3})
	if len(hr.Resources) != 900 || hr.Verdict != session.VerdictHealthy {
		t.Fatalf("%d resources, verdict %s", len(hr.Resources), hr.Verdict)
	}
	if fi.maxChunk > 100 || fi.maxChunk == 0 {
		t.Fatalf("max chunk %d", fi.maxChunk)
	}
	if fi.maxFlight > 3 || fi.maxFlight < 2 {
		t.Fatalf("max concurrency %d, want 2..3", fi.maxFlight)
	}
	if hr.Resources[0].Target != "Alpha" || hr.Resources[0].ID != "i-a000" || hr.Resources[899].ID != "i-b449" {
		t.Fatalf("not sorted: first %+v last %+v", hr.Resources[0], hr.Resources[899])
	}
}

func TestCheckMisbehavingChecker(t *testing.T) {
	f := newFakeAWS(t)
	tests := []struct {
		name string
		fi   *fakeInstances
		want string
	}{
		{"panic", &fakeInstances{panicOnID: "i-2"}, "health checker failed: boom"},
		{"short reply", &fakeInstances{shortReply: true}, "returned no result"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hr := Check(context.Background(), f.env(), Registry{"aws:ec2:instance": tc.fi.check}, session.Template{Targets: []session.Target{
				{Name: "I", ResourceType: "aws:ec2:instance", ResourceArns: arnsOf("i-1", "i-2")}}}, Options{})
			if hr.Verdict != session.VerdictBlocked || hr.Resources[1].Status != StatusUnchecked || !strings.Contains(hr.Resources[1].Detail, tc.want) {
				t.Fatalf("%+v", hr.Resources)
			}
		})
	}
}

func TestRecheck(t *testing.T) {
	f := newFakeAWS(t)
	f.srv.AddEKSCluster(awstest.EKSCluster{Name: "prod"})
	f.srv.AddNodegroup(awstest.EKSNodegroup{Cluster: "prod", Name: "ng-a"})
	env := f.env()
	key := "prod/shop/labelSelector=app=cart"
	env.Pods = fakePods{pods: map[string][]Pod{key: {{Name: "cart-1", Phase: "Running", Ready: true}}}}
	hr := Check(context.Background(), env, DefaultRegistry(), session.Template{Targets: []session.Target{
		{Name: "Nodes", ResourceType: "aws:eks:nodegroup", ResourceArns: []string{"arn:aws:eks:us-east-1:123456789012:nodegroup/prod/ng-a/u"}},
		{Name: "Pods", ResourceType: "aws:eks:pod", Parameters: map[string]string{"clusterIdentifier": "prod", "namespace": "shop", "selectorType": "labelSelector", "selectorValue": "app=cart"}},
		{Name: "Empty", ResourceType: "aws:eks:nodegroup", ResourceTags: map[string]string{"x": "y"}},
	}}, Options{})
	if len(hr.Resources) != 3 || hr.Verdict != session.VerdictBlocked {
		t.Fatalf("%+v", hr)
	}
	f.srv.SetNodegroupStatus("prod", "ng-a", "DEGRADED")
	before := f.srv.CallCount("tagging", "")
	again := Recheck(context.Background(), env, DefaultRegistry(), hr.Resources)
	if f.srv.CallCount("tagging", "") != before {
		t.Fatal("Recheck resolved targets again")
	}
	byID := map[string]session.ResourceHealth{}
	for i, r := range again {
		if r.ID != hr.Resources[i].ID || r.Target != hr.Resources[i].Target {
			t.Fatalf("order changed: %+v vs %+v", r, hr.Resources[i])
		}
		byID[r.ID] = r
	}
	if byID["prod/ng-a"].Status != "DEGRADED" || byID["prod/ng-a"].Healthy {
		t.Fatalf("nodegroup %+v", byID["prod/ng-a"])
	}
	if p := byID[key]; p.Status != "Running" || !p.Healthy {
		t.Fatalf("pod %+v", p)
	}
	if e := byID["(none)"]; e.Status != StatusNoTargetsResolved {
		t.Fatalf("placeholder %+v", e)
	}
}
