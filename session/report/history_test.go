package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fis-mcp/fis-mcp/session"
)

// sectionOf returns the body of a "### title" section of md ("" when absent).
func sectionOf(md, title string) string {
	_, s, ok := strings.Cut(md, "### "+title+"\n")
	if !ok {
		return ""
	}
	s, _, _ = strings.Cut(s, "\n### ")
	return s
}

// earlier is a run record of the fixture's template with one app's recovery and peak.
func earlier(id string, day int, status string, rec *float64, peak int) RunRecord {
	start := time.Date(2026, 4, day, 9, 0, 0, 0, time.UTC)
	return RunRecord{SessionID: id, ExperimentID: "EXP" + id, TemplateID: "EXTabc123def456", Start: &start, Status: "completed",
		Verdict: VerdictPassed, Apps: []RunApp{{App: "prod/shop/orders", RecoveryStatus: status, RecoverySeconds: rec, PeakErrors: peak}}}
}

// analyzeIn analyses the fixture session as if its experiment directory were dir.
func analyzeIn(t *testing.T, dir, lang string) (*Analysis, string, []byte) {
	t.Helper()
	s := baseSession()
	s.Experiment.Dir = dir
	a, err := Analyze(s, Options{Now: fixtureNow, Language: lang})
	if err != nil {
		t.Fatal(err)
	}
	md, js, err := Render(s, a, "")
	if err != nil {
		t.Fatal(err)
	}
	return a, string(md), js
}

// The comparison shows the last 5 earlier runs of the same template only (not other
// templates, not this session, not dry runs), oldest first, then this run, with arrows
// against the previous run; a malformed line is skipped with a note, never fatal.
func TestHistoryComparesWithEarlierRuns(t *testing.T) {
	dir := t.TempDir()
	// This run's own figures, to place the earlier runs around them.
	a0, _, _ := analyzeIn(t, dir, "en")
	this := NewRunRecord(baseSession(), a0).slowest()
	tn, _, ok := NewRunRecord(baseSession(), a0).peak()
	if !this.known || this.none || this.rank != 0 || !ok || tn == 0 {
		t.Fatalf("the fixture's run has no recovery to compare: %+v peak %d", this, tn)
	}
	recs := []RunRecord{
		earlier("old-1", 1, StatusRecovered, fptr(10), 1),
		earlier("old-2", 2, StatusRecovered, fptr(10), 1),
		earlier("old-3", 3, StatusNotRecovered, nil, 50),
		earlier("old-4", 4, StatusRecovered, fptr(20), 2),
		earlier("old-5", 5, StatusRecovered, fptr(30), 3),
		earlier("old-6", 6, StatusRecovered, fptr(40), 4),
	}
	other := earlier("other-template", 7, StatusRecovered, fptr(1), 1)
	other.TemplateID = "EXTother"
	dry := earlier("dry", 8, StatusNotImpacted, nil, 0)
	dry.DryRun = true
	self := earlier("sess-0001", 9, StatusRecovered, fptr(1), 1) // this session itself
	// The previous run: slower than this one (this is better), fewer errors (this is worse).
	prev := earlier("prev", 10, StatusRecovered, fptr(this.seconds+30), tn-1)
	for _, r := range append(recs, other, dry, self) {
		if err := AppendRun(dir, r); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.OpenFile(filepath.Join(dir, RunsFile), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString("{\"session_id\": \"torn\n")
	_ = f.Close()
	if err := AppendRun(dir, prev); err != nil {
		t.Fatal(err)
	}

	a, md, js := analyzeIn(t, dir, "en")
	sec := sectionOf(md, "Compared with earlier runs")
	if sec == "" {
		t.Fatalf("no comparison section:\n%s", md)
	}
	for _, id := range []string{"old-3", "old-4", "old-5", "old-6", "prev"} {
		if !strings.Contains(sec, "| `"+id+"` |") {
			t.Errorf("earlier run %s missing:\n%s", id, sec)
		}
	}
	for _, id := range []string{"old-1", "old-2", "other-template", "| `dry` |", "| `sess-0001` |"} {
		if strings.Contains(sec, id) {
			t.Errorf("%s shown, but it is not one of the last 5 earlier runs of the template:\n%s", id, sec)
		}
	}
	if i, j := strings.Index(sec, "`old-3`"), strings.Index(sec, "`prev`"); i > j {
		t.Errorf("earlier runs not oldest first:\n%s", sec)
	}
	if !strings.Contains(sec, "The last 5 of 7 earlier runs") {
		t.Errorf("the count of earlier runs is wrong:\n%s", sec)
	}
	if !strings.Contains(sec, "| not recovered (prod/shop/orders) |") {
		t.Errorf("a run whose app did not recover is not shown as such:\n%s", sec)
	}
	lines := strings.Split(strings.TrimSpace(sec), "\n")
	var thisRow string
	for _, l := range lines {
		if strings.Contains(l, "this run `sess-0001`") {
			thisRow = l
		}
	}
	if !strings.Contains(thisRow, "↑ better") || !strings.Contains(thisRow, "↓ worse") ||
		strings.Index(thisRow, "↑ better") > strings.Index(thisRow, "↓ worse") {
		t.Errorf("this run's row should read slowest recovery ↑ better, peak ↓ worse: %q", thisRow)
	}
	if !strings.Contains(sec, RunsFile+" line 10 skipped: not a JSON run record.") {
		t.Errorf("the torn line is not noted:\n%s", sec)
	}
	if a.History == nil || len(a.History.Earlier) != 5 || a.History.EarlierTotal != 7 {
		t.Errorf("Analysis.History = %+v", a.History)
	}
	var doc struct {
		History *jsonHistory `json:"history"`
	}
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatal(err)
	}
	if h := doc.History; h == nil || len(h.Earlier) != 5 || h.SlowestRecovery != "better" || h.PeakErrors != "worse" || len(h.Notes) != 1 {
		t.Errorf("JSON history: %+v", doc.History)
	}

	_, zhMD, _ := analyzeIn(t, dir, "zh")
	zsec := sectionOf(zhMD, "与之前运行的比较")
	if !strings.Contains(zsec, "更好") || !strings.Contains(zsec, "更差") || !strings.Contains(zsec, "通过") || strings.Contains(zsec, "↑") {
		t.Errorf("the zh comparison should use words:\n%s", zsec)
	}
}

// The first run of a template says there is nothing to compare with yet; an aborted run,
// a dry run and a session without an experiment directory have no comparison at all.
func TestHistoryFirstRunAndExclusions(t *testing.T) {
	dir := t.TempDir()
	_, md, js := analyzeIn(t, dir, "en")
	if sec := sectionOf(md, "Compared with earlier runs"); !strings.Contains(sec, "No earlier run of template `EXTabc123def456`") {
		t.Errorf("first run:\n%s", sec)
	}
	var doc map[string]json.RawMessage
	_ = json.Unmarshal(js, &doc)
	if string(doc["history"]) == "null" {
		t.Error("JSON history is null for a run in the history")
	}
	for name, mutate := range map[string]func(s *session.Session){
		"dry run": func(s *session.Session) { s.Run.DryRun = true },
		"aborted": func(s *session.Session) {
			s.State, s.Run, s.Abort = session.StateAborted, nil, &session.Abort{At: at(10, 20, 5), Reason: "stack not deployed"}
		},
		"no dir": func(s *session.Session) { s.Experiment.Dir = "" },
	} {
		s := baseSession()
		s.Experiment.Dir = dir
		mutate(s)
		a, err := Analyze(s, Options{Now: fixtureNow})
		if err != nil {
			t.Fatal(err)
		}
		md, js, err := Render(s, a, "")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(md), "### Compared with earlier runs") || a.History != nil {
			t.Errorf("%s: a comparison section", name)
		}
		var doc map[string]json.RawMessage
		_ = json.Unmarshal(js, &doc)
		if string(doc["history"]) != "null" {
			t.Errorf("%s: JSON history %s, want null", name, doc["history"])
		}
	}
}

// AppendRun never rewrites earlier lines: it appends after an unterminated last line (on
// a line of its own) and does not record the same session twice.
func TestAppendRunKeepsEarlierLines(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, RunsFile)
	if err := os.WriteFile(path, []byte("not json\n{\"session_id\":\"a\",\"template_id\":\"T\"}"), 0o644); err != nil {
		t.Fatal(err)
	}
	rec := RunRecord{SessionID: "b", TemplateID: "T", Verdict: VerdictFailed}
	for range 2 {
		if err := AppendRun(dir, rec); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := os.ReadFile(path)
	want := "not json\n{\"session_id\":\"a\",\"template_id\":\"T\"}\n"
	if !strings.HasPrefix(string(b), want) || strings.Count(string(b), "\"session_id\":\"b\"") != 1 || !strings.HasSuffix(string(b), "}\n") {
		t.Errorf("runs.jsonl after two appends of b:\n%s", b)
	}
	recs, notes, err := ReadRuns(dir, "en")
	if err != nil || len(recs) != 2 || recs[1].SessionID != "b" || len(notes) != 1 || !strings.Contains(notes[0], "line 1 skipped") {
		t.Errorf("ReadRuns: %+v %q %v", recs, notes, err)
	}
	if recs, notes, err := ReadRuns(t.TempDir(), "en"); err != nil || recs != nil || notes != nil {
		t.Errorf("a missing runs.jsonl: %v %v %v, want no history and no error", recs, notes, err)
	}
}

// compareRecovery: lower is better; a partial recovery is worse than any recovery time,
// a non-recovery worse still; no app impacted is best; unknown is not compared.
func TestCompareRecovery(t *testing.T) {
	rec := func(s float64) recoveryFigure { return recoveryFigure{rank: 0, seconds: s, known: true} }
	tests := []struct {
		name       string
		this, prev recoveryFigure
		want       int
	}{
		{"faster", rec(10), rec(40), cmpBetter},
		{"slower", rec(40), rec(10), cmpWorse},
		{"same whole second", rec(10.2), rec(9.8), cmpSame},
		{"recovered vs not", rec(600), recoveryFigure{rank: 2, known: true}, cmpBetter},
		{"partial vs not", recoveryFigure{rank: 1, known: true}, recoveryFigure{rank: 2, known: true}, cmpBetter},
		{"not vs recovered", recoveryFigure{rank: 2, known: true}, rec(5), cmpWorse},
		{"none impacted vs recovered", recoveryFigure{none: true, known: true}, rec(5), cmpBetter},
		{"unknown", recoveryFigure{}, rec(5), cmpNone},
	}
	for _, tt := range tests {
		if got := compareRecovery(tt.this, tt.prev); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
	}
}
