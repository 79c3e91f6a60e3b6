package workflow_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/aws/experiment"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/workflow"
)

// gatedTransport holds the StartExperiment request (before or after it reaches the
// fake) until released, or loses its response.
type gatedTransport struct {
	mu       sync.Mutex
	armed    bool
	before   bool // hold the request before it reaches FIS
	loseResp bool // forward it, then report a connection reset
	held     chan struct{}
	release  chan struct{}
}

func newGate(before, loseResp bool) *gatedTransport {
	return &gatedTransport{before: before, loseResp: loseResp, held: make(chan struct{}, 1), release: make(chan struct{})}
}

func (g *gatedTransport) arm(on bool) { g.mu.Lock(); g.armed = on; g.mu.Unlock() }

func (g *gatedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	g.mu.Lock()
	armed := g.armed && r.Method == http.MethodPost && r.URL.Path == "/experiments"
	g.mu.Unlock()
	if !armed {
		return http.DefaultTransport.RoundTrip(r)
	}
	if g.before {
		g.held <- struct{}{}
		<-g.release
		return http.DefaultTransport.RoundTrip(r)
	}
	resp, err := http.DefaultTransport.RoundTrip(r)
	if g.loseResp {
		if resp != nil {
			resp.Body.Close()
		}
		return nil, errors.New("read tcp: connection reset by peer")
	}
	select {
	case g.held <- struct{}{}:
	default:
	}
	<-g.release
	return resp, err
}

// startOutcome is one ConfirmStart's return.
type startOutcome struct {
	res workflow.StartResult
	err error
}

// confirmAsync runs ConfirmStart with tok in the background.
func (s *startEnv) confirmAsync(id, tok string) chan startOutcome {
	done := make(chan startOutcome, 1)
	go func() {
		res, err := s.e.ConfirmStart(context.Background(), id, workflow.Confirmation{Token: tok})
		done <- startOutcome{res, err}
	}()
	return done
}

func waitStart(t *testing.T, ch chan startOutcome) startOutcome {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(20 * time.Second):
		t.Fatal("ConfirmStart hung")
	}
	return startOutcome{}
}

func (s *startEnv) stop(id string) (workflow.StopResult, error) {
	return s.e.Stop(context.Background(), workflow.StopRequest{SessionID: id}, nil)
}

func (s *startEnv) fisState(id string) string {
	st, _ := s.aws.ExperimentStatus(id)
	return st
}

// A stop while StartExperiment has reached FIS but its answer is not back: the
// experiment is found by its tag and stopped; the session is never aborted.
func TestStopWhileStartInFlight(t *testing.T) {
	g := newGate(false, false)
	s := newStartEnv(t, withStartHTTP(&http.Client{Transport: g}))
	id := s.healthy()
	tok := s.token(id, false)
	g.arm(true)
	done := s.confirmAsync(id, tok)
	<-g.held
	g.arm(false)
	_, stopErr := s.stop(id)
	close(g.release)
	start := waitStart(t, done)
	if stopErr != nil || start.err != nil {
		t.Fatalf("stop: %v\nstart: %v", stopErr, start.err)
	}
	sess := s.session(id)
	if sess.State == session.StateAborted || sess.Run == nil || sess.Run.ExperimentID == "" {
		t.Fatalf("session %s run %+v: a started experiment must stay tracked", sess.State, sess.Run)
	}
	if n := s.aws.CallCount("fis", "StopExperiment"); n == 0 {
		t.Fatal("StopExperiment never sent")
	}
	if st := s.fisState(sess.Run.ExperimentID); st != "stopping" && st != "stopped" {
		t.Fatalf("FIS state %q, want stopping or stopped", st)
	}
}

// A stop before StartExperiment reaches FIS: the stop is queued and the launch
// stops the experiment the moment FIS accepts it.
func TestStopBeforeStartLands(t *testing.T) {
	g := newGate(true, false)
	s := newStartEnv(t, withStartHTTP(&http.Client{Transport: g}))
	id := s.healthy()
	tok := s.token(id, false)
	g.arm(true)
	done := s.confirmAsync(id, tok)
	<-g.held
	g.arm(false)
	stop, err := s.stop(id)
	if err != nil || stop.State != "stop_requested" || stop.Outcome != workflow.StopQueued {
		t.Fatalf("stop during an in-flight start: %v, state %q outcome %q", err, stop.State, stop.Outcome)
	}
	close(g.release)
	start := waitStart(t, done)
	if start.err != nil || !start.res.StopSent {
		t.Fatalf("start did not honour the queued stop: %v %+v", start.err, start.res)
	}
	sess := s.session(id)
	if sess.State == session.StateAborted || sess.Run == nil || sess.Run.ExperimentID == "" {
		t.Fatalf("session %s run %+v", sess.State, sess.Run)
	}
	if st := s.fisState(sess.Run.ExperimentID); st != "stopping" && st != "stopped" {
		t.Fatalf("FIS state %q, want stopping or stopped", st)
	}
}

// A lost StartExperiment response: the experiment exists, so it is tracked (found by
// its tag), never reported as "nothing started".
func TestStartLostResponseIsTracked(t *testing.T) {
	g := newGate(false, true)
	s := newStartEnv(t, withStartHTTP(&http.Client{Transport: g}))
	id := s.healthy()
	tok := s.token(id, false)
	g.arm(true)
	start, err := s.e.ConfirmStart(context.Background(), id, workflow.Confirmation{Token: tok})
	g.arm(false)
	if err != nil || start.Prompt != nil || start.Experiment.ID == "" {
		t.Fatalf("lost response: %v %+v", err, start)
	}
	if n := len(s.aws.StartedExperiments()); n != 1 {
		t.Fatalf("%d experiments started, want exactly 1 (client token)", n)
	}
	stop, err := s.stop(id)
	if err != nil || s.aws.CallCount("fis", "StopExperiment") != 1 {
		t.Fatalf("stop after a lost start response: %v, StopExperiment calls %d (%+v)", err, s.aws.CallCount("fis", "StopExperiment"), stop)
	}
}

// The emergency stop is sent even when the experiment cannot be read first.
func TestStopWhenGetExperimentDenied(t *testing.T) {
	s := newStartEnv(t)
	id, exp := s.started()
	s.aws.InjectFault(awstest.Fault{Service: "fis", Operation: "GetExperiment", Status: 403, Code: "AccessDeniedException"})
	_, _ = s.stop(id)
	if n := s.aws.CallCount("fis", "StopExperiment"); n != 1 {
		t.Fatalf("StopExperiment calls = %d, want 1", n)
	}
	if st := s.fisState(exp); st != "stopping" && st != "stopped" {
		t.Fatalf("FIS state %q, want stopping or stopped", st)
	}
}

// After a crash between StartExperiment and saving its ID, a stop whose tag lookup
// fails must not abort the session (the experiment may run): it says how to stop by hand.
func TestStopAfterCrashWithLookupDenied(t *testing.T) {
	s := newStartEnv(t)
	id := s.healthy()
	if _, err := s.e.Store.Update(id, func(sess *session.Session) error {
		sess.Run = &session.Run{ClientToken: experiment.ClientToken(sess.ID, sess.Experiment.TemplateID), State: "starting", RequestedAt: s.clock.Now()}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	cfg, err := awsapi.LoadConfig(context.Background(), awsapi.Options{Endpoint: s.aws.URL, Region: awstest.DefaultRegion})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := experiment.Start(context.Background(), awsapi.NewClients(cfg).FIS, experiment.StartInput{
		TemplateID: startDemoTemplate, ClientToken: experiment.ClientToken(id, startDemoTemplate), Tags: map[string]string{experiment.SessionTag: id}}); err != nil {
		t.Fatal(err)
	}
	s.restart()
	s.aws.InjectFault(awstest.Fault{Service: "fis", Operation: "ListExperiments", Status: 403, Code: "AccessDeniedException"})
	_, err = s.stop(id)
	if err == nil || !strings.Contains(err.Error(), "aws fis list-experiments") {
		t.Fatalf("stop with the lookup denied must refuse with the manual steps: %v", err)
	}
	if sess := s.session(id); sess.State == session.StateAborted || sess.Run == nil {
		t.Fatalf("session aborted (%s, run %+v) although its experiment may run", sess.State, sess.Run)
	}
	s.aws.ClearFaults()
	stop, err := s.stop(id)
	if err != nil || s.aws.CallCount("fis", "StopExperiment") != 1 {
		t.Fatalf("second stop: %v, StopExperiment %d (%+v)", err, s.aws.CallCount("fis", "StopExperiment"), stop)
	}
}

// FIS starts the live template: one changed since resolve_experiment is refused.
func TestStartRefusedWhenTemplateChanged(t *testing.T) {
	s := newStartEnv(t)
	id := s.healthy()
	tok := s.token(id, false)
	s.aws.AddExperimentTemplate(awstest.ExperimentTemplate{ID: startDemoTemplate, RoleArn: "arn:aws:iam::123456789012:role/x",
		Actions: map[string]awstest.TemplateAction{"Wait": {ActionID: "aws:fis:wait", Parameters: map[string]string{"duration": "PT1M"}}}})
	_, err := s.e.ConfirmStart(context.Background(), id, workflow.Confirmation{Token: tok})
	if err == nil || !strings.Contains(err.Error(), "changed since resolve_experiment") {
		t.Fatalf("start against a changed template: %v", err)
	}
	if n := len(s.aws.StartedExperiments()); n != 0 {
		t.Fatalf("%d experiments started against a changed template", n)
	}
	if _, err := s.e.ConfirmStart(context.Background(), id, workflow.Confirmation{Token: tok}); err == nil {
		t.Fatalf("the token survived the refusal")
	}
	if got := s.events(id, session.EventStartRefused); len(got) == 0 || !strings.Contains(got[0], "changed since resolve_experiment") {
		t.Errorf("the changed-template refusal is not recorded: %q", got)
	}
}

// A StartExperiment whose outcome is unknown (lost answer, and the tag lookup finds
// nothing) is recorded as start-unknown, never as "nothing started"; a definite FIS
// rejection forgets the start, so a fresh confirmation is needed.
func TestStartUnknownAndRejectedOutcomes(t *testing.T) {
	s := newStartEnv(t)
	id := s.healthy()
	tok := s.token(id, false)
	s.aws.InjectFault(awstest.Fault{Service: "fis", Operation: "StartExperiment", Status: 500, Code: "InternalFailure"})
	_, err := s.e.ConfirmStart(context.Background(), id, workflow.Confirmation{Token: tok})
	if err == nil || !strings.Contains(err.Error(), "the outcome of FIS StartExperiment is unknown") || !strings.Contains(err.Error(), "aws fis list-experiments") {
		t.Fatalf("unknown outcome: %v", err)
	}
	if sess := s.session(id); sess.Run == nil || sess.Run.State != workflow.RunStartUnknown {
		t.Fatalf("unknown outcome: run %+v", sess.Run)
	}
	if got := s.events(id, session.EventStartUnknown); len(got) != 1 {
		t.Errorf("start-unknown events %q", got)
	}

	s.aws.ClearFaults()
	id = s.healthy()
	tok = s.token(id, false)
	s.aws.InjectFault(awstest.Fault{Service: "fis", Operation: "StartExperiment", Status: 403, Code: "AccessDeniedException"})
	if _, err := s.e.ConfirmStart(context.Background(), id, workflow.Confirmation{Token: tok}); err == nil || !strings.Contains(err.Error(), "FIS refused StartExperiment, nothing was started") {
		t.Fatalf("rejected: %v", err)
	}
	if sess := s.session(id); sess.Run != nil || sess.Confirmation != nil {
		t.Errorf("a rejected start left run %+v confirmation %+v", sess.Run, sess.Confirmation)
	}
	if got := s.events(id, session.EventStartFailed); len(got) != 1 {
		t.Errorf("start-failed events %q", got)
	}
}
