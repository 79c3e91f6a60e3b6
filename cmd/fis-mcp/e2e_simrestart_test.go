package main

import (
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/fis-mcp/fis-mcp/tools"
)

// A client that starts one server process per call (MCP Inspector CLI): the whole
// workflow on one state directory with `serve --simulate`, a NEW process for every tool
// call. The simulated account keeps its state in the state directory, so every poll after
// the start finds the experiment, which progresses and ends completed, and the report
// has the apps' errors from the logs collected across the processes. A second run in the
// same state directory gets another experiment ID.
func TestE2ESimulateRestartPerCall(t *testing.T) {
	if testing.Short() {
		t.Skip("about 40 s: a simulated run with one server process per call")
	}
	t.Parallel()
	stateDir := t.TempDir()
	opts := serverOpts{stateDir: stateDir, simulate: true, args: []string{"--baseline", "6s", "--finalize-grace", "2m"}}
	calls := 0
	once := func(name string, args map[string]any) result {
		t.Helper()
		calls++
		s := startServer(t, opts)
		defer s.stop()
		return s.ok(name, args)
	}

	var logDir string
	run := func(label string) (sessionID, expID string) {
		t.Helper()
		r := decodeAs[tools.ResolveExperimentOutput](t, once("resolve_experiment", map[string]any{"template_id": templateID}))
		id := r.SessionID
		if h := decodeAs[tools.HealthCheckOutput](t, once("health_check", map[string]any{"session_id": id})); h.Verdict != "healthy" {
			t.Fatalf("%s: health_check verdict %q", label, h.Verdict)
		}
		if d := decodeAs[tools.DiscoverAppsOutput](t, once("discover_apps", map[string]any{"session_id": id})); len(d.Apps) != 4 {
			t.Fatalf("%s: discover_apps found %d apps, want 4", label, len(d.Apps))
		}
		l := decodeAs[tools.StartLogsOutput](t, once("start_logs", map[string]any{"session_id": id}))
		if len(l.Streams) != 8 {
			t.Errorf("%s: start_logs streams %d, want 8", label, len(l.Streams))
		}
		logDir = l.LogDir
		c := decodeAs[tools.StartExperimentOutput](t, once("start_experiment", map[string]any{"session_id": id}))
		if c.Status != "confirmation_required" || c.ConfirmationToken == "" {
			t.Fatalf("%s: start_experiment without a token: %+v", label, c)
		}
		st := decodeAs[tools.StartExperimentOutput](t, once("start_experiment", map[string]any{"session_id": id, "confirmation_token": c.ConfirmationToken}))
		if st.Status != "started" || st.ExperimentID == "" {
			t.Fatalf("%s: start_experiment with the token: %+v", label, st)
		}
		var states []string
		deadline := time.Now().Add(90 * time.Second)
		for {
			p := decodeAs[tools.PollOutput](t, once("poll", map[string]any{"session_id": id, "wait_seconds": 2}))
			if p.ExperimentID != st.ExperimentID {
				t.Fatalf("%s: poll in a new process follows experiment %q, want %q", label, p.ExperimentID, st.ExperimentID)
			}
			if len(states) == 0 || states[len(states)-1] != p.State {
				states = append(states, p.State)
			}
			if p.Terminal {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: the experiment did not end within 90 s (states %v)", label, states)
			}
		}
		t.Logf("%s: polled states %v", label, states)
		assertStateOrder(t, states, "completed")
		return id, st.ExperimentID
	}

	id, expID := run("first run")
	f := decodeAs[tools.FinalizeReportOutput](t, once("finalize_report", map[string]any{"session_id": id, "wait": true}))
	if f.Status != "written" || f.Verdict == "" {
		t.Fatalf("finalize_report: status %q verdict %q, want a written report with a verdict", f.Status, f.Verdict)
	}
	if _, err := os.Stat(f.ReportPath); err != nil {
		t.Errorf("the report %s: %v", f.ReportPath, err)
	}
	// The short baseline closes the observation window before the apps' 30-s recovery
	// runs, so the recovery figures are not checked (TestE2EWorkflow does): the report's
	// ids, status, actions and timeline are, and every app's errors from the logs.
	checkReportAgainstTruth(t, f.JSONPath, expID, id, "completed", false)
	var rep struct {
		Verdict string `json:"verdict"`
		Apps    []struct {
			Workload string `json:"workload"`
			Errors   int    `json:"errors"`
		} `json:"apps"`
	}
	readJSON(t, f.JSONPath, &rep)
	if rep.Verdict != f.Verdict {
		t.Errorf("JSON verdict %q, tool result %q", rep.Verdict, f.Verdict)
	}
	errs := map[string]int{}
	for _, a := range rep.Apps {
		errs[a.Workload] = a.Errors
	}
	for _, app := range []string{"orders-api", "payments-worker", "cart-service", "storefront-web"} {
		if errs[app] == 0 {
			t.Errorf("report app %s: no errors analysed from the logs collected across processes (apps %v)", app, errs)
		}
	}
	// Each process's log follower resumed where the previous one stopped: no pod's log
	// has a gap (one line every 500 ms) or a repeated line.
	lines, malformed := readPodLogs(t, logDir)
	if len(malformed) > 0 {
		t.Errorf("malformed log lines: %q", malformed[:min(3, len(malformed))])
	}
	byPod := map[string][]time.Time{}
	for _, l := range lines {
		byPod[l.Pod] = append(byPod[l.Pod], l.Time)
	}
	if len(byPod) != 8 {
		t.Errorf("logs of %d pods, want 8", len(byPod))
	}
	for pod, ts := range byPod {
		sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
		for i := 1; i < len(ts); i++ {
			if d := ts[i].Sub(ts[i-1]); d > 1500*time.Millisecond || d == 0 {
				t.Errorf("pod %s: lines at %s and %s (%s apart): a restart lost or repeated log lines", pod, ts[i-1].Format(time.RFC3339Nano), ts[i].Format(time.RFC3339Nano), d)
				break
			}
		}
	}
	if _, err := os.Stat(filepath.Join(stateDir, simStateDirName, "state.json")); err != nil {
		t.Errorf("the simulated account's state file: %v", err)
	}

	_, expID2 := run("second run")
	if expID2 == expID {
		t.Errorf("the second run in the same state directory reused experiment ID %s", expID)
	}
	t.Logf("%d server processes; experiments %s and %s", calls, expID, expID2)
}
