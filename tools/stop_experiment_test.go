package tools_test

import (
	"strings"
	"testing"
	"time"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/tools"
)

func TestStopExperimentInEveryState(t *testing.T) {
	cases := []struct {
		name string
		// setup returns the session and the experiment (if one was started).
		setup        func(h *harness) (string, string)
		state        string // the result's state
		sessionState session.State
		stopSent     bool
		textHas      string
	}{
		{
			name:  "resolved",
			setup: func(h *harness) (string, string) { return h.resolveDemo(), "" },
			state: "aborted", sessionState: session.StateAborted, textHas: "No experiment had been started",
		},
		{
			name:  "health checked",
			setup: func(h *harness) (string, string) { return h.healthyDemo(), "" },
			state: "aborted", sessionState: session.StateAborted, textHas: "nothing will start",
		},
		{
			name: "awaiting confirmation",
			setup: func(h *harness) (string, string) {
				id := h.healthyDemo()
				h.token(id, false)
				return id, ""
			},
			state: "aborted", sessionState: session.StateAborted, textHas: "nothing will start",
		},
		{
			name:  "pending",
			setup: func(h *harness) (string, string) { return h.startDemo() },
			state: "stopped", sessionState: session.StateEnded, stopSent: true, textHas: "StopExperiment sent",
		},
		{
			name: "running",
			setup: func(h *harness) (string, string) {
				id, exp := h.startDemo()
				h.clock.Advance(time.Minute)
				if st := output[tools.PollOutput](t, h.ok("poll", map[string]any{"session_id": id})).State; st != "running" {
					t.Fatalf("state %q", st)
				}
				return id, exp
			},
			state: "stopped", sessionState: session.StateEnded, stopSent: true, textHas: "StopExperiment sent",
		},
		{
			name: "running but never polled",
			setup: func(h *harness) (string, string) {
				id, exp := h.startDemo()
				h.clock.Advance(time.Minute)
				return id, exp
			},
			state: "stopped", sessionState: session.StateEnded, stopSent: true, textHas: "is stopped",
		},
		{
			name: "already completed (not polled since)",
			setup: func(h *harness) (string, string) {
				id, exp := h.startDemo()
				h.clock.Advance(demoWait + time.Minute)
				return id, exp
			},
			state: "completed", sessionState: session.StateEnded, textHas: "is completed",
		},
		{
			name: "already ended and polled",
			setup: func(h *harness) (string, string) {
				id, exp := h.startDemo()
				h.pollUntilTerminal(id)
				return id, exp
			},
			state: "completed", sessionState: session.StateEnded, textHas: "is completed",
		},
		{
			name: "reported",
			setup: func(h *harness) (string, string) {
				id, exp := h.startDemo()
				h.pollUntilTerminal(id)
				h.ok("finalize_report", map[string]any{"session_id": id, "wait": true})
				return id, exp
			},
			state: "completed", sessionState: session.StateReported, textHas: "completed",
		},
		{
			name: "aborted by the stack check",
			setup: func(h *harness) (string, string) {
				h.aws.SetStackStatus(demoStack, "DELETE_COMPLETE")
				r := h.ok("resolve_experiment", map[string]any{"path": h.demoPath()})
				return output[tools.ResolveExperimentOutput](t, r).SessionID, ""
			},
			state: "aborted", sessionState: session.StateAborted, textHas: "Nothing to stop",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			id, exp := tc.setup(h)
			stops := h.aws.CallCount("fis", "StopExperiment")
			reason := "the human said stop"
			r := h.ok("stop_experiment", map[string]any{"session_id": id, "reason": reason})
			out := output[tools.StopExperimentOutput](t, r)
			if got := out.State; got != tc.state {
				t.Errorf("state = %q, want %q:\n%s", got, tc.state, r.text)
			}
			if got := out.SessionState; got != tc.sessionState {
				t.Errorf("session_state = %q, want %q", got, tc.sessionState)
			}
			if !strings.Contains(r.text, tc.textHas) {
				t.Errorf("text lacks %q:\n%s", tc.textHas, r.text)
			}
			sent := h.aws.CallCount("fis", "StopExperiment") - stops
			if tc.stopSent != (sent == 1) || sent > 1 {
				t.Errorf("StopExperiment sent %d times, want sent=%t", sent, tc.stopSent)
			}
			sess := h.session(id)
			if sess.State != tc.sessionState {
				t.Errorf("stored state %s, want %s", sess.State, tc.sessionState)
			}
			if exp != "" {
				if out.ExperimentID != exp {
					t.Errorf("experiment_id %q, want %s", out.ExperimentID, exp)
				}
				if st, _ := h.aws.ExperimentStatus(exp); st != tc.state {
					t.Errorf("FIS says %s, the tool %s", st, tc.state)
				}
			}
			if tc.stopSent {
				var cli string
				for _, c := range out.APICalls {
					if c.Operation == "StopExperiment" {
						cli = c.CLI
					}
				}
				if cli != "aws fis stop-experiment --id "+exp+" --region us-east-1" {
					t.Errorf("StopExperiment CLI equivalent %q", cli)
				}
				found := false
				for _, e := range sess.Timeline {
					if e.Kind == "stop-requested" && strings.Contains(e.Message, reason) {
						found = true
					}
				}
				if !found || sess.Run.StopRequestedAt == nil {
					t.Errorf("the stop request and its reason are not recorded")
				}
			}
			if tc.sessionState == session.StateAborted && tc.textHas != "Nothing to stop" {
				if sess.Abort == nil || sess.Abort.Reason != reason {
					t.Errorf("abort record %+v lacks the reason", sess.Abort)
				}
			}
			assertAbortLine(t, r, id, "")

			// Idempotent: a second stop sends nothing and reports the same state.
			r2 := output[tools.StopExperimentOutput](t, h.ok("stop_experiment", map[string]any{"session_id": id}))
			if r2.State != tc.state || r2.SessionState != tc.sessionState {
				t.Errorf("second stop: state %q session_state %q", r2.State, r2.SessionState)
			}
			if n := h.aws.CallCount("fis", "StopExperiment") - stops; n != sent {
				t.Errorf("the second stop sent StopExperiment again")
			}
			if n := len(h.aws.StartedExperiments()); exp == "" && n != 0 {
				t.Errorf("stop started something")
			}
			// Nothing can be started after a stop.
			h.fail("start_experiment", map[string]any{"session_id": id})
		})
	}
}

func TestStopExperimentFailureSaysHowToStopByHand(t *testing.T) {
	h := newHarness(t)
	id, exp := h.startDemo()
	h.aws.InjectFault(awstest.Fault{Service: "fis", Operation: "StopExperiment", Status: 403, Code: "AccessDeniedException"})
	r := h.fail("stop_experiment", map[string]any{"session_id": id})
	for _, want := range []string{"FIS StopExperiment " + exp + " failed", "fis:StopExperiment", "aws fis stop-experiment --id " + exp + " --region us-east-1"} {
		if !strings.Contains(r.text, want) {
			t.Errorf("error lacks %q:\n%s", want, r.text)
		}
	}
	assertAbortLine(t, r, id, exp)
	if sess := h.session(id); sess.State != session.StateRunning {
		t.Errorf("state %s after a failed stop", sess.State)
	}
	h.aws.ClearFaults()
	if r := h.ok("stop_experiment", map[string]any{"session_id": id}); output[tools.StopExperimentOutput](t, r).State != "stopped" {
		t.Errorf("retry: %s", r.text)
	}
}

// stop_experiment shows the exact stop command before StopExperiment is sent: as the first
// progress notification and as the first line of its text; the abort line of the start
// names the same command.
func TestStopExperimentShowsTheCommand(t *testing.T) {
	h := newHarness(t)
	id, exp := h.startDemo()
	cmd := "aws fis stop-experiment --id " + exp + " --region " + awstest.DefaultRegion
	if abort := h.ok("get_session", map[string]any{"session_id": id}).str("abort"); !strings.Contains(abort, "`"+cmd+"`") {
		t.Errorf("abort line %q lacks `%s`", abort, cmd)
	}
	mark := h.progressMark()
	r := h.ok("stop_experiment", map[string]any{"session_id": id})
	if p := h.progressSince(mark); len(p) == 0 || p[0] != "Sending: "+cmd {
		t.Errorf("first progress %q, want %q", p, "Sending: "+cmd)
	}
	lines := strings.Split(r.text, "\n")
	if strings.HasPrefix(lines[0], "[") { // the server mode line
		lines = lines[1:]
	}
	if lines[0] != "Sending: "+cmd {
		t.Errorf("text starts with %q, want %q:\n%s", lines[0], "Sending: "+cmd, r.text)
	}
	if n := h.aws.CallCount("fis", "StopExperiment"); n != 1 {
		t.Errorf("StopExperiment sent %d times", n)
	}
	// Nothing to send on a second stop: no command is claimed.
	if r2 := h.ok("stop_experiment", map[string]any{"session_id": id}); strings.Contains(r2.text, "Sending:") {
		t.Errorf("a stop that sent nothing shows a command:\n%s", r2.text)
	}
}
