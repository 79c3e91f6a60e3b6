package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAccountRolesFlagAndEnv(t *testing.T) {
	dir := t.TempDir()
	const b = "210987654321"
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	yml := write("roles.yaml", b+": arn:aws:iam::"+b+":role/fis-mcp-read\n")
	jsn := write("roles.json", `{"`+b+`": "arn:aws:iam::`+b+`:role/from-json"}`)
	bad := write("bad.yaml", "12: not-a-role\n")
	tests := []struct {
		name, env string
		args      []string
		want      string // role of account b
		wantErr   string
	}{
		{name: "none"},
		{name: "flag, YAML", args: []string{"--account-roles", yml}, want: "arn:aws:iam::" + b + ":role/fis-mcp-read"},
		{name: "env, JSON", env: jsn, want: "arn:aws:iam::" + b + ":role/from-json"},
		{name: "flag beats env", env: jsn, args: []string{"--account-roles=" + yml}, want: "arn:aws:iam::" + b + ":role/fis-mcp-read"},
		{name: "missing file", args: []string{"--account-roles", filepath.Join(dir, "nope.yaml")}, wantErr: "--account-roles (FIS_MCP_ACCOUNT_ROLES): account roles file"},
		{name: "bad content", env: bad, wantErr: "is not a 12-digit AWS account ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("FIS_MCP_ACCOUNT_ROLES", tt.env)
			c, err := parseFlags("fis-mcp serve", tt.args, io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.AccountRoles[b] != tt.want || (tt.want == "" && len(c.AccountRoles) != 0) {
				t.Errorf("roles = %v, want %s", c.AccountRoles, tt.want)
			}
		})
	}
}
