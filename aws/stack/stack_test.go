package stack_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/smithy-go"

	awsx "github.com/fis-mcp/fis-mcp/aws"
	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/aws/stack"
)

var epoch = time.Date(2026, 4, 11, 10, 30, 0, 0, time.UTC)

func fastRetryer() awssdk.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 5
		o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		o.RateLimiter = ratelimit.None
	})
}

func newClient(srv *awstest.Server) *cloudformation.Client {
	cfg := srv.Config()
	cfg.Retryer = fastRetryer
	return cloudformation.NewFromConfig(cfg)
}

func seed(srv *awstest.Server) {
	outputs := map[string]string{"ExperimentTemplateId": "EXT1a2b3c4d5e6f7"}
	srv.AddStack(awstest.Stack{Name: "created", Status: "CREATE_COMPLETE", Outputs: outputs})
	srv.AddStack(awstest.Stack{Name: "updated", Status: "UPDATE_COMPLETE", Outputs: outputs})
	srv.AddStack(awstest.Stack{Name: "rolled-back", Status: "ROLLBACK_COMPLETE", StatusReason: "The following resource(s) failed to create: [FisRole].",
		Events: []awstest.StackEvent{
			{Time: epoch, LogicalID: "rolled-back", ResourceType: "AWS::CloudFormation::Stack", Status: "CREATE_IN_PROGRESS"},
			{Time: epoch.Add(5 * time.Second), LogicalID: "FisRole", ResourceType: "AWS::IAM::Role", Status: "CREATE_FAILED", Reason: "Role fis-role already exists"},
			{Time: epoch.Add(9 * time.Second), LogicalID: "rolled-back", ResourceType: "AWS::CloudFormation::Stack", Status: "ROLLBACK_COMPLETE"},
		}})
	srv.AddStack(awstest.Stack{Name: "failed", Status: "CREATE_FAILED", StatusReason: "Resource creation cancelled",
		Events: []awstest.StackEvent{
			{Time: epoch, LogicalID: "failed", ResourceType: "AWS::CloudFormation::Stack", Status: "CREATE_IN_PROGRESS"},
			{Time: epoch.Add(3 * time.Second), LogicalID: "Template", ResourceType: "AWS::FIS::ExperimentTemplate", Status: "CREATE_FAILED", Reason: "Invalid target resource type"},
			{Time: epoch.Add(4 * time.Second), LogicalID: "Alarm", ResourceType: "AWS::CloudWatch::Alarm", Status: "CREATE_FAILED", Reason: "Resource creation cancelled"},
			{Time: epoch.Add(6 * time.Second), LogicalID: "failed", ResourceType: "AWS::CloudFormation::Stack", Status: "CREATE_FAILED", Reason: "Resource creation cancelled"},
		}})
}

func TestDescribeStates(t *testing.T) {
	ctx := context.Background()
	srv := awstest.New(awstest.WithClock(awstest.NewFakeClock(epoch)))
	defer srv.Close()
	seed(srv)
	c := newClient(srv)

	tests := []struct {
		name       string
		stack      string
		status     string
		reason     string
		ready      bool
		failures   []string // "LogicalID: reason", newest first
		notFound   bool
		templateID string
	}{
		{name: "create complete", stack: "created", status: "CREATE_COMPLETE", ready: true, templateID: "EXT1a2b3c4d5e6f7"},
		{name: "update complete", stack: "updated", status: "UPDATE_COMPLETE", ready: true, templateID: "EXT1a2b3c4d5e6f7"},
		{name: "rollback complete", stack: "rolled-back", status: "ROLLBACK_COMPLETE", reason: "The following resource(s) failed to create: [FisRole].",
			failures: []string{"FisRole: Role fis-role already exists"}},
		{name: "create failed", stack: "failed", status: "CREATE_FAILED", reason: "Resource creation cancelled",
			failures: []string{"failed: Resource creation cancelled", "Alarm: Resource creation cancelled", "Template: Invalid target resource type"}},
		{name: "missing", stack: "nope", notFound: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, err := stack.Describe(ctx, c, tc.stack)
			if tc.notFound {
				if !errors.Is(err, stack.ErrNotFound) {
					t.Fatalf("err = %v, want ErrNotFound", err)
				}
				var ae smithy.APIError
				if !errors.As(err, &ae) || ae.ErrorCode() != "ValidationError" {
					t.Errorf("AWS error not kept in the chain: %v", err)
				}
				if !strings.Contains(err.Error(), tc.stack) {
					t.Errorf("error %q does not name the stack", err)
				}
				_, err = stack.FailureEvents(ctx, c, tc.stack, 3)
				if !errors.Is(err, stack.ErrNotFound) {
					t.Errorf("FailureEvents on a missing stack: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if st.Name != tc.stack || st.Status != tc.status || st.StatusReason != tc.reason || st.ID == "" {
				t.Errorf("stack = %+v", st)
			}
			if stack.Ready(st.Status) != tc.ready {
				t.Errorf("Ready(%s) = %v", st.Status, !tc.ready)
			}
			if st.Outputs["ExperimentTemplateId"] != tc.templateID {
				t.Errorf("outputs = %v", st.Outputs)
			}
			evs, err := stack.FailureEvents(ctx, c, tc.stack, 5)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range evs {
				got = append(got, e.LogicalID+": "+e.Reason)
				if !strings.HasSuffix(e.Status, "_FAILED") || e.Time.IsZero() || e.ResourceType == "" {
					t.Errorf("event %+v", e)
				}
			}
			if strings.Join(got, "|") != strings.Join(tc.failures, "|") {
				t.Errorf("failure events = %q, want %q", got, tc.failures)
			}
		})
	}

	evs, err := stack.FailureEvents(ctx, c, "failed", 2)
	if err != nil || len(evs) != 2 || evs[0].LogicalID != "failed" || evs[1].LogicalID != "Alarm" {
		t.Errorf("n=2: %v %+v", err, evs)
	}
	if evs, err := stack.FailureEvents(ctx, c, "failed", 0); err != nil || len(evs) != 0 {
		t.Errorf("n=0: %v %+v", err, evs)
	}
}

func TestReady(t *testing.T) {
	for status, want := range map[string]bool{
		"CREATE_COMPLETE": true, "UPDATE_COMPLETE": true, "UPDATE_ROLLBACK_COMPLETE": false, "ROLLBACK_COMPLETE": false,
		"CREATE_IN_PROGRESS": false, "DELETE_COMPLETE": false, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS": false, "": false,
	} {
		if got := stack.Ready(status); got != want {
			t.Errorf("Ready(%q) = %v, want %v", status, got, want)
		}
	}
}

func TestFailureEventsPaging(t *testing.T) {
	ctx := context.Background()
	srv := awstest.New(awstest.WithClock(awstest.NewFakeClock(epoch)))
	defer srv.Close()
	var events []awstest.StackEvent
	// Old failures, then 230 newer successes: the failures are on the last page.
	for i := range 3 {
		events = append(events, awstest.StackEvent{Time: epoch.Add(time.Duration(i) * time.Second), LogicalID: fmt.Sprintf("Bad%d", i),
			ResourceType: "AWS::IAM::Role", Status: "UPDATE_FAILED", Reason: fmt.Sprintf("reason %d", i)})
	}
	for i := range 230 {
		events = append(events, awstest.StackEvent{Time: epoch.Add(time.Minute + time.Duration(i)*time.Second), LogicalID: fmt.Sprintf("Ok%d", i),
			ResourceType: "AWS::IAM::Role", Status: "UPDATE_COMPLETE"})
	}
	srv.AddStack(awstest.Stack{Name: "long", Status: "UPDATE_ROLLBACK_COMPLETE", Events: events})
	c := newClient(srv)
	evs, err := stack.FailureEvents(ctx, c, "long", 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || evs[0].LogicalID != "Bad2" || evs[1].LogicalID != "Bad1" || evs[0].Reason != "reason 2" {
		t.Errorf("events = %+v", evs)
	}
	if n := srv.CallCount("cloudformation", "DescribeStackEvents"); n != 3 {
		t.Errorf("DescribeStackEvents calls = %d, want 3 pages", n)
	}
}

func TestErrors(t *testing.T) {
	ctx := context.Background()
	srv := awstest.New(awstest.WithClock(awstest.NewFakeClock(epoch)))
	defer srv.Close()
	seed(srv)
	c := newClient(srv)

	// Throttling is retried by the SDK, then the call succeeds.
	srv.InjectFault(awstest.Fault{Service: "cloudformation", Operation: "DescribeStacks", Status: 400, Code: "Throttling", Message: "Rate exceeded", Times: 2})
	if st, err := stack.Describe(ctx, c, "created"); err != nil || st.Status != "CREATE_COMPLETE" {
		t.Fatalf("throttled describe: %v", err)
	}
	if n := srv.CallCount("cloudformation", "DescribeStacks"); n != 3 {
		t.Errorf("DescribeStacks calls = %d, want 3", n)
	}

	tests := []struct {
		op, code, perm string
		status         int
		kind           awsx.Kind
		call           func() error
	}{
		{op: "DescribeStacks", code: "AccessDenied", status: 403, kind: awsx.KindAccessDenied, perm: "cloudformation:DescribeStacks",
			call: func() error { _, err := stack.Describe(ctx, c, "created"); return err }},
		{op: "DescribeStackEvents", code: "AccessDenied", status: 403, kind: awsx.KindAccessDenied, perm: "cloudformation:DescribeStackEvents",
			call: func() error { _, err := stack.FailureEvents(ctx, c, "failed", 3); return err }},
		{op: "DescribeStacks", code: "InternalFailure", status: 500, kind: awsx.KindOther, perm: "cloudformation:DescribeStacks",
			call: func() error { _, err := stack.Describe(ctx, c, "created"); return err }},
	}
	for _, tc := range tests {
		t.Run(tc.op+" "+tc.code, func(t *testing.T) {
			srv.InjectFault(awstest.Fault{Service: "cloudformation", Operation: tc.op, Status: tc.status, Code: tc.code})
			defer srv.ClearFaults()
			err := tc.call()
			var ae *awsx.Error
			if !errors.As(err, &ae) {
				t.Fatalf("err %v (%T) is not an *aws.Error", err, err)
			}
			if ae.Kind != tc.kind || ae.Code != tc.code || ae.Permission != tc.perm {
				t.Errorf("error = kind %s code %s permission %s", ae.Kind, ae.Code, ae.Permission)
			}
			if errors.Is(err, stack.ErrNotFound) {
				t.Errorf("%s is not a missing stack", tc.code)
			}
			if tc.kind == awsx.KindAccessDenied && !strings.Contains(err.Error(), tc.perm) {
				t.Errorf("message %q does not name %s", err, tc.perm)
			}
		})
	}
}

func TestMalformedResponses(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name, body string
		notFound   bool
	}{
		{name: "no stacks", body: `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks></Stacks></DescribeStacksResult></DescribeStacksResponse>`, notFound: true},
		{name: "garbage", body: `<DescribeStacksResponse><DescribeStacksResult><Stacks><member><StackName>x`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/xml")
				_, _ = w.Write([]byte(tc.body))
			}))
			defer h.Close()
			c := cloudformation.NewFromConfig(awssdk.Config{
				Region: "us-east-1", BaseEndpoint: awssdk.String(h.URL), Retryer: fastRetryer,
				Credentials: credentials.NewStaticCredentialsProvider("AKIDFAKE", "fake-secret", ""),
			})
			st, err := stack.Describe(ctx, c, "x")
			if err == nil {
				t.Fatalf("no error, stack %+v", st)
			}
			if errors.Is(err, stack.ErrNotFound) != tc.notFound {
				t.Errorf("err = %v, notFound want %v", err, tc.notFound)
			}
		})
	}
}
