package awstest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/smithy-go"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
)

func TestAutoScalingFake(t *testing.T) {
	srv, _ := newDBFake(t)
	srv.AddAutoScalingGroup(awstest.AutoScalingGroup{Name: "web", MinSize: 2, MaxSize: 4, DesiredCapacity: 2, Instances: []awstest.ASGInstance{
		{ID: "i-0aaa", AZ: "us-east-1a"}, {ID: "i-0bbb", AZ: "us-east-1b", HealthStatus: "Unhealthy"}}})
	for i := range 5 {
		srv.AddScalingActivity(awstest.ScalingActivity{Group: "web", Description: "Launching a new EC2 instance", StartTime: dbT0.Add(time.Duration(i) * time.Minute)})
	}
	client := autoscaling.NewFromConfig(srv.Config())
	ctx := context.Background()
	out, err := client.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{"web", "missing"}})
	if err != nil || len(out.AutoScalingGroups) != 1 {
		t.Fatalf("groups: %+v %v", out, err)
	}
	g := out.AutoScalingGroups[0]
	if awssdk.ToInt32(g.DesiredCapacity) != 2 || len(g.Instances) != 2 || awssdk.ToString(g.Instances[1].HealthStatus) != "Unhealthy" ||
		string(g.Instances[0].LifecycleState) != "InService" || len(g.AvailabilityZones) != 2 {
		t.Errorf("group = %+v", g)
	}
	p := autoscaling.NewDescribeScalingActivitiesPaginator(client, &autoscaling.DescribeScalingActivitiesInput{AutoScalingGroupName: awssdk.String("web"), MaxRecords: awssdk.Int32(2)})
	var starts []time.Time
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page.Activities {
			starts = append(starts, *a.StartTime)
		}
	}
	if len(starts) != 5 || !starts[0].Equal(dbT0.Add(4*time.Minute)) {
		t.Errorf("activities newest first: %v", starts)
	}
	srv.InjectFault(awstest.Fault{Service: "autoscaling", Status: 400, Code: "AccessDenied", Message: "not authorized", Times: 1})
	_, err = client.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDenied" {
		t.Errorf("fault: %v", err)
	}
}
