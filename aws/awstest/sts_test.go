package awstest_test

import (
	"context"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
)

func TestSTSGetCallerIdentity(t *testing.T) {
	ctx := context.Background()
	srv := awstest.New()
	defer srv.Close()
	cfg := srv.Config()
	cfg.Retryer = fisFastRetryer
	c := sts.NewFromConfig(cfg)

	out, err := c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if awssdk.ToString(out.Account) != awstest.DefaultAccountID || awssdk.ToString(out.Arn) != "arn:aws:iam::123456789012:user/awstest" || awssdk.ToString(out.UserId) == "" {
		t.Errorf("default identity = %s %s %s", awssdk.ToString(out.Account), awssdk.ToString(out.Arn), awssdk.ToString(out.UserId))
	}
	srv.SetCallerIdentity("arn:aws:sts::123456789012:assumed-role/sre/alice", "AROAEXAMPLE:alice")
	out, err = c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || awssdk.ToString(out.Arn) != "arn:aws:sts::123456789012:assumed-role/sre/alice" || awssdk.ToString(out.UserId) != "AROAEXAMPLE:alice" {
		t.Errorf("set identity: %v %+v", err, out)
	}
	srv.InjectFault(awstest.Fault{Service: "sts", Status: 403, Code: "ExpiredToken", Message: "The security token included in the request is expired", Times: 1})
	_, err = c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if code, status := fisErr(t, err); code != "ExpiredToken" || status != 403 {
		t.Errorf("expired token: %s %d", code, status)
	}
}
