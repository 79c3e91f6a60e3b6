package tools_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/aws/experiment"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/tools"
)

// TestStartExperimentRefusals: every refusal reason, and nothing is started by any of them.
func TestStartExperimentRefusals(t *testing.T) {
	cases := []struct {
		name string
		// setup prepares the session and returns the start_experiment arguments.
		setup       func(h *harness) map[string]any
		errHas      []string
		wantStarted int // experiments started before the refused call (by the setup)
	}{
		{
			name:   "before health_check",
			setup:  func(h *harness) map[string]any { return map[string]any{"session_id": h.resolveDemo()} },
			errHas: []string{"has not been health-checked", "health_check first"},
		},
		{
			name: "before health_check, with a made-up token",
			setup: func(h *harness) map[string]any {
				return map[string]any{"session_id": h.resolveDemo(), "confirmation_token": "confirm-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}
			},
			errHas: []string{"has not been health-checked"},
		},
		{
			name: "verdict blocked",
			setup: func(h *harness) map[string]any {
				id := h.resolveDemo()
				h.aws.SetDBClusterStatus(demoAurora, "failing-over")
				h.ok("health_check", map[string]any{"session_id": id})
				return map[string]any{"session_id": id}
			},
			errHas: []string{"health verdict is blocked", "demo-aurora", "override_reason"},
		},
		{
			name: "verdict blocked, with a token issued while healthy",
			setup: func(h *harness) map[string]any {
				id := h.healthyDemo()
				tok := h.token(id, false)
				h.aws.SetDBClusterStatus(demoAurora, "failing-over")
				h.ok("health_check", map[string]any{"session_id": id})
				return map[string]any{"session_id": id, "confirmation_token": tok}
			},
			errHas: []string{"health verdict is blocked"},
		},
		{
			name: "no token was issued",
			setup: func(h *harness) map[string]any {
				return map[string]any{"session_id": h.healthyDemo(), "confirmation_token": "confirm-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}
			},
			errHas: []string{"no confirmation was issued"},
		},
		{
			name: "wrong token",
			setup: func(h *harness) map[string]any {
				id := h.healthyDemo()
				tok := h.token(id, false)
				last := "x"
				if strings.HasSuffix(tok, "x") { // the token's own last character: not a change
					last = "y"
				}
				return map[string]any{"session_id": id, "confirmation_token": tok[:len(tok)-1] + last}
			},
			errHas: []string{"not the one issued for this session"},
		},
		{
			name: "token from another session",
			setup: func(h *harness) map[string]any {
				a := h.healthyDemo()
				b := h.healthyDemo()
				tokA := h.token(a, false)
				h.token(b, false)
				return map[string]any{"session_id": b, "confirmation_token": tokA}
			},
			errHas: []string{"not the one issued for this session"},
		},
		{
			name: "expired token",
			setup: func(h *harness) map[string]any {
				id := h.healthyDemo()
				tok := h.token(id, false)
				h.clock.Advance(11 * time.Minute)
				return map[string]any{"session_id": id, "confirmation_token": tok}
			},
			errHas: []string{"expired"},
		},
		{
			name: "token invalidated by a new health_check",
			setup: func(h *harness) map[string]any {
				id := h.healthyDemo()
				tok := h.token(id, false)
				h.clock.Advance(time.Second)
				h.ok("health_check", map[string]any{"session_id": id})
				return map[string]any{"session_id": id, "confirmation_token": tok}
			},
			errHas: []string{"invalidated"},
		},
		{
			name: "token invalidated by discover_apps",
			setup: func(h *harness) map[string]any {
				id := h.healthyDemo()
				tok := h.token(id, false)
				h.clock.Advance(time.Second)
				h.ok("discover_apps", map[string]any{"session_id": id})
				return map[string]any{"session_id": id, "confirmation_token": tok}
			},
			errHas: []string{"invalidated"},
		},
		{
			name: "token invalidated by start_logs",
			setup: func(h *harness) map[string]any {
				id := h.healthyDemo()
				tok := h.token(id, false)
				h.clock.Advance(time.Second)
				h.ok("start_logs", map[string]any{"session_id": id})
				return map[string]any{"session_id": id, "confirmation_token": tok}
			},
			errHas: []string{"invalidated"},
		},
		{
			name: "dry_run mismatch (token for a live run, used for a dry run)",
			setup: func(h *harness) map[string]any {
				id := h.healthyDemo()
				tok := h.token(id, false)
				return map[string]any{"session_id": id, "confirmation_token": tok, "dry_run": true}
			},
			errHas: []string{"different dry_run"},
		},
		{
			name: "dry_run mismatch (token for a dry run, used for a live run)",
			setup: func(h *harness) map[string]any {
				id := h.healthyDemo()
				tok := h.token(id, true)
				return map[string]any{"session_id": id, "confirmation_token": tok}
			},
			errHas: []string{"different dry_run"},
		},
		{
			name: "reused token",
			setup: func(h *harness) map[string]any {
				id := h.healthyDemo()
				tok := h.token(id, false)
				h.ok("start_experiment", map[string]any{"session_id": id, "confirmation_token": tok})
				return map[string]any{"session_id": id, "confirmation_token": tok}
			},
			errHas:      []string{"already started"},
			wantStarted: 1,
		},
		{
			name: "experiment already started",
			setup: func(h *harness) map[string]any {
				id, _ := h.startDemo()
				return map[string]any{"session_id": id}
			},
			errHas:      []string{"already started", "one session starts at most one experiment"},
			wantStarted: 1,
		},
		{
			name: "session aborted",
			setup: func(h *harness) map[string]any {
				id := h.healthyDemo()
				tok := h.token(id, false)
				h.ok("stop_experiment", map[string]any{"session_id": id})
				return map[string]any{"session_id": id, "confirmation_token": tok}
			},
			errHas: []string{"aborted"},
		},
		{
			name:   "unknown session",
			setup:  func(h *harness) map[string]any { return map[string]any{"session_id": "fis-20260411-023000-000000"} },
			errHas: []string{"not found"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			args := tc.setup(h)
			if n := len(h.aws.StartedExperiments()); n != tc.wantStarted {
				t.Fatalf("setup started %d experiments, want %d", n, tc.wantStarted)
			}
			r := h.fail("start_experiment", args)
			for _, s := range tc.errHas {
				if !strings.Contains(r.text, s) {
					t.Errorf("refusal does not say %q:\n%s", s, r.text)
				}
			}
			if n := len(h.aws.StartedExperiments()); n != tc.wantStarted {
				t.Fatalf("a refused start_experiment started an experiment (%d started, want %d)", n, tc.wantStarted)
			}
			id, _ := args["session_id"].(string)
			if session.ValidID(id) {
				if sess, err := h.store.Get(id); err == nil {
					exp := ""
					if sess.Run != nil && !sess.Terminal() {
						exp = sess.Run.ExperimentID
					}
					assertAbortLine(t, r, id, exp)
					if tc.wantStarted == 0 && sess.Run != nil {
						t.Errorf("a refused session has a run: %+v", sess.Run)
					}
				}
			}
		})
	}
}

func TestStartExperimentReadOnly(t *testing.T) {
	h := newHarness(t, withConfig(func(c *tools.Config) { c.ReadOnly = true }))
	id := h.healthyDemo()
	for _, args := range []map[string]any{
		{"session_id": id},
		{"session_id": id, "dry_run": true},
		{"session_id": id, "confirmation_token": "confirm-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
	} {
		r := h.fail("start_experiment", args)
		if !strings.Contains(r.text, "read-only mode") {
			t.Errorf("%v: refusal does not name read-only mode:\n%s", args, r.text)
		}
		if !strings.HasPrefix(r.text, "[read-only") {
			t.Errorf("text does not start with the mode banner:\n%s", r.text)
		}
	}
	if n := len(h.aws.StartedExperiments()); n != 0 {
		t.Fatalf("read-only server started %d experiments", n)
	}
	if n := h.aws.CallCount("fis", "StartExperiment"); n != 0 {
		t.Fatalf("read-only server sent StartExperiment %d times", n)
	}
	if sess := h.session(id); sess.Confirmation != nil {
		t.Errorf("read-only server issued a confirmation token")
	}
	r := h.ok("stop_experiment", map[string]any{"session_id": id})
	stop := output[tools.StopExperimentOutput](t, r)
	if stop.State != "aborted" || stop.SessionState != session.StateAborted {
		t.Errorf("stop in read-only mode: %+v\n%s", stop, r.text)
	}
	if !strings.Contains(stop.Mode, "read-only") {
		t.Errorf("mode = %q", stop.Mode)
	}
}

func TestStartExperimentWithToken(t *testing.T) {
	h := newHarness(t)
	id := h.healthyDemo()
	conf := h.ok("start_experiment", map[string]any{"session_id": id})
	c := output[tools.StartExperimentOutput](t, conf)
	if c.Status != "confirmation_required" || !strings.HasPrefix(c.ConfirmationToken, "confirm-") || c.ExpiresAt == nil {
		t.Fatalf("confirmation: %+v", c)
	}
	if want := h.clock.Now().Add(10 * time.Minute); !c.ExpiresAt.Equal(want) {
		t.Errorf("expires_at %s, want %s (10 min)", c.ExpiresAt, want)
	}
	for _, want := range []string{"WARNING", "REAL impact", demoTemplate, "us-east-1", "demo-aurora", "Failover-RDS", demoAlarm, "stop_experiment with session_id " + id} {
		if !strings.Contains(c.Warning, want) {
			t.Errorf("impact warning lacks %q:\n%s", want, c.Warning)
		}
	}
	if !strings.Contains(conf.text, c.Warning) || !strings.Contains(conf.text, "Yes, start experiment") {
		t.Errorf("text does not show the warning verbatim and the expected answer:\n%s", conf.text)
	}
	if n := h.aws.CallCount("fis", "StartExperiment"); n != 0 {
		t.Fatalf("the confirmation step sent StartExperiment")
	}
	// Only the token's hash is stored.
	sess := h.session(id)
	if sess.State != session.StateAwaitingConfirmation || sess.Confirmation == nil || strings.Contains(sess.Confirmation.TokenHash, c.ConfirmationToken) {
		t.Fatalf("stored confirmation: %+v", sess.Confirmation)
	}

	r := h.ok("start_experiment", map[string]any{"session_id": id, "confirmation_token": " " + c.ConfirmationToken + " "})
	out := output[tools.StartExperimentOutput](t, r)
	if out.Status != "started" || out.ExperimentID == "" || out.ConfirmedBy != "human via confirmation token" || out.DryRun {
		t.Fatalf("start: %+v\n%s", out, r.text)
	}
	started := h.aws.StartedExperiments()
	if len(started) != 1 {
		t.Fatalf("%d experiments started, want 1", len(started))
	}
	s := started[0]
	if s.ID != out.ExperimentID || s.TemplateID != demoTemplate || s.ActionsMode != "run-all" {
		t.Errorf("started %+v", s)
	}
	if s.Tags["fis-mcp-session"] != id {
		t.Errorf("tags %v lack fis-mcp-session=%s", s.Tags, id)
	}
	if want := experiment.ClientToken(id, demoTemplate); s.ClientToken != want {
		t.Errorf("client token %q, want the deterministic %q", s.ClientToken, want)
	}
	if n := h.aws.CallCount("fis", "StartExperiment"); n != 1 {
		t.Errorf("StartExperiment sent %d times", n)
	}
	sess = h.session(id)
	if sess.State != session.StateRunning || sess.Run == nil || sess.Run.ExperimentID != out.ExperimentID || !sess.Confirmation.Used {
		t.Errorf("stored run: state %s %+v", sess.State, sess.Run)
	}
	assertAbortLine(t, r, id, out.ExperimentID)
}

// dropFirstStart is an HTTP transport that lets the first StartExperiment reach the fake
// and then loses its response, as a connection reset would: the SDK retries.
type dropFirstStart struct {
	mu      sync.Mutex
	dropped bool
}

func (d *dropFirstStart) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil || req.Method != http.MethodPost || req.URL.Path != "/experiments" {
		return resp, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.dropped {
		return resp, err
	}
	d.dropped = true
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return nil, errors.New("read tcp 127.0.0.1:1->127.0.0.1:2: read: connection reset by peer")
}

func TestStartExperimentRetriedStartStartsOnce(t *testing.T) {
	tr := &dropFirstStart{}
	h := newHarness(t, withHTTPClient(&http.Client{Transport: tr}))
	id := h.healthyDemo()
	tok := h.token(id, false)
	r := h.ok("start_experiment", map[string]any{"session_id": id, "confirmation_token": tok})
	if n := len(h.aws.AllCalls("fis", "StartExperiment")); n != 2 {
		t.Fatalf("StartExperiment reached the fake %d times, want 2 (the lost response was retried)", n)
	}
	started := h.aws.StartedExperiments()
	if exp := output[tools.StartExperimentOutput](t, r).ExperimentID; len(started) != 1 || started[0].ID != exp {
		t.Fatalf("started %+v, result %s", started, exp)
	}
	calls := h.aws.AllCalls("fis", "StartExperiment")
	if !strings.Contains(string(calls[0].Body), started[0].ClientToken) || !strings.Contains(string(calls[1].Body), started[0].ClientToken) {
		t.Errorf("the retry did not carry the same client token")
	}
}

// A StartExperiment that fails for good starts nothing, and a fresh confirmation is needed.
func TestStartExperimentFISFailure(t *testing.T) {
	h := newHarness(t)
	id := h.healthyDemo()
	tok := h.token(id, false)
	h.aws.InjectFault(awsFault("fis", "StartExperiment", 403, "AccessDeniedException"))
	r := h.fail("start_experiment", map[string]any{"session_id": id, "confirmation_token": tok})
	for _, want := range []string{"nothing was started", "fis:StartExperiment"} {
		if !strings.Contains(r.text, want) {
			t.Errorf("error lacks %q:\n%s", want, r.text)
		}
	}
	sess := h.session(id)
	if sess.Run != nil || sess.State == session.StateRunning {
		t.Errorf("failed start left a run: state %s %+v", sess.State, sess.Run)
	}
	h.aws.ClearFaults()
	h.fail("start_experiment", map[string]any{"session_id": id, "confirmation_token": tok})
	if n := len(h.aws.StartedExperiments()); n != 0 {
		t.Fatalf("%d started", n)
	}
	h.ok("start_experiment", map[string]any{"session_id": id, "confirmation_token": h.token(id, false)})
	if n := len(h.aws.StartedExperiments()); n != 1 {
		t.Fatalf("%d started after a fresh confirmation", n)
	}
}

// elicitor answers elicitation requests.
type elicitor struct {
	mu       sync.Mutex
	action   mcp.ElicitationResponseAction
	content  map[string]any
	requests []mcp.ElicitationRequest
}

func (e *elicitor) Elicit(ctx context.Context, req mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.requests = append(e.requests, req)
	return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: e.action, Content: e.content}}, nil
}

func (e *elicitor) count() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.requests)
}

func TestStartExperimentElicitation(t *testing.T) {
	cases := []struct {
		name    string
		action  mcp.ElicitationResponseAction
		content map[string]any
		started bool
		errHas  string
	}{
		{"accepted with confirm=true", mcp.ElicitationResponseActionAccept, map[string]any{"confirm": true}, true, ""},
		{"accepted with confirm=false", mcp.ElicitationResponseActionAccept, map[string]any{"confirm": false}, false, "declined"},
		{"declined", mcp.ElicitationResponseActionDecline, nil, false, "declined"},
		{"cancelled", mcp.ElicitationResponseActionCancel, nil, false, "declined"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			el := &elicitor{action: tc.action, content: tc.content}
			h := newHarness(t, withElicitation(el))
			id := h.healthyDemo()
			r := h.call("start_experiment", map[string]any{"session_id": id})
			if el.count() != 1 {
				t.Fatalf("%d elicitation requests, want 1 (result:\n%s)", el.count(), r.text)
			}
			msg := el.requests[0].Params.Message
			if !strings.Contains(msg, "REAL impact") || !strings.Contains(msg, demoTemplate) {
				t.Errorf("elicitation message lacks the impact warning:\n%s", msg)
			}
			started := h.aws.StartedExperiments()
			if !tc.started {
				if !r.isError || !strings.Contains(r.text, tc.errHas) {
					t.Errorf("want a refusal saying %q:\n%s", tc.errHas, r.text)
				}
				if len(started) != 0 {
					t.Fatalf("declined elicitation started %d experiments", len(started))
				}
				sess := h.session(id)
				// The confirmation issued with the question must be unusable after a no.
				if sess.Run != nil || sess.Confirmation == nil || sess.Confirmation.Used || sess.Confirmation.Fingerprint != "invalidated" {
					t.Errorf("declined: run %+v confirmation %+v", sess.Run, sess.Confirmation)
				}
				assertAbortLine(t, r, id, "")
				return
			}
			out := output[tools.StartExperimentOutput](t, r)
			if r.isError || out.Status != "started" || out.ConfirmationToken != "" {
				t.Fatalf("accepted elicitation did not start:\n%s", r.text)
			}
			if out.ConfirmedBy != "human via MCP elicitation" {
				t.Errorf("confirmed_by %q", out.ConfirmedBy)
			}
			if len(started) != 1 || started[0].Tags["fis-mcp-session"] != id {
				t.Fatalf("started %+v", started)
			}
			assertAbortLine(t, r, id, out.ExperimentID)
		})
	}
}

func TestStartExperimentDryRun(t *testing.T) {
	h := newHarness(t)
	id := h.healthyDemo()
	tok := h.token(id, true)
	r := h.ok("start_experiment", map[string]any{"session_id": id, "confirmation_token": tok, "dry_run": true})
	if !output[tools.StartExperimentOutput](t, r).DryRun || !strings.Contains(r.text, "skip-all") {
		t.Errorf("dry run result:\n%s", r.text)
	}
	started := h.aws.StartedExperiments()
	if len(started) != 1 || started[0].ActionsMode != "skip-all" {
		t.Fatalf("started %+v, want one with actionsMode skip-all", started)
	}
	if want := experiment.DryRunClientToken(id, demoTemplate); started[0].ClientToken != want {
		t.Errorf("dry-run client token %q, want %q", started[0].ClientToken, want)
	}
	p := h.pollUntilTerminal(id)
	var events []string
	for _, e := range h.session(id).Timeline {
		if e.Kind == "dry-run" || e.Kind == "dry-run-difference" {
			events = append(events, e.Message)
		}
	}
	if len(events) != 1 || !strings.Contains(events[0], "FIS resolved 1 targets, the same as the health check") {
		t.Errorf("dry-run comparison events %q", events)
	}
	if !strings.Contains(p.text, "the same as the health check") {
		t.Errorf("poll text lacks the comparison:\n%s", p.text)
	}
	// Every action is skipped in a dry run.
	for _, a := range output[tools.PollOutput](t, p).Actions {
		if a.State != "skipped" {
			t.Errorf("dry-run action state %v", a.State)
		}
	}
}

// A dry run whose FIS-resolved targets differ from the health check's list reports each difference.
func TestStartExperimentDryRunDifferences(t *testing.T) {
	h := newHarness(t)
	h.aws.SetResolvedTargets(demoTemplate, "RDS-Cluster", h.arn("rds", "cluster", "other-aurora"))
	id := h.healthyDemo()
	h.ok("start_experiment", map[string]any{"session_id": id, "confirmation_token": h.token(id, true), "dry_run": true})
	p := h.pollUntilTerminal(id)
	var diffs []string
	for _, e := range output[tools.PollOutput](t, p).NewEvents {
		if e.Kind == "dry-run-difference" {
			diffs = append(diffs, e.Message)
		}
	}
	joined := strings.Join(diffs, "\n")
	if len(diffs) != 2 || !strings.Contains(joined, "other-aurora") || !strings.Contains(joined, "listed demo-aurora") {
		t.Errorf("differences %q", diffs)
	}
}

// The impact warning (structured and in the text) of a real start and of a dry run shows the
// exact AWS CLI equivalent of the start, and the fake FIS then receives that very call.
func TestStartExperimentWarningShowsTheCommand(t *testing.T) {
	for _, dryRun := range []bool{false, true} {
		h := newHarness(t)
		id := h.healthyDemo()
		r := h.ok("start_experiment", map[string]any{"session_id": id, "dry_run": dryRun})
		warning := output[tools.StartExperimentOutput](t, r).Warning
		if calls := h.aws.CallCount("fis", "StartExperiment"); calls != 0 {
			t.Fatalf("the warning sent StartExperiment")
		}
		h.ok("start_experiment", map[string]any{"session_id": id, "confirmation_token": r.str("confirmation_token"), "dry_run": dryRun})
		started := h.aws.StartedExperiments()
		if len(started) != 1 {
			t.Fatalf("started %+v", started)
		}
		got := started[0]
		want := "aws fis start-experiment --experiment-template-id " + got.TemplateID + " --client-token " + got.ClientToken +
			" --experiment-options actionsMode=" + got.ActionsMode +
			" --tags created-by=" + got.Tags["created-by"] + ",fis-mcp-session=" + got.Tags[experiment.SessionTag] + " --region " + awstest.DefaultRegion
		if got.TemplateID != demoTemplate || got.Tags[experiment.SessionTag] != id || got.ActionsMode != map[bool]string{false: "run-all", true: "skip-all"}[dryRun] {
			t.Errorf("FIS received %+v", got)
		}
		for what, s := range map[string]string{"warning": warning, "text": r.text} {
			if !strings.Contains(s, "\n  "+want+"\n") {
				t.Errorf("dry_run=%t: the %s does not show the call FIS received\n  %s\n%s", dryRun, what, want, s)
			}
		}
	}
}
