package tools_test

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

func waitResult(t *testing.T, ch chan result) result {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(20 * time.Second):
		t.Fatal("start_experiment hung")
	}
	return result{}
}

func fisState(t *testing.T, h *harness, id string) string {
	t.Helper()
	st, _ := h.aws.ExperimentStatus(id)
	return st
}

// A stop while StartExperiment has reached FIS but its answer is not back: the
// experiment is found by its tag and stopped; the session is never aborted.
func TestStopWhileStartInFlight(t *testing.T) {
	g := newGate(false, false)
	h := newHarness(t, withHTTPClient(&http.Client{Transport: g}))
	id := h.healthyDemo()
	tok := h.token(id, false)
	g.arm(true)
	done := make(chan result, 1)
	go func() {
		done <- h.call("start_experiment", map[string]any{"session_id": id, "confirmation_token": tok})
	}()
	<-g.held
	g.arm(false)
	stop := h.call("stop_experiment", map[string]any{"session_id": id})
	close(g.release)
	start := waitResult(t, done)
	if stop.isError || start.isError {
		t.Fatalf("stop isError=%v:\n%s\nstart isError=%v:\n%s", stop.isError, stop.text, start.isError, start.text)
	}
	sess := h.session(id)
	if sess.State == session.StateAborted || sess.Run == nil || sess.Run.ExperimentID == "" {
		t.Fatalf("session %s run %+v: a started experiment must stay tracked", sess.State, sess.Run)
	}
	if n := h.aws.CallCount("fis", "StopExperiment"); n == 0 {
		t.Fatal("StopExperiment never sent")
	}
	if st := fisState(t, h, sess.Run.ExperimentID); st != "stopping" && st != "stopped" {
		t.Fatalf("FIS state %q, want stopping or stopped", st)
	}
}

// A stop before StartExperiment reaches FIS: the stop is queued and the launch
// stops the experiment the moment FIS accepts it.
func TestStopBeforeStartLands(t *testing.T) {
	g := newGate(true, false)
	h := newHarness(t, withHTTPClient(&http.Client{Transport: g}))
	id := h.healthyDemo()
	tok := h.token(id, false)
	g.arm(true)
	done := make(chan result, 1)
	go func() {
		done <- h.call("start_experiment", map[string]any{"session_id": id, "confirmation_token": tok})
	}()
	<-g.held
	g.arm(false)
	stop := h.call("stop_experiment", map[string]any{"session_id": id})
	if stop.isError || stop.str("state") != "stop_requested" {
		t.Fatalf("stop during an in-flight start: isError=%v state %q\n%s", stop.isError, stop.str("state"), stop.text)
	}
	close(g.release)
	start := waitResult(t, done)
	if start.isError || !strings.Contains(start.text, "StopExperiment was sent at once") {
		t.Fatalf("start did not honour the queued stop:\n%s", start.text)
	}
	sess := h.session(id)
	if sess.State == session.StateAborted || sess.Run == nil || sess.Run.ExperimentID == "" {
		t.Fatalf("session %s run %+v", sess.State, sess.Run)
	}
	if st := fisState(t, h, sess.Run.ExperimentID); st != "stopping" && st != "stopped" {
		t.Fatalf("FIS state %q, want stopping or stopped", st)
	}
}

// A lost StartExperiment response: the experiment exists, so it is tracked (found by
// its tag), never reported as "nothing started".
func TestStartLostResponseIsTracked(t *testing.T) {
	g := newGate(false, true)
	h := newHarness(t, withHTTPClient(&http.Client{Transport: g}))
	id := h.healthyDemo()
	tok := h.token(id, false)
	g.arm(true)
	start := h.call("start_experiment", map[string]any{"session_id": id, "confirmation_token": tok})
	g.arm(false)
	if start.isError || start.str("status") != "started" || start.str("experiment_id") == "" {
		t.Fatalf("lost response: isError=%v\n%s", start.isError, start.text)
	}
	if n := len(h.aws.StartedExperiments()); n != 1 {
		t.Fatalf("%d experiments started, want exactly 1 (client token)", n)
	}
	stop := h.call("stop_experiment", map[string]any{"session_id": id})
	if stop.isError || h.aws.CallCount("fis", "StopExperiment") != 1 {
		t.Fatalf("stop after a lost start response: isError=%v StopExperiment calls %d\n%s", stop.isError, h.aws.CallCount("fis", "StopExperiment"), stop.text)
	}
}

// The emergency stop is sent even when the experiment cannot be read first.
func TestStopWhenGetExperimentDenied(t *testing.T) {
	h := newHarness(t)
	id, exp := h.startDemo()
	h.aws.InjectFault(awsFault("fis", "GetExperiment", 403, "AccessDeniedException"))
	h.call("stop_experiment", map[string]any{"session_id": id})
	if n := h.aws.CallCount("fis", "StopExperiment"); n != 1 {
		t.Fatalf("StopExperiment calls = %d, want 1", n)
	}
	if st := fisState(t, h, exp); st != "stopping" && st != "stopped" {
		t.Fatalf("FIS state %q, want stopping or stopped", st)
	}
}

// After a crash between StartExperiment and saving its ID, a stop whose tag lookup
// fails must not abort the session (the experiment may run): it says how to stop by hand.
func TestStopAfterCrashWithLookupDenied(t *testing.T) {
	h := newHarness(t)
	id := h.healthyDemo()
	if _, err := h.store.Update(id, func(s *session.Session) error {
		s.Run = &session.Run{ClientToken: experiment.ClientToken(s.ID, s.Experiment.TemplateID), State: "starting", RequestedAt: h.clock.Now()}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	cfg, err := awsapi.LoadConfig(context.Background(), awsapi.Options{Endpoint: h.aws.URL, Region: awstest.DefaultRegion})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := experiment.Start(context.Background(), awsapi.NewClients(cfg).FIS, experiment.StartInput{
		TemplateID: demoTemplate, ClientToken: experiment.ClientToken(id, demoTemplate), Tags: map[string]string{experiment.SessionTag: id}}); err != nil {
		t.Fatal(err)
	}
	h.restart()
	h.aws.InjectFault(awsFault("fis", "ListExperiments", 403, "AccessDeniedException"))
	stop := h.call("stop_experiment", map[string]any{"session_id": id})
	if !stop.isError || !strings.Contains(stop.text, "aws fis list-experiments") {
		t.Fatalf("stop with the lookup denied must refuse with the manual steps:\n%s", stop.text)
	}
	if sess := h.session(id); sess.State == session.StateAborted || sess.Run == nil {
		t.Fatalf("session aborted (%s, run %+v) although its experiment may run", sess.State, sess.Run)
	}
	h.aws.ClearFaults()
	stop = h.call("stop_experiment", map[string]any{"session_id": id})
	if stop.isError || h.aws.CallCount("fis", "StopExperiment") != 1 {
		t.Fatalf("second stop: isError=%v StopExperiment %d\n%s", stop.isError, h.aws.CallCount("fis", "StopExperiment"), stop.text)
	}
}

// FIS starts the live template: one changed since resolve_experiment is refused.
func TestStartRefusedWhenTemplateChanged(t *testing.T) {
	h := newHarness(t)
	id := h.healthyDemo()
	tok := h.token(id, false)
	h.aws.AddExperimentTemplate(awstest.ExperimentTemplate{ID: demoTemplate, RoleArn: "arn:aws:iam::123456789012:role/x",
		Actions: map[string]awstest.TemplateAction{"Wait": {ActionID: "aws:fis:wait", Parameters: map[string]string{"duration": "PT1M"}}}})
	r := h.call("start_experiment", map[string]any{"session_id": id, "confirmation_token": tok})
	if !r.isError || !strings.Contains(r.text, "changed since resolve_experiment") {
		t.Fatalf("start against a changed template:\n%s", r.text)
	}
	if n := len(h.aws.StartedExperiments()); n != 0 {
		t.Fatalf("%d experiments started against a changed template", n)
	}
	if r := h.call("start_experiment", map[string]any{"session_id": id, "confirmation_token": tok}); !r.isError {
		t.Fatalf("the token survived the refusal:\n%s", r.text)
	}
}
