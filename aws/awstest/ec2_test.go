package awstest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
)

func TestEC2DescribeInstances(t *testing.T) {
	srv, _ := newDBFake(t)
	srv.AddInstance(awstest.Instance{ID: "i-0aaa", AZ: "us-east-1a", Tags: map[string]string{"app": "web"}})
	srv.AddInstance(awstest.Instance{ID: "i-0bbb", AZ: "us-east-1b", Lifecycle: "spot", Tags: map[string]string{"app": "web"}})
	srv.AddInstance(awstest.Instance{ID: "i-0ccc", AZ: "us-east-1b", State: "stopped", StateTransitionReason: "User initiated (2026-04-11 10:30:15 GMT)",
		StateReasonCode: "Client.UserInitiatedShutdown", StateReasonMessage: "Client.UserInitiatedShutdown: User initiated shutdown"})
	client := ec2.NewFromConfig(srv.Config())
	ctx := context.Background()

	out, err := client.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{"i-0bbb", "i-0ccc"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Reservations) != 2 {
		t.Fatalf("reservations = %d", len(out.Reservations))
	}
	spot := out.Reservations[0].Instances[0]
	if awssdk.ToString(spot.InstanceId) != "i-0bbb" || spot.InstanceLifecycle != ec2types.InstanceLifecycleTypeSpot ||
		spot.State.Name != ec2types.InstanceStateNameRunning || awssdk.ToInt32(spot.State.Code) != 16 ||
		awssdk.ToString(spot.Placement.AvailabilityZone) != "us-east-1b" || awssdk.ToString(spot.PrivateIpAddress) == "" ||
		!strings.HasSuffix(awssdk.ToString(spot.PrivateDnsName), ".ec2.internal") {
		t.Errorf("spot instance = %+v", spot)
	}
	stopped := out.Reservations[1].Instances[0]
	if stopped.State.Name != ec2types.InstanceStateNameStopped || awssdk.ToString(stopped.StateTransitionReason) != "User initiated (2026-04-11 10:30:15 GMT)" ||
		stopped.StateReason == nil || awssdk.ToString(stopped.StateReason.Code) != "Client.UserInitiatedShutdown" {
		t.Errorf("stopped instance = %+v", stopped)
	}

	tests := []struct {
		name    string
		filters []ec2types.Filter
		want    int
	}{
		{"state running", []ec2types.Filter{{Name: awssdk.String("instance-state-name"), Values: []string{"running"}}}, 2},
		{"az", []ec2types.Filter{{Name: awssdk.String("availability-zone"), Values: []string{"us-east-1b"}}}, 2},
		{"tag", []ec2types.Filter{{Name: awssdk.String("tag:app"), Values: []string{"web"}}}, 2},
		{"tag and az", []ec2types.Filter{{Name: awssdk.String("tag:app"), Values: []string{"web"}}, {Name: awssdk.String("availability-zone"), Values: []string{"us-east-1a"}}}, 1},
		{"wildcard", []ec2types.Filter{{Name: awssdk.String("availability-zone"), Values: []string{"us-east-1*"}}}, 3},
		{"no match", []ec2types.Filter{{Name: awssdk.String("tag:app"), Values: []string{"db"}}}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := client.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: tc.filters})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, r := range out.Reservations {
				n += len(r.Instances)
			}
			if n != tc.want {
				t.Errorf("instances = %d, want %d", n, tc.want)
			}
		})
	}

	_, err = client.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{"i-0aaa", "i-0zzz", "i-0yyy"}})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InvalidInstanceID.NotFound" || !strings.Contains(apiErr.ErrorMessage(), "i-0zzz, i-0yyy") {
		t.Errorf("err = %v", err)
	}
}

func TestEC2DescribeInstancesPaging(t *testing.T) {
	srv, _ := newDBFake(t)
	for i := range 23 {
		srv.AddInstance(awstest.Instance{ID: fmt.Sprintf("i-%04x", i)})
	}
	client := ec2.NewFromConfig(srv.Config())
	p := ec2.NewDescribeInstancesPaginator(client, &ec2.DescribeInstancesInput{MaxResults: awssdk.Int32(10)})
	n, pages := 0, 0
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range out.Reservations {
			n += len(r.Instances)
		}
	}
	if n != 23 || pages != 3 {
		t.Errorf("instances %d in %d pages", n, pages)
	}
}

func TestEC2DescribeInstanceStatus(t *testing.T) {
	srv, _ := newDBFake(t)
	srv.AddInstance(awstest.Instance{ID: "i-0aaa"})
	srv.AddInstance(awstest.Instance{ID: "i-0bbb", InstanceStatus: "impaired", SystemStatus: "ok"})
	srv.AddInstance(awstest.Instance{ID: "i-0ccc", State: "stopped"})
	client := ec2.NewFromConfig(srv.Config())
	ctx := context.Background()
	ids := []string{"i-0aaa", "i-0bbb", "i-0ccc"}

	out, err := client.DescribeInstanceStatus(ctx, &ec2.DescribeInstanceStatusInput{InstanceIds: ids})
	if err != nil || len(out.InstanceStatuses) != 2 {
		t.Fatalf("running only: %v %v", out, err)
	}
	out, err = client.DescribeInstanceStatus(ctx, &ec2.DescribeInstanceStatusInput{InstanceIds: ids, IncludeAllInstances: awssdk.Bool(true)})
	if err != nil || len(out.InstanceStatuses) != 3 {
		t.Fatalf("all: %v %v", out, err)
	}
	want := []string{"ok", "impaired", "not-applicable"}
	for i, st := range out.InstanceStatuses {
		if string(st.InstanceStatus.Status) != want[i] {
			t.Errorf("%s instance status = %q, want %q", awssdk.ToString(st.InstanceId), st.InstanceStatus.Status, want[i])
		}
	}
	if out.InstanceStatuses[1].InstanceStatus.Details[0].Status != ec2types.StatusTypeFailed {
		t.Errorf("impaired reachability = %+v", out.InstanceStatuses[1].InstanceStatus.Details)
	}
}

func TestEC2SubnetsTransitGatewaysVolumes(t *testing.T) {
	srv, _ := newDBFake(t)
	srv.AddSubnet(awstest.Subnet{ID: "subnet-0aaa", VPCID: "vpc-1", AZ: "us-east-1a"})
	srv.AddTransitGateway(awstest.TransitGateway{ID: "tgw-0aaa", State: "modifying"})
	srv.AddVolume(awstest.Volume{ID: "vol-0aaa", AttachedTo: "i-0aaa"})
	client := ec2.NewFromConfig(srv.Config())
	ctx := context.Background()

	sn, err := client.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{"subnet-0aaa"}})
	if err != nil || len(sn.Subnets) != 1 || sn.Subnets[0].State != ec2types.SubnetStateAvailable || awssdk.ToString(sn.Subnets[0].AvailabilityZone) != "us-east-1a" {
		t.Errorf("subnets: %+v %v", sn, err)
	}
	tg, err := client.DescribeTransitGateways(ctx, &ec2.DescribeTransitGatewaysInput{TransitGatewayIds: []string{"tgw-0aaa"}})
	if err != nil || len(tg.TransitGateways) != 1 || tg.TransitGateways[0].State != ec2types.TransitGatewayStateModifying {
		t.Errorf("tgws: %+v %v", tg, err)
	}
	vo, err := client.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{VolumeIds: []string{"vol-0aaa"}})
	if err != nil || len(vo.Volumes) != 1 || vo.Volumes[0].State != ec2types.VolumeStateInUse || awssdk.ToString(vo.Volumes[0].Attachments[0].InstanceId) != "i-0aaa" {
		t.Errorf("volumes: %+v %v", vo, err)
	}
	for _, tc := range []struct {
		name string
		call func() error
		code string
	}{
		{"subnet", func() error {
			_, err := client.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{"subnet-0zzz"}})
			return err
		}, "InvalidSubnetID.NotFound"},
		{"tgw", func() error {
			_, err := client.DescribeTransitGateways(ctx, &ec2.DescribeTransitGatewaysInput{TransitGatewayIds: []string{"tgw-0zzz"}})
			return err
		}, "InvalidTransitGatewayID.NotFound"},
		{"volume", func() error {
			_, err := client.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{VolumeIds: []string{"vol-0zzz"}})
			return err
		}, "InvalidVolume.NotFound"},
	} {
		var apiErr smithy.APIError
		if err := tc.call(); !errors.As(err, &apiErr) || apiErr.ErrorCode() != tc.code {
			t.Errorf("%s: err = %v, want %s", tc.name, err, tc.code)
		}
	}
}
