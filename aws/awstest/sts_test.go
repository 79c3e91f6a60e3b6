package awstest_test

import (
	"context"
	"strings"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
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

// TestSTSAssumeRole: AssumeRole of a role in a linked account issues credentials that act in
// that account (its resources, its call log); untrusted callers, unknown roles and accounts are
// AccessDenied; bad parameters are ValidationError
// (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).
func TestSTSAssumeRole(t *testing.T) {
	ctx := context.Background()
	srv := awstest.New()
	defer srv.Close()
	const b = "210987654321"
	other := srv.AddAccount(b)
	if srv.AddAccount(b) != other {
		t.Fatal("AddAccount twice made two accounts")
	}
	roleArn := "arn:aws:iam::" + b + ":role/fis-mcp-read"
	other.AddRole("fis-mcp-read", roleArn)
	other.TrustRole(roleArn, "arn:aws:iam::"+awstest.DefaultAccountID+":root")
	other.AddRole("untrusting", "")
	other.AddInstance(awstest.Instance{ID: "i-0bbbbbbbbbbbbbbbb", State: "running", AZ: "us-east-1a"})
	srv.AddInstance(awstest.Instance{ID: "i-0aaaaaaaaaaaaaaaa", State: "running", AZ: "us-east-1a"})

	cfg := srv.Config()
	cfg.Retryer = fisFastRetryer
	c := sts.NewFromConfig(cfg)

	out, err := c.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: awssdk.String(roleArn), RoleSessionName: awssdk.String("fis-mcp-health-check")})
	if err != nil {
		t.Fatal(err)
	}
	if out.Credentials == nil || !strings.HasPrefix(awssdk.ToString(out.Credentials.AccessKeyId), "ASIA") || out.Credentials.Expiration == nil ||
		awssdk.ToString(out.AssumedRoleUser.Arn) != "arn:aws:sts::"+b+":assumed-role/fis-mcp-read/fis-mcp-health-check" {
		t.Fatalf("assume role: %+v %+v", out.Credentials, out.AssumedRoleUser)
	}

	// The SDK's stscreds provider works against the fake; its credentials act in account B.
	bcfg := srv.Config()
	bcfg.Retryer = fisFastRetryer
	bcfg.Credentials = awssdk.NewCredentialsCache(stscreds.NewAssumeRoleProvider(c, roleArn, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = "fis-mcp-health-check"
	}))
	id, err := sts.NewFromConfig(bcfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || awssdk.ToString(id.Account) != b || !strings.Contains(awssdk.ToString(id.Arn), "assumed-role/fis-mcp-read") {
		t.Fatalf("identity with assumed credentials: %v %+v", err, id)
	}
	before := srv.CallCount("ec2", "")
	di, err := ec2.NewFromConfig(bcfg).DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range di.Reservations {
		for _, in := range r.Instances {
			ids = append(ids, awssdk.ToString(in.InstanceId))
		}
	}
	if len(ids) != 1 || ids[0] != "i-0bbbbbbbbbbbbbbbb" {
		t.Errorf("account B instances = %v", ids)
	}
	if srv.CallCount("ec2", "") != before || other.CallCount("ec2", "DescribeInstances") != 1 {
		t.Errorf("ec2 calls: caller account %d (want %d), account B %d", srv.CallCount("ec2", ""), before, other.CallCount("ec2", "DescribeInstances"))
	}

	tests := []struct {
		name, role, session string
		duration            int32
		code                string
		status              int
	}{
		{name: "role does not trust the caller", role: "arn:aws:iam::" + b + ":role/untrusting", session: "s1", code: "AccessDenied", status: 403},
		{name: "no such role", role: "arn:aws:iam::" + b + ":role/nope", session: "s1", code: "AccessDenied", status: 403},
		{name: "unknown account", role: "arn:aws:iam::999999999999:role/fis-mcp-read", session: "s1", code: "AccessDenied", status: 403},
		{name: "not a role ARN", role: "arn:aws:iam::" + b + ":user/bob", session: "s1", code: "ValidationError", status: 400},
		{name: "bad session name", role: roleArn, session: "has space", code: "ValidationError", status: 400},
		{name: "duration too short", role: roleArn, session: "s1", duration: 60, code: "ValidationError", status: 400},
		{name: "duration over the role maximum", role: roleArn, session: "s1", duration: 7200, code: "ValidationError", status: 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := &sts.AssumeRoleInput{RoleArn: awssdk.String(tc.role), RoleSessionName: awssdk.String(tc.session)}
			if tc.duration != 0 {
				in.DurationSeconds = awssdk.Int32(tc.duration)
			}
			_, err := c.AssumeRole(ctx, in)
			if code, status := fisErr(t, err); code != tc.code || status != tc.status {
				t.Errorf("error %s %d, want %s %d (%v)", code, status, tc.code, tc.status, err)
			}
			if tc.code == "AccessDenied" && !strings.Contains(err.Error(), "is not authorized to perform: sts:AssumeRole on resource: "+tc.role) {
				t.Errorf("message %q", err)
			}
		})
	}
}
