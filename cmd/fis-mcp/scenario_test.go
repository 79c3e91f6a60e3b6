package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/fis-mcp/fis-mcp/cmd/fis-mcp/sim"
)

func TestScenarioFlagAndEnv(t *testing.T) {
	tests := []struct {
		name, env string
		args      []string
		want      string
		wantErr   string
	}{
		{name: "default", want: "default"},
		{name: "flag", args: []string{"--scenario", "failing"}, want: "failing"},
		{name: "env", env: "failing", want: "failing"},
		{name: "flag beats env", env: "failing", args: []string{"--scenario=default"}, want: "default"},
		{name: "unknown", args: []string{"--scenario", "chaos"}, wantErr: `--scenario (FIS_MCP_SCENARIO): unknown simulated scenario "chaos": use one of default, failing`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("FIS_MCP_SCENARIO", tt.env)
			c, err := parseFlags("fis-mcp demo", tt.args, io.Discard)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || c.Scenario != tt.want {
				t.Fatalf("scenario %q, %v; want %q", c.Scenario, err, tt.want)
			}
		})
	}
}

// fis-mcp demo --scenario failing runs the whole workflow against the failing scenario (time
// compressed, a short baseline): the report finds payments-worker not recovered, and the
// verdict, once computed, is failed.
func TestDemoFailingScenario(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole demo in real time")
	}
	var out bytes.Buffer
	c := config{Scenario: sim.ScenarioFailing, Baseline: 3 * time.Second}
	res, err := demo(context.Background(), c, &out, zerolog.Nop(),
		sim.WithTiming(sim.Timing{Initiating: 300 * time.Millisecond, Fault: 2 * time.Second, Failover: time.Second}))
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	// The demo keeps its work directory (…/fis-mcp-demo-*/simulated-experiments/<dir>/report) for the user.
	if work := filepath.Dir(filepath.Dir(filepath.Dir(res.JSONPath))); strings.HasPrefix(filepath.Base(work), "fis-mcp-demo-") {
		t.Cleanup(func() { _ = os.RemoveAll(work) })
	}
	if !strings.Contains(out.String(), "Scenario: failing") {
		t.Errorf("the demo does not name its scenario:\n%.2000s", out.String())
	}
	b, err := os.ReadFile(res.JSONPath)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Verdict  string `json:"verdict"`
		Criteria []any  `json:"criteria"`
		Apps     []struct {
			Workload       string `json:"workload"`
			RecoveryStatus string `json:"recovery_status"`
		} `json:"apps"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, ap := range doc.Apps {
		if ap.Workload == sim.FailingApp {
			found = true
			if ap.RecoveryStatus != "not_recovered" {
				t.Errorf("%s: recovery %s, want not_recovered", ap.Workload, ap.RecoveryStatus)
			}
		}
	}
	if !found {
		t.Fatalf("no %s in the report's apps: %+v", sim.FailingApp, doc.Apps)
	}
	if len(doc.Criteria) > 0 && (doc.Verdict != "failed" || res.Verdict != "failed") {
		t.Errorf("verdict %q (finalize_report: %q), want failed", doc.Verdict, res.Verdict)
	}
}
