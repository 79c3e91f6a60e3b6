package main

import (
	"io"
	"strings"
	"testing"

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
