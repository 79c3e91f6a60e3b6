package events

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/aws/health"
)

func TestParseTransitionTime(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"User initiated (2026-04-11 10:30:15 GMT)", time.Date(2026, 4, 11, 10, 30, 15, 0, time.UTC), true},
		{"Service initiated (2026-04-11 10:31:02 GMT)", time.Date(2026, 4, 11, 10, 31, 2, 0, time.UTC), true},
		{"", time.Time{}, false},
		{"Server.SpotInstanceTermination", time.Time{}, false},
	} {
		got, ok := ParseTransitionTime(tc.in)
		if ok != tc.ok || !got.Equal(tc.want) {
			t.Errorf("%q: %v %v", tc.in, got, ok)
		}
	}
}

func TestInstanceTransitions(t *testing.T) {
	srv, clk, c := serviceEventsFake(t)
	srv.AddInstance(awstest.Instance{ID: "i-0a1"})
	srv.AddInstance(awstest.Instance{ID: "i-0a2"})
	srv.AddInstance(awstest.Instance{ID: "i-0a3", State: "stopped", StateTransitionReason: "User initiated (2026-04-10 08:00:00 GMT)"})
	srv.AddInstance(awstest.Instance{ID: "i-0a4", State: "terminated", StateTransitionReason: "", StateReasonCode: "Server.SpotInstanceTermination", StateReasonMessage: "Server.SpotInstanceTermination: Spot instance termination"})
	srv.SetInstanceStateAt(evT0.Add(time.Minute), "i-0a1", "stopped", "")
	clk.Set(evT0.Add(2 * time.Minute))
	rs := []health.Resource{{ID: "i-0a1"}, {ID: "i-0a2"}, {ID: "i-0a3"}, {ID: "i-0a4"}, {ID: "i-0ff"}}
	evs, err := DefaultReaders()["aws:ec2:instance"](context.Background(), c, rs, evT0, evT0.Add(5*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"10:31:00 ec2:DescribeInstances i-0a1 instance stopped: User initiated (2026-04-11 10:31:00 GMT) (Client.UserInitiatedShutdown: User initiated shutdown)",
		"10:35:00 ec2:DescribeInstances i-0a4 instance terminated (Server.SpotInstanceTermination: Spot instance termination)",
	}
	if got := eventLines(evs); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if evs[0].Observed || !evs[1].Observed {
		t.Errorf("observed flags: %+v", evs)
	}
}

func TestScalingActivities(t *testing.T) {
	srv, _, c := serviceEventsFake(t)
	srv.AddAutoScalingGroup(awstest.AutoScalingGroup{Name: "web", DesiredCapacity: 1})
	for i := range 150 {
		srv.AddScalingActivity(awstest.ScalingActivity{Group: "web", Description: "Launching a new EC2 instance", Cause: "capacity", StartTime: evT0.Add(-time.Duration(i) * time.Minute)})
	}
	srv.AddScalingActivity(awstest.ScalingActivity{Group: "other", Description: "x", StartTime: evT0})
	evs, err := DefaultReaders()["aws:ec2:autoscaling-group"](context.Background(), c,
		[]health.Resource{{ARN: "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:uuid:autoScalingGroupName/web", Type: "aws:ec2:autoscaling-group"}},
		evT0.Add(-10*time.Minute), evT0)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 11 || !evs[0].Time.Equal(evT0.Add(-10*time.Minute)) || evs[10].Subject != "web" ||
		evs[10].Message != "Launching a new EC2 instance (Successful). Cause: capacity" {
		t.Errorf("activities: %d %v", len(evs), eventLines(evs))
	}
	if n := srv.CallCount("autoscaling", "DescribeScalingActivities"); n != 1 {
		t.Errorf("pages read = %d, want 1 (stops at the window start)", n)
	}
}
