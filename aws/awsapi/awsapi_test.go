package awsapi_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/smithy-go"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/session/audit"
)

func loadConfig(t *testing.T, srv *awstest.Server) awssdk.Config {
	t.Helper()
	cfg, err := awsapi.LoadConfig(context.Background(), awsapi.Options{Region: "us-east-1", Endpoint: srv.URL, MaxAttempts: 3})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestAuditMiddlewareRecordsCalls(t *testing.T) {
	srv := awstest.New()
	defer srv.Close()
	srv.AddStack(awstest.Stack{Name: "my-stack", Status: "CREATE_COMPLETE"})
	srv.AddExperimentTemplate(awstest.ExperimentTemplate{ID: "EXT1", Actions: map[string]awstest.TemplateAction{"a": {ActionID: "aws:fis:wait", Parameters: map[string]string{"duration": "PT1M"}}}})
	cfg := loadConfig(t, srv)
	rec := audit.NewRecorder("resolve_experiment")
	ctx := audit.With(context.Background(), rec)

	if _, err := cloudformation.NewFromConfig(cfg).DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: awssdk.String("my-stack")}); err != nil {
		t.Fatal(err)
	}
	_, err := cloudformation.NewFromConfig(cfg).DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: awssdk.String("missing")})
	if err == nil {
		t.Fatal("want an error for a missing stack")
	}
	out, err := fis.NewFromConfig(cfg).StartExperiment(ctx, &fis.StartExperimentInput{ExperimentTemplateId: awssdk.String("EXT1"), ClientToken: awssdk.String("tok")})
	if err != nil {
		t.Fatal(err)
	}
	// No recorder in the context: nothing recorded, nothing breaks.
	if _, err := fis.NewFromConfig(cfg).GetExperiment(context.Background(), &fis.GetExperimentInput{Id: out.Experiment.Id}); err != nil {
		t.Fatal(err)
	}

	calls := rec.Calls()
	if len(calls) != 3 {
		t.Fatalf("recorded %d calls, want 3: %+v", len(calls), calls)
	}
	want := []struct{ service, op, resource, result string }{
		{"CloudFormation", "DescribeStacks", "my-stack", "ok"},
		{"CloudFormation", "DescribeStacks", "missing", "ValidationError"},
		{"fis", "StartExperiment", "EXT1", "ok"},
	}
	for i, w := range want {
		c := calls[i]
		if c.Service != w.service || c.Operation != w.op || c.Resource != w.resource || c.Result != w.result || c.Tool != "resolve_experiment" {
			t.Errorf("call %d = %+v, want %+v", i, c, w)
		}
	}
	if got := calls[2].CLI; got != "aws fis start-experiment --experiment-template-id EXT1 --client-token tok --region us-east-1" {
		t.Errorf("CLI equivalent = %q", got)
	}
	if calls[0].CLI != "" {
		t.Errorf("read-only call has a CLI equivalent: %q", calls[0].CLI)
	}
	for _, c := range calls {
		if strings.Contains(fmt.Sprint(c), "AKID") || strings.Contains(fmt.Sprint(c), "secret") {
			t.Errorf("credential in audit record: %+v", c)
		}
	}
}

func TestClassifyAndWrap(t *testing.T) {
	srv := awstest.New()
	defer srv.Close()
	cfg := loadConfig(t, srv)
	tests := []struct {
		fault      awstest.Fault
		kind       awsapi.Kind
		remedyPart string
	}{
		{awstest.Fault{Service: "cloudformation", Status: 403, Code: "AccessDenied"}, awsapi.KindAccessDenied, "cloudformation:DescribeStacks"},
		{awstest.Fault{Service: "cloudformation", Status: 400, Code: "Throttling"}, awsapi.KindThrottled, "throttling"},
		{awstest.Fault{Service: "cloudformation", Status: 403, Code: "ExpiredToken"}, awsapi.KindExpiredCredentials, "aws sso login"},
		{awstest.Fault{Service: "cloudformation", Status: 400, Code: "ValidationError"}, awsapi.KindValidation, ""},
	}
	for _, tc := range tests {
		t.Run(tc.fault.Code, func(t *testing.T) {
			srv.ClearFaults()
			srv.InjectFault(tc.fault)
			_, err := cloudformation.NewFromConfig(cfg).DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: awssdk.String("s")})
			werr := awsapi.Wrap(err, "cloudformation DescribeStacks", "s", "cloudformation:DescribeStacks")
			var e *awsapi.Error
			if !errors.As(werr, &e) || e.Kind != tc.kind {
				t.Fatalf("Wrap(%v) kind = %v, want %v", err, e, tc.kind)
			}
			if !strings.Contains(werr.Error(), tc.remedyPart) {
				t.Errorf("message %q lacks %q", werr, tc.remedyPart)
			}
			var apiErr smithy.APIError
			if !errors.As(werr, &apiErr) || apiErr.ErrorCode() != tc.fault.Code {
				t.Errorf("wrapped error lost the API error: %v", werr)
			}
		})
	}
	if awsapi.Wrap(nil, "x", "y", "z") != nil {
		t.Error("Wrap(nil) != nil")
	}
	if k := awsapi.Classify(&net404{}); k != awsapi.KindOther {
		t.Errorf("plain error classified %v", k)
	}
}

type net404 struct{}

func (*net404) Error() string { return "something odd" }
