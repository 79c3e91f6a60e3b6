package main

// End-to-end tests of the run supervisor (issue 14): the server samples a running
// experiment and writes the report itself, across kill -9, with the dead-man's switch,
// and with two servers on one state directory.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fis-mcp/fis-mcp/cmd/fis-mcp/sim"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/tools"
)

// storedSession reads the session file as the server last wrote it (atomically).
func storedSession(t *testing.T, stateDir, id string) *session.Session {
	t.Helper()
	var s session.Session
	readJSON(t, sessionFile(stateDir, id), &s)
	return &s
}

// waitReported waits until the session has a report and returns the session.
func waitReported(t *testing.T, stateDir, id string, d time.Duration) *session.Session {
	t.Helper()
	var s *session.Session
	waitFor(t, d, "the report written by the run supervisor", func() bool {
		s = storedSession(t, stateDir, id)
		return s.Report != nil
	})
	return s
}

// countKind counts the timeline events of one kind.
func countKind(s *session.Session, kind string) int {
	n := 0
	for _, e := range s.Timeline {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

// resultsReports lists the Markdown results reports written under dir.
func resultsReports(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, "-results.md") {
			out = append(out, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// inProcessAccount is the simulated account in this test process (it outlives a killed
// server) with its experiment directory; servers use it in production mode.
func inProcessAccount(t *testing.T, extra ...string) (serverOpts, string) {
	t.Helper()
	acct, err := sim.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(acct.Close)
	expParent := t.TempDir()
	if _, err := sim.WriteExperiment(expParent); err != nil {
		t.Fatal(err)
	}
	return serverOpts{stateDir: t.TempDir(), env: acct.AWS.Env(), args: append([]string{"--experiments-dir", expParent}, extra...)}, expParent
}

// A run polled once at the start and never again still gets its whole timeline and a
// report, written by the supervisor.
func TestE2ESupervisorUnpolledRun(t *testing.T) {
	if testing.Short() {
		t.Skip("about 35 s: the simulated run")
	}
	t.Parallel()
	stateDir := t.TempDir()
	s := startServer(t, serverOpts{stateDir: stateDir, simulate: true, args: []string{"--baseline", "2s", "--finalize-grace", "1s"}})
	id, expID := runToStarted(t, s)
	s.ok("poll", map[string]any{"session_id": id})
	sess := waitReported(t, stateDir, id, 120*time.Second)

	if sess.Report.FinalizedBy != session.FinalizedBySupervisor {
		t.Errorf("report finalized by %q, want supervisor", sess.Report.FinalizedBy)
	}
	var bySupervisor []string
	for _, e := range sess.Timeline {
		if (e.Kind == session.EventExperimentState || e.Kind == session.EventActionState) && e.RecordedBy == session.RecordedBySupervisor {
			bySupervisor = append(bySupervisor, e.Message)
		}
	}
	joined := strings.Join(bySupervisor, "\n")
	if !strings.Contains(joined, "experiment "+expID+": running → completed") && !strings.Contains(joined, "→ completed") {
		t.Errorf("the supervisor did not record the end of the run; its transitions:\n%s", joined)
	}
	if !strings.Contains(joined, "→ running") {
		t.Errorf("the supervisor did not record the actions running; its transitions:\n%s", joined)
	}
	md, err := os.ReadFile(sess.Report.Path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "Finalized by") || !strings.Contains(string(md), "the run supervisor (no finalize_report arrived within 1 second") {
		t.Errorf("the report does not say the supervisor finalized it")
	}
	if !strings.Contains(string(md), "running → completed") {
		t.Errorf("the report's timeline lacks the end of the run")
	}
	f := decodeAs[tools.FinalizeReportOutput](t, s.ok("finalize_report", map[string]any{"session_id": id}))
	if f.Status != "written" || f.ReportPath != sess.Report.Path {
		t.Errorf("a later finalize_report = %+v, want the supervisor's report %s", f, sess.Report.Path)
	}
	if n := countKind(storedSession(t, stateDir, id), session.EventReported); n != 1 {
		t.Errorf("%d reports recorded, want 1", n)
	}
}

// kill -9 during the post-experiment baseline, then a restart: the restarted server's
// supervisor writes exactly one report.
func TestE2ESupervisorKillDuringBaseline(t *testing.T) {
	if testing.Short() {
		t.Skip("about 40 s")
	}
	t.Parallel()
	opts, expParent := inProcessAccount(t, "--baseline", "12s", "--finalize-grace", "1s")
	s1 := startServer(t, opts)
	id, _ := runToStarted(t, s1)
	s1.pollUntilTerminal(id, 3, 90*time.Second, "")
	if st := storedSession(t, opts.stateDir, id); st.State != session.StateEnded || st.Report != nil {
		t.Fatalf("before the kill: state %s report %v, want ended without a report", st.State, st.Report)
	}
	s1.kill()

	s2 := startServer(t, opts)
	sess := waitReported(t, opts.stateDir, id, 60*time.Second)
	if sess.Report.FinalizedBy != session.FinalizedBySupervisor {
		t.Errorf("report finalized by %q, want the restarted server's supervisor", sess.Report.FinalizedBy)
	}
	if due := sess.Run.EndTime.Add(12 * time.Second); sess.Report.WrittenAt.Before(due) {
		t.Errorf("report written at %s, before the end of the baseline %s", sess.Report.WrittenAt, due)
	}
	time.Sleep(2 * time.Second) // a second writer, if any, would show now
	if n := countKind(storedSession(t, opts.stateDir, id), session.EventReported); n != 1 {
		t.Errorf("%d reports recorded, want exactly 1", n)
	}
	if reports := resultsReports(t, expParent); len(reports) != 1 {
		t.Errorf("results reports on disk: %v, want exactly 1", reports)
	}
	log, err := os.ReadFile(s2.logFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), "run supervision resumed") {
		t.Errorf("the restarted server did not log resuming the supervision")
	}
}

// The dead-man's switch stops a run whose host went quiet, and the report says so.
func TestE2ESupervisorDeadMansSwitch(t *testing.T) {
	if testing.Short() {
		t.Skip("about 20 s")
	}
	t.Parallel()
	stateDir := t.TempDir()
	s := startServer(t, serverOpts{stateDir: stateDir, simulate: true,
		args: []string{"--baseline", "2s", "--finalize-grace", "1s"}, env: []string{"FIS_MCP_STOP_IF_UNATTENDED=4s"}})
	id := decodeAs[tools.ResolveExperimentOutput](t, s.ok("resolve_experiment", map[string]any{"template_id": templateID})).SessionID
	s.ok("health_check", map[string]any{"session_id": id})
	first := decodeAs[tools.StartExperimentOutput](t, s.ok("start_experiment", map[string]any{"session_id": id}))
	if !strings.Contains(first.Warning, "Dead-man's switch: ON") || !strings.Contains(first.Warning, "4 seconds") {
		t.Errorf("the impact warning does not show the dead-man's switch:\n%s", first.Warning)
	}
	st := decodeAs[tools.StartExperimentOutput](t, s.ok("start_experiment", map[string]any{"session_id": id, "confirmation_token": first.ConfirmationToken}))
	if st.Status != "started" {
		t.Fatalf("start: %+v", st)
	}
	// No tool call from here on: the host went quiet.
	sess := waitReported(t, stateDir, id, 90*time.Second)
	if sess.Run.UnattendedStop == "" || !strings.Contains(sess.Run.UnattendedStop, "dead-man's switch") {
		t.Fatalf("the run was not stopped by the dead-man's switch: run %+v", sess.Run)
	}
	if sess.Run.State != "stopped" {
		t.Errorf("run state %s, want stopped", sess.Run.State)
	}
	if idle := sess.Run.StopRequestedAt.Sub(sess.Run.ConfirmedAt); idle < 4*time.Second || idle > 15*time.Second {
		t.Errorf("stopped %s after the last tool call, want about 4 s", idle)
	}
	md, err := os.ReadFile(sess.Report.Path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "The run was stopped by the dead-man's switch: no tool call for this session") {
		t.Errorf("the report does not say the dead-man's switch stopped the run")
	}
}

// Two servers on one state directory: exactly one supervises the session.
func TestE2ESupervisorTwoServersOneLease(t *testing.T) {
	if testing.Short() {
		t.Skip("about 40 s")
	}
	t.Parallel()
	opts, _ := inProcessAccount(t, "--baseline", "2s", "--finalize-grace", "1s")
	s1 := startServer(t, opts)
	s2 := startServer(t, opts)
	id, _ := runToStarted(t, s1)
	s2.ok("poll", map[string]any{"session_id": id}) // s2 learns of the session and wants to supervise it
	sess := waitReported(t, opts.stateDir, id, 120*time.Second)
	if sess.Report.FinalizedBy != session.FinalizedBySupervisor {
		t.Errorf("report finalized by %q, want supervisor", sess.Report.FinalizedBy)
	}
	time.Sleep(2 * time.Second)
	if n := countKind(storedSession(t, opts.stateDir, id), session.EventReported); n != 1 {
		t.Errorf("%d reports recorded, want exactly 1", n)
	}
	holders := 0
	for _, p := range []*proc{s1, s2} {
		b, err := os.ReadFile(p.logFile)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "supervising this session (lease held)") {
			holders++
		}
	}
	if holders != 1 {
		t.Errorf("%d servers held the supervisor lease, want exactly 1", holders)
	}
	b, _ := os.ReadFile(s2.logFile)
	if !strings.Contains(string(b), "another process supervises this session") {
		t.Errorf("the second server did not wait for the lease")
	}
}
