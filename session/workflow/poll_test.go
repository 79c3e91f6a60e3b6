package workflow_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/aws/experiment"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/workflow"
)

const (
	billingTemplate = "EXT9e5f6a7b8c9d0"
	billingStack    = "fis-aurora-failover-billing-db-c9x3z5"
	billingCluster  = "billing-db"
)

// pollFixture is an engine over a fake account that shares the engine's fake clock (each
// Sleep of the engine advances the simulated world at once), with a healthy session of the
// billing-db failover experiment, copied into a temporary experiments directory so the
// report can be written into it.
type pollFixture struct {
	t     *testing.T
	clock *awstest.FakeClock
	srv   *awstest.Server
	e     *workflow.Engine
	id    string
}

func newPollFixture(t *testing.T) *pollFixture {
	t.Helper()
	clock := awstest.NewFakeClock(time.Date(2026, 6, 5, 8, 15, 0, 0, time.UTC))
	return newPollFixtureWith(t, clock, awstest.SteppingClock{A: clock}, workflow.Config{})
}

// newPollFixtureWith is newPollFixture with the engine's clock and configuration given
// (cfg.ExperimentsDir is set to the copied experiments).
func newPollFixtureWith(t *testing.T, clock *awstest.FakeClock, engineClock workflow.Clock, cfg workflow.Config) *pollFixture {
	t.Helper()
	srv := awstest.New(awstest.WithClock(clock))
	t.Cleanup(srv.Close)
	root := filepath.Join(t.TempDir(), "experiments")
	if err := os.CopyFS(root, os.DirFS(filepath.Join("..", "..", "testdata", "experiments"))); err != nil {
		t.Fatal(err)
	}
	cfn, err := os.ReadFile(filepath.Join(root, billingDir, "cfn-template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.DeployStack(billingStack, billingTemplate, cfn, awstest.DeployOptions{}); err != nil {
		t.Fatal(err)
	}
	srv.AddDBCluster(awstest.DBCluster{ID: billingCluster, MultiAZ: true, Members: []awstest.DBClusterMember{
		{InstanceID: billingCluster + "-1", Writer: true, AZ: "us-east-1a"},
		{InstanceID: billingCluster + "-2", AZ: "us-east-1b"},
	}})
	store, err := session.Open(filepath.Join(t.TempDir(), "state"), zerolog.Nop(), clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	awsCfg, err := awsapi.LoadConfig(context.Background(), awsapi.Options{Region: srv.Region, Endpoint: srv.URL, MaxAttempts: 2, MaxBackoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	cfg.ExperimentsDir = root
	e := workflow.New(store, awsCfg, cfg, engineClock, zerolog.Nop())
	t.Cleanup(e.Close)
	ctx := context.Background()
	res, err := e.Resolve(ctx, workflow.ResolveRequest{TemplateID: billingTemplate})
	if err != nil || res.Aborted {
		t.Fatalf("resolve: %+v %v", res, err)
	}
	if _, hr, err := e.HealthCheck(ctx, workflow.HealthRequest{SessionID: res.Session.ID}, nil); err != nil || hr.Verdict != session.VerdictHealthy {
		t.Fatalf("health check: %+v %v", hr, err)
	}
	return &pollFixture{t: t, clock: clock, srv: srv, e: e, id: res.Session.ID}
}

// requestStart records a start request in the session, as start_experiment does before
// calling FIS.
func (f *pollFixture) requestStart() {
	f.t.Helper()
	now := f.clock.Now().UTC()
	if _, err := f.e.Store.Update(f.id, func(s *session.Session) error {
		s.Run = &session.Run{ClientToken: experiment.ClientToken(s.ID, s.Experiment.TemplateID), RequestedAt: now, ConfirmedAt: now,
			ConfirmedBy: "test", State: "starting", Actions: []session.ActionRun{}}
		return nil
	}); err != nil {
		f.t.Fatal(err)
	}
}

// startInFIS starts the experiment in the fake FIS, tagged with the session, and returns its ID.
func (f *pollFixture) startInFIS() string {
	f.t.Helper()
	sess, err := f.e.Get(f.id)
	if err != nil {
		f.t.Fatal(err)
	}
	clients, err := f.e.AWS(sess.Experiment.Region)
	if err != nil {
		f.t.Fatal(err)
	}
	st, err := experiment.Start(context.Background(), clients.FIS, experiment.StartInput{TemplateID: billingTemplate,
		ClientToken: sess.Run.ClientToken, Tags: map[string]string{experiment.SessionTag: f.id}})
	if err != nil {
		f.t.Fatal(err)
	}
	return st.ID
}

// start runs the start as start_experiment does: the request, FIS, the saved experiment ID.
func (f *pollFixture) start() string {
	f.t.Helper()
	f.requestStart()
	exp := f.startInFIS()
	f.recordStarted(exp)
	return exp
}

// recordStarted saves the experiment ID of the start and moves the session to running.
func (f *pollFixture) recordStarted(exp string) {
	f.t.Helper()
	if _, err := f.e.Store.Update(f.id, func(s *session.Session) error {
		s.Run.ExperimentID, s.Run.State = exp, "pending"
		return s.Transition(session.StateRunning)
	}); err != nil {
		f.t.Fatal(err)
	}
}

// pollUntilTerminal polls with the longest wait until the experiment ends.
func (f *pollFixture) pollUntilTerminal() workflow.PollResult {
	f.t.Helper()
	for range 20 {
		_, res, err := f.e.Poll(context.Background(), workflow.PollRequest{SessionID: f.id, Wait: workflow.MaxPollWait}, nil)
		if err != nil {
			f.t.Fatal(err)
		}
		if res.Terminal {
			return res
		}
	}
	f.t.Fatal("the experiment did not end")
	return workflow.PollResult{}
}

// A session whose experiment was never started is refused, without a change to it.
func TestEnginePollWithoutRun(t *testing.T) {
	f := newPollFixture(t)
	before, _ := f.e.Get(f.id)
	sess, _, err := f.e.Poll(context.Background(), workflow.PollRequest{SessionID: f.id}, nil)
	var te *session.TransitionError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "no experiment was started") {
		t.Fatalf("poll without a run: %v", err)
	}
	if sess == nil || sess.ID != f.id {
		t.Fatalf("the refusal names no session: %v", sess)
	}
	if after, _ := f.e.Get(f.id); after.State != before.State || after.Run != nil || len(after.Timeline) != len(before.Timeline) {
		t.Errorf("a refused poll changed the session: %s %+v", after.State, after.Run)
	}
	if sess, _, err := f.e.Poll(context.Background(), workflow.PollRequest{SessionID: "fis-nope"}, nil); err == nil || sess != nil {
		t.Errorf("poll of an unknown session: %v %v", sess, err)
	}
}

// A blocking poll re-reads the experiment every PollWaitStep on the engine's clock and
// returns at the first change, with a progress message per wait; without a change it
// waits exactly the time asked; the wait is capped at MaxPollWait.
func TestEnginePollWaitReturnsOnChange(t *testing.T) {
	f := newPollFixture(t)
	f.srv.SetFISTiming(awstest.FISTiming{DefaultAction: 2 * time.Minute})
	exp := f.start()
	ctx := context.Background()
	_, res, err := f.e.Poll(ctx, workflow.PollRequest{SessionID: f.id}, nil) // records pending and the actions
	if err != nil {
		t.Fatal(err)
	}
	if res.Status.ID != exp || res.Terminal || res.NextPoll != 30*time.Second || res.ResourceStates[billingCluster] != "available" {
		t.Fatalf("first poll: %+v", res)
	}
	var steps []string
	before := f.clock.Now()
	wallStart := time.Now()
	_, res, err = f.e.Poll(ctx, workflow.PollRequest{SessionID: f.id, Wait: workflow.MaxPollWait}, func(done, total float64, msg string) {
		steps = append(steps, msg)
	})
	if err != nil {
		t.Fatal(err)
	}
	waited := f.clock.Now().Sub(before)
	if len(res.NewEvents) == 0 {
		t.Fatalf("a blocking poll returned without a change: %+v", res)
	}
	if waited <= 0 || waited > 10*time.Second || waited%(5*time.Second) != 0 {
		t.Errorf("blocking poll waited %s on the clock for the first change, want whole 5 s steps up to 10 s", waited)
	}
	if len(steps) == 0 || !strings.Contains(steps[0], "waiting for a change (5 min left)") || !strings.Contains(steps[0], exp) {
		t.Errorf("progress %q", steps)
	}
	if wall := time.Since(wallStart); wall > 20*time.Second {
		t.Errorf("the wait took %s of real time", wall)
	}

	// The action runs for two minutes: a poll without a change waits the time asked, nothing more.
	f.clock.Set(before.Add(time.Minute))
	if _, _, err := f.e.Poll(ctx, workflow.PollRequest{SessionID: f.id}, nil); err != nil { // records the running states
		t.Fatal(err)
	}
	before = f.clock.Now()
	if _, res, err = f.e.Poll(ctx, workflow.PollRequest{SessionID: f.id, Wait: 30 * time.Second}, nil); err != nil {
		t.Fatal(err)
	}
	if got := f.clock.Now().Sub(before); got != 30*time.Second || len(res.NewEvents) != 0 || res.Status.State != "running" {
		t.Errorf("a blocking poll without change waited %s (want 30s), state %s, events %v", got, res.Status.State, res.NewEvents)
	}
	// The wait is capped at MaxPollWait: this one returns at the end of the experiment, before.
	before = f.clock.Now()
	if _, res, err = f.e.Poll(ctx, workflow.PollRequest{SessionID: f.id, Wait: time.Hour}, nil); err != nil {
		t.Fatal(err)
	}
	if got := f.clock.Now().Sub(before); got > workflow.MaxPollWait || !res.Terminal || res.Status.State != "completed" || res.NextPoll != 0 {
		t.Errorf("wait of an hour: waited %s, %+v", got, res)
	}
	if s, _ := f.e.Get(f.id); s.State != session.StateEnded || s.Run.EndTime == nil {
		t.Errorf("session %s end %v", s.State, s.Run.EndTime)
	}
	// An ended experiment does not wait.
	before = f.clock.Now()
	if _, res, err = f.e.Poll(ctx, workflow.PollRequest{SessionID: f.id, Wait: time.Minute}, nil); err != nil {
		t.Fatal(err)
	}
	if got := f.clock.Now().Sub(before); got != 0 || !res.Terminal || len(res.NewEvents) != 0 {
		t.Errorf("poll of an ended experiment waited %s, events %v", got, res.NewEvents)
	}
}

// Elapsed and the next poll: the fast cadence for the first PollFastFor, then the slow one.
func TestEnginePollNextPoll(t *testing.T) {
	f := newPollFixture(t)
	f.srv.SetFISTiming(awstest.FISTiming{StuckInitiating: true})
	f.start()
	start := f.clock.Now()
	f.clock.Set(start.Add(5*time.Minute + 30*time.Second))
	_, res, err := f.e.Poll(context.Background(), workflow.PollRequest{SessionID: f.id}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Terminal || res.Elapsed != 330*time.Second || res.NextPoll != time.Minute {
		t.Errorf("at 5m30s: terminal %t elapsed %s next %s", res.Terminal, res.Elapsed, res.NextPoll)
	}
}

// A start whose experiment ID was not saved is looked up by its session tag: while the
// start is in flight the poll says to poll again; with no tagged experiment it says the
// start most likely did not happen; once FIS has it the poll recovers the ID.
func TestEnginePollRecoversStart(t *testing.T) {
	f := newPollFixture(t)
	f.requestStart()
	ctx := context.Background()
	done := f.e.BeginStart(f.id)
	if _, _, err := f.e.Poll(ctx, workflow.PollRequest{SessionID: f.id}, nil); err == nil || !strings.Contains(err.Error(), "still in flight") {
		t.Errorf("poll during the start: %v", err)
	}
	done()
	if _, _, err := f.e.Poll(ctx, workflow.PollRequest{SessionID: f.id}, nil); err == nil || !strings.Contains(err.Error(), "most likely not started") {
		t.Errorf("poll without a tagged experiment: %v", err)
	}
	exp := f.startInFIS() // the start happened, its ID was never saved
	sess, res, err := f.e.Poll(ctx, workflow.PollRequest{SessionID: f.id}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status.ID != exp || sess.Run.ExperimentID != exp || sess.State != session.StateRunning {
		t.Fatalf("recovered: status %+v run %+v state %s", res.Status, sess.Run, sess.State)
	}
	var recovered bool
	for _, ev := range sess.Timeline {
		recovered = recovered || ev.Kind == session.EventRecovered && ev.Subject == exp
	}
	if !recovered {
		t.Errorf("no recovery event in %+v", sess.Timeline)
	}
}

// An experiment FIS no longer knows ends the session with run state unknown, and the poll
// says so; a failed read of FIS keeps the session as it was.
func TestEnginePollVanishedAndFailedRead(t *testing.T) {
	f := newPollFixture(t)
	f.requestStart()
	f.recordStarted("EXPgone000000000")
	ctx := context.Background()
	f.srv.InjectFault(awstest.Fault{Service: "fis", Operation: "GetExperiment", Status: 503, Code: "ServiceUnavailable"})
	sess, _, err := f.e.Poll(ctx, workflow.PollRequest{SessionID: f.id, Wait: time.Minute}, nil)
	if err == nil || !strings.Contains(err.Error(), "the session is kept; poll again") || sess == nil || sess.State != session.StateRunning {
		t.Fatalf("failed read: %v", err)
	}
	f.srv.ClearFaults()
	sess, _, err = f.e.Poll(ctx, workflow.PollRequest{SessionID: f.id}, nil)
	if err == nil || !strings.Contains(err.Error(), "FIS does not know experiment EXPgone000000000") {
		t.Fatalf("vanished experiment: %v", err)
	}
	if sess.State != session.StateEnded || sess.Run.State != "unknown" {
		t.Errorf("vanished: state %s run %s", sess.State, sess.Run.State)
	}
}

// Without a supervisor, each poll samples and returns what it recorded, marked as recorded by poll,
// and never an event an earlier poll returned.
func TestEnginePollMarksItsEventsAndReturnsEachOnce(t *testing.T) {
	f := newPollFixture(t)
	f.start()
	ctx := context.Background()
	seen := map[string]int{}
	for range 30 {
		_, res, err := f.e.Poll(ctx, workflow.PollRequest{SessionID: f.id, Wait: 10 * time.Second}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range res.NewEvents {
			if e.RecordedBy != session.RecordedByPoll {
				t.Errorf("event %q recorded_by %q, want poll", e.Message, e.RecordedBy)
			}
			seen[e.Time.String()+e.Message]++
		}
		if res.Terminal {
			break
		}
	}
	sess, err := f.e.Get(f.id)
	if err != nil {
		t.Fatal(err)
	}
	sampled := 0
	for _, e := range sess.Timeline {
		if e.RecordedBy == "" {
			continue
		}
		sampled++
		if n := seen[e.Time.String()+e.Message]; n != 1 {
			t.Errorf("sampled event %q returned by %d polls, want 1", e.Message, n)
		}
	}
	if sampled == 0 || sess.Run.PolledThrough != len(sess.Timeline) {
		t.Errorf("%d sampled events, cursor %d of %d events", sampled, sess.Run.PolledThrough, len(sess.Timeline))
	}
}
