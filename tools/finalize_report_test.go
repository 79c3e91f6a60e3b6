package tools_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/tools"
)

func reportFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for _, pat := range []string{"*.md", "*.json"} {
		m, _ := filepath.Glob(filepath.Join(dir, pat))
		for _, p := range m {
			if filepath.Base(p) != "README.md" {
				out = append(out, p)
			}
		}
	}
	return out
}

func TestFinalizeReportBaselineAndIdempotence(t *testing.T) {
	h := newHarness(t)
	id, exp := h.startDemo()
	// Not yet ended: refused.
	r := h.fail("finalize_report", map[string]any{"session_id": id})
	if !strings.Contains(r.text, "has not ended") {
		t.Errorf("finalize while running:\n%s", r.text)
	}
	assertAbortLine(t, r, id, exp)

	h.pollUntilTerminal(id)
	_, end, _, _ := h.aws.ExperimentTimes(exp)
	h.clock.Set(end.Add(40 * time.Second))
	r = h.ok("finalize_report", map[string]any{"session_id": id})
	if out := output[tools.FinalizeReportOutput](t, r); out.Status != "collecting_baseline" || out.RemainingSeconds != 140 {
		t.Fatalf("finalize before the baseline: status %q remaining %v:\n%s", out.Status, out.RemainingSeconds, r.text)
	}
	if !strings.Contains(r.text, "Collecting post-experiment baseline") || !strings.Contains(r.text, "2m20s") {
		t.Errorf("text:\n%s", r.text)
	}
	if files := reportFiles(t, h.demoPath()); len(files) != 0 {
		t.Fatalf("report written before the baseline: %v", files)
	}
	if s := h.session(id); s.State != session.StateEnded || s.Report != nil {
		t.Fatalf("state %s report %+v", s.State, s.Report)
	}

	mark := h.progressMark()
	r = h.ok("finalize_report", map[string]any{"session_id": id, "wait": true})
	out := output[tools.FinalizeReportOutput](t, r)
	if out.Status != "written" {
		t.Fatalf("finalize wait=true: %s", r.text)
	}
	if now := h.clock.Now(); now.Before(end.Add(3 * time.Minute)) {
		t.Errorf("the report was written at %s, before the end of the baseline %s", now, end.Add(3*time.Minute))
	}
	if p := h.progressSince(mark); len(p) == 0 || !strings.Contains(p[0], "Collecting post-experiment baseline logs") {
		t.Errorf("no countdown progress: %q", p)
	}
	md, js := out.ReportPath, out.JSONPath
	if filepath.Dir(md) != h.demoPath() || filepath.Dir(js) != h.demoPath() {
		t.Errorf("report %s / %s not in the experiment directory", md, js)
	}
	mdText, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{exp, demoTemplate, "completed"} {
		if !strings.Contains(string(mdText), want) {
			t.Errorf("report lacks %q", want)
		}
	}
	var doc map[string]any
	if b, err := os.ReadFile(js); err != nil || json.Unmarshal(b, &doc) != nil {
		t.Fatalf("JSON twin unreadable: %v", err)
	}
	if out.ResourceURI != "fis-mcp://reports/"+id || out.Summary == "" {
		t.Errorf("resource_uri %q summary %q", out.ResourceURI, out.Summary)
	}
	sess := h.session(id)
	if sess.State != session.StateReported || sess.Report == nil || sess.Report.Path != md {
		t.Fatalf("stored: %s %+v", sess.State, sess.Report)
	}
	assertAbortLine(t, r, id, "")

	// Twice: the same report, nothing rewritten.
	info, _ := os.Stat(md)
	r2 := h.ok("finalize_report", map[string]any{"session_id": id, "wait": true})
	if out2 := output[tools.FinalizeReportOutput](t, r2); out2.ReportPath != md || out2.JSONPath != js || out2.Summary != out.Summary {
		t.Errorf("second finalize: %+v", out2)
	}
	if !strings.Contains(r2.text, "already written") {
		t.Errorf("second finalize text:\n%s", r2.text)
	}
	if files := reportFiles(t, h.demoPath()); len(files) != 2 {
		t.Errorf("report files after two finalizes: %v", files)
	}
	if info2, _ := os.Stat(md); !info2.ModTime().Equal(info.ModTime()) {
		t.Errorf("the report was rewritten")
	}

	// The MCP resource serves the Markdown.
	read := mcp.ReadResourceRequest{}
	read.Params.URI = "fis-mcp://reports/" + id
	res, err := h.client.ReadResource(t.Context(), read)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Contents) != 1 {
		t.Fatalf("%d contents", len(res.Contents))
	}
	tc, ok := res.Contents[0].(mcp.TextResourceContents)
	if !ok || tc.Text != string(mdText) || tc.MIMEType != "text/markdown" {
		t.Errorf("resource contents %T mime %q equal=%t", res.Contents[0], tc.MIMEType, tc.Text == string(mdText))
	}
}

func TestFinalizeReportAborted(t *testing.T) {
	cases := []struct {
		name   string
		setup  func(h *harness) string
		reason string
	}{
		{"stopped before the start", func(h *harness) string {
			id := h.healthyDemo()
			h.ok("stop_experiment", map[string]any{"session_id": id, "reason": "change freeze announced"})
			return id
		}, "change freeze announced"},
		{"stack missing", func(h *harness) string {
			h.aws.SetStackStatus(demoStack, "ROLLBACK_COMPLETE")
			return output[tools.ResolveExperimentOutput](h.t, h.ok("resolve_experiment", map[string]any{"path": h.demoPath()})).SessionID
		}, "ROLLBACK_COMPLETE"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			id := tc.setup(h)
			before := h.clock.Now()
			r := h.ok("finalize_report", map[string]any{"session_id": id})
			out := output[tools.FinalizeReportOutput](t, r)
			if out.Status != "written" {
				t.Fatalf("abort report: %s", r.text)
			}
			if h.clock.Now() != before {
				t.Errorf("an abort report waited for a baseline")
			}
			b, err := os.ReadFile(out.ReportPath)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), tc.reason) {
				t.Errorf("abort report lacks the reason %q:\n%s", tc.reason, b)
			}
			if h.session(id).State != session.StateReported {
				t.Errorf("state %s", h.session(id).State)
			}
		})
	}
}

func TestReportResourceBeforeReport(t *testing.T) {
	h := newHarness(t)
	id := h.healthyDemo()
	read := mcp.ReadResourceRequest{}
	read.Params.URI = "fis-mcp://reports/" + id
	if _, err := h.client.ReadResource(t.Context(), read); err == nil || !strings.Contains(err.Error(), "no report yet") {
		t.Errorf("reading a report that does not exist: %v", err)
	}
	read.Params.URI = "fis-mcp://reports/../../etc/passwd"
	if _, err := h.client.ReadResource(t.Context(), read); err == nil {
		t.Errorf("a malformed report URI was served")
	}
}
