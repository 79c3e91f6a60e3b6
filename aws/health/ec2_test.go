package health

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/session"
)

var infraT0 = time.Date(2026, 4, 11, 10, 30, 0, 0, time.UTC)

// infraTestEnv starts a fake account on a fake clock and returns an Env whose real SDK
// clients retry without backoff (so throttling tests stay fast).
func infraTestEnv(tb testing.TB, opts ...awstest.Option) (*awstest.Server, *awstest.FakeClock, Env) {
	tb.Helper()
	clk := awstest.NewFakeClock(infraT0)
	srv := awstest.New(append([]awstest.Option{awstest.WithClock(clk)}, opts...)...)
	tb.Cleanup(srv.Close)
	cfg := srv.Config()
	cfg.Retryer = func() awssdk.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 4
			o.RateLimiter = ratelimit.None
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		})
	}
	return srv, clk, Env{Clients: awsapi.NewClients(cfg)}
}

func infraRes(typ string, ids ...string) []Resource {
	var rs []Resource
	for _, id := range ids {
		rs = append(rs, Resource{ID: id, Type: typ, Target: "t"})
	}
	return rs
}

type wantHealth struct {
	id, status string
	healthy    bool
	detail     string // substring
}

func assertHealth(t *testing.T, got []Result, want []wantHealth) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("results = %d, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.ID != w.id || g.Status != w.status || g.Healthy != w.healthy || !strings.Contains(g.Detail, w.detail) {
			t.Errorf("result %d = {%s %q healthy=%v %q}, want {%s %q healthy=%v ~%q}", i, g.ID, g.Status, g.Healthy, g.Detail, w.id, w.status, w.healthy, w.detail)
		}
	}
}

func seedInstances(srv *awstest.Server) {
	srv.AddInstance(awstest.Instance{ID: "i-0a01", AZ: "us-east-1a"})
	srv.AddInstance(awstest.Instance{ID: "i-0a02", AZ: "us-east-1b", State: "stopped", StateTransitionReason: "User initiated (2026-04-11 10:29:00 GMT)"})
	srv.AddInstance(awstest.Instance{ID: "i-0a03", InstanceStatus: "impaired"})
	srv.AddInstance(awstest.Instance{ID: "i-0a04", SystemStatus: "impaired"})
	srv.AddInstance(awstest.Instance{ID: "i-0a05", InstanceStatus: "initializing", SystemStatus: "initializing"})
	srv.AddInstance(awstest.Instance{ID: "i-0a06", Lifecycle: "spot", AZ: "us-east-1c"})
}

func TestEC2InstanceChecker(t *testing.T) {
	srv, _, env := infraTestEnv(t)
	seedInstances(srv)
	check := DefaultRegistry()["aws:ec2:instance"]
	tests := []struct {
		name  string
		ids   []string
		fault *awstest.Fault
		want  []wantHealth
		calls int // DescribeInstances calls, 0 = don't check
	}{
		{name: "healthy", ids: []string{"i-0a01"}, want: []wantHealth{{"i-0a01", "running/ok/ok", true, "running in us-east-1a"}}, calls: 1},
		{name: "each unhealthy status", ids: []string{"i-0a02", "i-0a03", "i-0a04", "i-0a05"}, want: []wantHealth{
			{"i-0a02", "stopped/not-applicable/not-applicable", false, "User initiated (2026-04-11 10:29:00 GMT)"},
			{"i-0a03", "running/impaired/ok", false, "instance status check impaired"},
			{"i-0a04", "running/ok/impaired", false, "system status check impaired"},
			{"i-0a05", "running/initializing/initializing", false, "initializing"},
		}},
		{name: "missing among present keeps order", ids: []string{"i-0fff", "i-0a01", "i-0eee"}, want: []wantHealth{
			{"i-0fff", "not-found", false, "instance i-0fff does not exist"},
			{"i-0a01", "running/ok/ok", true, ""},
			{"i-0eee", "not-found", false, "does not exist"},
		}, calls: 2},
		{name: "throttled then succeeds", ids: []string{"i-0a01"},
			fault: &awstest.Fault{Service: "ec2", Operation: "DescribeInstances", Status: 503, Code: "RequestLimitExceeded", Times: 2},
			want:  []wantHealth{{"i-0a01", "running/ok/ok", true, ""}}, calls: 3},
		{name: "access denied is unchecked", ids: []string{"i-0a01", "i-0a02"},
			fault: &awstest.Fault{Service: "ec2", Operation: "DescribeInstances", Status: 403, Code: "UnauthorizedOperation", Message: "You are not authorized to perform this operation."},
			want: []wantHealth{
				{"i-0a01", "unchecked", false, "ec2:DescribeInstances"},
				{"i-0a02", "unchecked", false, "not authorized"},
			}},
		{name: "status call denied is unchecked", ids: []string{"i-0a01"},
			fault: &awstest.Fault{Service: "ec2", Operation: "DescribeInstanceStatus", Status: 403, Code: "UnauthorizedOperation", Message: "denied"},
			want:  []wantHealth{{"i-0a01", "unchecked", false, "status checks could not be read"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv.ClearFaults()
			if tc.fault != nil {
				srv.InjectFault(*tc.fault)
			}
			before := srv.CallCount("ec2", "DescribeInstances")
			got := check(context.Background(), env, infraRes("aws:ec2:instance", tc.ids...))
			assertHealth(t, got, tc.want)
			if n := srv.CallCount("ec2", "DescribeInstances") - before; tc.calls > 0 && n != tc.calls {
				t.Errorf("DescribeInstances calls = %d, want %d", n, tc.calls)
			}
		})
	}
	srv.ClearFaults()

	// Attributes are the SDK instance, so FIS filters match on its fields.
	got := check(context.Background(), env, infraRes("aws:ec2:instance", "i-0a01"))
	in, ok := got[0].Attributes.(ec2types.Instance)
	if !ok || awssdk.ToString(in.Placement.AvailabilityZone) != "us-east-1a" || in.State.Name != ec2types.InstanceStateNameRunning {
		t.Fatalf("attributes = %#v", got[0].Attributes)
	}
	match, err := MatchFilters(got[0].Attributes, []session.TargetFilter{{Path: "Placement.AvailabilityZone", Values: []string{"us-east-1a"}}, {Path: "State.Name", Values: []string{"running"}}})
	if err != nil || !match {
		t.Errorf("filters on attributes: %v %v", match, err)
	}
}

func TestEC2SpotInstanceChecker(t *testing.T) {
	srv, _, env := infraTestEnv(t)
	seedInstances(srv)
	got := DefaultRegistry()["aws:ec2:spot-instance"](context.Background(), env, infraRes("aws:ec2:spot-instance", "i-0a06", "i-0a01"))
	assertHealth(t, got, []wantHealth{
		{"i-0a06", "running/ok/ok", true, "us-east-1c"},
		{"i-0a01", "running/ok/ok", false, "not a Spot instance"},
	})
}

func TestEC2InstanceDegradedThenRecovers(t *testing.T) {
	srv, clk, env := infraTestEnv(t)
	seedInstances(srv)
	srv.SetInstanceStateAt(infraT0.Add(time.Minute), "i-0a01", "stopping", "")
	srv.SetInstanceStateAt(infraT0.Add(2*time.Minute), "i-0a01", "stopped", "")
	srv.SetInstanceStateAt(infraT0.Add(4*time.Minute), "i-0a01", "running", "")
	check := DefaultRegistry()["aws:ec2:instance"]
	for _, step := range []struct {
		at      time.Duration
		status  string
		healthy bool
	}{
		{0, "running/ok/ok", true},
		{90 * time.Second, "stopping/not-applicable/not-applicable", false},
		{3 * time.Minute, "stopped/not-applicable/not-applicable", false},
		{5 * time.Minute, "running/ok/ok", true},
	} {
		clk.Set(infraT0.Add(step.at))
		got := check(context.Background(), env, infraRes("aws:ec2:instance", "i-0a01"))
		if got[0].Status != step.status || got[0].Healthy != step.healthy {
			t.Errorf("at +%v: %s healthy=%v (%s), want %s %v", step.at, got[0].Status, got[0].Healthy, got[0].Detail, step.status, step.healthy)
		}
	}
}

func TestAutoScalingGroupChecker(t *testing.T) {
	srv, _, env := infraTestEnv(t)
	srv.AddAutoScalingGroup(awstest.AutoScalingGroup{Name: "web", DesiredCapacity: 2, Instances: []awstest.ASGInstance{{ID: "i-1", AZ: "us-east-1a"}, {ID: "i-2", AZ: "us-east-1b"}}})
	srv.AddAutoScalingGroup(awstest.AutoScalingGroup{Name: "api", DesiredCapacity: 3, Instances: []awstest.ASGInstance{
		{ID: "i-3"}, {ID: "i-4", HealthStatus: "Unhealthy"}, {ID: "i-5", LifecycleState: "Pending"}}})
	srv.AddAutoScalingGroup(awstest.AutoScalingGroup{Name: "old", DesiredCapacity: 0, Status: "Delete in progress"})
	srv.AddAutoScalingGroup(awstest.AutoScalingGroup{Name: "empty", DesiredCapacity: 2})
	rs := infraRes("aws:ec2:autoscaling-group", "web", "api", "old", "gone", "empty")
	rs = append(rs, Resource{ARN: "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:uuid:autoScalingGroupName/web", Type: "aws:ec2:autoscaling-group"})
	got := DefaultRegistry()["aws:ec2:autoscaling-group"](context.Background(), env, rs)
	assertHealth(t, got, []wantHealth{
		{"web", "in-service 2/2", true, "2 of 2 desired"},
		{"api", "in-service 1/3", false, "i-4 InService/Unhealthy"},
		{"old", "Delete in progress", false, "Delete in progress"},
		{"gone", "not-found", false, "Auto Scaling group gone does not exist"},
		{"empty", "in-service 0/2", false, "0 of 2"},
		{"", "in-service 2/2", true, ""},
	})
	if n := srv.CallCount("autoscaling", "DescribeAutoScalingGroups"); n != 1 {
		t.Errorf("DescribeAutoScalingGroups calls = %d, want 1 batch", n)
	}
	srv.InjectFault(awstest.Fault{Service: "autoscaling", Status: 403, Code: "AccessDenied", Message: "User is not authorized"})
	got = DefaultRegistry()["aws:ec2:autoscaling-group"](context.Background(), env, infraRes("aws:ec2:autoscaling-group", "web"))
	assertHealth(t, got, []wantHealth{{"web", "unchecked", false, "autoscaling:DescribeAutoScalingGroups"}})
}

func TestSubnetTransitGatewayVolumeCheckers(t *testing.T) {
	srv, _, env := infraTestEnv(t)
	srv.AddSubnet(awstest.Subnet{ID: "subnet-0a1", AZ: "us-east-1a"})
	srv.AddSubnet(awstest.Subnet{ID: "subnet-0a2", State: "pending"})
	srv.AddTransitGateway(awstest.TransitGateway{ID: "tgw-0a1"})
	srv.AddTransitGateway(awstest.TransitGateway{ID: "tgw-0a2", State: "modifying"})
	srv.AddVolume(awstest.Volume{ID: "vol-0a1", AttachedTo: "i-0a01"})
	srv.AddVolume(awstest.Volume{ID: "vol-0a2"})
	srv.AddVolume(awstest.Volume{ID: "vol-0a3", State: "error"})
	reg := DefaultRegistry()
	ctx := context.Background()
	assertHealth(t, reg["aws:ec2:subnet"](ctx, env, infraRes("aws:ec2:subnet", "subnet-0a1", "subnet-0a2", "subnet-0ff")), []wantHealth{
		{"subnet-0a1", "available", true, "us-east-1a"},
		{"subnet-0a2", "pending", false, ""},
		{"subnet-0ff", "not-found", false, "does not exist"},
	})
	// DescribeTransitGateways names one missing ID per error: the checker peels them off one by one.
	assertHealth(t, reg["aws:ec2:transit-gateway"](ctx, env, infraRes("aws:ec2:transit-gateway", "tgw-0a1", "tgw-0ff", "tgw-0a2", "tgw-0ee")), []wantHealth{
		{"tgw-0a1", "available", true, ""},
		{"tgw-0ff", "not-found", false, ""},
		{"tgw-0a2", "modifying", false, ""},
		{"tgw-0ee", "not-found", false, ""},
	})
	assertHealth(t, reg["aws:ec2:ebs-volume"](ctx, env, infraRes("aws:ec2:ebs-volume", "vol-0a1", "vol-0a2", "vol-0a3", "vol-0ff")), []wantHealth{
		{"vol-0a1", "in-use", true, "attached to i-0a01"},
		{"vol-0a2", "available", true, ""},
		{"vol-0a3", "error", false, ""},
		{"vol-0ff", "not-found", false, ""},
	})
}

func BenchmarkEC2Instances500(b *testing.B) {
	srv, _, env := infraTestEnv(b)
	rs := make([]Resource, 500)
	for i := range rs {
		id := fmt.Sprintf("i-%08x", i)
		srv.AddInstance(awstest.Instance{ID: id})
		rs[i] = Resource{ID: id, Type: "aws:ec2:instance"}
	}
	check := DefaultRegistry()["aws:ec2:instance"]
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		got := check(ctx, env, rs)
		if len(got) != 500 || !got[499].Healthy {
			b.Fatalf("unexpected result: %+v", got[499])
		}
	}
}
