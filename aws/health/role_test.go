package health_test

import (
	"context"
	"strings"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/aws/health"
)

func roleTestClients(srv *awstest.Server) *awsapi.Clients {
	cfg := srv.Config()
	cfg.Retryer = func() awssdk.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 3
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
			o.RateLimiter = ratelimit.None
		})
	}
	return awsapi.NewClients(cfg)
}

func TestCheckRole(t *testing.T) {
	ctx := context.Background()
	srv := awstest.New()
	defer srv.Close()
	srv.AddRole("fis-role", "arn:aws:iam::123456789012:role/service-role/fis-role")
	c := roleTestClients(srv)

	if rc := health.CheckRole(ctx, c, ""); rc != nil {
		t.Errorf("empty ARN: %+v", rc)
	}
	tests := []struct {
		name, arn string
		fault     *awstest.Fault
		exists    bool
		detail    string
	}{
		{name: "exists with path", arn: "arn:aws:iam::123456789012:role/service-role/fis-role", exists: true},
		{name: "path differs", arn: "arn:aws:iam::123456789012:role/other/fis-role", detail: "path differs"},
		{name: "missing", arn: "arn:aws:iam::123456789012:role/ghost", detail: "ghost does not exist"},
		{name: "not a role ARN", arn: "arn:aws:iam::123456789012:user/alice", detail: "not an IAM role ARN"},
		{name: "access denied", arn: "arn:aws:iam::123456789012:role/service-role/fis-role", detail: "iam:GetRole",
			fault: &awstest.Fault{Service: "iam", Operation: "GetRole", Status: 403, Code: "AccessDenied"}},
		{name: "throttled then ok", arn: "arn:aws:iam::123456789012:role/service-role/fis-role", exists: true,
			fault: &awstest.Fault{Service: "iam", Operation: "GetRole", Status: 400, Code: "Throttling", Times: 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.fault != nil {
				srv.InjectFault(*tc.fault)
				defer srv.ClearFaults()
			}
			rc := health.CheckRole(ctx, c, tc.arn)
			if rc == nil {
				t.Fatal("nil RoleCheck")
			}
			if rc.ARN != tc.arn || rc.Exists != tc.exists || !strings.Contains(rc.Detail, tc.detail) {
				t.Errorf("RoleCheck = %+v, want exists=%v detail~%q", rc, tc.exists, tc.detail)
			}
		})
	}
	if n := srv.CallCount("iam", "GetRole"); n != 7 {
		t.Errorf("GetRole calls = %d, want 7 (no call for a non-role ARN)", n)
	}
}

func TestIAMRoleChecker(t *testing.T) {
	ctx := context.Background()
	srv := awstest.New()
	defer srv.Close()
	srv.AddRole("app-role", "arn:aws:iam::123456789012:role/app/app-role")
	check := health.DefaultRegistry()["aws:iam:role"]
	if check == nil {
		t.Fatal("aws:iam:role not registered")
	}
	rs := []health.Resource{
		{ID: "app-role", ARN: "arn:aws:iam::123456789012:role/app/app-role", Type: "aws:iam:role", Target: "roles"}, // denied
		{ID: "app-role", ARN: "arn:aws:iam::123456789012:role/app/app-role", Type: "aws:iam:role", Target: "roles"},
		{ID: "app-role", Type: "aws:iam:role", Target: "roles"},
		{ID: "gone", ARN: "arn:aws:iam::123456789012:role/gone", Type: "aws:iam:role", Target: "roles"},
	}
	srv.InjectFault(awstest.Fault{Service: "iam", Operation: "GetRole", Status: 403, Code: "AccessDenied", Times: 1})
	got := check(ctx, health.Env{Clients: roleTestClients(srv)}, rs)
	if len(got) != len(rs) {
		t.Fatalf("%d results for %d resources", len(got), len(rs))
	}
	want := []struct {
		status  string
		healthy bool
		detail  string
	}{
		{"unchecked", false, "iam:GetRole"},
		{"exists", true, ""},
		{"exists", true, ""},
		{"not-found", false, "gone does not exist"},
	}
	for i, w := range want {
		r := got[i]
		if r.Status != w.status || r.Healthy != w.healthy || !strings.Contains(r.Detail, w.detail) || r.Type != "aws:iam:role" || r.Target != "roles" || r.ID != rs[i].ID {
			t.Errorf("result %d = %+v, want %s healthy=%v detail~%q", i, r.ResourceHealth, w.status, w.healthy, w.detail)
		}
	}
	if got[2].ARN != "arn:aws:iam::123456789012:role/app/app-role" || got[1].Attributes == nil {
		t.Errorf("ARN/attributes not filled from GetRole: %+v", got[2])
	}

	// Without clients every resource is unchecked, never a panic.
	none := check(ctx, health.Env{}, rs[:2])
	if len(none) != 2 || none[0].Status != "unchecked" || none[1].Healthy {
		t.Errorf("no clients: %+v", none)
	}
}
