package tools_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/tools"
)

// TestPollRecordsTransitionsWithFISTimes follows the demo experiment to its end and checks
// every transition is in the timeline, with FIS's own timestamps where FIS gives them.
func TestPollRecordsTransitionsWithFISTimes(t *testing.T) {
	h := newHarness(t)
	id, exp := h.startDemo()
	last := output[tools.PollOutput](t, h.pollUntilTerminal(id))
	if last.State != "completed" || last.NextPollSeconds != 0 {
		t.Fatalf("last poll: state %q next %v", last.State, last.NextPollSeconds)
	}
	start, end, actions, ok := h.aws.ExperimentTimes(exp)
	if !ok || end.IsZero() {
		t.Fatalf("fake has no times for %s", exp)
	}
	sess := h.session(id)
	if sess.State != session.StateEnded {
		t.Errorf("session state %s, want ended", sess.State)
	}
	if sess.Run.EndTime == nil || !sess.Run.EndTime.Equal(end) {
		t.Errorf("run end %v, FIS end %s", sess.Run.EndTime, end)
	}
	if sess.Run.StartTime == nil || !sess.Run.StartTime.Equal(start) {
		t.Errorf("run start %v, FIS start %s", sess.Run.StartTime, start)
	}
	var expStates []string
	actionEvents := map[string][]session.Event{}
	for _, e := range sess.Timeline {
		switch e.Kind {
		case "experiment-state":
			expStates = append(expStates, e.Message)
			if strings.HasSuffix(e.Message, "→ completed (Experiment completed.)") {
				if !e.Time.Equal(end) || e.Observed {
					t.Errorf("completion recorded at %s (observed %t), FIS end %s", e.Time, e.Observed, end)
				}
			}
		case "action-state":
			actionEvents[e.Subject] = append(actionEvents[e.Subject], e)
		}
	}
	joined := strings.Join(expStates, "\n")
	for _, want := range []string{"running → completed"} {
		if !strings.Contains(joined, want) {
			t.Errorf("experiment transitions %q lack %q", joined, want)
		}
	}
	for name, times := range actions {
		evs := actionEvents[name]
		var sawStart, sawEnd bool
		for _, e := range evs {
			switch {
			case strings.HasSuffix(e.Message, "→ running"):
				sawStart = true
				if !e.Time.Equal(times[0]) || e.Observed {
					t.Errorf("action %s running recorded at %s (observed %t), FIS start %s", name, e.Time, e.Observed, times[0])
				}
			case strings.HasSuffix(e.Message, "→ completed"):
				sawEnd = true
				if !e.Time.Equal(times[1]) || e.Observed {
					t.Errorf("action %s completed recorded at %s (observed %t), FIS end %s", name, e.Time, e.Observed, times[1])
				}
			}
		}
		if !sawStart || !sawEnd {
			t.Errorf("action %s: timeline events %+v lack running and completed", name, evs)
		}
	}
	// The timeline is in order of recording and never goes back in time for FIS events of one subject.
	for subject, evs := range actionEvents {
		for i := 1; i < len(evs); i++ {
			if evs[i].Time.Before(evs[i-1].Time) {
				t.Errorf("action %s events out of order: %+v", subject, evs)
			}
		}
	}
}

func TestPollNextPollSeconds(t *testing.T) {
	h := newHarness(t)
	id, exp := h.startDemo()
	r := h.ok("poll", map[string]any{"session_id": id})
	out := output[tools.PollOutput](t, r)
	if out.NextPollSeconds != 30 || out.Terminal || out.ExperimentID != exp {
		t.Fatalf("first poll: %+v", out)
	}
	if !strings.Contains(r.text, "Next poll in 30 s") {
		t.Errorf("text:\n%s", r.text)
	}
	start, _, _, _ := h.aws.ExperimentTimes(exp)
	h.clock.Set(start.Add(5*time.Minute + 30*time.Second))
	r = h.ok("poll", map[string]any{"session_id": id})
	out = output[tools.PollOutput](t, r)
	if out.Terminal || out.State != "running" {
		t.Fatalf("the experiment should still run at 5m30s: %+v", out)
	}
	if out.NextPollSeconds != 60 {
		t.Errorf("next_poll_seconds after 5m30s = %d, want 60", out.NextPollSeconds)
	}
	if want := 330.0; out.Elapsed != want {
		t.Errorf("elapsed %v, want %v", out.Elapsed, want)
	}
	assertAbortLine(t, r, id, exp)
}

func TestPollWaitSeconds(t *testing.T) {
	h := newHarness(t)
	id, exp := h.startDemo()
	h.ok("poll", map[string]any{"session_id": id}) // records pending and the actions
	// The experiment is pending: a blocking poll returns at the next change, long before 300 s.
	before := h.clock.Now()
	r := h.ok("poll", map[string]any{"session_id": id, "wait_seconds": 300})
	waited := h.clock.Now().Sub(before)
	if len(output[tools.PollOutput](t, r).NewEvents) == 0 {
		t.Fatalf("a blocking poll returned without a change:\n%s", r.text)
	}
	if waited <= 0 || waited > 10*time.Second {
		t.Errorf("blocking poll waited %s for the first change (FIS initiates in 4 s)", waited)
	}
	// Let it run, with the failover action done: nothing changes for a while.
	start, _, _, _ := h.aws.ExperimentTimes(exp)
	h.clock.Set(start.Add(2 * time.Minute))
	h.ok("poll", map[string]any{"session_id": id}) // record the current states
	_, _, acts, _ := h.aws.ExperimentTimes(exp)
	if got := acts["Failover-RDS"]; got[0].IsZero() {
		t.Fatalf("no failover times: %v", acts)
	}
	before = h.clock.Now()
	r = h.ok("poll", map[string]any{"session_id": id, "wait_seconds": 30})
	if got := h.clock.Now().Sub(before); got != 30*time.Second {
		t.Errorf("a blocking poll without change waited %s, want 30s", got)
	}
	if evs := output[tools.PollOutput](t, r).NewEvents; len(evs) != 0 {
		t.Errorf("unexpected events: %v", evs)
	}
	// wait_seconds is capped at 300.
	before = h.clock.Now()
	h.ok("poll", map[string]any{"session_id": id, "wait_seconds": 3600})
	if got := h.clock.Now().Sub(before); got > 300*time.Second {
		t.Errorf("wait_seconds 3600 waited %s, want at most 5m", got)
	}
}

func TestPollResourceStateChanges(t *testing.T) {
	h := newHarness(t)
	// The Aurora writer fails over from 10 s to 70 s after the start (the start is at epoch).
	h.aws.ScriptAuroraFailover(demoAurora, h.clock.Now().Add(10*time.Second), time.Minute)
	id, _ := h.startDemo()
	h.ok("poll", map[string]any{"session_id": id}) // the baseline sample
	var msgs []string
	for i := 0; i < 40; i++ {
		out := output[tools.PollOutput](t, h.ok("poll", map[string]any{"session_id": id, "wait_seconds": 15}))
		for _, e := range out.NewEvents {
			if e.Kind == "resource-state" {
				msgs = append(msgs, e.Message)
			}
		}
		if out.Terminal {
			break
		}
	}
	joined := strings.Join(msgs, "\n")
	for _, want := range []string{"demo-aurora: available → failing-over", "demo-aurora: failing-over → available"} {
		if !strings.Contains(joined, want) {
			t.Errorf("resource events %q lack %q", joined, want)
		}
	}
	sess := h.session(id)
	if sess.Run.ResourceStates[demoAurora] != "available" {
		t.Errorf("last resource state %v", sess.Run.ResourceStates)
	}
}

func TestPollFISErrorsKeepTheSession(t *testing.T) {
	cases := []struct {
		name  string
		fault awstest.Fault
		want  string
	}{
		{"throttling beyond retries", awstest.Fault{Service: "fis", Operation: "GetExperiment", Status: 400, Code: "ThrottlingException"}, "ThrottlingException"},
		{"5xx beyond retries", awstest.Fault{Service: "fis", Operation: "GetExperiment", Status: 503, Code: "ServiceUnavailable"}, "ServiceUnavailable"},
		{"access denied", awstest.Fault{Service: "fis", Operation: "GetExperiment", Status: 403, Code: "AccessDeniedException"}, "fis:GetExperiment"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			id, exp := h.startDemo()
			h.ok("poll", map[string]any{"session_id": id})
			before := h.session(id)
			h.aws.InjectFault(tc.fault)
			r := h.fail("poll", map[string]any{"session_id": id, "wait_seconds": 60})
			for _, want := range []string{"the session is kept", "poll again", tc.want} {
				if !strings.Contains(r.text, want) {
					t.Errorf("error lacks %q:\n%s", want, r.text)
				}
			}
			assertAbortLine(t, r, id, exp)
			after := h.session(id)
			if after.State != session.StateRunning || after.Run.ExperimentID != exp || after.Run.State != before.Run.State {
				t.Fatalf("a failed poll changed the session: %s %+v", after.State, after.Run)
			}
			h.aws.ClearFaults()
			if out := output[tools.PollOutput](t, h.ok("poll", map[string]any{"session_id": id})); out.ExperimentID != exp {
				t.Errorf("poll after the fault: %+v", out)
			}
		})
	}
}

func TestPollStuckInitiating(t *testing.T) {
	h := newHarness(t)
	h.aws.SetFISTiming(awstest.FISTiming{StuckInitiating: true})
	id, _ := h.startDemo()
	var r result
	var out tools.PollOutput
	for i := 0; i < 10 && out.Elapsed < 600; i++ {
		r = h.ok("poll", map[string]any{"session_id": id, "wait_seconds": 300})
		out = output[tools.PollOutput](t, r)
	}
	if out.State != "initiating" {
		t.Fatalf("state %q", out.State)
	}
	if out.Elapsed < 600 {
		t.Fatalf("elapsed %v", out.Elapsed)
	}
	// After minutes in initiating the human must learn why and what to do.
	if !strings.Contains(r.text, "initiating") || !strings.Contains(r.text, "IAM role") {
		t.Errorf("poll of an experiment stuck in initiating for %vs does not explain it:\n%s", out.Elapsed, r.text)
	}
}

func TestPollBeforeStart(t *testing.T) {
	h := newHarness(t)
	id := h.healthyDemo()
	r := h.fail("poll", map[string]any{"session_id": id})
	if !strings.Contains(r.text, "no experiment was started") {
		t.Errorf("poll before start:\n%s", r.text)
	}
	assertAbortLine(t, r, id, "")
}

// TestPollFailedEventReadIsANote: a failed AWS event read is never dropped: the poll names
// it in its notes and text, and the timeline holds it once as a fis-mcp note.
func TestPollFailedEventReadIsANote(t *testing.T) {
	h := newHarness(t)
	id, _ := h.startDemo()
	h.ok("poll", map[string]any{"session_id": id})
	h.aws.InjectFault(awstest.Fault{Service: "rds", Operation: "DescribeEvents", Status: 403, Code: "AccessDenied", Message: "not authorized to perform rds:DescribeEvents"})
	for i := 0; i < 2; i++ {
		r := h.ok("poll", map[string]any{"session_id": id})
		notes := output[tools.PollOutput](t, r).Notes
		if len(notes) == 0 || !strings.Contains(fmt.Sprint(notes), "rds:DescribeEvents") {
			t.Fatalf("poll %d notes %v, want the failed rds:DescribeEvents read", i, notes)
		}
		if !strings.Contains(r.text, "NOTE: AWS events not read") {
			t.Errorf("poll text lacks the note:\n%s", r.text)
		}
	}
	var recorded int
	for _, e := range h.session(id).Timeline {
		if e.Source == "fis-mcp" && e.Kind == "note" && strings.Contains(e.Message, "rds:DescribeEvents") {
			recorded++
		}
	}
	if recorded != 2 { // the db-cluster and the db-instance streams, each once for both polls
		t.Errorf("%d fis-mcp notes in the timeline, want 2", recorded)
	}
	h.aws.ClearFaults()
	if notes := output[tools.PollOutput](t, h.ok("poll", map[string]any{"session_id": id})).Notes; len(notes) != 0 {
		t.Errorf("notes after the fault cleared: %v", notes)
	}
}
