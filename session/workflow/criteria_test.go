package workflow_test

import (
	"context"
	"strings"
	"testing"

	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/hypothesis"
	"github.com/fis-mcp/fis-mcp/session/workflow"
)

// Criteria given with the warning step are listed in the impact warning (unreadable ones
// marked not evaluated), kept on the confirmation and copied to the run when it starts; a
// token call carrying other criteria is refused and starts nothing.
func TestEngineStartCriteriaFixedWithTheWarning(t *testing.T) {
	s := newStartEnv(t)
	ctx := context.Background()
	id := s.healthy()
	crits, err := hypothesis.FromArgs([]any{
		"demo-aurora is back to available",
		map[string]any{"subject": "orders-api", "measure": "recovery_seconds", "bound": "<= 60 s"},
		"the shop feels fine",
	}, hypothesis.SourceStart)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.e.RequestStart(ctx, workflow.StartRequest{SessionID: id, Criteria: crits})
	if err != nil || res.Prompt == nil {
		t.Fatalf("RequestStart: %v %+v", err, res)
	}
	w := res.Prompt.Warning
	for _, want := range []string{
		"Hypothesis fixed for this run",
		"demo-aurora is back to available (read as: demo-aurora: final_state = available)",
		"orders-api: recovery_seconds <= 60 s",
		"the shop feels fine (not evaluated",
	} {
		if !strings.Contains(w, want) {
			t.Errorf("warning lacks %q:\n%s", want, w)
		}
	}
	if got := s.session(id).Confirmation.Criteria; len(got) != 3 || got[0].Measure != hypothesis.MeasureFinalState {
		t.Fatalf("confirmation criteria %+v", got)
	}

	other := []session.Criterion{hypothesis.Parse("every action completes", hypothesis.SourceStart)}
	if err := s.e.CheckStartCriteria(id, other); err == nil || !strings.Contains(err.Error(), "differ from those listed in the impact warning") {
		t.Fatalf("different criteria with the token: %v", err)
	}
	if err := s.e.CheckStartCriteria(id, crits); err != nil {
		t.Fatalf("the same criteria with the token: %v", err)
	}
	if err := s.e.CheckStartCriteria(id, nil); err != nil {
		t.Fatalf("no criteria with the token: %v", err)
	}

	started, err := s.e.ConfirmStart(ctx, id, workflow.Confirmation{Token: res.Prompt.Token})
	if err != nil || started.Experiment.ID == "" {
		t.Fatalf("ConfirmStart: %v %+v", err, started)
	}
	run := s.session(id).Run
	if len(run.Criteria) != 3 || run.Criteria[1].Subject != "orders-api" || run.Criteria[1].Bound != "60" || run.Criteria[2].Measure != "" {
		t.Fatalf("Run.Criteria = %+v", run.Criteria)
	}
}

// Without criteria the warning says nothing about a hypothesis and the run fixes none.
func TestEngineStartWithoutCriteria(t *testing.T) {
	s := newStartEnv(t)
	id := s.healthy()
	res, err := s.e.RequestStart(context.Background(), workflow.StartRequest{SessionID: id})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(res.Prompt.Warning, "Hypothesis fixed") {
		t.Errorf("warning lists a hypothesis nobody gave:\n%s", res.Prompt.Warning)
	}
	if _, err := s.e.ConfirmStart(context.Background(), id, workflow.Confirmation{Token: res.Prompt.Token}); err != nil {
		t.Fatal(err)
	}
	if c := s.session(id).Run.Criteria; len(c) != 0 {
		t.Fatalf("Run.Criteria = %+v", c)
	}
}

// Without criteria, a README hypothesis is shown as what the verdict will use.
func TestEngineStartWarningShowsTheReadmeHypothesis(t *testing.T) {
	s := newStartEnv(t)
	id := s.healthy()
	if _, err := s.e.Store.Update(id, func(sess *session.Session) error {
		sess.Experiment.Hypothesis = []string{"orders-api recovers within 90 seconds"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	res, err := s.e.RequestStart(context.Background(), workflow.StartRequest{SessionID: id})
	if err != nil {
		t.Fatal(err)
	}
	if w := res.Prompt.Warning; !strings.Contains(w, "Hypothesis of README.md") || !strings.Contains(w, "  - orders-api recovers within 90 seconds\n") {
		t.Errorf("warning:\n%s", w)
	}
}
