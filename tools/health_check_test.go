package tools_test

import (
	"strings"
	"testing"
	"time"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/tools"
)

func resourceByID(t *testing.T, r result, id string) session.ResourceHealth {
	t.Helper()
	out := output[tools.HealthCheckOutput](t, r)
	for _, x := range out.Resources {
		if x.ID == id {
			return x
		}
	}
	t.Fatalf("%s: no resource %s in %+v", r.name, id, out.Resources)
	return session.ResourceHealth{}
}

func TestHealthCheckHealthy(t *testing.T) {
	h := newHarness(t)
	id := h.resolveDemo()
	r := h.ok("health_check", map[string]any{"session_id": id})
	var out tools.HealthCheckOutput
	r.decode(t, &out)
	if out.Verdict != session.VerdictHealthy || !out.AllHealthy {
		t.Fatalf("verdict %s all_healthy %t:\n%s", out.Verdict, out.AllHealthy, r.text)
	}
	aurora := resourceByID(t, r, demoAurora)
	if !aurora.Healthy || aurora.Status != "available" || aurora.Type != "aws:rds:cluster" {
		t.Errorf("aurora = %+v", aurora)
	}
	if len(out.Alarms) != 1 || out.Alarms[0].Name != demoAlarm || !out.Alarms[0].Healthy {
		t.Errorf("alarms = %+v", out.Alarms)
	}
	if out.Role == nil || !out.Role.Exists {
		t.Errorf("role = %+v", out.Role)
	}
	if out.WaitedSeconds != 0 {
		t.Errorf("waited %d s without wait", out.WaitedSeconds)
	}
	for _, want := range []string{"verdict HEALTHY", "| demo-aurora | aws:rds:cluster | available | ✓ |"} {
		if !strings.Contains(r.text, want) {
			t.Errorf("text lacks %q:\n%s", want, r.text)
		}
	}
	sess := h.session(id)
	if sess.State != session.StateHealthChecked || sess.Health == nil || sess.Health.Verdict != session.VerdictHealthy {
		t.Errorf("stored state %s health %+v", sess.State, sess.Health)
	}
	assertAbortLine(t, r, id, "")
}

func TestHealthCheckBlocked(t *testing.T) {
	cases := []struct {
		name      string
		breakIt   func(h *harness)
		unhealthy string
	}{
		{"cluster modifying", func(h *harness) { h.aws.SetDBClusterStatus(demoAurora, "modifying") }, "demo-aurora (aws:rds:cluster: modifying)"},
		{"stop-condition alarm in ALARM", func(h *harness) { h.aws.SetAlarmState(demoAlarm, awstest.AlarmAlarm, "5xx") }, "alarm " + demoAlarm},
		{"FIS role missing", func(h *harness) { h.aws.DeleteRole(demoRole) }, "(missing)"},
		{"cluster unreadable (access denied)", func(h *harness) {
			h.aws.InjectFault(awstest.Fault{Service: "rds", Operation: "DescribeDBClusters", Status: 403, Code: "AccessDenied"})
		}, "demo-aurora"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			id := h.resolveDemo()
			tc.breakIt(h)
			r := h.ok("health_check", map[string]any{"session_id": id})
			if out := output[tools.HealthCheckOutput](t, r); out.Verdict != "blocked" || out.AllHealthy {
				t.Fatalf("verdict %q all_healthy %t:\n%s", out.Verdict, out.AllHealthy, r.text)
			}
			if !strings.Contains(r.text, "BLOCKED") || !strings.Contains(r.text, "override_reason") && !strings.Contains(r.text, "override=true") {
				t.Errorf("text does not give the choices:\n%s", r.text)
			}
			// start_experiment is refused and names the unhealthy resource.
			s := h.fail("start_experiment", map[string]any{"session_id": id})
			if !strings.Contains(s.text, "blocked") || !strings.Contains(s.text, tc.unhealthy) {
				t.Errorf("refusal does not name %q:\n%s", tc.unhealthy, s.text)
			}
			if n := len(h.aws.StartedExperiments()); n != 0 {
				t.Fatalf("%d experiments started against a blocked verdict", n)
			}
		})
	}
}

func TestHealthCheckWaitRecovers(t *testing.T) {
	h := newHarness(t)
	id := h.resolveDemo()
	h.aws.SetDBClusterStatus(demoAurora, "modifying")
	h.aws.SetDBClusterStatusAt(h.clock.Now().Add(150*time.Second), demoAurora, "available")
	before := h.aws.CallCount("rds", "DescribeDBClusters")
	mark := h.progressMark()
	start := h.clock.Now()
	r := h.ok("health_check", map[string]any{"session_id": id, "wait": true})
	out := output[tools.HealthCheckOutput](t, r)
	if out.Verdict != "healthy" {
		t.Fatalf("verdict %q after waiting:\n%s", out.Verdict, r.text)
	}
	// Checks at 0, 60, 120 (modifying) and 180 s (available).
	if got := out.WaitedSeconds; got != 180 {
		t.Errorf("waited_seconds = %v, want 180", got)
	}
	if got := h.clock.Now().Sub(start); got != 180*time.Second {
		t.Errorf("the simulated clock moved %s, want 3m", got)
	}
	if n := h.aws.CallCount("rds", "DescribeDBClusters") - before; n != 4 {
		t.Errorf("%d DescribeDBClusters calls, want 4 (1 check + 3 rechecks)", n)
	}
	prog := h.progressSince(mark)
	if len(prog) != 3 {
		t.Fatalf("%d progress notifications, want 3: %q", len(prog), prog)
	}
	for i, p := range prog {
		if !strings.Contains(p, "check "+string(rune('1'+i))) || !strings.Contains(p, "demo-aurora") || !strings.Contains(p, "rechecking in 1m0s") {
			t.Errorf("progress %d = %q", i, p)
		}
	}
	if sess := h.session(id); sess.Health.WaitedSeconds != 180 {
		t.Errorf("stored waited_seconds %d", sess.Health.WaitedSeconds)
	}
}

func TestHealthCheckWaitGivesUpAfterTenMinutes(t *testing.T) {
	h := newHarness(t)
	id := h.resolveDemo()
	h.aws.SetDBClusterStatus(demoAurora, "modifying")
	mark := h.progressMark()
	r := h.ok("health_check", map[string]any{"session_id": id, "wait": true})
	out := output[tools.HealthCheckOutput](t, r)
	if out.Verdict != "blocked" {
		t.Fatalf("verdict %q:\n%s", out.Verdict, r.text)
	}
	if got := out.WaitedSeconds; got < 590 || got > 600 {
		t.Errorf("waited_seconds = %v, want ≈ 600", got)
	}
	if !strings.Contains(r.text, "Still unhealthy after waiting 600s") || !strings.Contains(r.text, "demo-aurora (aws:rds:cluster: modifying)") {
		t.Errorf("text lacks the diagnostic:\n%s", r.text)
	}
	aurora := resourceByID(t, r, demoAurora)
	if aurora.Healthy || aurora.Status != "modifying" {
		t.Errorf("aurora = %+v", aurora)
	}
	if n := len(h.progressSince(mark)); n != 10 {
		t.Errorf("%d progress notifications, want 10 (one per recheck)", n)
	}
}

func TestHealthCheckOverride(t *testing.T) {
	h := newHarness(t)
	id := h.resolveDemo()
	h.aws.SetDBClusterStatus(demoAurora, "modifying")

	// Without a reason: refused, nothing recorded.
	r := h.fail("health_check", map[string]any{"session_id": id, "override": true})
	if !strings.Contains(r.text, "override_reason") {
		t.Errorf("refusal does not ask for override_reason:\n%s", r.text)
	}
	r = h.fail("health_check", map[string]any{"session_id": id, "override": true, "override_reason": "   "})
	if sess := h.session(id); sess.Health != nil || sess.State != session.StateResolved {
		t.Fatalf("a refused override changed the session: state %s health %+v", sess.State, sess.Health)
	}
	assertAbortLine(t, r, id, "")

	// With a reason: overridden and recorded.
	reason := "the human accepts: cluster is only resizing storage"
	r = h.ok("health_check", map[string]any{"session_id": id, "override": true, "override_reason": reason})
	var out tools.HealthCheckOutput
	r.decode(t, &out)
	if out.Verdict != session.VerdictOverridden || out.AllHealthy {
		t.Fatalf("verdict %s:\n%s", out.Verdict, r.text)
	}
	if out.Override == nil || out.Override.Reason != reason || len(out.Override.Unhealthy) != 1 || !strings.Contains(out.Override.Unhealthy[0], "demo-aurora") {
		t.Fatalf("override = %+v", out.Override)
	}
	if !strings.Contains(out.Override.By, "fis-mcp-tools-test") {
		t.Errorf("override by %q does not name the MCP client", out.Override.By)
	}
	if !strings.Contains(r.text, "OVERRIDDEN") || !strings.Contains(r.text, reason) {
		t.Errorf("text does not show the override:\n%s", r.text)
	}
	sess := h.session(id)
	found := false
	for _, e := range sess.Timeline {
		if e.Kind == "health-override" && strings.Contains(e.Message, reason) && strings.Contains(e.Message, "demo-aurora") {
			found = true
		}
	}
	if !found {
		t.Errorf("the override is not in the timeline: %+v", sess.Timeline)
	}

	// start_experiment is now allowed, and its warning shows the override.
	s := output[tools.StartExperimentOutput](t, h.ok("start_experiment", map[string]any{"session_id": id}))
	if !strings.Contains(s.Warning, "HEALTH OVERRIDE") || !strings.Contains(s.Warning, reason) {
		t.Errorf("impact warning does not show the override:\n%s", s.Warning)
	}
	st := h.ok("start_experiment", map[string]any{"session_id": id, "confirmation_token": s.ConfirmationToken})
	if output[tools.StartExperimentOutput](t, st).Status != "started" || len(h.aws.StartedExperiments()) != 1 {
		t.Fatalf("start after override: %s", st.text)
	}
}

// An override on an already healthy check does not turn it into "overridden".
func TestHealthCheckOverrideWhenHealthy(t *testing.T) {
	h := newHarness(t)
	id := h.resolveDemo()
	r := h.ok("health_check", map[string]any{"session_id": id, "override": true, "override_reason": "just in case"})
	if out := output[tools.HealthCheckOutput](t, r); out.Verdict != "healthy" || out.Override != nil {
		t.Errorf("verdict %q override %+v", out.Verdict, out.Override)
	}
}

func TestHealthCheckWrongState(t *testing.T) {
	h := newHarness(t)
	r := h.fail("health_check", map[string]any{"session_id": "fis-20260101-000000-abcdef"})
	if !strings.Contains(r.text, "not found") {
		t.Errorf("unknown session: %s", r.text)
	}
	r = h.fail("health_check", map[string]any{"session_id": "../../etc/passwd"})
	if !strings.Contains(r.text, "not a session ID") {
		t.Errorf("malformed session ID: %s", r.text)
	}
	id, exp := h.startDemo()
	r = h.fail("health_check", map[string]any{"session_id": id})
	if !strings.Contains(r.text, "running") {
		t.Errorf("health_check of a running session: %s", r.text)
	}
	assertAbortLine(t, r, id, exp)
}
