package workflow_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/aws/experiment"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/workflow"
)

// The sample experiment of testdata/experiments (EN README, us-east-1), as the tools tests seed it.
const (
	startDemoTemplate = "EXT1a2b3c4d5e6f7"
	startDemoStack    = "fis-az-power-int-demo-cluster-d5w1p7"
	startDemoDir      = "2026-04-11-10-30-15-az-power-int-demo-cluster-EXT1a2b3c4d5e6f7"
	startDemoAlarm    = "fis-stop-az-power-int-demo-cluster"
	startDemoAurora   = "demo-aurora"
	startDemoRole     = "fis-az-power-int-demo-cluster-role"
)

// startEnv is an engine over a fake AWS account sharing one fake clock (the engine's
// clock steps it on every Sleep), with the demo experiment seeded.
type startEnv struct {
	t     *testing.T
	clock *awstest.FakeClock
	aws   *awstest.Server
	state string
	cfg   workflow.Config
	http  *http.Client
	e     *workflow.Engine
}

type startEnvOption func(*startEnv)

// withStartHTTP sets the AWS SDK's HTTP client.
func withStartHTTP(c *http.Client) startEnvOption { return func(s *startEnv) { s.http = c } }

// withStartConfig changes the engine's configuration.
func withStartConfig(f func(*workflow.Config)) startEnvOption {
	return func(s *startEnv) { f(&s.cfg) }
}

func newStartEnv(t *testing.T, opts ...startEnvOption) *startEnv {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "testdata", "experiments"))
	if err != nil {
		t.Fatal(err)
	}
	s := &startEnv{t: t, clock: awstest.NewFakeClock(time.Date(2026, 4, 11, 2, 30, 0, 0, time.UTC)), state: t.TempDir(),
		cfg: workflow.Config{ExperimentsDir: dir}}
	for _, o := range opts {
		o(s)
	}
	if s.http != nil {
		// The SDK refuses a plain *http.Client when AWS_CA_BUNDLE is set (it cannot add the CA).
		t.Setenv("AWS_CA_BUNDLE", "")
	}
	s.aws = awstest.New(awstest.WithClock(s.clock))
	t.Cleanup(s.aws.Close)
	s.seed()
	s.open()
	return s
}

// open builds a store and an engine on s.state (again after restart).
func (s *startEnv) open() {
	t := s.t
	t.Helper()
	store, err := session.Open(s.state, zerolog.Nop(), s.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	base, err := awsapi.LoadConfig(context.Background(), awsapi.Options{
		Endpoint: s.aws.URL, Region: awstest.DefaultRegion, HTTPClient: s.http,
		MaxAttempts: 4, MaxBackoff: 2 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	e := workflow.New(store, base, s.cfg, awstest.SteppingClock{A: s.clock}, zerolog.Nop())
	s.e = e
	t.Cleanup(e.Close)
}

// restart builds a new engine on the same state directory, as a restarted server would.
func (s *startEnv) restart() {
	s.e.Close()
	s.open()
}

func (s *startEnv) arn(service, kind, id string) string {
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s:%s", service, s.aws.Region, s.aws.AccountID, kind, id)
}

// seed seeds the demo experiment: its stack, role, stop-condition alarm, the Aurora
// cluster it fails over, and a template with a failover and a 6-minute wait.
func (s *startEnv) seed() {
	a := s.aws
	now := s.clock.Now()
	roleArn := fmt.Sprintf("arn:aws:iam::%s:role/%s", a.AccountID, startDemoRole)
	a.AddRole(startDemoRole, roleArn)
	a.SetFISTiming(awstest.FISTiming{Pending: time.Second, Initiating: 4 * time.Second, DefaultAction: 20 * time.Second, Stopping: 2 * time.Second})
	a.AddStack(awstest.Stack{Name: startDemoStack, Status: "CREATE_COMPLETE", CreationTime: now.Add(-time.Hour),
		Outputs: map[string]string{"ExperimentTemplateId": startDemoTemplate}})
	a.AddDBCluster(awstest.DBCluster{ID: startDemoAurora, Engine: "aurora-postgresql", MultiAZ: true,
		Members: []awstest.DBClusterMember{
			{InstanceID: startDemoAurora + "-instance-1", Writer: true, AZ: "us-east-1b"},
			{InstanceID: startDemoAurora + "-instance-2", AZ: "us-east-1a"},
		}})
	a.AddAlarm(awstest.Alarm{Name: startDemoAlarm, State: awstest.AlarmOK, Reason: "ok",
		Namespace: "AWS/ApplicationELB", MetricName: "HTTPCode_Target_5XX_Count", Statistic: "Sum", Period: 60,
		EvaluationPeriods: 3, Threshold: 500, ComparisonOperator: "GreaterThanThreshold"})
	a.AddExperimentTemplate(awstest.ExperimentTemplate{
		ID: startDemoTemplate, Description: "AZ power interruption (test)", RoleArn: roleArn,
		Actions: map[string]awstest.TemplateAction{
			"Failover-RDS": {ActionID: "aws:rds:failover-db-cluster", Targets: map[string]string{"Clusters": "RDS-Cluster"}},
			"Wait":         {ActionID: "aws:fis:wait", Parameters: map[string]string{"duration": "PT6M"}},
		},
		Targets: map[string]awstest.TemplateTarget{
			"RDS-Cluster": {ResourceType: "aws:rds:cluster", SelectionMode: "ALL", ResourceArns: []string{s.arn("rds", "cluster", startDemoAurora)}},
		},
		StopConditions: []awstest.StopCondition{{Source: "aws:cloudwatch:alarm", Value: s.arn("cloudwatch", "alarm", startDemoAlarm)}},
	})
}

// healthy resolves the demo experiment and health-checks it (healthy); it returns the session ID.
func (s *startEnv) healthy() string {
	s.t.Helper()
	ctx := context.Background()
	res, err := s.e.Resolve(ctx, workflow.ResolveRequest{Path: filepath.Join(s.cfg.ExperimentsDir, startDemoDir)})
	if err != nil || res.Aborted {
		s.t.Fatalf("resolve: %v %+v", err, res)
	}
	_, hr, err := s.e.HealthCheck(ctx, workflow.HealthRequest{SessionID: res.Session.ID}, nil)
	if err != nil || hr.Verdict != session.VerdictHealthy {
		s.t.Fatalf("health check: %v, verdict %s", err, hr.Verdict)
	}
	return res.Session.ID
}

// token asks for a typed confirmation token.
func (s *startEnv) token(id string, dryRun bool) string {
	s.t.Helper()
	res, err := s.e.RequestStart(context.Background(), workflow.StartRequest{SessionID: id, DryRun: dryRun})
	if err != nil || res.Prompt == nil || res.Asked || !strings.HasPrefix(res.Prompt.Token, "confirm-") {
		s.t.Fatalf("RequestStart: %v %+v", err, res)
	}
	return res.Prompt.Token
}

// started runs the demo experiment up to a started experiment; it returns the session and experiment IDs.
func (s *startEnv) started() (string, string) {
	s.t.Helper()
	id := s.healthy()
	res, err := s.e.ConfirmStart(context.Background(), id, workflow.Confirmation{Token: s.token(id, false)})
	if err != nil || res.Experiment.ID == "" {
		s.t.Fatalf("ConfirmStart: %v %+v", err, res)
	}
	return id, res.Experiment.ID
}

func (s *startEnv) session(id string) *session.Session {
	s.t.Helper()
	sess, err := s.e.Store.Get(id)
	if err != nil {
		s.t.Fatal(err)
	}
	return sess
}

// events returns the messages of the session's events of kind.
func (s *startEnv) events(id, kind string) []string {
	var out []string
	for _, e := range s.session(id).Timeline {
		if e.Kind == kind {
			out = append(out, e.Message)
		}
	}
	return out
}

// The typed path: the prompt holds the impact warning and a token bound to it; the token
// starts exactly one experiment (a second use is refused, nothing more is started), with
// the deterministic client token and the session tag.
func TestEngineStartTokenSingleUse(t *testing.T) {
	s := newStartEnv(t)
	ctx := context.Background()
	id := s.healthy()
	res, err := s.e.RequestStart(ctx, workflow.StartRequest{SessionID: id})
	if err != nil {
		t.Fatal(err)
	}
	q := res.Prompt
	if q == nil || res.Asked || q.SessionID != id || q.TemplateID != startDemoTemplate || !q.ExpiresAt.Equal(s.clock.Now().Add(10*time.Minute)) {
		t.Fatalf("prompt %+v asked %v", q, res.Asked)
	}
	for _, want := range []string{"WARNING", "REAL impact", startDemoTemplate, "demo-aurora", "Failover-RDS", startDemoAlarm, "stop_experiment with session_id " + id} {
		if !strings.Contains(q.Warning, want) {
			t.Errorf("impact warning lacks %q:\n%s", want, q.Warning)
		}
	}
	if sess := s.session(id); sess.State != session.StateAwaitingConfirmation || sess.Confirmation == nil || sess.Confirmation.Channel != session.ChannelToken {
		t.Fatalf("after RequestStart: state %s confirmation %+v", sess.State, sess.Confirmation)
	}
	if n := s.aws.CallCount("fis", "StartExperiment"); n != 0 {
		t.Fatalf("RequestStart sent StartExperiment")
	}
	started, err := s.e.ConfirmStart(ctx, id, workflow.Confirmation{Token: " " + q.Token + " "})
	if err != nil {
		t.Fatal(err)
	}
	if started.Prompt != nil || started.Experiment.ID == "" || started.ConfirmedBy != "human via confirmation token" || started.TemplateID != startDemoTemplate || started.Region != "us-east-1" {
		t.Fatalf("started %+v", started)
	}
	exps := s.aws.StartedExperiments()
	if len(exps) != 1 || exps[0].Tags[experiment.SessionTag] != id || exps[0].ClientToken != experiment.ClientToken(id, startDemoTemplate) {
		t.Fatalf("started %+v", exps)
	}
	if _, err := s.e.ConfirmStart(ctx, id, workflow.Confirmation{Token: q.Token}); err == nil || !strings.Contains(err.Error(), "already started") {
		t.Errorf("a reused token: %v", err)
	}
	if n := len(s.aws.StartedExperiments()); n != 1 {
		t.Fatalf("%d experiments started, want 1", n)
	}

	// Confirmations racing with one token: it is consumed under the session lock, so
	// exactly one starts.
	id = s.healthy()
	tok := s.token(id, false)
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.e.ConfirmStart(ctx, id, workflow.Confirmation{Token: tok})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, session.ErrTokenUsed) && !strings.Contains(err.Error(), "already started"):
			t.Errorf("a racing confirmation: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d racing confirmations started, want 1", ok)
	}
	if n := len(s.aws.StartedExperiments()); n != 2 {
		t.Fatalf("%d experiments started, want 2 (one per session)", n)
	}
}

// A token is bound to the session it was issued for.
func TestEngineStartTokenBoundToSession(t *testing.T) {
	s := newStartEnv(t)
	a, b := s.healthy(), s.healthy()
	tokA := s.token(a, false)
	s.token(b, false)
	_, err := s.e.ConfirmStart(context.Background(), b, workflow.Confirmation{Token: tokA})
	if !errors.Is(err, session.ErrWrongToken) || !strings.HasPrefix(err.Error(), "start refused: ") {
		t.Fatalf("session a's token on session b: %v", err)
	}
	if n := len(s.aws.StartedExperiments()); n != 0 {
		t.Fatalf("%d started", n)
	}
	if got := s.events(b, session.EventStartRefused); len(got) != 1 || !strings.Contains(got[0], "not the one issued for this session") {
		t.Errorf("start-refused events of b %q", got)
	}
	if sess := s.session(b); sess.Run != nil {
		t.Errorf("a refused start left a run %+v", sess.Run)
	}
	// The right token still starts session a.
	if _, err := s.e.ConfirmStart(context.Background(), a, workflow.Confirmation{Token: tokA}); err != nil {
		t.Fatal(err)
	}
}

// An expired token is refused with the configured lifetime, and starts nothing.
func TestEngineStartExpiredToken(t *testing.T) {
	s := newStartEnv(t, withStartConfig(func(c *workflow.Config) { c.ConfirmationTTL = 2 * time.Minute }))
	id := s.healthy()
	tok := s.token(id, false)
	s.clock.Advance(2 * time.Minute)
	_, err := s.e.ConfirmStart(context.Background(), id, workflow.Confirmation{Token: tok})
	if !errors.Is(err, session.ErrTokenExpired) || !strings.Contains(err.Error(), "start refused: the confirmation token has expired (tokens last 2 minutes)") {
		t.Fatalf("expired token: %v", err)
	}
	if n := len(s.aws.StartedExperiments()); n != 0 {
		t.Fatalf("an expired token started %d experiments", n)
	}
	if got := s.events(id, session.EventStartRefused); len(got) != 1 || !strings.Contains(got[0], "expired") {
		t.Errorf("start-refused events %q", got)
	}
}

// askerFunc is an Asker answering with a function.
type askerFunc func(context.Context, workflow.Question) (workflow.Answer, error)

func (f askerFunc) Ask(ctx context.Context, q workflow.Question) (workflow.Answer, error) {
	return f(ctx, q)
}

// An Asker that answers at once: a yes starts (confirmed by the human via the Asker), the
// question carrying the warning and the token bound to it.
func TestEngineStartAskerAccepts(t *testing.T) {
	s := newStartEnv(t)
	id := s.healthy()
	var asked workflow.Question
	res, err := s.e.RequestStart(context.Background(), workflow.StartRequest{SessionID: id, DryRun: true, Asker: askerFunc(func(_ context.Context, q workflow.Question) (workflow.Answer, error) {
		asked = q
		return workflow.Answer{Reply: workflow.ReplyAccepted, Via: "terminal prompt"}, nil
	})})
	if err != nil {
		t.Fatal(err)
	}
	if !asked.DryRun || !strings.Contains(asked.Warning, "DRY RUN") || asked.SessionID != id {
		t.Errorf("question %+v", asked)
	}
	if res.Prompt != nil || res.Experiment.ID == "" || res.ConfirmedBy != "human via terminal prompt" || !res.DryRun {
		t.Fatalf("result %+v", res)
	}
	if exps := s.aws.StartedExperiments(); len(exps) != 1 || exps[0].ActionsMode != "skip-all" {
		t.Fatalf("started %+v", exps)
	}
	if sess := s.session(id); sess.Run.ConfirmedBy != "human via terminal prompt" || !sess.Confirmation.Used || sess.Confirmation.Channel != session.ChannelElicitation {
		t.Errorf("run %+v confirmation %+v", sess.Run, sess.Confirmation)
	}
}

// An Asker whose answer comes later (MCP multi round-trip): the prompt is left asked, the
// token is refused as typed text, and only the answer with it starts.
func TestEngineStartAnswerLater(t *testing.T) {
	s := newStartEnv(t)
	ctx := context.Background()
	id := s.healthy()
	res, err := s.e.RequestStart(ctx, workflow.StartRequest{SessionID: id, Asker: askerFunc(func(context.Context, workflow.Question) (workflow.Answer, error) {
		return workflow.Answer{}, workflow.ErrAnswerLater
	})})
	if err != nil || !res.Asked || res.Prompt == nil {
		t.Fatalf("RequestStart: %v %+v", err, res)
	}
	if _, err := s.e.ConfirmStart(ctx, id, workflow.Confirmation{Token: res.Prompt.Token}); !errors.Is(err, session.ErrWrongChannel) {
		t.Fatalf("the prompt's token typed back: %v, want ErrWrongChannel", err)
	}
	started, err := s.e.ConfirmStart(ctx, id, workflow.Confirmation{Token: res.Prompt.Token, Answer: &workflow.Answer{Reply: workflow.ReplyAccepted, Via: "MCP elicitation"}})
	if err != nil || started.ConfirmedBy != "human via MCP elicitation" || started.Experiment.ID == "" {
		t.Fatalf("ConfirmStart with the answer: %v %+v", err, started)
	}
}

// A declined or cancelled answer starts nothing; it is recorded, and the confirmation
// asked with is unusable afterwards.
func TestEngineStartDeclinedRecorded(t *testing.T) {
	for _, reply := range []workflow.Reply{workflow.ReplyDeclined, workflow.ReplyCancelled} {
		t.Run(string(reply), func(t *testing.T) {
			s := newStartEnv(t)
			ctx := context.Background()
			id := s.healthy()
			var token string
			_, err := s.e.RequestStart(ctx, workflow.StartRequest{SessionID: id, Asker: askerFunc(func(_ context.Context, q workflow.Question) (workflow.Answer, error) {
				token = q.Token
				return workflow.Answer{Reply: reply, Via: "MCP elicitation", Detail: "elicitation " + string(reply) + ", confirm=false"}, nil
			})})
			if err == nil || !strings.Contains(err.Error(), "the human declined (or cancelled) the start: nothing was started") {
				t.Fatalf("declined: %v", err)
			}
			if n := s.aws.CallCount("fis", "StartExperiment"); n != 0 {
				t.Fatalf("a declined start sent StartExperiment %d times", n)
			}
			sess := s.session(id)
			if sess.Run != nil || sess.Confirmation == nil || sess.Confirmation.Used || sess.Confirmation.Fingerprint != "invalidated" {
				t.Errorf("declined: run %+v confirmation %+v", sess.Run, sess.Confirmation)
			}
			want := "the human did not confirm the start (elicitation " + string(reply) + ", confirm=false)"
			if got := s.events(id, session.EventConfirmationDeclined); len(got) != 1 || got[0] != want {
				t.Errorf("declined events %q, want %q", got, want)
			}
			// The answer's token cannot be accepted after the no.
			_, err = s.e.ConfirmStart(ctx, id, workflow.Confirmation{Token: token, Answer: &workflow.Answer{Reply: workflow.ReplyAccepted}})
			if !errors.Is(err, session.ErrTokenInvalidated) {
				t.Errorf("a yes after the no: %v, want ErrTokenInvalidated", err)
			}
			if n := len(s.aws.StartedExperiments()); n != 0 {
				t.Fatalf("%d started", n)
			}
		})
	}
}

// An Asker that fails (the prompt could not be shown) starts nothing: the refusal is
// returned and recorded, and the token it would have carried is voided.
func TestEngineStartAskerError(t *testing.T) {
	s := newStartEnv(t)
	ctx := context.Background()
	id := s.healthy()
	var token string
	_, err := s.e.RequestStart(ctx, workflow.StartRequest{SessionID: id, Asker: askerFunc(func(_ context.Context, q workflow.Question) (workflow.Answer, error) {
		token = q.Token
		return workflow.Answer{}, errors.New("the client closed the prompt")
	})})
	if err == nil || !strings.Contains(err.Error(), "could not be asked to confirm the start (the client closed the prompt): nothing was started") {
		t.Fatalf("asker error: %v", err)
	}
	if got := s.events(id, session.EventStartRefused); len(got) != 1 || !strings.Contains(got[0], "the client closed the prompt") {
		t.Errorf("start-refused events %q", got)
	}
	if sess := s.session(id); sess.Run != nil || sess.Confirmation == nil || sess.Confirmation.Fingerprint != "invalidated" {
		t.Errorf("after the asker error: run %+v confirmation %+v", sess.Run, sess.Confirmation)
	}
	if _, err := s.e.ConfirmStart(ctx, id, workflow.Confirmation{Token: token, Answer: &workflow.Answer{Reply: workflow.ReplyAccepted}}); !errors.Is(err, session.ErrTokenInvalidated) {
		t.Errorf("a later yes with the voided token: %v", err)
	}
	if n := s.aws.CallCount("fis", "StartExperiment"); n != 0 {
		t.Fatalf("StartExperiment sent %d times", n)
	}
}

// Every refusal of RequestStart happens before any token is issued.
func TestEngineStartRefusals(t *testing.T) {
	s := newStartEnv(t, withStartConfig(func(c *workflow.Config) { c.ReadOnly = true }))
	id := s.healthy()
	if _, err := s.e.RequestStart(context.Background(), workflow.StartRequest{SessionID: id}); err == nil || !strings.Contains(err.Error(), "read-only mode") {
		t.Errorf("read-only: %v", err)
	}
	if sess := s.session(id); sess.Confirmation != nil {
		t.Errorf("read-only engine issued a confirmation")
	}
	res, err := s.e.RequestStart(context.Background(), workflow.StartRequest{SessionID: "fis-20260411-023000-000000"})
	if err == nil || res.SessionID != "" {
		t.Errorf("unknown session: %v, session %q", err, res.SessionID)
	}
}

// The StartExperiment call outlives its caller: a caller whose context is cancelled while
// the call is in flight still gets the experiment started and tracked.
func TestEngineStartOutlivesCaller(t *testing.T) {
	g := newGate(true, false)
	s := newStartEnv(t, withStartHTTP(&http.Client{Transport: g}))
	id := s.healthy()
	tok := s.token(id, false)
	g.arm(true)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var res workflow.StartResult
	var err error
	wg.Add(1)
	go func() {
		defer wg.Done()
		res, err = s.e.ConfirmStart(ctx, id, workflow.Confirmation{Token: tok})
	}()
	<-g.held
	cancel()
	close(g.release)
	wg.Wait()
	if err != nil || res.Experiment.ID == "" {
		t.Fatalf("start with the caller gone: %v %+v", err, res)
	}
	if sess := s.session(id); sess.State != session.StateRunning || sess.Run.ExperimentID != res.Experiment.ID {
		t.Fatalf("session %s run %+v", sess.State, sess.Run)
	}
}

// The impact warning of a real start and of a dry run shows the exact AWS CLI equivalent of
// the StartExperiment call, and FIS then receives that very call: template, client token,
// actions mode, tags and region (the expected command is spelled out from what FIS got).
func TestEngineStartWarningShowsTheCall(t *testing.T) {
	s := newStartEnv(t)
	ctx := context.Background()
	for i, dryRun := range []bool{false, true} {
		id := s.healthy()
		res, err := s.e.RequestStart(ctx, workflow.StartRequest{SessionID: id, DryRun: dryRun})
		if err != nil || res.Prompt == nil {
			t.Fatalf("RequestStart: %v %+v", err, res)
		}
		warning := res.Prompt.Warning
		if _, err := s.e.ConfirmStart(ctx, id, workflow.Confirmation{Token: res.Prompt.Token, DryRun: dryRun}); err != nil {
			t.Fatal(err)
		}
		exps := s.aws.StartedExperiments()
		if len(exps) != i+1 {
			t.Fatalf("%d experiments started, want %d", len(exps), i+1)
		}
		got := exps[i]
		wantMode := map[bool]string{false: "run-all", true: "skip-all"}[dryRun]
		if got.ActionsMode != wantMode || got.TemplateID != startDemoTemplate || len(got.Tags) != 2 {
			t.Errorf("FIS received %+v", got)
		}
		want := "aws fis start-experiment --experiment-template-id " + got.TemplateID + " --client-token " + got.ClientToken +
			" --experiment-options actionsMode=" + got.ActionsMode +
			" --tags created-by=" + got.Tags["created-by"] + ",fis-mcp-session=" + got.Tags[experiment.SessionTag] + " --region us-east-1"
		if !strings.Contains(warning, "On confirmation fis-mcp makes exactly this call") || !strings.Contains(warning, "\n  "+want+"\n") {
			t.Errorf("dry_run=%t: the warning does not show the call FIS received\n  %s\nwarning:\n%s", dryRun, want, warning)
		}
		if got.Tags[experiment.SessionTag] != id || got.Tags["created-by"] != "fis-mcp" {
			t.Errorf("tags %v", got.Tags)
		}
		if c := workflow.StartCommand(s.session(id), dryRun); c != want {
			t.Errorf("StartCommand = %s, want %s", c, want)
		}
	}
}
