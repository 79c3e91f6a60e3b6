package tools_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/cmd/fis-mcp/sim"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/tools"
)

// TestSimulatedFaultsConfirmed runs the simulated account's experiment end to end: the
// records the fake AWS writes for each of its three faults (Aurora failover events and
// writer change, ElastiCache failover events and new primary, EC2 stop transitions) must
// confirm every action in the report's faults.
func TestSimulatedFaultsConfirmed(t *testing.T) {
	acct, err := sim.New(sim.WithTiming(sim.Timing{Initiating: 300 * time.Millisecond, Fault: 2 * time.Second, Failover: time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(acct.Close)
	tmp := t.TempDir()
	expRoot := filepath.Join(tmp, "experiments")
	if err := os.MkdirAll(expRoot, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := sim.WriteExperiment(expRoot); err != nil {
		t.Fatal(err)
	}
	store, err := session.Open(filepath.Join(tmp, "state"), zerolog.Nop(), nil)
	if err != nil {
		t.Fatal(err)
	}
	base, err := awsapi.LoadConfig(context.Background(), awsapi.Options{Endpoint: acct.AWS.URL, Region: acct.Region(), MaxBackoff: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	cfg := tools.Config{Simulated: true, ExperimentsDir: expRoot, Baseline: 1500 * time.Millisecond, HealthWaitInterval: 100 * time.Millisecond,
		HealthWaitMax: time.Second, PollFast: time.Second, PollFastFor: time.Minute, PollSlow: 2 * time.Second, PollWaitStep: 100 * time.Millisecond}
	deps := tools.NewDeps(store, base, cfg, nil, zerolog.Nop())
	t.Cleanup(deps.Close)
	cl := connectClient(t, tools.NewServer(deps, "test"), nil, nil)
	t.Cleanup(func() { _ = cl.Close() })
	step := func(name string, args map[string]any) result {
		t.Helper()
		r := callTool(t, cl, name, args)
		if r.isError {
			t.Fatalf("%s failed:\n%s", name, r.text)
		}
		return r
	}
	id := output[tools.ResolveExperimentOutput](t, step("resolve_experiment", map[string]any{"template_id": sim.TemplateID})).SessionID
	step("health_check", map[string]any{"session_id": id})
	step("discover_apps", map[string]any{"session_id": id})
	step("start_logs", map[string]any{"session_id": id})
	conf := step("start_experiment", map[string]any{"session_id": id})
	step("start_experiment", map[string]any{"session_id": id, "confirmation_token": output[tools.StartExperimentOutput](t, conf).ConfirmationToken})
	for i := 0; ; i++ {
		if i == 100 {
			t.Fatal("the simulated experiment did not end")
		}
		if output[tools.PollOutput](t, step("poll", map[string]any{"session_id": id, "wait_seconds": 2})).Terminal {
			break
		}
	}
	fin := output[tools.FinalizeReportOutput](t, step("finalize_report", map[string]any{"session_id": id, "wait": true}))
	raw, err := os.ReadFile(fin.JSONPath)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Faults []struct{ Action, ActionID, Observed, Evidence string } `json:"faults"`
	}
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Faults) != 3 {
		t.Fatalf("%d fault checks, want one per action (3): %+v", len(rep.Faults), rep.Faults)
	}
	want := map[string]string{ // what each confirmation must quote
		"Failover-RDS":          "writer changed: demo-aurora-instance-1 → demo-aurora-instance-2",
		"Interrupt-ElastiCache": "primary changed: demo-redis-001 → demo-redis-002",
		"Stop-EKS-Nodes":        "1 of 1 target instances left the running state; first: ",
	}
	for _, f := range rep.Faults {
		if f.Observed != "confirmed" || !strings.Contains(f.Evidence, want[f.Action]) || f.Action == "Stop-EKS-Nodes" && !strings.Contains(f.Evidence, "stopping") {
			t.Errorf("%s: %s — %s (want it confirmed, quoting %q)", f.Action, f.Observed, f.Evidence, want[f.Action])
		}
	}
}
