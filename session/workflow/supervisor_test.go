package workflow_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/workflow"
)

// gatedClock is a fake clock whose Sleep blocks until the test moves the time past its
// end: background work (the run supervisor) runs one step per advance, and the test
// knows the work is idle when every expected goroutine is asleep.
type gatedClock struct {
	fc       *awstest.FakeClock
	mu       sync.Mutex
	sleepers map[chan struct{}]time.Time
}

func newGatedClock(fc *awstest.FakeClock) *gatedClock {
	return &gatedClock{fc: fc, sleepers: map[chan struct{}]time.Time{}}
}

func (c *gatedClock) Now() time.Time { return c.fc.Now() }

func (c *gatedClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	wake := make(chan struct{})
	c.mu.Lock()
	c.sleepers[wake] = c.fc.Now().Add(d)
	c.mu.Unlock()
	select {
	case <-wake:
		return nil
	case <-ctx.Done():
		c.mu.Lock()
		delete(c.sleepers, wake)
		c.mu.Unlock()
		return ctx.Err()
	}
}

// advanceToNext moves the time to the earliest sleeper's end and wakes every sleeper due.
func (c *gatedClock) advanceToNext() {
	c.mu.Lock()
	defer c.mu.Unlock()
	var next time.Time
	for _, until := range c.sleepers {
		if next.IsZero() || until.Before(next) {
			next = until
		}
	}
	if d := next.Sub(c.fc.Now()); d > 0 {
		c.fc.Advance(d)
	}
	now := c.fc.Now()
	for wake, until := range c.sleepers {
		if !now.Before(until) {
			close(wake)
			delete(c.sleepers, wake)
		}
	}
}

// waitAsleep waits (in real time, up to 10 s) until n goroutines sleep on the clock.
func (c *gatedClock) waitAsleep(t *testing.T, n int) {
	t.Helper()
	c.waitAsleepOr(t, n, func() bool { return false })
}

// waitAsleepOr waits (in real time, up to 10 s) until n goroutines sleep on the clock or done is true.
func (c *gatedClock) waitAsleepOr(t *testing.T, n int, done func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c.mu.Lock()
		got := len(c.sleepers)
		c.mu.Unlock()
		if got >= n || done() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines asleep on the clock after 10 s, want %d", got, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// runUntil lets n sleeping goroutines run step by step (calling each before every
// advance, if set) until done is true, for at most limit of simulated time.
func (c *gatedClock) runUntil(t *testing.T, n int, limit time.Duration, each func(), done func() bool) {
	t.Helper()
	end := c.Now().Add(limit)
	for {
		c.waitAsleepOr(t, n, done)
		if done() {
			return
		}
		if c.Now().After(end) {
			t.Fatalf("not done after %s of simulated time", limit)
		}
		if each != nil {
			each()
		}
		c.advanceToNext()
	}
}

// newSupervisedFixture is the billing-db failover session on an engine whose run
// supervisor is on, on a gated clock.
func newSupervisedFixture(t *testing.T, cfg workflow.Config) (*pollFixture, *gatedClock) {
	t.Helper()
	fc := awstest.NewFakeClock(time.Date(2026, 6, 5, 8, 15, 0, 0, time.UTC))
	gc := newGatedClock(fc)
	cfg.Supervise = true
	f := newPollFixtureWith(t, fc, gc, cfg)
	f.e.Log = zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.InfoLevel)
	// An experiment of a few minutes, so the supervisor samples it several times.
	f.srv.SetFISTiming(awstest.FISTiming{Pending: 5 * time.Second, Initiating: 20 * time.Second, DefaultAction: 3 * time.Minute, Stopping: 2 * time.Second})
	t.Cleanup(func() { f.e.Close(); f.e.WaitSupervisors() }) // runs before the fixture's own Close
	return f, gc
}

func (f *pollFixture) get() *session.Session {
	f.t.Helper()
	s, err := f.e.Get(f.id)
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

func (f *pollFixture) reported() bool { return f.get().Report != nil }

func TestSupervisorRecordsAnUnpolledRunAndWritesTheReport(t *testing.T) {
	f, gc := newSupervisedFixture(t, workflow.Config{Baseline: 3 * time.Minute, FinalizeGrace: 2 * time.Minute})
	f.start()
	if !f.e.Supervise(f.id) {
		t.Fatal("Supervise did not start a supervisor")
	}
	if f.e.Supervise(f.id) {
		t.Fatal("a second Supervise started another supervisor for the same session")
	}
	gc.runUntil(t, 1, 2*time.Hour, nil, f.reported)
	s := f.get()
	var states []string
	for _, e := range s.Timeline {
		if e.Kind == session.EventExperimentState || e.Kind == session.EventActionState || e.Kind == session.EventResourceState {
			if e.RecordedBy != session.RecordedBySupervisor {
				t.Errorf("event %q recorded_by %q, want supervisor", e.Message, e.RecordedBy)
			}
			states = append(states, e.Message)
		}
	}
	joined := strings.Join(states, "\n")
	t.Logf("sampled:\n%s", joined)
	for _, want := range []string{"→ running", "running → completed", "action Failover-Billing-DB (aws:rds:failover-db-cluster): running → completed"} {
		if !strings.Contains(joined, want) {
			t.Errorf("timeline lacks %q; sampled events:\n%s", want, joined)
		}
	}
	if s.Report.FinalizedBy != session.FinalizedBySupervisor {
		t.Errorf("report finalized by %q, want supervisor", s.Report.FinalizedBy)
	}
	if due := s.Run.EndTime.Add(5 * time.Minute); s.Report.WrittenAt.Before(due) {
		t.Errorf("report written at %s, before the end of baseline + grace %s", s.Report.WrittenAt, due)
	}
	md, err := os.ReadFile(s.Report.Path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "Finalized by") || !strings.Contains(string(md), "run supervisor (no finalize_report arrived within 2 minutes") {
		t.Errorf("report does not say the supervisor finalized it:\n%s", md)
	}
	// A later finalize_report returns the supervisor's report.
	_, res, err := f.e.Finalize(context.Background(), workflow.FinalizeRequest{SessionID: f.id}, nil)
	if err != nil || !res.AlreadyWritten || res.ReportPath != s.Report.Path {
		t.Fatalf("later finalize_report = %+v, %v; want the supervisor's report %s", res, err, s.Report.Path)
	}
	f.e.WaitSupervisors() // the supervisor ends with the report
}

func TestSupervisorCadence(t *testing.T) {
	f, gc := newSupervisedFixture(t, workflow.Config{PollFast: 30 * time.Second, PollFastFor: 5 * time.Minute, PollSlow: 60 * time.Second})
	f.srv.SetFISTiming(awstest.FISTiming{DefaultAction: 20 * time.Minute})
	f.start()
	start := gc.Now()
	f.e.Supervise(f.id)
	var samples []time.Duration
	gc.runUntil(t, 1, 10*time.Minute, func() {
		samples = append(samples, gc.Now().Sub(start))
	}, func() bool { return gc.Now().Sub(start) >= 7*time.Minute || f.get().State != session.StateRunning })
	if f.get().State != session.StateRunning {
		t.Skip("the fake experiment ended before the slow cadence") // the cadence is then checked up to its end
	}
	if len(samples) < 12 { // 10 fast steps to 5 min, then 60 s ones to 7 min
		t.Fatalf("%d samples in 7 minutes (%v), want at least 12", len(samples), samples)
	}
	// lease taken at 0, first sample at 0, then 30 s steps to 5 min, then 60 s.
	for i := 1; i < len(samples); i++ {
		step := samples[i] - samples[i-1]
		want := 30 * time.Second
		if samples[i-1] >= 5*time.Minute {
			want = time.Minute
		}
		if step != want && step != 0 {
			t.Errorf("sample %d at %s after %s, want a step of %s", i, samples[i], samples[i-1], want)
		}
	}
}

func TestPollReturnsOnlyWhatWasRecordedSinceTheLastPoll(t *testing.T) {
	f, gc := newSupervisedFixture(t, workflow.Config{})
	f.start()
	f.e.Supervise(f.id)
	ctx := context.Background()
	gc.runUntil(t, 1, time.Hour, nil, func() bool { return f.get().Run.State == "running" })
	// The state is saved mid-step: let the supervisor finish its sample (asleep again)
	// before polling, or the poll races the rest of that sample.
	gc.waitAsleep(t, 1)
	_, first, err := f.e.Poll(ctx, workflow.PollRequest{SessionID: f.id}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.NewEvents) == 0 {
		t.Fatal("the first poll returned nothing the supervisor recorded")
	}
	for _, e := range first.NewEvents {
		if e.RecordedBy != session.RecordedBySupervisor {
			t.Errorf("first poll event %q recorded_by %q, want supervisor (the supervisor sampled just now)", e.Message, e.RecordedBy)
		}
	}
	reads := f.srv.CallCount("fis", "GetExperiment")
	if reads == 0 {
		t.Fatal("no GetExperiment call counted: the count below would prove nothing")
	}
	_, again, err := f.e.Poll(ctx, workflow.PollRequest{SessionID: f.id}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.NewEvents) != 0 {
		t.Errorf("a second poll at once returned %v, want nothing new", again.NewEvents)
	}
	if n := f.srv.CallCount("fis", "GetExperiment") - reads; n != 0 {
		t.Errorf("a poll right after the supervisor's sample read the experiment %d times, want 0 (the sample is fresh)", n)
	}
	if again.Status.State != "running" || again.Terminal {
		t.Errorf("fresh poll state %s terminal %v, want the recorded running", again.Status.State, again.Terminal)
	}
	gc.runUntil(t, 1, time.Hour, nil, func() bool { return f.get().State == session.StateEnded })
	_, last, err := f.e.Poll(ctx, workflow.PollRequest{SessionID: f.id}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !last.Terminal {
		t.Fatalf("poll after the end: state %s, want terminal", last.Status.State)
	}
	seen := map[string]bool{}
	for _, e := range append(append(first.NewEvents, again.NewEvents...), last.NewEvents...) {
		k := e.Time.String() + e.Message
		if seen[k] {
			t.Errorf("event %q returned by two polls", e.Message)
		}
		seen[k] = true
	}
	for _, e := range f.get().Timeline {
		if e.RecordedBy != "" && !seen[e.Time.String()+e.Message] {
			t.Errorf("sampled event %q was returned by no poll", e.Message)
		}
	}
}

func TestFinalizeReportBeforeTheGraceWins(t *testing.T) {
	f, gc := newSupervisedFixture(t, workflow.Config{Baseline: 3 * time.Minute, FinalizeGrace: time.Hour})
	f.start()
	f.e.Supervise(f.id)
	gc.runUntil(t, 1, 2*time.Hour, nil, func() bool {
		s := f.get()
		return s.State == session.StateEnded && !gc.Now().Before(s.Run.EndTime.Add(3*time.Minute))
	})
	_, res, err := f.e.Finalize(context.Background(), workflow.FinalizeRequest{SessionID: f.id}, nil)
	if err != nil || res.Status != workflow.FinalizeWritten {
		t.Fatalf("finalize_report after the baseline: %+v %v", res, err)
	}
	gc.advanceToNext() // past the grace: the supervisor finds the report and ends
	done := make(chan struct{})
	go func() { f.e.WaitSupervisors(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the supervisor did not end after the report was written")
	}
	s := f.get()
	if s.Report.FinalizedBy != session.FinalizedByTool || s.Report.Path != res.ReportPath {
		t.Errorf("report %+v, want finalize_report's %s", s.Report, res.ReportPath)
	}
	n := 0
	for _, e := range s.Timeline {
		if e.Kind == session.EventReported {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d reports written, want 1", n)
	}
}

func TestDeadMansSwitch(t *testing.T) {
	tests := []struct {
		name      string
		callEvery bool
		wantStop  bool
	}{
		{name: "a quiet host is stopped", wantStop: true},
		{name: "tool calls keep it running", callEvery: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, gc := newSupervisedFixture(t, workflow.Config{StopIfUnattended: 45 * time.Second, PollFast: 10 * time.Second})
			f.start()
			f.e.Supervise(f.id)
			var each func()
			if tt.callEvery {
				each = func() { f.e.NoteToolCall(f.id) }
			}
			gc.runUntil(t, 1, time.Hour, each, func() bool { return f.get().State != session.StateRunning })
			s := f.get()
			stopped := s.Run.UnattendedStop != ""
			if stopped != tt.wantStop {
				t.Fatalf("stopped by the switch = %v (%q), want %v; run %s", stopped, s.Run.UnattendedStop, tt.wantStop, s.Run.State)
			}
			if !tt.wantStop {
				return
			}
			if s.Run.State != "stopped" || s.Run.StopRequestedAt == nil {
				t.Errorf("run state %s, stop requested %v; want stopped", s.Run.State, s.Run.StopRequestedAt)
			}
			if idle := s.Run.StopRequestedAt.Sub(s.Run.ConfirmedAt); idle < 45*time.Second || idle > 55*time.Second {
				t.Errorf("stopped %s after the last call, want 45 s (plus at most one 10 s step)", idle)
			}
			found := false
			for _, e := range s.Timeline {
				found = found || e.Kind == session.EventStopRequested && strings.Contains(e.Message, "dead-man's switch: no tool call for this session for 50 seconds")
			}
			if !found {
				t.Errorf("no stop-requested event with the dead-man's switch reason in %+v", s.Timeline)
			}
		})
	}
}

func TestSupervisorLeaseOneProcessAtATime(t *testing.T) {
	f, gc := newSupervisedFixture(t, workflow.Config{})
	store2, err := session.Open(f.e.Store.Dir(), zerolog.Nop(), gc.Now)
	if err != nil {
		t.Fatal(err)
	}
	e2 := workflow.New(store2, f.e.BaseAWS(), f.e.Config, gc, zerolog.Nop())
	t.Cleanup(func() { e2.Close(); e2.WaitSupervisors() })
	f.start()
	f.e.Supervise(f.id)
	gc.waitAsleep(t, 1) // the first engine holds the lease
	if !f.e.Supervising(f.id) {
		t.Fatal("the first engine does not hold the lease")
	}
	if n := e2.ResumeSupervision(); n != 1 {
		t.Fatalf("second engine resumed %d supervisors, want 1", n)
	}
	gc.runUntil(t, 2, 3*time.Minute, nil, func() bool { return false || gc.Now().Sub(f.get().Run.RequestedAt) >= 2*time.Minute })
	if e2.Supervising(f.id) {
		t.Fatal("both engines supervise the session")
	}
	for _, e := range f.get().Timeline {
		if e.RecordedBy != "" && e.RecordedBy != session.RecordedBySupervisor {
			t.Errorf("event %q recorded by %q", e.Message, e.RecordedBy)
		}
	}
	f.e.Close()
	f.e.WaitSupervisors()
	gc.runUntil(t, 1, 2*time.Hour, nil, func() bool { return e2.Supervising(f.id) || f.reported() })
	gc.runUntil(t, 1, 2*time.Hour, nil, f.reported)
	if by := f.get().Report.FinalizedBy; by != session.FinalizedBySupervisor {
		t.Errorf("report finalized by %q, want the second engine's supervisor", by)
	}
}

func TestConfirmStartStartsTheSupervisorAndTheWarningShowsTheSwitch(t *testing.T) {
	tests := []struct {
		name       string
		unattended time.Duration
		wantLine   string
	}{
		{name: "switch off"},
		{name: "switch on", unattended: 10 * time.Minute, wantLine: "Dead-man's switch: ON: the server stops the experiment when no tool call for this session arrives for 10 minutes."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, gc := newSupervisedFixture(t, workflow.Config{StopIfUnattended: tt.unattended})
			ctx := context.Background()
			req, err := f.e.RequestStart(ctx, workflow.StartRequest{SessionID: f.id})
			if err != nil || req.Prompt == nil {
				t.Fatalf("RequestStart: %+v %v", req, err)
			}
			if has := strings.Contains(req.Prompt.Warning, "Dead-man's switch"); has != (tt.wantLine != "") || !strings.Contains(req.Prompt.Warning, tt.wantLine) {
				t.Errorf("impact warning, want the line %q:\n%s", tt.wantLine, req.Prompt.Warning)
			}
			if f.e.Supervising(f.id) {
				t.Fatal("supervised before the start")
			}
			if _, err := f.e.ConfirmStart(ctx, f.id, workflow.Confirmation{Token: req.Prompt.Token}); err != nil {
				t.Fatal(err)
			}
			gc.waitAsleep(t, 1)
			if !f.e.Supervising(f.id) {
				t.Fatal("ConfirmStart did not start the run supervisor")
			}
		})
	}
}
