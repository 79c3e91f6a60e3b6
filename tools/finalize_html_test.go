package tools_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fis-mcp/fis-mcp/tools"
)

// finalize_report writes the HTML twin next to the Markdown, returns it as html_path,
// names it in the text, stores it on the session and returns it again on a second call.
func TestFinalizeReportHTMLTwin(t *testing.T) {
	h := newHarness(t)
	id, exp := h.startDemo()
	h.pollUntilTerminal(id)
	_, end, _, _ := h.aws.ExperimentTimes(exp)
	h.clock.Set(end.Add(4 * time.Minute))
	r := h.ok("finalize_report", map[string]any{"session_id": id})
	out := output[tools.FinalizeReportOutput](t, r)
	if out.Status != "written" || out.HTMLPath == "" {
		t.Fatalf("finalize: status %q html_path %q:\n%s", out.Status, out.HTMLPath, r.text)
	}
	if filepath.Dir(out.HTMLPath) != filepath.Dir(out.ReportPath) ||
		strings.TrimSuffix(out.HTMLPath, ".html") != strings.TrimSuffix(out.ReportPath, ".md") {
		t.Errorf("html %s is not the twin of %s", out.HTMLPath, out.ReportPath)
	}
	page, err := os.ReadFile(out.HTMLPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(page), "<!DOCTYPE html>") || strings.Contains(strings.ToLower(string(page)), "<script") ||
		(out.Verdict != "" && !strings.Contains(string(page), strings.ToUpper(out.Verdict))) {
		t.Errorf("html twin:\n%.400s", page)
	}
	if !strings.Contains(r.text, out.HTMLPath) {
		t.Errorf("the text does not name the HTML file:\n%s", r.text)
	}
	if s := h.session(id); s.Report == nil || s.Report.HTMLPath != out.HTMLPath {
		t.Fatalf("stored report %+v", s.Report)
	}
	r2 := h.ok("finalize_report", map[string]any{"session_id": id})
	if out2 := output[tools.FinalizeReportOutput](t, r2); out2.HTMLPath != out.HTMLPath {
		t.Errorf("second finalize html_path %q, want %q", out2.HTMLPath, out.HTMLPath)
	}
}
