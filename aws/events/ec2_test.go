package events

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

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

// TestInstanceTransitionsAbove200 reads 500 instances: EC2 takes at most 200 filter values
// a call (FilterLimitExceeded beyond), so the IDs go in chunks of 200 and none is lost.
func TestInstanceTransitionsAbove200(t *testing.T) {
	srv, clk, c := serviceEventsFake(t)
	var rs []health.Resource
	for i := range 500 {
		id := fmt.Sprintf("i-%017x", i+1)
		srv.AddInstance(awstest.Instance{ID: id})
		rs = append(rs, health.Resource{ID: id, Type: "aws:ec2:instance"})
	}
	for _, i := range []int{0, 250, 499} {
		srv.SetInstanceStateAt(evT0.Add(time.Minute), rs[i].ID, "stopped", "")
	}
	clk.Set(evT0.Add(2 * time.Minute))
	evs, err := DefaultReaders()["aws:ec2:instance"](context.Background(), c, rs, evT0, evT0.Add(5*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range evs {
		got = append(got, e.Subject)
	}
	if want := rs[0].ID + " " + rs[250].ID + " " + rs[499].ID; strings.Join(got, " ") != want {
		t.Errorf("stopped instances %v, want %s", got, want)
	}
	calls := srv.Calls("ec2", "DescribeInstances")
	if len(calls) != 3 {
		t.Errorf("DescribeInstances calls = %d, want 3 (200+200+100 IDs)", len(calls))
	}
}

// TestEC2FilterLimit checks the fake refuses more than 200 filter values as EC2 does, and the
// reader reports (never drops) such a failure.
func TestEC2FilterLimit(t *testing.T) {
	srv, _, c := serviceEventsFake(t)
	srv.InjectFault(awstest.Fault{Service: "ec2", Operation: "DescribeInstances", Status: 403, Code: "UnauthorizedOperation", Message: "not authorized"})
	_, err := DefaultReaders()["aws:ec2:instance"](context.Background(), c, []health.Resource{{ID: "i-0a1"}}, evT0, evT0)
	if err == nil || !strings.Contains(err.Error(), "ec2:DescribeInstances") {
		t.Errorf("a failed read: err %v, want one naming ec2:DescribeInstances", err)
	}
	srv.ClearFaults()
	var ids []string
	for i := range 201 {
		ids = append(ids, fmt.Sprintf("i-%017x", i+1))
	}
	_, err = c.EC2.DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{Filters: []ec2types.Filter{{Name: awssdk.String("instance-id"), Values: ids}}})
	if err == nil || !strings.Contains(err.Error(), "FilterLimitExceeded") {
		t.Errorf("201 filter values: %v, want FilterLimitExceeded", err)
	}
}
