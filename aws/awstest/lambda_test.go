package awstest

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/smithy-go"
)

func TestLambdaFake(t *testing.T) {
	srv := New()
	defer srv.Close()
	srv.AddLambdaFunction(LambdaFunction{Name: "api"})
	srv.AddLambdaFunction(LambdaFunction{Name: "worker", State: "Failed", StateReason: "ENI limit"})
	client := lambda.NewFromConfig(srv.Config())
	tests := []struct {
		id, state, code string
	}{
		{"api", "Active", ""},
		{"arn:aws:lambda:us-east-1:123456789012:function:api", "Active", ""},
		{"api:prod", "Active", ""},
		{"worker", "Failed", ""},
		{"missing", "", "ResourceNotFoundException"},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			out, err := client.GetFunction(context.Background(), &lambda.GetFunctionInput{FunctionName: aws.String(tc.id)})
			if tc.code != "" {
				var apiErr smithy.APIError
				if !errors.As(err, &apiErr) || apiErr.ErrorCode() != tc.code {
					t.Fatalf("err %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(out.Configuration.State) != tc.state || string(out.Configuration.LastUpdateStatus) != "Successful" {
				t.Fatalf("conf %+v", out.Configuration)
			}
		})
	}
}
