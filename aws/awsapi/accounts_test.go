package awsapi_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/awstest"
)

func TestParseAccountRoles(t *testing.T) {
	const b = "210987654321"
	role := "arn:aws:iam::" + b + ":role/fis-mcp-read"
	tests := []struct {
		name, body string
		want       awsapi.AccountRoles
		errHas     string
	}{
		{name: "yaml", body: `"` + b + `": ` + role + "\n", want: awsapi.AccountRoles{b: role}},
		{name: "yaml unquoted key, role with a path", body: b + ": arn:aws:iam::" + b + ":role/ops/fis-mcp-read\n",
			want: awsapi.AccountRoles{b: "arn:aws:iam::" + b + ":role/ops/fis-mcp-read"}},
		{name: "json", body: `{"` + b + `": "` + role + `"}`, want: awsapi.AccountRoles{b: role}},
		{name: "empty", body: "", want: awsapi.AccountRoles{}},
		{name: "bad account", body: `{"12345": "` + role + `"}`, errHas: `"12345" is not a 12-digit AWS account ID`},
		{name: "not a role", body: `{"` + b + `": "arn:aws:iam::` + b + `:user/bob"}`, errHas: "is not an IAM role ARN"},
		{name: "role of another account", body: `{"111122223333": "` + role + `"}`, errHas: "belongs to account " + b},
		{name: "not a mapping", body: "- a\n- b\n", errHas: "expected a mapping of account ID to role ARN"},
		{name: "bad json", body: `{"` + b + `": `, errHas: "expected a mapping"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := awsapi.ParseAccountRoles([]byte(tc.body), "roles.yaml")
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) || !strings.Contains(err.Error(), "roles.yaml") {
					t.Fatalf("err = %v, want %q", err, tc.errHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) || got[b] != tc.want[b] {
				t.Errorf("roles = %v, want %v", got, tc.want)
			}
		})
	}
	path := filepath.Join(t.TempDir(), "roles.json")
	if err := os.WriteFile(path, []byte(`{"`+b+`": "`+role+`"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := awsapi.LoadAccountRoles(path); err != nil || got[b] != role {
		t.Errorf("load: %v %v", got, err)
	}
	if _, err := awsapi.LoadAccountRoles(filepath.Join(t.TempDir(), "missing.yaml")); err == nil || !strings.Contains(err.Error(), "account roles file") {
		t.Errorf("missing file: %v", err)
	}
	if got, err := awsapi.LoadAccountRoles(""); err != nil || len(got) != 0 {
		t.Errorf("no file: %v %v", got, err)
	}
}

func TestAssumedRoleConfig(t *testing.T) {
	ctx := context.Background()
	srv := awstest.New()
	defer srv.Close()
	const b = "210987654321"
	other := srv.AddAccount(b)
	trusted := "arn:aws:iam::" + b + ":role/fis-mcp-read"
	other.AddRole("fis-mcp-read", trusted)
	other.TrustRole(trusted, "arn:aws:iam::"+awstest.DefaultAccountID+":root")
	other.AddRole("locked", "")
	cfg := loadConfig(t, srv)

	got, err := awsapi.AssumedRoleConfig(ctx, cfg, trusted)
	if err != nil {
		t.Fatal(err)
	}
	id, err := sts.NewFromConfig(got).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || *id.Account != b || !strings.HasSuffix(*id.Arn, "/"+awsapi.HealthCheckSessionName) {
		t.Errorf("identity: %v %+v", err, id)
	}
	if n := srv.CallCount("sts", "AssumeRole"); n != 1 {
		t.Errorf("AssumeRole calls = %d, want 1 (cached)", n)
	}

	_, err = awsapi.AssumedRoleConfig(ctx, cfg, "arn:aws:iam::"+b+":role/locked")
	var ae *awsapi.Error
	if !errors.As(err, &ae) || ae.Kind != awsapi.KindAccessDenied || !strings.Contains(err.Error(), "trust policy must allow") {
		t.Errorf("untrusted role: %v", err)
	}
}
