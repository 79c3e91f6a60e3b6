package tools_test

import (
	"strings"
	"testing"
	"time"

	"github.com/fis-mcp/fis-mcp/tools"
)

// start_experiment takes criteria with the warning (listed there, refused when changed with
// the token), and finalize_report returns the verdict and each criterion with its evidence;
// its text begins with the verdict.
func TestCriteriaFromStartToFinalize(t *testing.T) {
	h := newHarness(t)
	id := h.healthyDemo()
	crits := []any{"every action completes", map[string]any{"subject": "demo-aurora", "measure": "final_state", "bound": "available"}, "users are happy"}

	bad := h.fail("start_experiment", map[string]any{"session_id": id, "criteria": []any{map[string]any{"measure": "latency"}}})
	if !strings.Contains(bad.text, `invalid criteria: criteria[0]: field "measure" is "latency"`) {
		t.Errorf("malformed criterion:\n%s", bad.text)
	}

	r := h.ok("start_experiment", map[string]any{"session_id": id, "criteria": crits})
	warning := r.str("warning")
	for _, want := range []string{"Hypothesis fixed for this run", "every action completes", "demo-aurora: final_state = available", "users are happy (not evaluated"} {
		if !strings.Contains(warning, want) {
			t.Errorf("warning lacks %q:\n%s", want, warning)
		}
	}
	tok := r.str("confirmation_token")
	refused := h.fail("start_experiment", map[string]any{"session_id": id, "confirmation_token": tok, "criteria": []any{"every action completes"}})
	if !strings.Contains(refused.text, "differ from those listed in the impact warning") {
		t.Errorf("changed criteria with the token:\n%s", refused.text)
	}
	if s := h.session(id); s.Run != nil {
		t.Fatalf("a refused start started a run: %+v", s.Run)
	}
	started := h.ok("start_experiment", map[string]any{"session_id": id, "confirmation_token": tok, "criteria": crits})
	if started.str("status") != "started" {
		t.Fatalf("start with the same criteria:\n%s", started.text)
	}
	exp := started.str("experiment_id")
	h.pollUntilTerminal(id)
	_, end, _, _ := h.aws.ExperimentTimes(exp)
	h.clock.Set(end.Add(4 * time.Minute))

	// The start fixed the hypothesis: finalize_report's own criteria are not used.
	fin := h.ok("finalize_report", map[string]any{"session_id": id, "criteria": []any{"no more than 0 errors"}})
	out := output[tools.FinalizeReportOutput](t, fin)
	if out.Status != "written" || out.Verdict == "" {
		t.Fatalf("finalize: %+v\n%s", out, fin.text)
	}
	if out.Verdict != "inconclusive" { // "users are happy" cannot be evaluated
		t.Errorf("verdict %q, want inconclusive", out.Verdict)
	}
	if !strings.HasPrefix(fin.text, "Verdict: INCONCLUSIVE\n") {
		t.Errorf("text does not begin with the verdict:\n%s", fin.text)
	}
	if len(out.Criteria) != 3 {
		t.Fatalf("criteria %+v", out.Criteria)
	}
	c0, c1, c2 := out.Criteria[0], out.Criteria[1], out.Criteria[2]
	if c0.Criterion != "every action completes" || c0.Measure != "action_status" || c0.Bound != "= completed" || c0.Result != "met" || !strings.Contains(c0.Evidence, "FIS action record") {
		t.Errorf("criterion 0: %+v", c0)
	}
	if c1.Subject != "demo-aurora" || c1.Measure != "final_state" || c1.Source != "start_experiment" || c1.Evidence == "" {
		t.Errorf("criterion 1: %+v", c1)
	}
	if c2.Measure != "" || c2.Result != "not_measurable" {
		t.Errorf("criterion 2: %+v", c2)
	}
	// Keys exactly as TOOLS.md names them.
	list := fin.list("criteria")
	m, _ := list[0].(map[string]any)
	for _, k := range []string{"criterion", "subject", "measure", "bound", "result", "evidence"} {
		if _, ok := m[k]; !ok {
			t.Errorf("criteria[0] has no %q: %v", k, m)
		}
	}
	if s := h.session(id); s.Report == nil || s.Report.Verdict != out.Verdict {
		t.Errorf("ReportRef.Verdict not set: %+v", s.Report)
	}

	again := h.ok("finalize_report", map[string]any{"session_id": id, "criteria": []any{"every action completes"}})
	if !strings.Contains(again.text, "The criteria given were not used: the report was already written") {
		t.Errorf("second finalize with criteria:\n%s", again.text)
	}
	if out2 := output[tools.FinalizeReportOutput](t, again); out2.Verdict != out.Verdict || !strings.HasPrefix(again.text, "Verdict: INCONCLUSIVE\nThe report was already written") {
		t.Errorf("second finalize: verdict %q\n%s", out2.Verdict, again.text)
	}
}

// finalize_report's criteria are used when the start fixed none.
func TestFinalizeCriteriaUsedWhenTheStartFixedNone(t *testing.T) {
	h := newHarness(t)
	id, exp := h.startDemo()
	h.pollUntilTerminal(id)
	_, end, _, _ := h.aws.ExperimentTimes(exp)
	h.clock.Set(end.Add(4 * time.Minute))
	fin := h.ok("finalize_report", map[string]any{"session_id": id, "criteria": []any{"every action completes"}})
	out := output[tools.FinalizeReportOutput](t, fin)
	if len(out.Criteria) != 1 || out.Criteria[0].Source != "finalize_report" || out.Criteria[0].Result != "met" {
		t.Fatalf("criteria %+v\n%s", out.Criteria, fin.text)
	}
	if len(out.Faults) == 0 {
		t.Errorf("no faults in the result")
	}
}
