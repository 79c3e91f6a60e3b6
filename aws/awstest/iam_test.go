package awstest_test

import (
	"context"
	"errors"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
)

func newIAMClient(srv *awstest.Server) *iam.Client {
	cfg := srv.Config()
	cfg.Retryer = fisFastRetryer
	return iam.NewFromConfig(cfg)
}

func TestIAMGetRole(t *testing.T) {
	ctx := context.Background()
	srv := awstest.New(awstest.WithClock(awstest.NewFakeClock(fisTestEpoch)))
	defer srv.Close()
	srv.AddRole("fis-role", "arn:aws:iam::123456789012:role/service-role/fis-role")
	srv.AddRole("plain", "")
	c := newIAMClient(srv)

	tests := []struct {
		name, role, arn, path string
		code                  string
	}{
		{name: "with path", role: "fis-role", arn: "arn:aws:iam::123456789012:role/service-role/fis-role", path: "/service-role/"},
		{name: "default arn", role: "plain", arn: "arn:aws:iam::123456789012:role/plain", path: "/"},
		{name: "missing", role: "ghost", code: "NoSuchEntity"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: awssdk.String(tc.role)})
			if tc.code != "" {
				code, status := fisErr(t, err)
				if code != tc.code || status != 404 {
					t.Errorf("error %s %d", code, status)
				}
				var nse *iamtypes.NoSuchEntityException
				if !errors.As(err, &nse) {
					t.Errorf("not decoded as NoSuchEntityException: %T", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if awssdk.ToString(out.Role.Arn) != tc.arn || awssdk.ToString(out.Role.Path) != tc.path || awssdk.ToString(out.Role.RoleName) != tc.role {
				t.Errorf("role = %s %s %s", awssdk.ToString(out.Role.Arn), awssdk.ToString(out.Role.Path), awssdk.ToString(out.Role.RoleName))
			}
		})
	}
	srv.DeleteRole("fis-role")
	_, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: awssdk.String("fis-role")})
	if code, _ := fisErr(t, err); code != "NoSuchEntity" {
		t.Errorf("deleted role: %s", code)
	}
	srv.InjectFault(awstest.Fault{Service: "iam", Operation: "GetRole", Status: 403, Code: "AccessDenied", Times: 1})
	_, err = c.GetRole(ctx, &iam.GetRoleInput{RoleName: awssdk.String("plain")})
	if code, status := fisErr(t, err); code != "AccessDenied" || status != 403 {
		t.Errorf("access denied: %s %d", code, status)
	}
}
