package main

import (
	"bytes"
	"runtime/debug"
	"strings"
	"testing"
)

// fis-mcp --help lists every command with its one-line summary and every environment
// variable of the settings table, with its flag.
func TestHelpListsCommandsAndEnvironment(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		var out, errOut bytes.Buffer
		if rc := run(args, strings.NewReader(""), &out, &errOut); rc != 0 {
			t.Fatalf("fis-mcp %v: exit %d, stderr %q", args, rc, errOut.String())
		}
		help := out.String()
		for _, name := range []string{"serve", "demo", "doctor", "audit", "version"} {
			if !strings.Contains(help, "\n  "+name+" ") {
				t.Errorf("fis-mcp %v does not list the %s command:\n%s", args, name, help)
			}
		}
		for _, s := range settings {
			if !strings.Contains(help, s.env) || !strings.Contains(help, "--"+s.flag) {
				t.Errorf("fis-mcp %v does not list %s (--%s)", args, s.env, s.flag)
			}
		}
		if errOut.Len() != 0 {
			t.Errorf("fis-mcp %v wrote to stderr: %q", args, errOut.String())
		}
	}
}

// Each command's --help shows its own flags only.
func TestCommandHelpShowsOnlyItsFlags(t *testing.T) {
	tests := []struct {
		args      []string
		want, not []string
	}{
		{args: []string{"serve", "--help"}, want: []string{"region", "simulate", "read-only", "state-dir", "stop-if-unattended", "version"}},
		{args: []string{"--help", "serve"}, want: []string{"region", "simulate"}},
		{args: []string{"demo", "--help"}, want: []string{"scenario", "baseline", "log-level"},
			not: []string{"region", "read-only", "state-dir", "simulate", "account-roles"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			if rc := run(tt.args, strings.NewReader(""), &out, &errOut); rc != 0 {
				t.Fatalf("exit %d, stderr %q", rc, errOut.String())
			}
			listed := func(flag string) bool {
				h := out.String()
				return strings.Contains(h, "\n  -"+flag+" ") || strings.Contains(h, "\n  -"+flag+"\n")
			}
			for _, w := range tt.want {
				if !listed(w) {
					t.Errorf("help lacks %q:\n%s", w, out.String())
				}
			}
			for _, n := range tt.not {
				if listed(n) {
					t.Errorf("help shows another command's flag %q:\n%s", n, out.String())
				}
			}
		})
	}
}

// Every flag a command names is in the settings table, and serve takes all of them (so
// --help's environment list is what serve reads).
func TestCommandFlagsAreSettings(t *testing.T) {
	for _, names := range [][]string{serveFlags, demoFlags} {
		for _, n := range names {
			if _, ok := settingFor(n); !ok {
				t.Errorf("flag %q is not in the settings table", n)
			}
		}
	}
	inServe := map[string]bool{}
	for _, n := range serveFlags {
		inServe[n] = true
	}
	for _, s := range settings {
		if !inServe[s.flag] {
			t.Errorf("setting --%s (%s) is not a serve flag", s.flag, s.env)
		}
		if s.env == "" || s.usage == "" || s.bind == nil {
			t.Errorf("setting --%s is incomplete: %+v", s.flag, s)
		}
	}
}

// A flag of another command, an unknown command and stray arguments are usage errors
// (exit 2) on stderr, never output on stdout.
func TestCommandUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{args: []string{"demo", "--region", "eu-west-1"}, want: "run `fis-mcp demo --help` for its flags"},
		{args: []string{"bogus"}, want: `unknown command "bogus" (serve, demo, doctor, audit, version)`},
		{args: []string{"serve", "extra"}, want: "unexpected arguments: extra"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			if rc := run(tt.args, strings.NewReader(""), &out, &errOut); rc != 2 {
				t.Errorf("exit %d, want 2", rc)
			}
			if out.Len() != 0 {
				t.Errorf("stdout: %q", out.String())
			}
			if !strings.Contains(errOut.String(), tt.want) {
				t.Errorf("stderr %q lacks %q", errOut.String(), tt.want)
			}
		})
	}
}

// A `go install` build (no ldflags) reports the module version, not dev.
func TestVersionFrom(t *testing.T) {
	info := func(v string) func() (*debug.BuildInfo, bool) {
		return func() (*debug.BuildInfo, bool) {
			return &debug.BuildInfo{Main: debug.Module{Path: "github.com/fis-mcp/fis-mcp", Version: v}}, true
		}
	}
	none := func() (*debug.BuildInfo, bool) { return nil, false }
	tests := []struct {
		name, ldflags string
		bi            func() (*debug.BuildInfo, bool)
		want          string
	}{
		{name: "make build stamps it", ldflags: "v1.4.0-3-gabc", bi: info("v1.2.0"), want: "v1.4.0-3-gabc"},
		{name: "go install module@v1.2.0", bi: info("v1.2.0"), want: "v1.2.0"},
		{name: "go install pseudo-version", bi: info("v0.0.0-20261202010000-abcdef123456"), want: "v0.0.0-20261202010000-abcdef123456"},
		{name: "go build in a work tree", bi: info("(devel)"), want: "dev"},
		{name: "no build info", bi: none, want: "dev"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := versionFrom(tt.ldflags, tt.bi); got != tt.want {
				t.Errorf("versionFrom = %q, want %q", got, tt.want)
			}
		})
	}
}
