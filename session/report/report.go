// Package report analyses the collected application logs of a session and writes
// the experiment results report (Markdown plus a JSON twin) described in
// FORMATS.md. Everything here is a pure function of a session and its log files:
// nothing talks to AWS or Kubernetes.
//
// Entry points: Analyze (log analysis), Render (Markdown + JSON bytes), Write
// (files next to the experiment, never overwriting), Summary (terminal text) and
// Insights (the incremental per-app view used by the poll tool).
package report

import (
	"time"

	"github.com/fis-mcp/fis-mcp/session"
)

// Recovery statuses (FORMATS.md).
const (
	StatusRecovered          = "recovered"
	StatusPartiallyRecovered = "partially_recovered"
	StatusNotRecovered       = "not_recovered"
	StatusNotImpacted        = "not_impacted"
)

// Verdicts of a report (TOOLS.md, finalize_report).
const (
	VerdictPassed       = "passed"
	VerdictFailed       = "failed"
	VerdictInconclusive = "inconclusive"
)

// Results of one criterion.
const (
	CriterionMet           = "met"
	CriterionNotMet        = "not_met"
	CriterionNotMeasurable = "not_measurable"
)

// Whether an action's fault was observed in AWS's own records.
const (
	FaultConfirmed    = "confirmed"
	FaultNotObserved  = "not_observed"
	FaultNotCheckable = "not_checkable"
)

// CriterionResult is one evaluated hypothesis criterion with the fact it rests on.
type CriterionResult struct {
	session.Criterion
	// Result is CriterionMet, CriterionNotMet or CriterionNotMeasurable.
	Result string `json:"result"`
	// Evidence quotes the fact: value, time and source (log file and line range, AWS event, FIS record).
	Evidence string `json:"evidence"`
}

// FaultCheck says whether one action's effect was observed, from AWS's own records.
type FaultCheck struct {
	Action   string `json:"action"`
	ActionID string `json:"action_id,omitempty"`
	// Observed is FaultConfirmed, FaultNotObserved or FaultNotCheckable.
	Observed string `json:"observed"`
	// Evidence quotes the record (or says what was looked for and not found).
	Evidence string `json:"evidence"`
}

// BucketWidth is the width of the error-rate buckets.
const BucketWidth = 10 * time.Second

// DefaultBaseline is the post-experiment observation window.
const DefaultBaseline = 3 * time.Minute

// Options tune Analyze.
type Options struct {
	// Now is the analysis time; it closes the observation window early when the
	// post-experiment baseline has not elapsed yet, and stands in for an unknown end.
	Now time.Time
	// Baseline is how long after the experiment end the observation window stays open (default 3 min).
	Baseline time.Duration
	// Language of the report: "en" or "zh" (default: the session's language).
	Language string
	// FinalizedBy says who had the report written (finalize_report or the run supervisor).
	FinalizedBy string
	// Criteria are the finalize_report criteria argument (used when the start fixed none).
	Criteria []session.Criterion
}

// Analysis is the result of Analyze: the fault window, per-app findings, per-service
// recovery, the merged timeline and the issues to raise.
type Analysis struct {
	GeneratedAt time.Time `json:"generated_at"`
	Language    string    `json:"language"`
	// FinalizedBy is Options.FinalizedBy.
	FinalizedBy string `json:"finalized_by,omitempty"`
	// Aborted is true when no experiment ran (the session was aborted before starting one).
	Aborted bool `json:"aborted"`

	// ExperimentStart/End are the run's start and end (End is Options.Now when unknown).
	ExperimentStart time.Time `json:"experiment_start"`
	ExperimentEnd   time.Time `json:"experiment_end"`
	EndKnown        bool      `json:"end_known"`
	// FaultStart/FaultEnd bound the fault window: first action start to last action end.
	FaultStart time.Time `json:"fault_start"`
	FaultEnd   time.Time `json:"fault_end"`
	// Instantaneous is true when every started action is a one-shot fault (reboot,
	// failover, no duration): recovery is then measured from FaultStart.
	Instantaneous bool `json:"instantaneous"`
	// RecoveryFrom is the reference point of recovery times (FaultEnd, or FaultStart when instantaneous).
	RecoveryFrom time.Time `json:"recovery_from"`
	// WindowClose is where the observation window closes (experiment end + baseline, or Now if earlier).
	WindowClose time.Time `json:"window_close"`
	// StateUnknown is true when the experiment's state is unknown (FIS no longer knows it);
	// StateReason is the reason recorded on the run. Nothing is then reported as recovered
	// or not impacted (undetermined.go).
	StateUnknown bool   `json:"state_unknown"`
	StateReason  string `json:"state_reason,omitempty"`
	// ActionsNeverStarted names the actions of an ended run that never left pending.
	ActionsNeverStarted []string `json:"actions_never_started,omitempty"`

	Apps     []AppAnalysis     `json:"apps"`
	Managed  []ManagedAnalysis `json:"managed"`
	Services []ServiceAnalysis `json:"services"`
	Timeline []TimelineEntry   `json:"timeline"`
	// Recommendations are the evidence-based findings from the signature table.
	Recommendations []Recommendation `json:"recommendations"`
	Issues          []Issue          `json:"issues"`
	// Notes are remarks about the analysis itself (missing files, malformed lines...).
	Notes []string `json:"notes,omitempty"`

	// Faults says, per action, whether its effect was observed (faults.go).
	Faults []FaultCheck `json:"faults"`
	// Verdict is VerdictPassed, VerdictFailed or VerdictInconclusive, from Criteria and
	// Faults (verdict.go); VerdictReasons say why, in the report language.
	Verdict        string            `json:"verdict"`
	VerdictReasons []string          `json:"verdict_reasons,omitempty"`
	Criteria       []CriterionResult `json:"criteria"`
	// History is what runs.jsonl holds about earlier runs of the template (history.go;
	// nil when the run is not part of the history: aborted, dry run, no directory).
	History *RunHistory `json:"history,omitempty"`
}

// AppAnalysis is the log analysis of one application (cluster/namespace/workload).
type AppAnalysis struct {
	Cluster   string `json:"cluster"`
	Namespace string `json:"namespace"`
	Workload  string `json:"workload"`
	Kind      string `json:"kind,omitempty"`
	// Service is the affected resource identifier the app depends on ("" when none).
	Service string `json:"service"`
	// Indirect is true when the app is not tied to an affected resource but its errors rose in the fault window.
	Indirect         bool     `json:"indirect"`
	IndirectEvidence string   `json:"indirect_evidence,omitempty"`
	LogFiles         []string `json:"log_files"`

	Lines     int64 `json:"lines"`
	Malformed int64 `json:"malformed"`
	LongLines int64 `json:"long_lines"`
	// AfterWindow counts lines after the observation window closed (ignored).
	AfterWindow int64 `json:"after_window"`

	// Errors and Warnings are counted over the whole observation (baseline included).
	Errors         int `json:"errors"`
	Warnings       int `json:"warnings"`
	BaselineErrors int `json:"baseline_errors"`
	// BaselineRate is the mean errors per 10 s before the fault (0 when there was no baseline).
	BaselineRate    float64 `json:"baseline_errors_per_10s"`
	BaselineBuckets int     `json:"baseline_buckets"`

	PeakErrors int `json:"peak_errors_per_10s"`
	// PeakAt is the start of the peak's 10 s bucket; peakFirstErr the first error in it.
	PeakAt       *time.Time `json:"peak_at"`
	peakFirstErr *time.Time
	// FirstError and LastError bound the errors at or after the fault start.
	FirstError *time.Time `json:"first_error"`
	LastError  *time.Time `json:"last_error"`
	// TimeToImpact is seconds from fault start to the first error (nil when not impacted).
	TimeToImpact *float64 `json:"time_to_impact_seconds"`
	// RecoveryFrom is this app's recovery reference: the end of the actions targeting
	// its service (their start when instantaneous), else the experiment-wide reference.
	RecoveryFrom       time.Time `json:"recovery_from"`
	InstantaneousFault bool      `json:"instantaneous_fault"`
	// RecoveryRef says, in the report language, what RecoveryFrom is ("end of interrupt-redis").
	RecoveryRef string `json:"recovery_reference,omitempty"`
	// QuietAt is when the error rate went back to the baseline for good: the start of the
	// quiet stretch holding the recovery run, even when it began before RecoveryFrom
	// (RecoverySeconds is then 0). Apps that went quiet together share it.
	QuietAt *time.Time `json:"quiet_at"`
	// RecoverySeconds is seconds from RecoveryFrom to the start of the recovery run.
	RecoverySeconds *float64   `json:"recovery_seconds"`
	RecoveredAt     *time.Time `json:"recovered_at"`
	RecoveryStatus  string     `json:"recovery_status"`
	RecoveryNote    string     `json:"recovery_note,omitempty"`
	// ObservedStatus is the status the logs alone give when RecoveryStatus is withheld
	// (unknown) because the run's state is unknown or no action started (undetermined.go).
	ObservedStatus string `json:"observed_status,omitempty"`

	Buckets         []Bucket         `json:"buckets"`
	Patterns        []Pattern        `json:"patterns"`
	Categories      []CategoryCount  `json:"categories"`
	RecoverySignals []RecoverySignal `json:"recovery_signals"`
	Samples         []string         `json:"samples"`
	Notes           []string         `json:"notes,omitempty"`
}

// Key is cluster/namespace/workload.
func (a *AppAnalysis) Key() string { return a.Cluster + "/" + a.Namespace + "/" + a.Workload }

// Impacted reports whether errors rose above the baseline in the fault window (also when
// the status is withheld because the run's state is unknown: ObservedStatus).
func (a *AppAnalysis) Impacted() bool {
	st := a.RecoveryStatus
	if a.ObservedStatus != "" {
		st = a.ObservedStatus
	}
	return st != "" && st != StatusNotImpacted
}

// Bucket is one 10-second error-rate bucket.
type Bucket struct {
	Start    time.Time `json:"start"`
	Errors   int       `json:"errors"`
	Warnings int       `json:"warnings"`
	Lines    int       `json:"lines"`
}

// Pattern is one mined log template.
type Pattern struct {
	Template string    `json:"pattern"`
	Count    int       `json:"count"`
	First    time.Time `json:"first"`
	Last     time.Time `json:"last"`
	// New is true when the template never occurred before the fault and first appeared after it started.
	New      bool   `json:"new"`
	Severity string `json:"severity"`
	// Category is the failure-mode category of its first line ("" when generic).
	Category string `json:"category,omitempty"`
	Sample   string `json:"-"`
	// sampleInFault tells whether Sample is from the fault window.
	sampleInFault bool
}

// CategoryCount counts the lines of one failure-mode signature at or after the fault start.
type CategoryCount struct {
	Signature      string    `json:"signature"`
	Category       string    `json:"category"`
	Recommendation string    `json:"recommendation_key"`
	Count          int       `json:"count"`
	First          time.Time `json:"first"`
	Last           time.Time `json:"last"`
}

// RecoverySignal is a log line announcing recovery ("reconnected", "failover complete"...).
type RecoverySignal struct {
	Time time.Time `json:"time"`
	Line string    `json:"line"`
}

// ManagedAnalysis is the analysis of one managed service's CloudWatch log events.
type ManagedAnalysis struct {
	Service        string   `json:"service"`
	Identifier     string   `json:"identifier"`
	Enabled        bool     `json:"enabled"`
	LogGroups      []string `json:"log_groups,omitempty"`
	Recommendation string   `json:"recommendation,omitempty"`
	File           string   `json:"file,omitempty"`
	// Logs is the analysis of the fetched file (nil when nothing was fetched).
	Logs *AppAnalysis `json:"logs,omitempty"`
}

// ServiceAnalysis is the recovery verdict of one affected (or indirectly affected) service.
type ServiceAnalysis struct {
	Service    string `json:"service"`
	Identifier string `json:"identifier"`
	Impact     string `json:"impact,omitempty"`
	Indirect   bool   `json:"indirect"`
	// RecoveryStatus is "" when unknown (no application logs and no resource state seen).
	RecoveryStatus string   `json:"recovery_status"`
	Notes          string   `json:"notes"`
	Apps           []string `json:"apps"`
	// FinalState is the last resource state seen while monitoring, if any.
	FinalState string `json:"final_state,omitempty"`
	// Resources are the resolved resources the row stands for when its identifier is a tag
	// or a name (resources.go), each with its observed states.
	Resources []ResourceObservation `json:"resources,omitempty"`
}

// TimelineEntry is one row of the merged timeline.
type TimelineEntry struct {
	Time    time.Time `json:"time"`
	Source  string    `json:"source"`
	Subject string    `json:"subject,omitempty"`
	Event   string    `json:"event"`
}

// Recommendation is one evidence-based finding from the signature table.
type Recommendation struct {
	Key      string    `json:"key"`
	App      string    `json:"app"`
	Service  string    `json:"service,omitempty"`
	Category string    `json:"category"`
	Count    int       `json:"count"`
	First    time.Time `json:"first"`
	Last     time.Time `json:"last"`
	Finding  string    `json:"finding"`
	Advice   string    `json:"recommendation"`
}

// Issue is one numbered entry of "Issues Requiring Attention".
type Issue struct {
	Problem        string `json:"problem"`
	Recommendation string `json:"recommendation"`
}
