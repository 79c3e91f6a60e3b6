package awstest

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/smithy-go"
)

func TestECSFake(t *testing.T) {
	srv := New()
	defer srv.Close()
	srv.AddECSCluster(ECSCluster{Name: "web"})
	a := srv.AddECSTask(ECSTask{Cluster: "web", Service: "front", HealthStatus: "HEALTHY", AvailabilityZone: "us-east-1a"})
	b := srv.AddECSTask(ECSTask{Cluster: "web", Service: "back"})
	srv.SetECSTaskStatus("web", b, "STOPPED", "UNHEALTHY")
	client := ecs.NewFromConfig(srv.Config())
	ctx := context.Background()

	dc, err := client.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{"web", "arn:aws:ecs:us-east-1:123456789012:cluster/gone"}})
	if err != nil || len(dc.Clusters) != 1 || aws.ToString(dc.Clusters[0].Status) != "ACTIVE" || len(dc.Failures) != 1 || aws.ToString(dc.Failures[0].Reason) != "MISSING" {
		t.Fatalf("clusters %+v %v", dc, err)
	}
	dt, err := client.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String("web"), Tasks: []string{a, b, "nope"}})
	if err != nil || len(dt.Tasks) != 2 || len(dt.Failures) != 1 {
		t.Fatalf("tasks %+v %v", dt, err)
	}
	if aws.ToString(dt.Tasks[0].LastStatus) != "RUNNING" || string(dt.Tasks[0].HealthStatus) != "HEALTHY" || aws.ToString(dt.Tasks[1].LastStatus) != "STOPPED" {
		t.Fatalf("tasks %+v", dt.Tasks)
	}
	lt, err := client.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String("web"), ServiceName: aws.String("front")})
	if err != nil || len(lt.TaskArns) != 1 || lt.TaskArns[0] != a {
		t.Fatalf("list %+v %v", lt, err)
	}
	_, err = client.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String("nope"), Tasks: []string{a}})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ClusterNotFoundException" {
		t.Fatalf("err %v", err)
	}
}
