package tools_test

import (
	"strings"
	"testing"

	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/tools"
)

// list_sessions carries each reported session's verdict (from its report) in its output
// and its text; a session not reported yet has none.
func TestListSessionsVerdict(t *testing.T) {
	h := newHarness(t)
	reported := output[tools.ResolveExperimentOutput](t, h.ok("resolve_experiment", map[string]any{"template_id": demoTemplate})).SessionID
	open := output[tools.ResolveExperimentOutput](t, h.ok("resolve_experiment", map[string]any{"template_id": demoTemplate})).SessionID
	if _, err := h.store.Update(reported, func(s *session.Session) error {
		s.State = session.StateReported
		s.Report = &session.ReportRef{Path: "/tmp/r.md", JSONPath: "/tmp/r.json", Verdict: "failed"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	ls := h.ok("list_sessions", map[string]any{})
	got := map[string]string{}
	for _, s := range output[tools.ListSessionsOutput](t, ls).Sessions {
		got[s.ID] = s.Verdict
	}
	if got[reported] != "failed" || got[open] != "" {
		t.Errorf("verdicts %v, want %s=failed and none for %s", got, reported, open)
	}
	var line string
	for _, l := range strings.Split(ls.text, "\n") {
		if strings.HasPrefix(l, reported) {
			line = l
		}
	}
	if !strings.Contains(line, "verdict FAILED") {
		t.Errorf("the text line of the reported session lacks its verdict: %q", line)
	}
}
