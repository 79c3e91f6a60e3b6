package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/fis-mcp/fis-mcp/session"
)

// RunsFile is the run history in an experiment directory: one JSON line per finalized
// run, appended (never rewritten) after its report is written.
const RunsFile = "runs.jsonl"

// historyRows is how many earlier runs of the same template the report compares with.
const historyRows = 5

// maxRunLine bounds one runs.jsonl line when reading (a longer line is skipped with a note).
const maxRunLine = 1 << 20

// RunRecord is one line of runs.jsonl.
type RunRecord struct {
	SessionID    string     `json:"session_id"`
	ExperimentID string     `json:"experiment_id"`
	TemplateID   string     `json:"template_id"`
	Scenario     string     `json:"scenario,omitempty"`
	Start        *time.Time `json:"start"`
	End          *time.Time `json:"end"`
	// Status is the experiment's final FIS state (completed, stopped, failed...).
	Status  string `json:"status"`
	Verdict string `json:"verdict"`
	// Simulated: the run was against the built-in simulated account.
	Simulated bool          `json:"simulated"`
	DryRun    bool          `json:"dry_run,omitempty"`
	Apps      []RunApp      `json:"apps"`
	Resources []RunResource `json:"resources"`
	// Report is the Markdown report's path.
	Report    string    `json:"report,omitempty"`
	WrittenAt time.Time `json:"written_at"`
}

// RunApp is one app's recovery in a run.
type RunApp struct {
	App             string   `json:"app"`
	Service         string   `json:"service,omitempty"`
	RecoveryStatus  string   `json:"recovery_status"`
	RecoverySeconds *float64 `json:"recovery_seconds"`
	PeakErrors      int      `json:"peak_errors_per_10s"`
}

// RunResource is one affected resource's recovery and last state in a run.
type RunResource struct {
	Service        string `json:"service"`
	Identifier     string `json:"identifier"`
	RecoveryStatus string `json:"recovery_status"`
	FinalState     string `json:"final_state,omitempty"`
}

// RunHistory is what runs.jsonl held about earlier runs of the same template when the
// report was analysed.
type RunHistory struct {
	Path string `json:"path"`
	// Earlier are the last (at most 5) earlier runs of the template, oldest first.
	Earlier []RunRecord `json:"earlier"`
	// EarlierTotal counts every earlier run of the template in the file.
	EarlierTotal int `json:"earlier_total"`
	// Notes are remarks about the file (malformed lines skipped, unreadable file).
	Notes []string `json:"notes,omitempty"`
}

// Historic reports whether a session's run belongs in the run history: an experiment
// was started (not a dry run) from an experiment directory.
func Historic(s *session.Session) bool {
	return s != nil && s.Experiment.Dir != "" && s.Run != nil && s.Run.ExperimentID != "" && !s.Run.DryRun
}

// NewRunRecord is the runs.jsonl line of a finalized session and its analysis.
func NewRunRecord(s *session.Session, a *Analysis) RunRecord {
	rec := RunRecord{
		SessionID: s.ID, TemplateID: s.Experiment.TemplateID, Scenario: s.Experiment.Scenario,
		Verdict: a.Verdict, Simulated: s.Simulated, Apps: []RunApp{}, Resources: []RunResource{},
		WrittenAt: a.GeneratedAt,
	}
	if r := s.Run; r != nil {
		rec.ExperimentID, rec.Status, rec.DryRun = r.ExperimentID, r.State, r.DryRun
		rec.Start, rec.End = utcCopy(r.StartTime), utcCopy(r.EndTime)
		if rec.Start == nil && !r.RequestedAt.IsZero() {
			rec.Start = utcCopy(&r.RequestedAt)
		}
	}
	if s.Report != nil {
		rec.Report = s.Report.Path
	}
	for i := range a.Apps {
		ap := &a.Apps[i]
		rec.Apps = append(rec.Apps, RunApp{App: ap.Key(), Service: ap.Service, RecoveryStatus: ap.RecoveryStatus,
			RecoverySeconds: ap.RecoverySeconds, PeakErrors: ap.PeakErrors})
	}
	for _, sv := range a.Services {
		rec.Resources = append(rec.Resources, RunResource{Service: sv.Service, Identifier: sv.Identifier,
			RecoveryStatus: sv.RecoveryStatus, FinalState: sv.FinalState})
	}
	return rec
}

func utcCopy(t *time.Time) *time.Time {
	if t == nil || t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// AppendRun appends rec as one line to dir/runs.jsonl: one write of the whole line on a
// file opened O_APPEND, under an exclusive lock on the file, after a newline when the last
// line was left unterminated. Earlier lines are never rewritten; a session already in the
// file is not appended again.
func AppendRun(dir string, rec RunRecord) error {
	if dir == "" {
		return errors.New("no experiment directory")
	}
	line, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode the run record: %w", err)
	}
	line = append(line, '\n')
	path := filepath.Join(dir, RunsFile)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	unlock, err := lockRuns(f)
	if err != nil {
		return fmt.Errorf("lock %s: %w", path, err)
	}
	defer unlock()
	recs, _, err := readRuns(f)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	for _, r := range recs {
		if r.SessionID == rec.SessionID {
			return nil // already recorded (a repeated finalize)
		}
	}
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("stat %s: %w", path, err)
	}
	if st.Size() > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, st.Size()-1); err == nil && last[0] != '\n' {
			line = append([]byte{'\n'}, line...)
		}
	}
	if _, err := f.Write(line); err != nil {
		return fmt.Errorf("append to %s: %w", path, err)
	}
	return nil
}

// malformedLine records one runs.jsonl line that could not be read.
type malformedLine struct {
	line int
	why  string
}

// readRuns reads every well-formed record of a runs.jsonl stream, in file order, and the
// malformed lines it skipped.
func readRuns(r io.Reader) ([]RunRecord, []malformedLine, error) {
	br := bufio.NewReader(r)
	var recs []RunRecord
	var bad []malformedLine
	for n := 1; ; n++ {
		raw, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(raw)) > 0 {
			var rec RunRecord
			switch {
			case len(raw) > maxRunLine:
				bad = append(bad, malformedLine{n, "longer than 1 MiB"})
			case json.Unmarshal(raw, &rec) != nil:
				bad = append(bad, malformedLine{n, "not a JSON run record"})
			case rec.SessionID == "" || rec.TemplateID == "":
				bad = append(bad, malformedLine{n, "no session_id or template_id"})
			default:
				recs = append(recs, rec)
			}
		}
		if errors.Is(err, io.EOF) {
			return recs, bad, nil
		}
		if err != nil {
			return recs, bad, err
		}
	}
}

// ReadRuns reads dir/runs.jsonl: the well-formed records in file order and a note per
// malformed line skipped (in lang). A missing file is no history, not an error.
func ReadRuns(dir, lang string) ([]RunRecord, []string, error) {
	path := filepath.Join(dir, RunsFile)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	recs, bad, err := readRuns(f)
	var notes []string
	for _, b := range bad {
		notes = append(notes, tr(lang, "%s line %d skipped: %s.", RunsFile, b.line, tr(lang, b.why)))
	}
	return recs, notes, err
}

// loadHistory reads the earlier runs of the session's template at Analyze time (nil when
// the session's run is not part of the history).
func loadHistory(s *session.Session, lang string) *RunHistory {
	if !Historic(s) {
		return nil
	}
	h := &RunHistory{Path: filepath.Join(s.Experiment.Dir, RunsFile), Earlier: []RunRecord{}}
	recs, notes, err := ReadRuns(s.Experiment.Dir, lang)
	h.Notes = notes
	if err != nil {
		h.Notes = append(h.Notes, tr(lang, "%s could not be read: %s", h.Path, err.Error()))
	}
	var same []RunRecord
	for _, r := range recs {
		if r.TemplateID == s.Experiment.TemplateID && r.SessionID != s.ID && !r.DryRun {
			same = append(same, r)
		}
	}
	h.EarlierTotal = len(same)
	if len(same) > historyRows {
		same = same[len(same)-historyRows:]
	}
	h.Earlier = append(h.Earlier, same...)
	return h
}

// recoveryFigure is a run's slowest recovery: rank 0 = every impacted app recovered (or
// none was impacted) after seconds, 1 = one only partially recovered, 2 = one did not
// recover. known is false when the run had no application logs.
type recoveryFigure struct {
	rank    int
	seconds float64
	app     string
	none    bool // no app impacted
	known   bool
}

func (r RunRecord) slowest() recoveryFigure {
	f := recoveryFigure{none: true}
	for _, ap := range r.Apps {
		rank := -1
		switch ap.RecoveryStatus {
		case StatusRecovered:
			rank = 0
		case StatusPartiallyRecovered:
			rank = 1
		case StatusNotRecovered:
			rank = 2
		case StatusNotImpacted:
			f.known = true
			continue
		default:
			continue
		}
		f.known = true
		sec := 0.0
		if ap.RecoverySeconds != nil {
			sec = *ap.RecoverySeconds
		}
		if f.none || rank > f.rank || rank == f.rank && sec > f.seconds {
			f.rank, f.seconds, f.app, f.none = rank, sec, ap.App, false
		}
	}
	return f
}

// peak is the run's highest errors per 10 s over its apps (known false without apps).
func (r RunRecord) peak() (n int, app string, known bool) {
	for _, ap := range r.Apps {
		if !known || ap.PeakErrors > n {
			n, app, known = ap.PeakErrors, ap.App, true
		}
	}
	return n, app, known
}

// Comparison results against the previous run.
const (
	cmpBetter = 1
	cmpSame   = 0
	cmpWorse  = -1
	cmpNone   = 2 // not comparable
)

// compareRecovery compares this run's slowest recovery with the previous run's (whole seconds).
func compareRecovery(this, prev recoveryFigure) int {
	if !this.known || !prev.known {
		return cmpNone
	}
	key := func(f recoveryFigure) (int, float64) {
		if f.none {
			return 0, 0
		}
		if f.rank > 0 {
			return f.rank, 0
		}
		return 0, math.Round(f.seconds)
	}
	tr, ts := key(this)
	pr, ps := key(prev)
	switch {
	case tr < pr || tr == pr && ts < ps:
		return cmpBetter
	case tr == pr && ts == ps:
		return cmpSame
	}
	return cmpWorse
}

func compareInts(this, prev int, known bool) int {
	switch {
	case !known:
		return cmpNone
	case this < prev:
		return cmpBetter
	case this == prev:
		return cmpSame
	}
	return cmpWorse
}

// history renders the "Compared with earlier runs" table (runs.jsonl).
func (r *renderer) history() {
	h := r.a.History
	if h == nil {
		return
	}
	r.p("### Compared with earlier runs")
	r.nl()
	this := NewRunRecord(r.s, r.a)
	if len(h.Earlier) == 0 {
		r.p("No earlier run of template %s is recorded in %s: this run is the first the next reports will compare with.", "`"+orDash(r.s.Experiment.TemplateID)+"`", "`"+h.Path+"`")
		r.nl()
	} else {
		r.p("The last %d of %d earlier runs of template %s recorded in %s, then this run. Arrows compare this run with the previous one (lower is better; a run in which an app did not recover is worse than any recovery time).",
			len(h.Earlier), h.EarlierTotal, "`"+orDash(r.s.Experiment.TemplateID)+"`", "`"+h.Path+"`")
		r.nl()
		r.header("Run start (UTC)", "Session ID", "Run verdict", "Slowest recovery", "Peak errors per 10 s")
		for _, rec := range h.Earlier {
			r.row(runDate(rec), "`"+rec.SessionID+"`", r.verdictWord(rec.Verdict), r.recoveryCell(rec.slowest()), r.peakCell(rec))
		}
		prev := h.Earlier[len(h.Earlier)-1]
		pn, _, pok := prev.peak()
		tn, _, tok := this.peak()
		rec := r.recoveryCell(this.slowest()) + r.arrow(compareRecovery(this.slowest(), prev.slowest()))
		peak := r.peakCell(this) + r.arrow(compareInts(tn, pn, pok && tok))
		r.row(runDate(this), r.t("this run")+" `"+this.SessionID+"`", r.verdictWord(this.Verdict), rec, peak)
		r.nl()
	}
	for _, n := range h.Notes {
		r.raw("- ⚠️ " + n + "\n")
	}
	if len(h.Notes) > 0 {
		r.nl()
	}
}

func runDate(rec RunRecord) string {
	if rec.Start == nil {
		return "—"
	}
	return rec.Start.UTC().Format("2006-01-02 15:04")
}

func (r *renderer) arrow(c int) string {
	switch c {
	case cmpBetter:
		return " " + r.t("↑ better")
	case cmpWorse:
		return " " + r.t("↓ worse")
	case cmpSame:
		return " " + r.t("= same")
	}
	return ""
}

func (r *renderer) recoveryCell(f recoveryFigure) string {
	switch {
	case !f.known:
		return r.t("no application logs")
	case f.none:
		return r.t("no app impacted")
	case f.rank == 2:
		return r.t("not recovered (%s)", f.app)
	case f.rank == 1:
		return r.t("partially recovered (%s)", f.app)
	}
	return fmtSeconds(r.lang, math.Round(f.seconds)) + " (" + f.app + ")"
}

func (r *renderer) peakCell(rec RunRecord) string {
	n, app, ok := rec.peak()
	if !ok {
		return "—"
	}
	if n == 0 {
		return "0"
	}
	return fmt.Sprintf("%d (%s)", n, app)
}

// verdictWord is a history row's verdict (verdict.go's words; "—" for a line without one).
func (r *renderer) verdictWord(v string) string {
	if v == "" {
		return "—"
	}
	return verdictText(r.lang, v)
}

// jsonHistory is the JSON twin's history: the earlier runs compared with and this run's record.
type jsonHistory struct {
	Path         string      `json:"path"`
	Earlier      []RunRecord `json:"earlier"`
	EarlierTotal int         `json:"earlier_total"`
	ThisRun      RunRecord   `json:"this_run"`
	// SlowestRecovery and PeakErrors compare this run with the previous one:
	// "better", "worse", "same" or "" (not comparable, or no earlier run).
	SlowestRecovery string   `json:"slowest_recovery_vs_previous"`
	PeakErrors      string   `json:"peak_errors_vs_previous"`
	Notes           []string `json:"notes"`
}

func historyJSON(s *session.Session, a *Analysis) *jsonHistory {
	h := a.History
	if h == nil {
		return nil
	}
	this := NewRunRecord(s, a)
	j := &jsonHistory{Path: h.Path, Earlier: h.Earlier, EarlierTotal: h.EarlierTotal, ThisRun: this, Notes: h.Notes}
	if j.Earlier == nil {
		j.Earlier = []RunRecord{}
	}
	if j.Notes == nil {
		j.Notes = []string{}
	}
	if n := len(h.Earlier); n > 0 {
		prev := h.Earlier[n-1]
		pn, _, pok := prev.peak()
		tn, _, tok := this.peak()
		j.SlowestRecovery = cmpWord(compareRecovery(this.slowest(), prev.slowest()))
		j.PeakErrors = cmpWord(compareInts(tn, pn, pok && tok))
	}
	return j
}

func cmpWord(c int) string {
	switch c {
	case cmpBetter:
		return "better"
	case cmpWorse:
		return "worse"
	case cmpSame:
		return "same"
	}
	return ""
}
