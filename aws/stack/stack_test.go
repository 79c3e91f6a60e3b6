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
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/smithy-go"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
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
		"CREATE_COMPLETE": true, "UPDATE_COMPLETE": true, "UPDATE_ROLLBACK_COMPLETE": true, "IMPORT_COMPLETE": true,
		"IMPORT_ROLLBACK_COMPLETE": true, "ROLLBACK_COMPLETE": false, "CREATE_IN_PROGRESS": false, "DELETE_COMPLETE": false,
		"UPDATE_COMPLETE_CLEANUP_IN_PROGRESS": false, "UPDATE_FAILED": false, "": false, "SOMETHING_NEW": false,
	} {
		if got := stack.Ready(status); got != want {
			t.Errorf("Ready(%q) = %v, want %v", status, got, want)
		}
	}
}

// TestClassifyEveryDocumentedStatus lists every StackStatus value of the CloudFormation API
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Stack.html) with its kind;
// the SDK's enum (generated from the API model) must match the list exactly.
func TestClassifyEveryDocumentedStatus(t *testing.T) {
	want := map[string]stack.Kind{
		"CREATE_COMPLETE":                              stack.KindReady,
		"UPDATE_COMPLETE":                              stack.KindReady,
		"UPDATE_ROLLBACK_COMPLETE":                     stack.KindReadyWithWarning,
		"IMPORT_COMPLETE":                              stack.KindReadyWithWarning,
		"IMPORT_ROLLBACK_COMPLETE":                     stack.KindReadyWithWarning,
		"CREATE_IN_PROGRESS":                           stack.KindInProgress,
		"ROLLBACK_IN_PROGRESS":                         stack.KindInProgress,
		"DELETE_IN_PROGRESS":                           stack.KindInProgress,
		"UPDATE_IN_PROGRESS":                           stack.KindInProgress,
		"UPDATE_COMPLETE_CLEANUP_IN_PROGRESS":          stack.KindInProgress,
		"UPDATE_ROLLBACK_IN_PROGRESS":                  stack.KindInProgress,
		"UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS": stack.KindInProgress,
		"REVIEW_IN_PROGRESS":                           stack.KindInProgress,
		"IMPORT_IN_PROGRESS":                           stack.KindInProgress,
		"IMPORT_ROLLBACK_IN_PROGRESS":                  stack.KindInProgress,
		"CREATE_FAILED":                                stack.KindFailed,
		"ROLLBACK_COMPLETE":                            stack.KindFailed,
		"ROLLBACK_FAILED":                              stack.KindFailed,
		"UPDATE_FAILED":                                stack.KindFailed,
		"UPDATE_ROLLBACK_FAILED":                       stack.KindFailed,
		"IMPORT_ROLLBACK_FAILED":                       stack.KindFailed,
		"DELETE_FAILED":                                stack.KindFailed,
		"DELETE_COMPLETE":                              stack.KindDeleted,
	}
	sdk := map[string]bool{}
	for _, v := range cfntypes.StackStatus("").Values() {
		sdk[string(v)] = true
		if _, ok := want[string(v)]; !ok {
			t.Errorf("SDK stack status %s is not in the test's list", v)
		}
	}
	classified := map[string]bool{}
	for _, s := range stack.Statuses() {
		classified[s] = true
	}
	for status, kind := range want {
		if !sdk[status] {
			t.Errorf("%s is not an SDK StackStatus value", status)
		}
		if !classified[status] {
			t.Errorf("%s has no row in the classification table", status)
		}
		c := stack.Classify(status)
		if c.Kind != kind {
			t.Errorf("Classify(%s) = %s, want %s", status, c.Kind, kind)
		}
		if c.Meaning == "" || c.Operation == "" {
			t.Errorf("Classify(%s) lacks a meaning or operation: %+v", status, c)
		}
		remedy := stack.Remedy(status)
		switch kind {
		case stack.KindReady:
			if remedy != "" || stack.Warning("s", status) != "" {
				t.Errorf("%s: a ready stack has remedy %q / a warning", status, remedy)
			}
		case stack.KindReadyWithWarning:
			if w := stack.Warning("s", status); !strings.Contains(w, status) || remedy != "" {
				t.Errorf("%s: warning %q, remedy %q", status, w, remedy)
			}
		case stack.KindInProgress:
			if !strings.HasPrefix(remedy, "wait for the stack operation to finish ("+c.Operation+" in progress)") {
				t.Errorf("%s: remedy %q does not say to wait for the %s", status, remedy, c.Operation)
			}
		default:
			if remedy == "" || strings.Contains(remedy, "wait") {
				t.Errorf("%s: remedy %q", status, remedy)
			}
		}
	}
	if len(classified) != len(want) {
		t.Errorf("the table has %d rows, the documented list %d", len(classified), len(want))
	}
	if c := stack.Classify("SOMETHING_NEW"); c.Kind != stack.KindUnknown || stack.Remedy("SOMETHING_NEW") == "" {
		t.Errorf("an undocumented status: %+v", c)
	}
}

// TestDescribeEveryStatus: the fake holds every documented status and DescribeStacks returns it
// (a deleted stack only by its stack ID, as documented).
func TestDescribeEveryStatus(t *testing.T) {
	ctx := context.Background()
	srv := awstest.New(awstest.WithClock(awstest.NewFakeClock(epoch)))
	defer srv.Close()
	c := newClient(srv)
	for _, status := range stack.Statuses() {
		name := "s-" + strings.ToLower(strings.ReplaceAll(status, "_", "-"))
		srv.AddStack(awstest.Stack{Name: name, Status: status, Outputs: map[string]string{"ExperimentTemplateId": "EXT1a2b3c4d5e6f7"}})
		st, err := stack.Describe(ctx, c, name)
		if status == "DELETE_COMPLETE" {
			if !errors.Is(err, stack.ErrNotFound) {
				t.Errorf("a deleted stack by name: %v, %+v", err, st)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", status, err)
		}
		if st.Status != status {
			t.Errorf("status = %s, want %s", st.Status, status)
		}
		byID, err := stack.Describe(ctx, c, st.ID)
		if err != nil || byID.Status != status {
			t.Errorf("%s by stack ID: %v %+v", status, err, byID)
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
		kind           awsapi.Kind
		call           func() error
	}{
		{op: "DescribeStacks", code: "AccessDenied", status: 403, kind: awsapi.KindAccessDenied, perm: "cloudformation:DescribeStacks",
			call: func() error { _, err := stack.Describe(ctx, c, "created"); return err }},
		{op: "DescribeStackEvents", code: "AccessDenied", status: 403, kind: awsapi.KindAccessDenied, perm: "cloudformation:DescribeStackEvents",
			call: func() error { _, err := stack.FailureEvents(ctx, c, "failed", 3); return err }},
		{op: "DescribeStacks", code: "InternalFailure", status: 500, kind: awsapi.KindOther, perm: "cloudformation:DescribeStacks",
			call: func() error { _, err := stack.Describe(ctx, c, "created"); return err }},
	}
	for _, tc := range tests {
		t.Run(tc.op+" "+tc.code, func(t *testing.T) {
			srv.InjectFault(awstest.Fault{Service: "cloudformation", Operation: tc.op, Status: tc.status, Code: tc.code})
			defer srv.ClearFaults()
			err := tc.call()
			var ae *awsapi.Error
			if !errors.As(err, &ae) {
				t.Fatalf("err %v (%T) is not an *aws.Error", err, err)
			}
			if ae.Kind != tc.kind || ae.Code != tc.code || ae.Permission != tc.perm {
				t.Errorf("error = kind %s code %s permission %s", ae.Kind, ae.Code, ae.Permission)
			}
			if errors.Is(err, stack.ErrNotFound) {
				t.Errorf("%s is not a missing stack", tc.code)
			}
			if tc.kind == awsapi.KindAccessDenied && !strings.Contains(err.Error(), tc.perm) {
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

func TestCheckUsable(t *testing.T) {
	ctx := context.Background()
	srv := awstest.New(awstest.WithClock(awstest.NewFakeClock(epoch)))
	defer srv.Close()
	c := newClient(srv)
	tests := []struct {
		status string
		ok     bool
		errHas string
	}{
		{status: "CREATE_COMPLETE", ok: true},
		{status: "UPDATE_ROLLBACK_COMPLETE", ok: true},
		{status: "IMPORT_COMPLETE", ok: true},
		{status: "UPDATE_IN_PROGRESS", errHas: "wait for the stack operation to finish (stack update in progress)"},
		{status: "UPDATE_ROLLBACK_IN_PROGRESS", errHas: "update rollback in progress"},
		{status: "UPDATE_FAILED", errHas: "stack events"},
		{status: "DELETE_COMPLETE", errHas: "does not exist"},
	}
	for _, tc := range tests {
		t.Run(tc.status, func(t *testing.T) {
			srv.AddStack(awstest.Stack{Name: "s", Status: tc.status})
			err := stack.CheckUsable(ctx, c, "s")
			if tc.ok {
				if err != nil {
					t.Fatalf("a stable stack: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.errHas) {
				t.Fatalf("err = %v, want %q", err, tc.errHas)
			}
			if tc.status == "DELETE_COMPLETE" {
				if !errors.Is(err, stack.ErrNotFound) {
					t.Errorf("a deleted stack: %v", err)
				}
			} else if !errors.Is(err, stack.ErrNotUsable) || !strings.Contains(err.Error(), tc.status) {
				t.Errorf("err = %v", err)
			}
		})
	}
}
