package workflow_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/workflow"
)

// A session that started no experiment is aborted with the reason (the default one when
// none is given), its pending confirmation dropped; a second stop has nothing to stop.
func TestEngineStopAborts(t *testing.T) {
	s := newStartEnv(t)
	ctx := context.Background()
	for _, tc := range []struct{ reason, want string }{{"  the human said stop ", "the human said stop"}, {"", "stopped by the user (stop_experiment)"}} {
		id := s.healthy()
		s.token(id, false)
		res, err := s.e.Stop(ctx, workflow.StopRequest{SessionID: id, Reason: tc.reason}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Outcome != workflow.StopAborted || res.State != "aborted" || res.SessionID != id || res.Session.State != session.StateAborted || res.ExperimentID != "" {
			t.Fatalf("abort: %+v", res)
		}
		sess := s.session(id)
		if sess.State != session.StateAborted || sess.Abort == nil || sess.Abort.Reason != tc.want || sess.Confirmation != nil {
			t.Errorf("stored abort %+v confirmation %+v", sess.Abort, sess.Confirmation)
		}
		if got := s.events(id, session.EventAborted); len(got) != 1 || !strings.HasSuffix(got[0], tc.want) {
			t.Errorf("aborted events %q", got)
		}
		again, err := s.e.Stop(ctx, workflow.StopRequest{SessionID: id}, nil)
		if err != nil || again.Outcome != workflow.StopNothing || again.State != "aborted" || again.Session.State != session.StateAborted {
			t.Errorf("second stop: %v %+v", err, again)
		}
		if _, err := s.e.RequestStart(ctx, workflow.StartRequest{SessionID: id}); err == nil {
			t.Errorf("an aborted session could be started")
		}
	}
	if n := s.aws.CallCount("fis", "StopExperiment"); n != 0 {
		t.Errorf("StopExperiment sent %d times without an experiment", n)
	}
	if _, err := s.e.Stop(ctx, workflow.StopRequest{SessionID: "fis-20260411-023000-000000"}, nil); err == nil {
		t.Errorf("stop of an unknown session succeeded")
	}
}

// A running experiment gets StopExperiment with the reason recorded, and is followed
// (with progress) until stopped; a second stop sends nothing.
func TestEngineStopRunning(t *testing.T) {
	s := newStartEnv(t)
	ctx := context.Background()
	id, exp := s.started()
	var mu sync.Mutex
	var steps []string
	var sentBefore []int // StopExperiment calls FIS had received when each progress message went out
	res, err := s.e.Stop(ctx, workflow.StopRequest{SessionID: id, Reason: "alarm on the dashboard"}, func(_, _ float64, msg string) {
		mu.Lock()
		steps = append(steps, msg)
		sentBefore = append(sentBefore, s.aws.CallCount("fis", "StopExperiment"))
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != workflow.StopExperiment || !res.StopSent || res.SentState == "" || !res.Terminal || res.State != "stopped" ||
		res.ExperimentID != exp || res.Session.State != session.StateEnded {
		t.Fatalf("stop: %+v", res)
	}
	// The command is shown before StopExperiment is sent, then the stop is followed.
	cmd := "aws fis stop-experiment --id " + exp + " --region us-east-1"
	if res.Command != cmd {
		t.Errorf("command %q, want %q", res.Command, cmd)
	}
	if len(steps) < 2 || steps[0] != "Sending: "+cmd || sentBefore[0] != 0 {
		t.Errorf("first progress %q (after %v StopExperiment calls), want %q before the call", steps, sentBefore, "Sending: "+cmd)
	}
	if len(steps) < 2 || !strings.Contains(steps[1], "experiment "+exp+" ") || !strings.Contains(steps[1], "waiting for stopped") || sentBefore[1] != 1 {
		t.Errorf("progress %q", steps)
	}
	sess := s.session(id)
	if sess.Run.StopRequestedAt == nil {
		t.Errorf("the stop request is not recorded")
	}
	if got := s.events(id, session.EventStopRequested); len(got) != 1 || got[0] != "StopExperiment requested: alarm on the dashboard" {
		t.Errorf("stop-requested events %q", got)
	}
	again, err := s.e.Stop(ctx, workflow.StopRequest{SessionID: id}, nil)
	if err != nil || again.Outcome != workflow.StopExperiment || again.StopSent || again.State != "stopped" || !again.Terminal {
		t.Errorf("second stop: %v %+v", err, again)
	}
	if n := s.aws.CallCount("fis", "StopExperiment"); n != 1 {
		t.Errorf("StopExperiment sent %d times, want 1", n)
	}
}

// An experiment FIS no longer knows ends the session with run state unknown, and the
// refusal says what to check.
func TestEngineStopVanished(t *testing.T) {
	s := newStartEnv(t)
	id, exp := s.started()
	for _, op := range []string{"GetExperiment", "StopExperiment"} {
		s.aws.InjectFault(awstest.Fault{Service: "fis", Operation: op, Status: 404, Code: "ResourceNotFoundException"})
	}
	_, err := s.e.Stop(context.Background(), workflow.StopRequest{SessionID: id}, nil)
	if err == nil || !strings.Contains(err.Error(), "FIS does not know experiment "+exp) {
		t.Fatalf("vanished: %v", err)
	}
	sess := s.session(id)
	if sess.State != session.StateEnded || sess.Run.State != "unknown" {
		t.Errorf("vanished: state %s run %+v", sess.State, sess.Run)
	}
	if got := s.events(id, session.EventExperimentNotFound); len(got) != 1 {
		t.Errorf("experiment-not-found events %q", got)
	}
}

// A failed StopExperiment says how to stop by hand and leaves the session running.
func TestEngineStopFailure(t *testing.T) {
	s := newStartEnv(t)
	id, exp := s.started()
	s.aws.InjectFault(awstest.Fault{Service: "fis", Operation: "StopExperiment", Status: 403, Code: "AccessDeniedException"})
	var shown []string
	res, err := s.e.Stop(context.Background(), workflow.StopRequest{SessionID: id}, func(_, _ float64, msg string) { shown = append(shown, msg) })
	cmd := "aws fis stop-experiment --id " + exp + " --region us-east-1"
	if err == nil || !strings.Contains(err.Error(), "Stop it by hand now: "+cmd+", or the FIS console") {
		t.Fatalf("failed stop: %v", err)
	}
	// The command was shown before the call that failed, and is the one to run by hand.
	if res.Command != cmd || len(shown) != 1 || shown[0] != "Sending: "+cmd {
		t.Errorf("command %q, progress %q", res.Command, shown)
	}
	if sess := s.session(id); sess.State != session.StateRunning {
		t.Errorf("state %s after a failed stop", sess.State)
	}
}
