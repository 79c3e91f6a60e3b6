package awstest

import (
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/fis-mcp/fis-mcp/session/isoduration"
)

// ExperimentTemplate is a seeded FIS experiment template.
type ExperimentTemplate struct {
	ID             string
	Description    string
	RoleArn        string
	Actions        map[string]TemplateAction
	Targets        map[string]TemplateTarget
	StopConditions []StopCondition
	// ExperimentOptions uses the wire keys: accountTargeting, emptyTargetResolutionMode.
	ExperimentOptions   map[string]string
	ReportConfiguration *TemplateReportConfiguration
	Tags                map[string]string
	// CreationTime defaults to the simulation time of AddExperimentTemplate.
	CreationTime time.Time
}

// TemplateAction is one action of a template. Parameters["duration"] (ISO 8601, e.g. PT2M)
// sets how long the action runs in the simulation.
type TemplateAction struct {
	ActionID    string
	Description string
	Parameters  map[string]string
	Targets     map[string]string
	StartAfter  []string
}

// TemplateTarget is one target of a template.
type TemplateTarget struct {
	ResourceType  string
	ResourceArns  []string
	ResourceTags  map[string]string
	Filters       []TemplateTargetFilter
	SelectionMode string
	Parameters    map[string]string
}

// TemplateTargetFilter is a FIS target filter.
type TemplateTargetFilter struct {
	Path   string
	Values []string
}

// StopCondition is a template stop condition (Source "none" or "aws:cloudwatch:alarm").
type StopCondition struct {
	Source string
	Value  string
}

// TemplateReportConfiguration is a template's experiment report configuration.
type TemplateReportConfiguration struct {
	S3Bucket             string
	S3Prefix             string
	CloudWatchDashboards []string
	// PreExperimentDuration and PostExperimentDuration are ISO 8601 durations (e.g. PT5M).
	PreExperimentDuration  string
	PostExperimentDuration string
}

// FISTiming sets how experiments progress on the server clock. Zero fields take the defaults.
type FISTiming struct {
	// Pending is how long a new experiment stays pending (default 1 s; part of Initiating).
	Pending time.Duration
	// Initiating is the time from the start request to running (default 3 s).
	Initiating time.Duration
	// DefaultAction is how long an action without a duration parameter lasts (default 10 s).
	DefaultAction time.Duration
	// Stopping is how long stopping lasts before stopped (default 2 s).
	Stopping time.Duration
	// StuckInitiating keeps new experiments initiating forever (e.g. an IAM role not yet propagated).
	StuckInitiating bool
	// ReportGeneration is how long FIS takes to generate an experiment report after the
	// post-experiment duration (default 30 s; fis_report.go).
	ReportGeneration time.Duration
}

// StartedExperiment records one experiment actually started (a repeated client token is not recorded again).
type StartedExperiment struct {
	ID          string
	TemplateID  string
	ClientToken string
	Tags        map[string]string
	ActionsMode string
	Time        time.Time
}

// fisState is the fake's FIS state.
type fisState struct {
	templates   map[string]*ExperimentTemplate
	experiments map[string]*fisExperiment
	order       []string          // experiment IDs in creation order
	tokens      map[string]string // client token → experiment ID
	timing      FISTiming
	failures    map[string]map[string]fisFailure // template → action → failure
	stopKnobs   map[string]fisStopKnob           // template → stop condition trigger
	resolved    map[string]map[string][]string   // template → target → identifiers
	started     []StartedExperiment
	// lever is the account's safety lever in this Region (one per account and Region, id
	// "default"; https://docs.aws.amazon.com/fis/latest/userguide/safety-lever.html).
	lever fisSafetyLever
	// nextID names new experiments (nil: EXP + a counter; fis_persist.go).
	nextID func() string
}

type fisSafetyLever struct{ status, reason string }

// SafetyLeverID is the ID of an account's safety lever (one per account and Region).
const SafetyLeverID = "default"

type fisFailure struct {
	after  time.Duration
	reason string
}

type fisStopKnob struct {
	after  time.Duration
	reason string
}

type fisResolvedTarget struct {
	targetName, resourceType, identifier string
}

type fisExperiment struct {
	id, templateID, clientToken, actionsMode string
	tags                                     map[string]string
	tmpl                                     ExperimentTemplate
	created                                  time.Time
	timing                                   FISTiming
	failures                                 map[string]fisFailure
	// stopAt is when a stop was requested or a stop condition fired (zero: never).
	stopAt     time.Time
	stopReason string
	targets    []fisResolvedTarget
	// resolveFail is why the experiment failed at start (a target resolved nothing under
	// emptyTargetResolutionMode fail); skipped are the actions skipped under skip.
	resolveFail string
	skipped     map[string]bool
	// cancelled is why the experiment was cancelled at start (the safety lever was engaged).
	cancelled string
}

// fisNever stands for "does not happen".
var fisNever = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

const (
	fisStatePending    = "pending"
	fisStateInitiating = "initiating"
	fisStateRunning    = "running"
	fisStateCompleted  = "completed"
	fisStateStopping   = "stopping"
	fisStateStopped    = "stopped"
	fisStateFailed     = "failed"
	fisStateCancelled  = "cancelled"
	fisStateSkipped    = "skipped"

	fisSkipAll = "skip-all"
	fisRunAll  = "run-all"
)

func fisService() *service {
	return &service{
		protocol: protoRestJSON,
		route: restRouter(
			restRoute{Method: http.MethodGet, Pattern: "/experimentTemplates", Op: "ListExperimentTemplates"},
			restRoute{Method: http.MethodGet, Pattern: "/experimentTemplates/{id}", Op: "GetExperimentTemplate"},
			restRoute{Method: http.MethodGet, Pattern: "/experimentTemplates/{id}/targetAccountConfigurations", Op: "ListTargetAccountConfigurations"}, // accounts.go
			restRoute{Method: http.MethodPost, Pattern: "/experiments", Op: "StartExperiment"},
			restRoute{Method: http.MethodGet, Pattern: "/experiments", Op: "ListExperiments"},
			restRoute{Method: http.MethodGet, Pattern: "/experiments/{id}", Op: "GetExperiment"},
			restRoute{Method: http.MethodDelete, Pattern: "/experiments/{id}", Op: "StopExperiment"},
			restRoute{Method: http.MethodGet, Pattern: "/experiments/{experimentId}/resolvedTargets", Op: "ListExperimentResolvedTargets"},
			restRoute{Method: http.MethodGet, Pattern: "/safetyLevers/{id}", Op: "GetSafetyLever"},
		),
		handle: handleFIS,
	}
}

// ---- seeding and knobs ----

// AddExperimentTemplate seeds (or replaces) an experiment template.
func (s *Server) AddExperimentTemplate(t ExperimentTemplate) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fis.templates == nil {
		s.fis.templates = map[string]*ExperimentTemplate{}
	}
	cp := fisCopyTemplate(t)
	if cp.CreationTime.IsZero() {
		cp.CreationTime = s.clock.Now()
	}
	s.fis.templates[cp.ID] = &cp
}

// SetFISTiming sets the timing of experiments started from now on.
func (s *Server) SetFISTiming(t FISTiming) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fis.timing = t
}

// FailAction makes the named action of experiments started from templateID (from now on) fail
// `after` its start (clamped to its duration), failing the experiment with reason.
func (s *Server) FailAction(templateID, actionName string, after time.Duration, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fis.failures == nil {
		s.fis.failures = map[string]map[string]fisFailure{}
	}
	if s.fis.failures[templateID] == nil {
		s.fis.failures[templateID] = map[string]fisFailure{}
	}
	s.fis.failures[templateID][actionName] = fisFailure{after: after, reason: reason}
}

// StopConditionAfter makes a stop condition of experiments started from templateID (from now on)
// fire `after` the experiment's start: the experiment goes stopping, then stopped with reason.
func (s *Server) StopConditionAfter(templateID string, after time.Duration, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fis.stopKnobs == nil {
		s.fis.stopKnobs = map[string]fisStopKnob{}
	}
	s.fis.stopKnobs[templateID] = fisStopKnob{after: after, reason: reason}
}

// TriggerStopCondition fires a stop condition of a running experiment now (as an alarm going to ALARM would).
// It reports whether the experiment was still active.
func (s *Server) TriggerStopCondition(experimentID, reason string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.fis.experiments[experimentID]
	if e == nil {
		return false
	}
	now := s.clock.Now()
	if fisTerminal(e.view(now).status) || !e.stopAt.IsZero() && !now.Before(e.stopAt) {
		return false
	}
	e.stopAt, e.stopReason = now, reason
	return true
}

// SetResolvedTargets sets the resources FIS resolves for a target of templateID (e.g. for
// tag-selected targets); without it, a target resolves to its resourceArns.
func (s *Server) SetResolvedTargets(templateID, targetName string, identifiers ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fis.resolved == nil {
		s.fis.resolved = map[string]map[string][]string{}
	}
	if s.fis.resolved[templateID] == nil {
		s.fis.resolved[templateID] = map[string][]string{}
	}
	s.fis.resolved[templateID][targetName] = append([]string(nil), identifiers...)
}

// StartedExperiments returns every experiment actually started, in order.
func (s *Server) StartedExperiments() []StartedExperiment {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]StartedExperiment, len(s.fis.started))
	for i, st := range s.fis.started {
		st.Tags = cfnCopyMap(st.Tags)
		out[i] = st
	}
	return out
}

// ExperimentTimes returns the experiment's start time, its end time (zero while it has not ended)
// and each action's [start, end] (zero when not reached) as of the current simulation time.
// ok is false for an unknown experiment.
func (s *Server) ExperimentTimes(id string) (start, end time.Time, actions map[string][2]time.Time, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.fis.experiments[id]
	if e == nil {
		return time.Time{}, time.Time{}, nil, false
	}
	v := e.view(s.clock.Now())
	actions = map[string][2]time.Time{}
	for name, a := range v.actions {
		actions[name] = [2]time.Time{a.start, a.end}
	}
	return e.created, v.end, actions, true
}

// ExperimentStatus returns the experiment's status and reason as of the current simulation time.
func (s *Server) ExperimentStatus(id string) (status, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.fis.experiments[id]
	if e == nil {
		return "", ""
	}
	v := e.view(s.clock.Now())
	return v.status, v.reason
}

func fisCopyTemplate(t ExperimentTemplate) ExperimentTemplate {
	cp := t
	cp.Actions = make(map[string]TemplateAction, len(t.Actions))
	for k, a := range t.Actions {
		a.Parameters = cfnCopyMap(a.Parameters)
		a.Targets = cfnCopyMap(a.Targets)
		a.StartAfter = append([]string(nil), a.StartAfter...)
		cp.Actions[k] = a
	}
	cp.Targets = make(map[string]TemplateTarget, len(t.Targets))
	for k, tg := range t.Targets {
		tg.ResourceArns = append([]string(nil), tg.ResourceArns...)
		tg.ResourceTags = cfnCopyMap(tg.ResourceTags)
		tg.Parameters = cfnCopyMap(tg.Parameters)
		var fs []TemplateTargetFilter
		for _, f := range tg.Filters {
			fs = append(fs, TemplateTargetFilter{Path: f.Path, Values: append([]string(nil), f.Values...)})
		}
		tg.Filters = fs
		cp.Targets[k] = tg
	}
	cp.StopConditions = append([]StopCondition(nil), t.StopConditions...)
	cp.ExperimentOptions = cfnCopyMap(t.ExperimentOptions)
	cp.Tags = cfnCopyMap(t.Tags)
	if t.ReportConfiguration != nil {
		rc := *t.ReportConfiguration
		rc.CloudWatchDashboards = append([]string(nil), rc.CloudWatchDashboards...)
		cp.ReportConfiguration = &rc
	}
	return cp
}

func (t FISTiming) withDefaults() FISTiming {
	if t.Initiating <= 0 {
		t.Initiating = 3 * time.Second
	}
	if t.Pending <= 0 {
		t.Pending = time.Second
	}
	t.Pending = min(t.Pending, t.Initiating)
	if t.DefaultAction <= 0 {
		t.DefaultAction = 10 * time.Second
	}
	if t.Stopping <= 0 {
		t.Stopping = 2 * time.Second
	}
	if t.ReportGeneration <= 0 {
		t.ReportGeneration = 30 * time.Second
	}
	return t
}

// ---- simulation ----

type fisActionSched struct {
	start, end time.Time
	failed     bool
	reason     string
}

type fisActionView struct {
	status, reason string
	start, end     time.Time
}

type fisView struct {
	status, reason string
	end            time.Time
	actions        map[string]fisActionView
}

// schedule computes each action's natural start and end (ignoring stops).
func (e *fisExperiment) schedule() (running time.Time, acts map[string]fisActionSched) {
	running = e.created.Add(e.timing.Initiating)
	if e.timing.StuckInitiating {
		running = fisNever
	}
	acts = map[string]fisActionSched{}
	if e.actionsMode == fisSkipAll {
		return running, acts
	}
	visiting := map[string]bool{}
	var visit func(name string) fisActionSched
	visit = func(name string) fisActionSched {
		if a, ok := acts[name]; ok {
			return a
		}
		visiting[name] = true
		start := running
		for _, dep := range e.tmpl.Actions[name].StartAfter {
			if _, ok := e.tmpl.Actions[dep]; !ok || visiting[dep] {
				continue
			}
			if d := visit(dep); d.end.After(start) {
				start = d.end
			}
		}
		dur := e.timing.DefaultAction
		// https://docs.aws.amazon.com/fis/latest/userguide/fis-actions-reference.html: "duration" is ISO 8601, e.g. PT1M.
		if d, err := isoduration.Parse(e.tmpl.Actions[name].Parameters["duration"]); err == nil {
			dur = d
		}
		if e.skipped[name] {
			dur = 0
		}
		a := fisActionSched{start: start, end: fisAdd(start, dur)}
		if f, ok := e.failures[name]; ok {
			a.end = fisAdd(start, min(max(f.after, 0), dur))
			a.failed, a.reason = true, f.reason
		}
		visiting[name] = false
		acts[name] = a
		return a
	}
	for name := range e.tmpl.Actions {
		visit(name)
	}
	return running, acts
}

func fisAdd(t time.Time, d time.Duration) time.Time {
	if !t.Before(fisNever) {
		return fisNever
	}
	return t.Add(d)
}

// view is the experiment as seen at now.
func (e *fisExperiment) view(now time.Time) fisView {
	running, acts := e.schedule()
	complete := running
	failAt, failReason := fisNever, ""
	for name, a := range acts {
		if a.end.After(complete) {
			complete = a.end
		}
		if a.failed && a.end.Before(failAt) {
			failAt = a.end
			failReason = fmt.Sprintf("Action %s failed: %s", name, a.reason)
		}
	}
	// The first of: completion, failure, stop.
	kind, at, reason := fisStateCompleted, complete, "Experiment completed."
	if !failAt.After(complete) && failAt.Before(fisNever) {
		kind, at, reason = fisStateFailed, failAt, failReason
	}
	if !e.stopAt.IsZero() && e.stopAt.Before(at) {
		kind, at, reason = fisStateStopped, e.stopAt, e.stopReason
	}
	if kind == fisStateCompleted && !at.Before(fisNever) {
		kind = ""
	}
	ended := kind != "" && !now.Before(at)

	v := fisView{actions: map[string]fisActionView{}}
	if e.cancelled != "" {
		// "An experiment affected by a safety lever will end in ... Cancelled, if the experiment
		// was started when the safety lever was already engaged"
		// (https://docs.aws.amazon.com/fis/latest/userguide/safety-lever.html).
		v.status, v.reason, v.end = fisStateCancelled, e.cancelled, e.created
		for name := range e.tmpl.Actions {
			v.actions[name] = fisActionView{status: fisStateCancelled, reason: "Action cancelled because the experiment was cancelled."}
		}
		return v
	}
	if e.resolveFail != "" {
		// "If no resources are resolved for the target, the experiment is terminated immediately
		// with a status of failed" (https://docs.aws.amazon.com/fis/latest/userguide/experiment-options.html).
		v.status, v.reason, v.end = fisStateFailed, e.resolveFail, e.created
		for name := range e.tmpl.Actions {
			v.actions[name] = fisActionView{status: fisStateCancelled, reason: "Action cancelled because the experiment failed."}
		}
		return v
	}
	switch {
	case ended && kind == fisStateStopped:
		if now.Before(at.Add(e.timing.Stopping)) {
			v.status, v.reason = fisStateStopping, reason
		} else {
			v.status, v.reason, v.end = fisStateStopped, reason, at.Add(e.timing.Stopping)
		}
	case ended:
		v.status, v.reason, v.end = kind, reason, at
	case now.Before(e.created.Add(e.timing.Pending)):
		v.status = fisStatePending
	case now.Before(running):
		v.status = fisStateInitiating
	default:
		v.status = fisStateRunning
	}

	for name := range e.tmpl.Actions {
		if e.actionsMode == fisSkipAll {
			if !now.Before(running) || ended {
				v.actions[name] = fisActionView{status: fisStateSkipped}
			} else {
				v.actions[name] = fisActionView{status: fisStatePending}
			}
			continue
		}
		a := acts[name]
		if e.skipped[name] {
			// "any actions with no resolved targets are skipped" (experiment-options.html).
			if now.Before(a.start) && !ended {
				v.actions[name] = fisActionView{status: fisStatePending}
			} else {
				v.actions[name] = fisActionView{status: fisStateSkipped, reason: "Action skipped because its targets resolved no resources."}
			}
			continue
		}
		switch {
		case !ended || kind == fisStateCompleted:
			switch {
			case now.Before(a.start):
				v.actions[name] = fisActionView{status: fisStatePending}
			case now.Before(a.end):
				v.actions[name] = fisActionView{status: fisStateRunning, start: a.start}
			default:
				v.actions[name] = fisActionView{status: fisStateCompleted, start: a.start, end: a.end}
			}
		case !a.start.Before(at):
			why := "failed"
			if kind == fisStateStopped {
				why = "was stopped"
			}
			v.actions[name] = fisActionView{status: fisStateCancelled, reason: "Action cancelled because the experiment " + why + "."}
		case a.end.Before(at):
			v.actions[name] = fisActionView{status: fisStateCompleted, start: a.start, end: a.end}
		case a.failed && a.end.Equal(at):
			v.actions[name] = fisActionView{status: fisStateFailed, reason: a.reason, start: a.start, end: a.end}
		case kind == fisStateFailed:
			v.actions[name] = fisActionView{status: fisStateStopped, reason: "Action stopped because another action failed.", start: a.start, end: at}
		case now.Before(at.Add(e.timing.Stopping)):
			v.actions[name] = fisActionView{status: fisStateStopping, reason: "Experiment stop requested.", start: a.start}
		default:
			v.actions[name] = fisActionView{status: fisStateStopped, reason: "Action stopped with the experiment.", start: a.start, end: at.Add(e.timing.Stopping)}
		}
	}
	return v
}

func fisTerminal(status string) bool {
	switch status {
	case fisStateCompleted, fisStateStopped, fisStateFailed, fisStateCancelled:
		return true
	}
	return false
}

// ---- wire ----

type fisJSONFilter struct {
	Path   string   `json:"path"`
	Values []string `json:"values"`
}

type fisJSONTarget struct {
	ResourceType  string            `json:"resourceType"`
	ResourceArns  []string          `json:"resourceArns,omitempty"`
	ResourceTags  map[string]string `json:"resourceTags,omitempty"`
	Filters       []fisJSONFilter   `json:"filters,omitempty"`
	SelectionMode string            `json:"selectionMode,omitempty"`
	Parameters    map[string]string `json:"parameters,omitempty"`
}

type fisJSONStopCondition struct {
	Source string `json:"source"`
	Value  string `json:"value,omitempty"`
}

type fisJSONState struct {
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

type fisJSONAction struct {
	ActionID    string            `json:"actionId"`
	Description string            `json:"description,omitempty"`
	Parameters  map[string]string `json:"parameters,omitempty"`
	Targets     map[string]string `json:"targets,omitempty"`
	StartAfter  []string          `json:"startAfter,omitempty"`
	State       *fisJSONState     `json:"state,omitempty"`
	StartTime   *float64          `json:"startTime,omitempty"`
	EndTime     *float64          `json:"endTime,omitempty"`
}

type fisJSONDashboard struct {
	DashboardIdentifier string `json:"dashboardIdentifier"`
}

type fisJSONS3 struct {
	BucketName string `json:"bucketName,omitempty"`
	Prefix     string `json:"prefix,omitempty"`
}

type fisJSONReportConfig struct {
	Outputs *struct {
		S3Configuration *fisJSONS3 `json:"s3Configuration,omitempty"`
	} `json:"outputs,omitempty"`
	DataSources *struct {
		CloudWatchDashboards []fisJSONDashboard `json:"cloudWatchDashboards,omitempty"`
	} `json:"dataSources,omitempty"`
	PreExperimentDuration  string `json:"preExperimentDuration,omitempty"`
	PostExperimentDuration string `json:"postExperimentDuration,omitempty"`
}

type fisJSONTemplate struct {
	ID                            string                   `json:"id"`
	Arn                           string                   `json:"arn"`
	Description                   string                   `json:"description,omitempty"`
	RoleArn                       string                   `json:"roleArn,omitempty"`
	Actions                       map[string]fisJSONAction `json:"actions"`
	Targets                       map[string]fisJSONTarget `json:"targets"`
	StopConditions                []fisJSONStopCondition   `json:"stopConditions"`
	ExperimentOptions             map[string]string        `json:"experimentOptions,omitempty"`
	ExperimentReportConfiguration *fisJSONReportConfig     `json:"experimentReportConfiguration,omitempty"`
	Tags                          map[string]string        `json:"tags,omitempty"`
	CreationTime                  float64                  `json:"creationTime"`
	LastUpdateTime                float64                  `json:"lastUpdateTime"`
}

type fisJSONExperiment struct {
	ID                   string                   `json:"id"`
	Arn                  string                   `json:"arn"`
	ExperimentTemplateID string                   `json:"experimentTemplateId"`
	RoleArn              string                   `json:"roleArn,omitempty"`
	State                fisJSONState             `json:"state"`
	Targets              map[string]fisJSONTarget `json:"targets"`
	Actions              map[string]fisJSONAction `json:"actions"`
	StopConditions       []fisJSONStopCondition   `json:"stopConditions"`
	CreationTime         float64                  `json:"creationTime"`
	StartTime            *float64                 `json:"startTime,omitempty"`
	EndTime              *float64                 `json:"endTime,omitempty"`
	Tags                 map[string]string        `json:"tags,omitempty"`
	ExperimentOptions    map[string]string        `json:"experimentOptions,omitempty"`
	// ExperimentReport is present for templates with a report configuration (fis_report.go).
	ExperimentReport *fisJSONExperimentReport `json:"experimentReport,omitempty"`
}

type fisJSONSummary struct {
	ID                   string            `json:"id"`
	Arn                  string            `json:"arn"`
	ExperimentTemplateID string            `json:"experimentTemplateId"`
	State                fisJSONState      `json:"state"`
	CreationTime         float64           `json:"creationTime"`
	Tags                 map[string]string `json:"tags,omitempty"`
	ExperimentOptions    map[string]string `json:"experimentOptions,omitempty"`
}

// fisEpoch is a restJson timestamp: epoch seconds with millisecond precision.
func fisEpoch(t time.Time) float64 { return math.Round(float64(t.UnixMilli())) / 1000 }

func fisEpochPtr(t time.Time) *float64 {
	if t.IsZero() {
		return nil
	}
	v := fisEpoch(t)
	return &v
}

func (s *Server) fisTemplateArn(id string) string {
	return fmt.Sprintf("arn:aws:fis:%s:%s:experiment-template/%s", s.Region, s.AccountID, id)
}

func (s *Server) fisExperimentArn(id string) string {
	return fmt.Sprintf("arn:aws:fis:%s:%s:experiment/%s", s.Region, s.AccountID, id)
}

func fisTargetsJSON(ts map[string]TemplateTarget) map[string]fisJSONTarget {
	out := map[string]fisJSONTarget{}
	for name, t := range ts {
		jt := fisJSONTarget{
			ResourceType: t.ResourceType, ResourceArns: t.ResourceArns, ResourceTags: t.ResourceTags,
			SelectionMode: t.SelectionMode, Parameters: t.Parameters,
		}
		for _, f := range t.Filters {
			jt.Filters = append(jt.Filters, fisJSONFilter(f))
		}
		out[name] = jt
	}
	return out
}

func fisStopConditionsJSON(scs []StopCondition) []fisJSONStopCondition {
	out := []fisJSONStopCondition{}
	for _, sc := range scs {
		out = append(out, fisJSONStopCondition(sc))
	}
	return out
}

func (s *Server) fisTemplateJSON(t *ExperimentTemplate) fisJSONTemplate {
	jt := fisJSONTemplate{
		ID: t.ID, Arn: s.fisTemplateArn(t.ID), Description: t.Description, RoleArn: t.RoleArn,
		Actions: map[string]fisJSONAction{}, Targets: fisTargetsJSON(t.Targets),
		StopConditions:    fisStopConditionsJSON(t.StopConditions),
		ExperimentOptions: t.ExperimentOptions, Tags: t.Tags,
		CreationTime: fisEpoch(t.CreationTime), LastUpdateTime: fisEpoch(t.CreationTime),
	}
	for name, a := range t.Actions {
		jt.Actions[name] = fisJSONAction{ActionID: a.ActionID, Description: a.Description, Parameters: a.Parameters, Targets: a.Targets, StartAfter: a.StartAfter}
	}
	if rc := t.ReportConfiguration; rc != nil {
		jr := &fisJSONReportConfig{PreExperimentDuration: rc.PreExperimentDuration, PostExperimentDuration: rc.PostExperimentDuration}
		if rc.S3Bucket != "" {
			jr.Outputs = &struct {
				S3Configuration *fisJSONS3 `json:"s3Configuration,omitempty"`
			}{&fisJSONS3{BucketName: rc.S3Bucket, Prefix: rc.S3Prefix}}
		}
		if len(rc.CloudWatchDashboards) > 0 {
			jr.DataSources = &struct {
				CloudWatchDashboards []fisJSONDashboard `json:"cloudWatchDashboards,omitempty"`
			}{}
			for _, d := range rc.CloudWatchDashboards {
				jr.DataSources.CloudWatchDashboards = append(jr.DataSources.CloudWatchDashboards, fisJSONDashboard{d})
			}
		}
		jt.ExperimentReportConfiguration = jr
	}
	return jt
}

func (e *fisExperiment) options() map[string]string {
	opts := map[string]string{"accountTargeting": "single-account", "emptyTargetResolutionMode": "fail"}
	for k, v := range e.tmpl.ExperimentOptions {
		opts[k] = v
	}
	opts["actionsMode"] = e.actionsMode
	return opts
}

func (s *Server) fisExperimentJSON(e *fisExperiment, now time.Time) fisJSONExperiment {
	v := e.view(now)
	je := fisJSONExperiment{
		ID: e.id, Arn: s.fisExperimentArn(e.id), ExperimentTemplateID: e.templateID, RoleArn: e.tmpl.RoleArn,
		State:   fisJSONState{Status: v.status, Reason: v.reason},
		Targets: fisTargetsJSON(e.tmpl.Targets), Actions: map[string]fisJSONAction{},
		StopConditions: fisStopConditionsJSON(e.tmpl.StopConditions),
		CreationTime:   fisEpoch(e.created), StartTime: fisEpochPtr(e.created), EndTime: fisEpochPtr(v.end),
		Tags: e.tags, ExperimentOptions: e.options(),
	}
	for name, a := range e.tmpl.Actions {
		av := v.actions[name]
		je.Actions[name] = fisJSONAction{
			ActionID: a.ActionID, Description: a.Description, Parameters: a.Parameters, Targets: a.Targets, StartAfter: a.StartAfter,
			State:     &fisJSONState{Status: av.status, Reason: av.reason},
			StartTime: fisEpochPtr(av.start), EndTime: fisEpochPtr(av.end),
		}
	}
	je.ExperimentReport = e.reportJSON(v, now)
	return je
}

func handleFIS(s *Server, c *call) {
	switch c.op {
	case "GetExperimentTemplate":
		t := s.fis.templates[c.Param("id")]
		if t == nil {
			c.Fail(http.StatusNotFound, "ResourceNotFoundException", fmt.Sprintf("Experiment template %s not found.", c.Param("id")))
			return
		}
		c.JSON(map[string]any{"experimentTemplate": s.fisTemplateJSON(t)})
	case "ListExperimentTemplates":
		ids := make([]string, 0, len(s.fis.templates))
		for id := range s.fis.templates {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		type summary struct {
			ID           string            `json:"id"`
			Arn          string            `json:"arn"`
			Description  string            `json:"description,omitempty"`
			CreationTime float64           `json:"creationTime"`
			Tags         map[string]string `json:"tags,omitempty"`
		}
		out := []summary{}
		for _, id := range ids {
			t := s.fis.templates[id]
			out = append(out, summary{ID: id, Arn: s.fisTemplateArn(id), Description: t.Description, CreationTime: fisEpoch(t.CreationTime), Tags: t.Tags})
		}
		c.JSON(map[string]any{"experimentTemplates": out})
	case "StartExperiment":
		fisStartExperiment(s, c)
	case "GetExperiment", "StopExperiment":
		e := s.fis.experiments[c.Param("id")]
		if e == nil {
			c.Fail(http.StatusNotFound, "ResourceNotFoundException", fmt.Sprintf("Experiment %s not found.", c.Param("id")))
			return
		}
		if c.op == "StopExperiment" {
			v := e.view(c.now)
			if fisTerminal(v.status) {
				c.Fail(http.StatusBadRequest, "ValidationException", fmt.Sprintf("Experiment %s is %s and cannot be stopped.", e.id, v.status))
				return
			}
			if v.status != fisStateStopping {
				e.stopAt, e.stopReason = c.now, "Experiment stopped by user."
			}
		}
		c.JSON(map[string]any{"experiment": s.fisExperimentJSON(e, c.now)})
	case "ListExperiments":
		fisListExperiments(s, c)
	case "ListExperimentResolvedTargets":
		fisListResolvedTargets(s, c)
	case "ListTargetAccountConfigurations":
		fisListTargetAccountConfigurations(s, c)
	case "GetSafetyLever":
		fisGetSafetyLever(s, c)
	default:
		notImplemented(s, c)
	}
}

func fisStartExperiment(s *Server, c *call) {
	var in struct {
		ClientToken          string            `json:"clientToken"`
		ExperimentTemplateID string            `json:"experimentTemplateId"`
		Tags                 map[string]string `json:"tags"`
		ExperimentOptions    *struct {
			ActionsMode string `json:"actionsMode"`
		} `json:"experimentOptions"`
	}
	if err := c.DecodeJSON(&in); err != nil {
		c.Fail(http.StatusBadRequest, "ValidationException", "Invalid request body: "+err.Error())
		return
	}
	if in.ExperimentTemplateID == "" {
		c.Fail(http.StatusBadRequest, "ValidationException", "experimentTemplateId is required")
		return
	}
	if len(in.ClientToken) > 64 {
		c.Fail(http.StatusBadRequest, "ValidationException", "clientToken must be at most 64 characters")
		return
	}
	mode := fisRunAll
	if in.ExperimentOptions != nil && in.ExperimentOptions.ActionsMode != "" {
		mode = in.ExperimentOptions.ActionsMode
	}
	if mode != fisRunAll && mode != fisSkipAll {
		c.Fail(http.StatusBadRequest, "ValidationException", fmt.Sprintf("Invalid actionsMode %q", mode))
		return
	}
	if id, ok := s.fis.tokens[in.ClientToken]; ok && in.ClientToken != "" {
		e := s.fis.experiments[id]
		if e.templateID != in.ExperimentTemplateID || e.actionsMode != mode {
			c.Fail(http.StatusBadRequest, "ValidationException",
				fmt.Sprintf("The client token %s was already used with different parameters", in.ClientToken))
			return
		}
		c.JSON(map[string]any{"experiment": s.fisExperimentJSON(e, c.now)})
		return
	}
	t := s.fis.templates[in.ExperimentTemplateID]
	if t == nil {
		c.Fail(http.StatusNotFound, "ResourceNotFoundException", fmt.Sprintf("Experiment template %s not found.", in.ExperimentTemplateID))
		return
	}
	if s.fis.experiments == nil {
		s.fis.experiments = map[string]*fisExperiment{}
		s.fis.tokens = map[string]string{}
	}
	id := s.fisNextID()
	e := &fisExperiment{
		id: id, templateID: t.ID, clientToken: in.ClientToken, actionsMode: mode, tags: cfnCopyMap(in.Tags),
		tmpl: fisCopyTemplate(*t), created: c.now, timing: s.fis.timing.withDefaults(), failures: map[string]fisFailure{},
	}
	for name, f := range s.fis.failures[t.ID] {
		e.failures[name] = f
	}
	if k, ok := s.fis.stopKnobs[t.ID]; ok {
		e.stopAt, e.stopReason = c.now.Add(k.after), k.reason
	}
	res := s.fisResolveTargets(t)
	e.targets, e.resolveFail, e.skipped = res.targets, res.failReason, res.skippedActions
	// Engaged: the start ends cancelled (safety-lever.html). Engaging: the docs are silent;
	// the less convenient behaviour (cancelled too) is modelled.
	if st := s.fis.lever.status; st == fisLeverEngaged || st == fisLeverEngaging {
		e.cancelled = "Experiment cancelled: the account's safety lever is engaged (" + s.fis.lever.reason + ")."
	}
	s.fis.experiments[id] = e
	s.fis.order = append(s.fis.order, id)
	if in.ClientToken != "" {
		s.fis.tokens[in.ClientToken] = id
	}
	s.fis.started = append(s.fis.started, StartedExperiment{
		ID: id, TemplateID: t.ID, ClientToken: in.ClientToken, Tags: cfnCopyMap(in.Tags), ActionsMode: mode, Time: c.now,
	})
	if mode != fisSkipAll && e.resolveFail == "" && e.cancelled == "" {
		s.fireExperimentStart(id, c.now)
	}
	c.JSON(map[string]any{"experiment": s.fisExperimentJSON(e, c.now)})
}

// fisPage parses maxResults/nextToken (an offset) for a list of n items.
func fisPage(c *call, n int) (start, end int, ok bool) {
	limit := 100
	if v := c.Query("maxResults"); v != "" {
		m, err := strconv.Atoi(v)
		if err != nil || m < 1 || m > 100 {
			c.Fail(http.StatusBadRequest, "ValidationException", "maxResults must be between 1 and 100")
			return 0, 0, false
		}
		limit = m
	}
	if tok := c.Query("nextToken"); tok != "" {
		m, err := strconv.Atoi(strings.TrimPrefix(tok, "page-"))
		if err != nil || m < 0 || m > n {
			c.Fail(http.StatusBadRequest, "ValidationException", "Invalid nextToken")
			return 0, 0, false
		}
		start = m
	}
	return start, min(start+limit, n), true
}

func fisListExperiments(s *Server, c *call) {
	tmpl := c.Query("experimentTemplateId")
	var ids []string
	for i := len(s.fis.order) - 1; i >= 0; i-- { // newest first
		id := s.fis.order[i]
		if tmpl == "" || s.fis.experiments[id].templateID == tmpl {
			ids = append(ids, id)
		}
	}
	start, end, ok := fisPage(c, len(ids))
	if !ok {
		return
	}
	out := []fisJSONSummary{}
	for _, id := range ids[start:end] {
		e := s.fis.experiments[id]
		v := e.view(c.now)
		out = append(out, fisJSONSummary{
			ID: id, Arn: s.fisExperimentArn(id), ExperimentTemplateID: e.templateID,
			State: fisJSONState{Status: v.status, Reason: v.reason}, CreationTime: fisEpoch(e.created),
			Tags: e.tags, ExperimentOptions: e.options(),
		})
	}
	res := map[string]any{"experiments": out}
	if end < len(ids) {
		res["nextToken"] = fmt.Sprintf("page-%d", end)
	}
	c.JSON(res)
}

func fisListResolvedTargets(s *Server, c *call) {
	e := s.fis.experiments[c.Param("experimentId")]
	if e == nil {
		c.Fail(http.StatusNotFound, "ResourceNotFoundException", fmt.Sprintf("Experiment %s not found.", c.Param("experimentId")))
		return
	}
	var ts []fisResolvedTarget
	for _, t := range e.targets {
		if name := c.Query("targetName"); name == "" || name == t.targetName {
			ts = append(ts, t)
		}
	}
	start, end, ok := fisPage(c, len(ts))
	if !ok {
		return
	}
	type resolved struct {
		ResourceType      string            `json:"resourceType"`
		TargetName        string            `json:"targetName"`
		TargetInformation map[string]string `json:"targetInformation"`
	}
	out := []resolved{}
	for _, t := range ts[start:end] {
		key := "identifier"
		if strings.HasPrefix(t.identifier, "arn:") {
			key = "arn"
		}
		out = append(out, resolved{ResourceType: t.resourceType, TargetName: t.targetName, TargetInformation: map[string]string{key: t.identifier}})
	}
	res := map[string]any{"resolvedTargets": out}
	if end < len(ts) {
		res["nextToken"] = fmt.Sprintf("page-%d", end)
	}
	c.JSON(res)
}

// Safety lever statuses: a lever reads disengaged | engaged | engaging (the SafetyLeverState
// of GetSafetyLever, https://boto3.amazonaws.com/v1/documentation/api/1.37.4/reference/services/fis/client/update_safety_lever_state.html);
// it is set to disengaged | engaged (https://docs.aws.amazon.com/fis/latest/APIReference/API_UpdateSafetyLeverStateInput.html).
const (
	fisLeverDisengaged = "disengaged"
	fisLeverEngaged    = "engaged"
	fisLeverEngaging   = "engaging"
)

// SetSafetyLever sets the account's safety lever ("engaged", "engaging" or "disengaged")
// and its reason. Engaged (and engaging) levers cancel every experiment started after.
func (s *Server) SetSafetyLever(status, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fis.lever = fisSafetyLever{status: status, reason: reason}
	if status != fisLeverEngaged {
		return
	}
	// "If engaged, in-progress experiments are stopped" (safety-lever.html).
	now := s.clock.Now()
	for _, e := range s.fis.experiments {
		if v := e.view(now); !fisTerminal(v.status) && v.status != fisStateStopping {
			e.stopAt, e.stopReason = now, "Experiment stopped by the account's safety lever ("+reason+")."
		}
	}
}

// fisGetSafetyLever answers GetSafetyLever (GET /safetyLevers/{id}); by default a lever is
// disengaged ("By default, safety levers are disengaged",
// https://docs.aws.amazon.com/fis/latest/userguide/safety-lever.html). Another ID is not found.
func fisGetSafetyLever(s *Server, c *call) {
	id := c.Param("id")
	if id != SafetyLeverID {
		c.Fail(http.StatusNotFound, "ResourceNotFoundException", fmt.Sprintf("Safety lever %s not found.", id))
		return
	}
	lv := s.fis.lever
	if lv.status == "" {
		lv.status = fisLeverDisengaged
	}
	state := map[string]any{"status": lv.status}
	if lv.reason != "" {
		state["reason"] = lv.reason
	}
	c.JSON(map[string]any{"safetyLever": map[string]any{
		"id": id, "arn": fmt.Sprintf("arn:aws:fis:%s:%s:safety-lever/%s", s.Region, s.AccountID, id), "state": state,
	}})
}
