package awstest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kafka"
	"github.com/aws/smithy-go"
)

func TestKafkaFake(t *testing.T) {
	t0 := time.Date(2026, 4, 11, 10, 0, 0, 0, time.UTC)
	srv := New(WithClock(NewFakeClock(t0)))
	defer srv.Close()
	arn := srv.AddMSKCluster(MSKCluster{
		Name: "orders", BrokerNodes: 3, InstanceType: "kafka.m5.large", ClientSubnets: []string{"subnet-1"},
		BrokerLogGroup:   "/msk/orders",
		BootstrapBrokers: "b-1.orders.kafka.us-east-1.amazonaws.com:9092,b-2.orders.kafka.us-east-1.amazonaws.com:9092",
		Operations: []MSKOperation{
			{Type: "REBOOT_NODE", State: "UPDATE_COMPLETE", Start: t0.Add(-time.Hour), End: t0.Add(-50 * time.Minute)},
			{Type: "UPDATE_BROKER_COUNT", State: "UPDATE_IN_PROGRESS", Start: t0.Add(-time.Minute)},
		},
	})
	client := kafka.NewFromConfig(srv.Config())
	ctx := context.Background()

	v2, err := client.DescribeClusterV2(ctx, &kafka.DescribeClusterV2Input{ClusterArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if string(v2.ClusterInfo.State) != "ACTIVE" || v2.ClusterInfo.Provisioned == nil ||
		aws.ToString(v2.ClusterInfo.Provisioned.LoggingInfo.BrokerLogs.CloudWatchLogs.LogGroup) != "/msk/orders" ||
		!v2.ClusterInfo.CreationTime.Equal(t0) {
		t.Fatalf("v2 %+v", v2.ClusterInfo)
	}
	v1, err := client.DescribeCluster(ctx, &kafka.DescribeClusterInput{ClusterArn: aws.String(arn)})
	if err != nil || aws.ToString(v1.ClusterInfo.BrokerNodeGroupInfo.InstanceType) != "kafka.m5.large" || !aws.ToBool(v1.ClusterInfo.LoggingInfo.BrokerLogs.CloudWatchLogs.Enabled) {
		t.Fatalf("v1 %+v %v", v1, err)
	}
	bb, err := client.GetBootstrapBrokers(ctx, &kafka.GetBootstrapBrokersInput{ClusterArn: aws.String(arn)})
	if err != nil || aws.ToString(bb.BootstrapBrokerString) == "" || bb.BootstrapBrokerStringTls != nil {
		t.Fatalf("brokers %+v %v", bb, err)
	}
	var ops []string
	p := kafka.NewListClusterOperationsV2Paginator(client, &kafka.ListClusterOperationsV2Input{ClusterArn: aws.String(arn), MaxResults: aws.Int32(1)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out.ClusterOperationInfoList {
			ops = append(ops, aws.ToString(o.OperationType))
			if aws.ToString(o.OperationType) == "REBOOT_NODE" && (o.EndTime == nil || !o.EndTime.Equal(t0.Add(-50*time.Minute))) {
				t.Fatalf("end time %v", o.EndTime)
			}
		}
	}
	if len(ops) != 2 || ops[0] != "UPDATE_BROKER_COUNT" {
		t.Fatalf("ops %v", ops)
	}
	srv.SetMSKClusterState(arn, "HEALING")
	v2, _ = client.DescribeClusterV2(ctx, &kafka.DescribeClusterV2Input{ClusterArn: aws.String(arn)})
	if string(v2.ClusterInfo.State) != "HEALING" {
		t.Fatalf("state %s", v2.ClusterInfo.State)
	}
	_, err = client.DescribeClusterV2(ctx, &kafka.DescribeClusterV2Input{ClusterArn: aws.String(arn + "x")})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "NotFoundException" {
		t.Fatalf("err %v", err)
	}
}
