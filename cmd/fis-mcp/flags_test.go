package main

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/fis-mcp/fis-mcp/kube"
)

func TestMaxLogStreamsFlagAndEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     string
		args    []string
		want    int
		wantErr string
	}{
		{name: "default fits 500 streams", want: kube.DefaultMaxStreams},
		{name: "flag", args: []string{"--max-log-streams", "2000"}, want: 2000},
		{name: "env", env: "1500", want: 1500},
		{name: "flag beats env", env: "1500", args: []string{"--max-log-streams=3"}, want: 3},
		{name: "flag beats a bad env", env: "lots", args: []string{"--max-log-streams=3"}, want: 3},
		{name: "bad env", env: "lots", wantErr: `FIS_MCP_MAX_LOG_STREAMS="lots" is not a whole number`},
		{name: "zero", args: []string{"--max-log-streams=0"}, wantErr: "at least 1"},
		{name: "negative env", env: "-5", wantErr: "at least 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("FIS_MCP_MAX_LOG_STREAMS", tt.env)
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
			if c.MaxLogStreams != tt.want {
				t.Fatalf("MaxLogStreams = %d, want %d", c.MaxLogStreams, tt.want)
			}
		})
	}
	if kube.DefaultMaxStreams < 500 {
		t.Fatalf("default limit %d cannot follow 500 streams", kube.DefaultMaxStreams)
	}
}

func TestSupervisorFlagsAndEnv(t *testing.T) {
	tests := []struct {
		name         string
		graceEnv     string
		unattendEnv  string
		args         []string
		wantGrace    time.Duration
		wantUnattend time.Duration
		wantErr      string
	}{
		{name: "defaults: 2m grace, switch off", wantGrace: 2 * time.Minute},
		{name: "flags", args: []string{"--finalize-grace", "30s", "--stop-if-unattended", "10m"}, wantGrace: 30 * time.Second, wantUnattend: 10 * time.Minute},
		{name: "env", graceEnv: "5m", unattendEnv: "15m", wantGrace: 5 * time.Minute, wantUnattend: 15 * time.Minute},
		{name: "flag beats env", unattendEnv: "15m", args: []string{"--stop-if-unattended=1m"}, wantGrace: 2 * time.Minute, wantUnattend: time.Minute},
		{name: "flag beats a bad env", unattendEnv: "soon", args: []string{"--stop-if-unattended=1m"}, wantGrace: 2 * time.Minute, wantUnattend: time.Minute},
		{name: "bad env", unattendEnv: "soon", wantErr: `FIS_MCP_STOP_IF_UNATTENDED="soon" is not a duration`},
		{name: "bad grace env", graceEnv: "later", wantErr: `FIS_MCP_FINALIZE_GRACE="later" is not a duration`},
		{name: "zero grace", args: []string{"--finalize-grace=0s"}, wantErr: "must be a positive duration"},
		{name: "negative switch", args: []string{"--stop-if-unattended=-1m"}, wantErr: "must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("FIS_MCP_FINALIZE_GRACE", tt.graceEnv)
			t.Setenv("FIS_MCP_STOP_IF_UNATTENDED", tt.unattendEnv)
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
			if c.FinalizeGrace != tt.wantGrace || c.StopIfUnattended != tt.wantUnattend {
				t.Fatalf("grace %s, stop-if-unattended %s; want %s, %s", c.FinalizeGrace, c.StopIfUnattended, tt.wantGrace, tt.wantUnattend)
			}
		})
	}
}

// FIS_MCP_BASELINE is read like the other durations: a value that is not a duration is
// an error (it used to be taken silently as 0, the default baseline), unless --baseline
// overrides it.
func TestBaselineEnv(t *testing.T) {
	for _, tc := range []struct {
		env     string
		args    []string
		want    time.Duration
		wantErr string
	}{
		{env: "", want: 0},
		{env: "90s", want: 90 * time.Second},
		{env: "soon", wantErr: `FIS_MCP_BASELINE="soon" is not a duration`},
		{env: "soon", args: []string{"--baseline=1m"}, want: time.Minute},
		{env: "-1m", wantErr: "must not be negative"},
	} {
		t.Setenv("FIS_MCP_BASELINE", tc.env)
		c, err := parseFlags("fis-mcp serve", tc.args, io.Discard)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("FIS_MCP_BASELINE=%q %v: err %v, want %q", tc.env, tc.args, err, tc.wantErr)
			}
			continue
		}
		if err != nil || c.Baseline != tc.want {
			t.Errorf("FIS_MCP_BASELINE=%q %v: baseline %s, err %v; want %s", tc.env, tc.args, c.Baseline, err, tc.want)
		}
	}
}
