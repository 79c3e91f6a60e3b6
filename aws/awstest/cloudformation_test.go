package awstest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
)

func newCFNClient(srv *awstest.Server) *cloudformation.Client {
	cfg := srv.Config()
	cfg.Retryer = fisFastRetryer
	return cloudformation.NewFromConfig(cfg)
}

func TestCloudFormationDescribeStacks(t *testing.T) {
	ctx := context.Background()
	clock := awstest.NewFakeClock(fisTestEpoch)
	srv := awstest.New(awstest.WithClock(clock))
	defer srv.Close()
	srv.AddStack(awstest.Stack{
		Name: "fis-az-power", Status: "CREATE_COMPLETE",
		Outputs: map[string]string{"ExperimentTemplateId": "EXT1a2b3c4d5e6f7", "DashboardName": "fis-az-power"},
		Tags:    map[string]string{"owner": "sre"},
	})
	srv.AddStack(awstest.Stack{Name: "fis-broken", Status: "ROLLBACK_COMPLETE", StatusReason: "The following resource(s) failed to create: [Role]."})
	c := newCFNClient(srv)

	tests := []struct {
		name, stack, status, reason, output string
		code                                string
	}{
		{name: "ready", stack: "fis-az-power", status: "CREATE_COMPLETE", output: "EXT1a2b3c4d5e6f7"},
		{name: "rolled back", stack: "fis-broken", status: "ROLLBACK_COMPLETE", reason: "The following resource(s) failed to create: [Role]."},
		{name: "missing", stack: "nope", code: "ValidationError"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := c.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: awssdk.String(tc.stack)})
			if tc.code != "" {
				code, status := fisErr(t, err)
				if code != tc.code || status != 400 {
					t.Errorf("error %s %d, want %s 400", code, status, tc.code)
				}
				if want := fmt.Sprintf("Stack with id %s does not exist", tc.stack); !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Stacks) != 1 {
				t.Fatalf("%d stacks", len(out.Stacks))
			}
			st := out.Stacks[0]
			if string(st.StackStatus) != tc.status || awssdk.ToString(st.StackStatusReason) != tc.reason {
				t.Errorf("status %s %q", st.StackStatus, awssdk.ToString(st.StackStatusReason))
			}
			if st.CreationTime == nil || !st.CreationTime.Equal(fisTestEpoch) {
				t.Errorf("creation time %v", st.CreationTime)
			}
			if tc.output != "" {
				found := ""
				for _, o := range st.Outputs {
					if awssdk.ToString(o.OutputKey) == "ExperimentTemplateId" {
						found = awssdk.ToString(o.OutputValue)
					}
				}
				if found != tc.output {
					t.Errorf("output ExperimentTemplateId = %q", found)
				}
			}
		})
	}

	// By stack ID too; without a name every stack is listed.
	out, err := c.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{})
	if err != nil || len(out.Stacks) != 2 {
		t.Fatalf("list all: %v %d", err, len(out.Stacks))
	}
	byID, err := c.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: out.Stacks[0].StackId})
	if err != nil || awssdk.ToString(byID.Stacks[0].StackName) != awssdk.ToString(out.Stacks[0].StackName) {
		t.Errorf("by ID: %v", err)
	}

	clock.Advance(time.Minute)
	srv.SetStackStatus("fis-az-power", "UPDATE_IN_PROGRESS")
	out, err = c.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: awssdk.String("fis-az-power")})
	if err != nil || out.Stacks[0].StackStatus != "UPDATE_IN_PROGRESS" {
		t.Errorf("after SetStackStatus: %v", err)
	}
	ev, err := c.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: awssdk.String("fis-az-power")})
	if err != nil || len(ev.StackEvents) != 1 || ev.StackEvents[0].ResourceStatus != "UPDATE_IN_PROGRESS" ||
		awssdk.ToString(ev.StackEvents[0].ResourceType) != "AWS::CloudFormation::Stack" {
		t.Errorf("status change event: %v %+v", err, ev)
	}
}

// TestCloudFormationDeletedStack: a deleted stack is described by its stack ID only
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html).
func TestCloudFormationDeletedStack(t *testing.T) {
	ctx := context.Background()
	srv := awstest.New(awstest.WithClock(awstest.NewFakeClock(fisTestEpoch)))
	defer srv.Close()
	srv.AddStack(awstest.Stack{Name: "gone", Status: "CREATE_COMPLETE"})
	srv.AddStack(awstest.Stack{Name: "kept", Status: "UPDATE_ROLLBACK_COMPLETE"})
	c := newCFNClient(srv)
	out, err := c.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: awssdk.String("gone")})
	if err != nil {
		t.Fatal(err)
	}
	id := out.Stacks[0].StackId
	srv.SetStackStatus("gone", "DELETE_COMPLETE")
	_, err = c.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: awssdk.String("gone")})
	if code, _ := fisErr(t, err); code != "ValidationError" || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("deleted stack by name: %v", err)
	}
	byID, err := c.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: id})
	if err != nil || byID.Stacks[0].StackStatus != "DELETE_COMPLETE" {
		t.Errorf("deleted stack by ID: %v", err)
	}
	all, err := c.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{})
	if err != nil || len(all.Stacks) != 1 || awssdk.ToString(all.Stacks[0].StackName) != "kept" {
		t.Errorf("listing: %v %+v", err, all)
	}
}

func TestCloudFormationDescribeStackEventsPaging(t *testing.T) {
	ctx := context.Background()
	srv := awstest.New(awstest.WithClock(awstest.NewFakeClock(fisTestEpoch)))
	defer srv.Close()
	var events []awstest.StackEvent
	for i := range 250 {
		events = append(events, awstest.StackEvent{
			Time: fisTestEpoch.Add(time.Duration(i) * time.Second), LogicalID: fmt.Sprintf("R%03d", i),
			ResourceType: "AWS::IAM::Role", Status: "CREATE_COMPLETE",
		})
	}
	srv.AddStack(awstest.Stack{Name: "big", Status: "CREATE_COMPLETE", Events: events})
	c := newCFNClient(srv)
	p := cloudformation.NewDescribeStackEventsPaginator(c, &cloudformation.DescribeStackEventsInput{StackName: awssdk.String("big")})
	var got []string
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, e := range out.StackEvents {
			got = append(got, awssdk.ToString(e.LogicalResourceId))
		}
	}
	if pages != 3 || len(got) != 250 {
		t.Fatalf("%d events in %d pages", len(got), pages)
	}
	if got[0] != "R249" || got[249] != "R000" {
		t.Errorf("not newest first: %s ... %s", got[0], got[249])
	}
	_, err := c.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: awssdk.String("big"), NextToken: awssdk.String("bogus")})
	if code, _ := fisErr(t, err); code != "ValidationError" {
		t.Errorf("bad token: %s", code)
	}
	_, err = c.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: awssdk.String("nope")})
	if code, _ := fisErr(t, err); code != "ValidationError" {
		t.Errorf("missing stack events: %s", code)
	}
}
