package workflow_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/audit"
	"github.com/fis-mcp/fis-mcp/session/workflow"
)

// The report is refused while the experiment runs and for a bad language, and nothing is
// written.
func TestEngineFinalizeRefusedBeforeTheEnd(t *testing.T) {
	f := newPollFixture(t)
	ctx := context.Background()
	if sess, _, err := f.e.Finalize(ctx, workflow.FinalizeRequest{SessionID: f.id, Language: "fr"}, nil); err == nil || sess != nil || !strings.Contains(err.Error(), "language must be en or zh") {
		t.Errorf("language fr: %v %v", sess, err)
	}
	f.start()
	sess, _, err := f.e.Finalize(ctx, workflow.FinalizeRequest{SessionID: f.id, Wait: true}, nil)
	var te *session.TransitionError
	if err == nil || !strings.Contains(err.Error(), "has not ended") || !errors.As(err, &te) {
		t.Fatalf("finalize while running: %v", err)
	}
	if sess == nil || sess.ID != f.id || sess.State != session.StateRunning || sess.Report != nil {
		t.Fatalf("finalize while running returned %+v", sess)
	}
}

// After the experiment's end the post-experiment baseline is collected: without wait the
// remaining time comes back; with wait it is waited out on the engine's clock (no real
// time), with a countdown, then the report is written, its audit appendix holding this
// step's own API calls; a second call returns the same report.
func TestEngineFinalizeWaitsOutTheBaseline(t *testing.T) {
	f := newPollFixture(t)
	exp := f.start()
	f.pollUntilTerminal()
	_, end, _, _ := f.srv.ExperimentTimes(exp)
	f.clock.Set(end.Add(40 * time.Second))
	ctx := context.Background()

	sess, res, err := f.e.Finalize(ctx, workflow.FinalizeRequest{SessionID: f.id}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != workflow.FinalizeCollectingBaseline || res.Remaining != 140*time.Second || sess.State != session.StateEnded || sess.Report != nil {
		t.Fatalf("before the end of the baseline: %+v, state %s", res, sess.State)
	}
	if f.clock.Now() != end.Add(40*time.Second) {
		t.Errorf("finalize without wait moved the clock to %s", f.clock.Now())
	}

	var steps []string
	wallStart := time.Now()
	ctx = audit.With(ctx, audit.NewRecorder("finalize_report"))
	sess, res, err = f.e.Finalize(ctx, workflow.FinalizeRequest{SessionID: f.id, Wait: true}, func(done, total float64, msg string) {
		steps = append(steps, msg)
	})
	if err != nil {
		t.Fatal(err)
	}
	if wall := time.Since(wallStart); wall > 20*time.Second {
		t.Errorf("the baseline took %s of real time", wall)
	}
	if now := f.clock.Now(); now.Before(end.Add(3 * time.Minute)) {
		t.Errorf("the report was written at %s, before the end of the baseline %s", now, end.Add(3*time.Minute))
	}
	if len(steps) != 14 || !strings.Contains(steps[0], "Collecting post-experiment baseline logs... remaining 2m20s") {
		t.Errorf("countdown %q, want 14 steps of 10 s from 2m20s", steps)
	}
	if res.Status != workflow.FinalizeWritten || res.AlreadyWritten || res.Summary == "" ||
		filepath.Dir(res.ReportPath) != filepath.Dir(res.JSONPath) || !strings.HasSuffix(res.ReportPath, ".md") {
		t.Fatalf("written: %+v", res)
	}
	if sess.State != session.StateReported || sess.Report == nil || sess.Report.Path != res.ReportPath || sess.Logs != nil && sess.Logs.StoppedAt == nil {
		t.Fatalf("stored: %s %+v", sess.State, sess.Report)
	}
	var reported bool
	for _, ev := range sess.Timeline {
		reported = reported || ev.Kind == session.EventReported && strings.Contains(ev.Message, res.ReportPath)
	}
	if !reported {
		t.Errorf("no reported event in the timeline")
	}
	var doc struct {
		APICalls []session.APICall `json:"api_calls"`
	}
	b, err := os.ReadFile(res.JSONPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	var own int
	for _, c := range doc.APICalls {
		if c.Tool == "finalize_report" {
			own++
		}
	}
	if own == 0 {
		t.Errorf("the report's audit appendix lacks the finalize step's own calls: %+v", doc.APICalls)
	}

	// Twice: the same report, unchanged.
	info, _ := os.Stat(res.ReportPath)
	_, again, err := f.e.Finalize(context.Background(), workflow.FinalizeRequest{SessionID: f.id, Wait: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !again.AlreadyWritten || again.ReportPath != res.ReportPath || again.JSONPath != res.JSONPath || again.Summary != res.Summary {
		t.Errorf("second finalize: %+v", again)
	}
	if info2, _ := os.Stat(res.ReportPath); !info2.ModTime().Equal(info.ModTime()) {
		t.Errorf("the report was rewritten")
	}
}

// The baseline wait ends with the context: the step fails and writes nothing.
func TestEngineFinalizeBaselineInterrupted(t *testing.T) {
	f := newPollFixture(t)
	f.start()
	f.pollUntilTerminal()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sess, _, err := f.e.Finalize(ctx, workflow.FinalizeRequest{SessionID: f.id, Wait: true}, nil)
	if err == nil || !strings.Contains(err.Error(), "interrupted while waiting for the baseline") {
		t.Fatalf("cancelled baseline wait: %v", err)
	}
	if sess == nil || sess.State != session.StateEnded || sess.Report != nil {
		t.Fatalf("after the interruption: %+v", sess)
	}
}

// stoppableCollector is a log collection whose streams change while it runs: a pod
// replaced during the baseline wait shows up in Streams only after the first read.
type stoppableCollector struct {
	mu      sync.Mutex
	reads   int
	stopped bool
	before  []session.LogStream
	after   []session.LogStream
}

func (c *stoppableCollector) Streams() []session.LogStream {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reads++
	if c.reads == 1 {
		return c.before
	}
	return c.after
}

func (c *stoppableCollector) Stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stopped = true
}

// The report takes the streams as the collection ended them, not as they were when
// finalize began: a pod that replaced another during the baseline wait (a new UID) is in
// the stored session, so fault confirmation and the report see it.
func TestEngineFinalizeKeepsTheStreamsAsCollectionEnded(t *testing.T) {
	f := newPollFixture(t)
	exp := f.start()
	f.pollUntilTerminal()
	old := session.LogStream{App: "shop/orders-api", Pod: "orders-api-1", Container: "app", File: "orders-api-1.log", Status: "following", PodUID: "uid-old"}
	replaced := old
	replaced.Status = "ended"
	fresh := session.LogStream{App: "shop/orders-api", Pod: "orders-api-2", Container: "app", File: "orders-api-2.log", Status: "stopped", PodUID: "uid-new"}
	c := &stoppableCollector{before: []session.LogStream{old}, after: []session.LogStream{replaced, fresh}}
	if _, err := f.e.Store.Update(f.id, func(s *session.Session) error {
		s.Logs = &session.LogCollection{Dir: t.TempDir(), StartedAt: f.clock.Now(),
			Apps: []session.App{{Cluster: "demo", Namespace: "shop", Workload: "orders-api"}}, Streams: []session.LogStream{old}}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	f.e.SetCollector(f.id, c)
	_, end, _, _ := f.srv.ExperimentTimes(exp)
	f.clock.Set(end.Add(4 * time.Minute))

	sess, res, err := f.e.Finalize(context.Background(), workflow.FinalizeRequest{SessionID: f.id}, nil)
	if err != nil || res.Status != workflow.FinalizeWritten {
		t.Fatalf("finalize: %+v %v", res, err)
	}
	if !c.stopped {
		t.Error("the collection was not stopped")
	}
	var uids []string
	for _, st := range sess.Logs.Streams {
		uids = append(uids, st.PodUID+"="+st.Status)
	}
	if got := strings.Join(uids, ","); got != "uid-old=ended,uid-new=stopped" {
		t.Errorf("stored streams %s, want the old pod ended and its replacement", got)
	}
}
