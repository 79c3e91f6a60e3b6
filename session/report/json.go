package report

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/fis-mcp/fis-mcp/session"
)

// The JSON twin: the keys of FORMATS.md (times RFC 3339 UTC, durations in seconds,
// null where unknown) plus metric series, recommendations and the audit trail.

type jsonReport struct {
	SessionID string `json:"session_id"`
	// Verdict leads: passed / failed / inconclusive, why, the criteria and the fault checks.
	Verdict         string            `json:"verdict"`
	VerdictReasons  []string          `json:"verdict_reasons"`
	Criteria        []CriterionResult `json:"criteria"`
	Faults          []FaultCheck      `json:"faults"`
	ExperimentID    *string           `json:"experiment_id"`
	TemplateID      string            `json:"template_id"`
	Scenario        string            `json:"scenario"`
	StackName       string            `json:"stack_name"`
	Region          string            `json:"region"`
	Status          string            `json:"status"`
	StatusReason    *string           `json:"status_reason"`
	Start           *string           `json:"start"`
	End             *string           `json:"end"`
	DurationSeconds *float64          `json:"duration_seconds"`
	Language        string            `json:"language"`
	DryRun          bool              `json:"dry_run"`
	// Simulated: the run was against the built-in simulated account (--simulate).
	Simulated       bool              `json:"simulated"`
	Aborted         *jsonAbort        `json:"aborted"`
	Health          *jsonHealth       `json:"health"`
	ConfirmedAt     *string           `json:"confirmed_at"`
	ConfirmedBy     *string           `json:"confirmed_by"`
	FaultWindow     jsonWindow        `json:"fault_window"`
	Actions         []jsonAction      `json:"actions"`
	StopConditions  []jsonStop        `json:"stop_conditions"`
	Timeline        []jsonEvent       `json:"timeline"`
	Apps            []jsonApp         `json:"apps"`
	ManagedLogs     []jsonManaged     `json:"managed_logs"`
	Services        []jsonService     `json:"services"`
	Metrics         []jsonMetric      `json:"metrics"`
	Recommendations []jsonRec         `json:"recommendations"`
	Issues          []Issue           `json:"issues"`
	Cleanup         []string          `json:"cleanup"`
	LogDir          *string           `json:"log_dir"`
	APICalls        []session.APICall `json:"api_calls"`
	Notes           []string          `json:"notes"`
	GeneratedAt     *string           `json:"generated_at"`
	// FinalizedBy says who had the report written (finalize_report or the run supervisor).
	FinalizedBy string `json:"finalized_by,omitempty"`

	// LogStreamsNotFollowed: "N streams not followed: …", when the stream limit left any out.
	LogStreamsNotFollowed string `json:"log_streams_not_followed,omitempty"`

	// StateUnknown: the experiment's state is unknown; ActionsNeverStarted: actions that never left pending.
	StateUnknown        bool     `json:"state_unknown"`
	ActionsNeverStarted []string `json:"actions_never_started,omitempty"`

	// AuditChain is the head of the session's audit chain when the report was written (null: none).
	AuditChain *jsonAuditChain `json:"audit_chain"`

	// FISExperimentReport is FIS's own experiment report (fisreport.go; null: not configured).
	FISExperimentReport *fisExperimentReport `json:"fis_experiment_report"`
	// History is the comparison with earlier runs of the template (history.go; null: not part of the history).
	History *jsonHistory `json:"history"`
}

type jsonAuditChain struct {
	Records int    `json:"records"`
	Head    string `json:"head"`
}

type jsonAbort struct {
	At      *string  `json:"at"`
	Reason  string   `json:"reason"`
	Remedy  string   `json:"remedy,omitempty"`
	Details []string `json:"details,omitempty"`
}

type jsonHealth struct {
	Verdict        string   `json:"verdict"`
	OverrideReason *string  `json:"override_reason"`
	OverrideBy     *string  `json:"override_by"`
	Unhealthy      []string `json:"unhealthy"`
	CheckedAt      *string  `json:"checked_at"`
}

type jsonWindow struct {
	FaultStart    *string `json:"fault_start"`
	FaultEnd      *string `json:"fault_end"`
	Instantaneous bool    `json:"instantaneous"`
	RecoveryFrom  *string `json:"recovery_from"`
	WindowClose   *string `json:"window_close"`
}

type jsonAction struct {
	Name            string   `json:"name"`
	ActionID        string   `json:"action_id"`
	Status          string   `json:"status"`
	Reason          *string  `json:"reason"`
	Start           *string  `json:"start"`
	End             *string  `json:"end"`
	DurationSeconds *float64 `json:"duration_seconds"`
}

type jsonStop struct {
	Alarm          string   `json:"alarm"`
	StateDuringRun []string `json:"state_during_run"`
	FinalState     *string  `json:"final_state"`
}

type jsonEvent struct {
	Time    string `json:"time"`
	Source  string `json:"source"`
	Subject string `json:"subject,omitempty"`
	Event   string `json:"event"`
}

type jsonPattern struct {
	Pattern  string `json:"pattern"`
	Count    int    `json:"count"`
	First    string `json:"first"`
	Last     string `json:"last"`
	New      bool   `json:"new"`
	Severity string `json:"severity"`
	Category string `json:"category,omitempty"`
}

type jsonBucket struct {
	Start    string `json:"start"`
	Errors   int    `json:"errors"`
	Warnings int    `json:"warnings"`
}

type jsonApp struct {
	Cluster              string           `json:"cluster"`
	Namespace            string           `json:"namespace"`
	Workload             string           `json:"workload"`
	Service              string           `json:"service"`
	Indirect             bool             `json:"indirect"`
	IndirectEvidence     *string          `json:"indirect_evidence"`
	Errors               int              `json:"errors"`
	Warnings             int              `json:"warnings"`
	Lines                int64            `json:"lines"`
	Malformed            int64            `json:"malformed_lines"`
	BaselineErrorsPer10s float64          `json:"baseline_errors_per_10s"`
	PeakErrorsPer10s     int              `json:"peak_errors_per_10s"`
	PeakAt               *string          `json:"peak_at"`
	TimeToImpactSeconds  *float64         `json:"time_to_impact_seconds"`
	RecoverySeconds      *float64         `json:"recovery_seconds"`
	RecoveredAt          *string          `json:"recovered_at"`
	RecoveryStatus       string           `json:"recovery_status"`
	RecoveryNote         *string          `json:"recovery_note"`
	FirstError           *string          `json:"first_error"`
	LastError            *string          `json:"last_error"`
	Patterns             []jsonPattern    `json:"patterns"`
	Categories           []CategoryCount  `json:"categories"`
	RecoverySignals      []RecoverySignal `json:"recovery_signals"`
	Samples              []string         `json:"samples"`
	ErrorsPer10s         []jsonBucket     `json:"errors_per_10s"`
	LogFiles             []string         `json:"log_files"`
	Notes                []string         `json:"notes"`

	// QuietAt: when the error rate went back to the baseline (absolute; recovery_seconds counts from recovery_from).
	QuietAt           *string `json:"quiet_at"`
	RecoveryFrom      *string `json:"recovery_from"`
	RecoveryReference string  `json:"recovery_reference,omitempty"`
	ObservedStatus    string  `json:"observed_status,omitempty"`
}

type jsonManaged struct {
	Service        string   `json:"service"`
	Identifier     string   `json:"identifier"`
	Enabled        bool     `json:"enabled"`
	LogGroups      []string `json:"log_groups"`
	Recommendation *string  `json:"recommendation"`
	File           *string  `json:"file"`
	Logs           *jsonApp `json:"logs"`
}

type jsonService struct {
	Service        string   `json:"service"`
	Identifier     string   `json:"identifier"`
	Indirect       bool     `json:"indirect"`
	RecoveryStatus *string  `json:"recovery_status"`
	Notes          string   `json:"notes"`
	Apps           []string `json:"apps"`
	FinalState     *string  `json:"final_state"`
	// Resources: the resolved resources a tag or name row stands for, with their states.
	Resources []ResourceObservation `json:"resources,omitempty"`
}

type jsonMetric struct {
	Service    string      `json:"service"`
	Identifier string      `json:"identifier"`
	Namespace  string      `json:"namespace"`
	Metric     string      `json:"metric"`
	Stat       string      `json:"stat"`
	Unit       string      `json:"unit,omitempty"`
	Points     []jsonPoint `json:"points"`
	// PeriodSeconds and HighResolution: the period the points were read with and the metric's resolution.
	PeriodSeconds  int  `json:"period_seconds,omitempty"`
	HighResolution bool `json:"high_resolution,omitempty"`
}

type jsonPoint struct {
	Time  string  `json:"time"`
	Value float64 `json:"value"`
}

type jsonRec struct {
	Key            string `json:"key"`
	App            string `json:"app"`
	Service        string `json:"service,omitempty"`
	Category       string `json:"category"`
	Count          int    `json:"count"`
	First          string `json:"first"`
	Last           string `json:"last"`
	Finding        string `json:"finding"`
	Recommendation string `json:"recommendation"`
}

func rfc(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func rfcp(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := rfc(t)
	return &s
}

func rfcpp(t *time.Time) *string {
	if t == nil {
		return nil
	}
	return rfcp(*t)
}

func strp(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func renderJSON(s *session.Session, a *Analysis, lang string, recs []Recommendation, issues []Issue) ([]byte, error) {
	j := jsonReport{
		SessionID:           s.ID,
		Verdict:             a.Verdict,
		VerdictReasons:      nonNil(a.VerdictReasons),
		Criteria:            nonNil(a.Criteria),
		Faults:              nonNil(a.Faults),
		Simulated:           s.Simulated,
		TemplateID:          s.Experiment.TemplateID,
		Scenario:            s.Experiment.Scenario,
		StackName:           s.Experiment.StackName,
		Region:              s.Experiment.Region,
		Language:            lang,
		GeneratedAt:         rfcp(a.GeneratedAt),
		FinalizedBy:         a.FinalizedBy,
		FaultWindow:         jsonWindow{Instantaneous: a.Instantaneous},
		StateUnknown:        a.StateUnknown,
		ActionsNeverStarted: a.ActionsNeverStarted,
		Cleanup:             nonNil(cleanupCommands(s)),
		APICalls:            nonNil(s.APICalls),
		AuditChain:          auditChainJSON(s),
		FISExperimentReport: fisReportOf(s),
		History:             historyJSON(s, a),
		Notes:               nonNil(a.Notes),
		Issues:              nonNil(issues),
	}
	if a.Aborted {
		j.Status = "aborted"
		if s.Abort != nil {
			j.StatusReason = strp(s.Abort.Reason)
			j.Aborted = &jsonAbort{At: rfcp(s.Abort.At), Reason: s.Abort.Reason, Remedy: s.Abort.Remedy, Details: s.Abort.Details}
		}
	} else {
		r := s.Run
		j.ExperimentID = strp(r.ExperimentID)
		j.Status = r.State
		j.StatusReason = strp(r.Reason)
		j.Start = rfcp(a.ExperimentStart)
		if a.EndKnown {
			j.End = rfcp(a.ExperimentEnd)
			d := a.ExperimentEnd.Sub(a.ExperimentStart).Seconds()
			j.DurationSeconds = &d
		}
		j.DryRun = r.DryRun
		j.ConfirmedAt = rfcp(r.ConfirmedAt)
		j.ConfirmedBy = strp(r.ConfirmedBy)
		j.FaultWindow = jsonWindow{FaultStart: rfcp(a.FaultStart), FaultEnd: rfcp(a.FaultEnd), Instantaneous: a.Instantaneous,
			RecoveryFrom: rfcp(a.RecoveryFrom), WindowClose: rfcp(a.WindowClose)}
		for _, ac := range r.Actions {
			ja := jsonAction{Name: ac.Name, ActionID: ac.ActionID, Status: ac.State, Reason: strp(ac.Reason), Start: rfcpp(ac.StartTime), End: rfcpp(ac.EndTime)}
			if ac.StartTime != nil && ac.EndTime != nil {
				d := ac.EndTime.Sub(*ac.StartTime).Seconds()
				ja.DurationSeconds = &d
			}
			j.Actions = append(j.Actions, ja)
		}
	}
	if s.Confirmation != nil && s.Run == nil {
		j.DryRun = s.Confirmation.DryRun
	}
	if h := s.Health; h != nil {
		jh := &jsonHealth{Verdict: h.Verdict, Unhealthy: []string{}, CheckedAt: rfcp(h.CheckedAt)}
		if h.Override != nil {
			jh.OverrideReason = strp(h.Override.Reason)
			jh.OverrideBy = strp(h.Override.By)
			jh.Unhealthy = nonNil(h.Override.Unhealthy)
		} else {
			for _, r := range h.Resources {
				if !r.Healthy {
					jh.Unhealthy = append(jh.Unhealthy, r.ID)
				}
			}
		}
		j.Health = jh
	}
	j.Actions = nonNil(j.Actions)
	for _, n := range stopConditionAlarms(s) {
		seen, final := alarmStates(s, n)
		j.StopConditions = append(j.StopConditions, jsonStop{Alarm: n, StateDuringRun: nonNil(seen), FinalState: strp(final)})
	}
	j.StopConditions = nonNil(j.StopConditions)
	for _, e := range a.Timeline {
		j.Timeline = append(j.Timeline, jsonEvent{Time: rfc(e.Time), Source: e.Source, Subject: e.Subject, Event: eventText(e)})
	}
	j.Timeline = nonNil(j.Timeline)
	for i := range a.Apps {
		j.Apps = append(j.Apps, appJSON(&a.Apps[i]))
	}
	j.Apps = nonNil(j.Apps)
	for _, m := range a.Managed {
		jm := jsonManaged{Service: m.Service, Identifier: m.Identifier, Enabled: m.Enabled, LogGroups: nonNil(m.LogGroups),
			Recommendation: strp(m.Recommendation), File: strp(m.File)}
		if m.Logs != nil {
			l := appJSON(m.Logs)
			jm.Logs = &l
		}
		j.ManagedLogs = append(j.ManagedLogs, jm)
	}
	j.ManagedLogs = nonNil(j.ManagedLogs)
	for _, sv := range a.Services {
		j.Services = append(j.Services, jsonService{Service: sv.Service, Identifier: sv.Identifier, Indirect: sv.Indirect,
			RecoveryStatus: strp(sv.RecoveryStatus), Notes: sv.Notes, Apps: nonNil(sv.Apps), FinalState: strp(sv.FinalState),
			Resources: sv.Resources})
	}
	j.Services = nonNil(j.Services)
	if s.Observations != nil {
		for _, m := range s.Observations.Metrics {
			jm := jsonMetric{Service: m.Service, Identifier: m.Identifier, Namespace: m.Namespace, Metric: m.Metric, Stat: m.Stat, Unit: m.Unit, Points: []jsonPoint{},
				PeriodSeconds: m.PeriodSeconds, HighResolution: m.HighResolution}
			for _, p := range m.Points {
				jm.Points = append(jm.Points, jsonPoint{Time: rfc(p.Time), Value: p.Value})
			}
			j.Metrics = append(j.Metrics, jm)
		}
	}
	j.Metrics = nonNil(j.Metrics)
	for _, r := range recs {
		j.Recommendations = append(j.Recommendations, jsonRec{Key: r.Key, App: r.App, Service: r.Service, Category: r.Category, Count: r.Count,
			First: rfc(r.First), Last: rfc(r.Last), Finding: r.Finding, Recommendation: r.Advice})
	}
	j.Recommendations = nonNil(j.Recommendations)
	if s.Logs != nil {
		j.LogDir = strp(s.Logs.Dir)
		j.LogStreamsNotFollowed = notFollowedLine(lang, s.Logs)
	}
	out, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("report: marshal JSON: %w", err)
	}
	return append(out, '\n'), nil
}

func appJSON(ap *AppAnalysis) jsonApp {
	ja := jsonApp{Cluster: ap.Cluster, Namespace: ap.Namespace, Workload: ap.Workload, Service: ap.Service, Indirect: ap.Indirect,
		IndirectEvidence: strp(ap.IndirectEvidence), Errors: ap.Errors, Warnings: ap.Warnings, Lines: ap.Lines, Malformed: ap.Malformed,
		BaselineErrorsPer10s: ap.BaselineRate, PeakErrorsPer10s: ap.PeakErrors, PeakAt: rfcpp(ap.PeakAt),
		TimeToImpactSeconds: ap.TimeToImpact, RecoverySeconds: ap.RecoverySeconds, RecoveredAt: rfcpp(ap.RecoveredAt),
		QuietAt: rfcpp(ap.QuietAt), RecoveryFrom: rfcp(ap.RecoveryFrom), RecoveryReference: ap.RecoveryRef, ObservedStatus: ap.ObservedStatus,
		RecoveryStatus: ap.RecoveryStatus, RecoveryNote: strp(ap.RecoveryNote), FirstError: rfcpp(ap.FirstError), LastError: rfcpp(ap.LastError),
		Categories: nonNil(ap.Categories), RecoverySignals: nonNil(ap.RecoverySignals), Samples: nonNil(ap.Samples),
		LogFiles: nonNil(ap.LogFiles), Notes: nonNil(ap.Notes), Patterns: []jsonPattern{}, ErrorsPer10s: []jsonBucket{}}
	for _, p := range ap.Patterns {
		ja.Patterns = append(ja.Patterns, jsonPattern{Pattern: p.Template, Count: p.Count, First: rfc(p.First), Last: rfc(p.Last), New: p.New,
			Severity: p.Severity, Category: p.Category})
	}
	for _, b := range ap.Buckets {
		ja.ErrorsPer10s = append(ja.ErrorsPer10s, jsonBucket{Start: rfc(b.Start), Errors: b.Errors, Warnings: b.Warnings})
	}
	return ja
}

// auditChainJSON is the session's audit chain head, or nil when it has none.
func auditChainJSON(s *session.Session) *jsonAuditChain {
	head, n := s.ChainHead()
	if n == 0 {
		return nil
	}
	return &jsonAuditChain{Records: n, Head: "sha256:" + head}
}
