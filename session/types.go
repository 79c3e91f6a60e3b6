// Package session holds the state of one fis-mcp workflow run (a "session") and
// the store that persists it between tool calls and across restarts.
package session

import (
	"time"
)

// State is where a session stands in the workflow.
type State string

// The workflow states, in order, plus aborted.
const (
	StateResolved             State = "resolved"
	StateHealthChecked        State = "health_checked"
	StateLogsStarted          State = "logs_started"
	StateAwaitingConfirmation State = "awaiting_confirmation"
	StateRunning              State = "running"
	StateEnded                State = "ended"
	StateReported             State = "reported"
	StateAborted              State = "aborted"
)

// Health verdicts.
const (
	VerdictHealthy    = "healthy"
	VerdictBlocked    = "blocked"
	VerdictOverridden = "overridden"
)

// App confidence levels.
const (
	ConfidenceConfirmed    = "confirmed"
	ConfidenceMayReference = "may_reference"
	// ConfidenceIndirect marks an app that calls a dependent app (not the affected resource itself).
	ConfidenceIndirect = "indirect"
)

// Session is everything the tools need to carry a workflow from one call to the next.
type Session struct {
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	State     State     `json:"state"`
	// Language of the report: "en" or "zh".
	Language string   `json:"language"`
	Warnings []string `json:"warnings,omitempty"`
	// Simulated marks a session of a server backed by the simulated account (--simulate):
	// nothing real was affected, and the report says so.
	Simulated bool `json:"simulated,omitempty"`

	Experiment   Experiment     `json:"experiment"`
	Health       *HealthResult  `json:"health,omitempty"`
	Discovery    *Discovery     `json:"discovery,omitempty"`
	Logs         *LogCollection `json:"logs,omitempty"`
	Confirmation *Confirmation  `json:"confirmation,omitempty"`
	Run          *Run           `json:"run,omitempty"`
	Abort        *Abort         `json:"abort,omitempty"`
	Report       *ReportRef     `json:"report,omitempty"`
	Observations *Observations  `json:"observations,omitempty"`

	// Timeline is append-only: every observation, in the order it was recorded.
	Timeline []Event `json:"timeline"`
	// APICalls is the audit trail: every AWS and Kubernetes call made for this session.
	APICalls []APICall `json:"api_calls"`
	// Audit is the tamper-evident hash chain over the timeline, the API calls, the state
	// changes and the start confirmation (auditchain.go; VerifyAudit checks it).
	Audit []AuditRecord `json:"audit,omitempty"`
	// LastToolCallAt is when the last tool call for this session ended (the dead-man's switch).
	LastToolCallAt *time.Time `json:"last_tool_call_at,omitempty"`
}

// Experiment is the resolved experiment directory, its README metadata, stack and FIS template.
type Experiment struct {
	Dir                      string             `json:"dir"`
	TemplateID               string             `json:"template_id"`
	Scenario                 string             `json:"scenario"`
	Region                   string             `json:"region"`
	TargetAZ                 string             `json:"target_az,omitempty"`
	Created                  string             `json:"created,omitempty"`
	EstimatedDuration        string             `json:"estimated_duration,omitempty"`
	EstimatedDurationSeconds int                `json:"estimated_duration_seconds,omitempty"`
	StackName                string             `json:"stack_name"`
	StackStatus              string             `json:"stack_status,omitempty"`
	StackWarning             string             `json:"stack_warning,omitempty"` // a usable stack after a failed or partial operation (e.g. UPDATE_ROLLBACK_COMPLETE)
	DashboardURL             string             `json:"dashboard_url,omitempty"`
	ReadmeLanguage           string             `json:"readme_language"`
	AffectedResources        []AffectedResource `json:"affected_resources"`
	// ExpectedBehavior holds per-service sections of expected-behavior.md (older layout), keyed by heading.
	ExpectedBehavior map[string]string `json:"expected_behavior,omitempty"`
	// Hypothesis holds the bullet lines of the README's "## Hypothesis" / "## 假设" section
	// (one criterion each, as written).
	Hypothesis []string `json:"hypothesis,omitempty"`
	Template   Template `json:"template"`
}

// AffectedResource is one row of the README's Affected Resources table.
type AffectedResource struct {
	Type       string `json:"type"`
	Identifier string `json:"identifier"`
	Impact     string `json:"impact,omitempty"`
}

// Template is the FIS experiment template as read from GetExperimentTemplate.
type Template struct {
	ID                  string               `json:"id"`
	Description         string               `json:"description,omitempty"`
	RoleArn             string               `json:"role_arn,omitempty"`
	Actions             []Action             `json:"actions"`
	Targets             []Target             `json:"targets"`
	StopConditions      []StopCondition      `json:"stop_conditions"`
	ExperimentOptions   map[string]string    `json:"experiment_options,omitempty"`
	TargetAccounts      []TargetAccount      `json:"target_accounts,omitempty"` // target account configurations (multi-account templates)
	ReportConfiguration *ReportConfiguration `json:"report_configuration,omitempty"`
	Tags                map[string]string    `json:"tags,omitempty"`
}

// MultiAccount reports whether the template's accountTargeting experiment option is multi-account.
func (t Template) MultiAccount() bool {
	return t.ExperimentOptions["accountTargeting"] == "multi-account"
}

// TargetAccount is one target account configuration of a multi-account template.
type TargetAccount struct {
	AccountID   string `json:"account_id"`
	RoleArn     string `json:"role_arn,omitempty"`
	Description string `json:"description,omitempty"`
}

// Action is one action of the template.
type Action struct {
	Name        string            `json:"name"`
	ActionID    string            `json:"action_id"`
	Description string            `json:"description,omitempty"`
	Parameters  map[string]string `json:"parameters,omitempty"`
	// Targets maps the action's target key (e.g. "Clusters") to the template target name.
	Targets    map[string]string `json:"targets,omitempty"`
	StartAfter []string          `json:"start_after,omitempty"`
}

// Target is one target of the template.
type Target struct {
	Name          string            `json:"name"`
	ResourceType  string            `json:"resource_type"`
	ResourceArns  []string          `json:"resource_arns,omitempty"`
	ResourceTags  map[string]string `json:"resource_tags,omitempty"`
	Filters       []TargetFilter    `json:"filters,omitempty"`
	SelectionMode string            `json:"selection_mode,omitempty"`
	Parameters    map[string]string `json:"parameters,omitempty"`
}

// TargetFilter is a FIS target filter (path + accepted values).
type TargetFilter struct {
	Path   string   `json:"path"`
	Values []string `json:"values"`
}

// StopCondition is a FIS stop condition; Source "none" means no condition.
type StopCondition struct {
	Source string `json:"source"`
	Value  string `json:"value,omitempty"`
}

// ReportConfiguration is the template's FIS experiment report configuration, if any.
type ReportConfiguration struct {
	S3Bucket             string   `json:"s3_bucket,omitempty"`
	S3Prefix             string   `json:"s3_prefix,omitempty"`
	CloudWatchDashboards []string `json:"cloudwatch_dashboards,omitempty"`
	PreExperimentSeconds int      `json:"pre_experiment_seconds,omitempty"`
	PostExperimentSecond int      `json:"post_experiment_seconds,omitempty"`
}

// HealthResult is the outcome of the latest health check.
type HealthResult struct {
	CheckedAt     time.Time        `json:"checked_at"`
	Verdict       string           `json:"verdict"`
	AllHealthy    bool             `json:"all_healthy"`
	Resources     []ResourceHealth `json:"resources"`
	Alarms        []AlarmHealth    `json:"alarms,omitempty"`
	Role          *RoleCheck       `json:"role,omitempty"`
	Override      *Override        `json:"override,omitempty"`
	WaitedSeconds int              `json:"waited_seconds,omitempty"`
	// Notes carry target-resolution remarks (selection modes, empty tag matches...).
	Notes []string `json:"notes,omitempty"`
	// Warnings are loud remarks that do not block (e.g. a stop-condition alarm in
	// INSUFFICIENT_DATA that may never fire); they are shown with the impact warning.
	Warnings []string `json:"warnings,omitempty"`
	// SkippedTargets are the targets that resolve no resource under the template's
	// emptyTargetResolutionMode skip: FIS skips their actions, so they do not block.
	SkippedTargets []SkippedTarget `json:"skipped_targets,omitempty"`
}

// SkippedTarget is a target FIS will skip (emptyTargetResolutionMode skip, nothing resolved).
type SkippedTarget struct {
	Target       string `json:"target"`
	ResourceType string `json:"resource_type"`
	// Actions are the template actions that use the target: FIS skips them.
	Actions []string `json:"actions,omitempty"`
	Reason  string   `json:"reason"`
}

// ResourceHealth is the live state of one target resource.
type ResourceHealth struct {
	ID      string `json:"id"`
	ARN     string `json:"arn,omitempty"`
	Type    string `json:"type"`
	Target  string `json:"target,omitempty"`
	Account string `json:"account,omitempty"` // the resource's AWS account (multi-account templates)
	Status  string `json:"status"`
	Healthy bool   `json:"healthy"`
	Detail  string `json:"detail,omitempty"`
	// Note is set on a healthy resource in a benign documented state worth knowing
	// (e.g. RDS backing-up); Healthy stays true.
	Note string `json:"note,omitempty"`
}

// AlarmHealth is the state of one stop-condition alarm.
type AlarmHealth struct {
	Name    string `json:"name"`
	ARN     string `json:"arn,omitempty"`
	Exists  bool   `json:"exists"`
	State   string `json:"state"`
	Healthy bool   `json:"healthy"`
	Detail  string `json:"detail,omitempty"`
	// Note is set on a healthy alarm worth a warning (INSUFFICIENT_DATA: it may never fire).
	Note string `json:"note,omitempty"`
}

// RoleCheck says whether the template's IAM role exists.
type RoleCheck struct {
	ARN    string `json:"arn"`
	Exists bool   `json:"exists"`
	Detail string `json:"detail,omitempty"`
}

// Override records an explicit decision to go on despite unhealthy targets.
type Override struct {
	Reason    string    `json:"reason"`
	At        time.Time `json:"at"`
	By        string    `json:"by"`
	Unhealthy []string  `json:"unhealthy"`
}

// Discovery is the result of discover_apps.
type Discovery struct {
	At               time.Time          `json:"at"`
	Clusters         []ClusterAccess    `json:"clusters"`
	Endpoints        []ResourceEndpoint `json:"endpoints,omitempty"`
	Apps             []App              `json:"apps"`
	ManagedLogGroups []ManagedLogGroup  `json:"managed_log_groups"`
	Recommendations  []string           `json:"recommendations,omitempty"`
}

// ClusterAccess says whether an EKS cluster could be reached.
type ClusterAccess struct {
	Name           string `json:"name"`
	Endpoint       string `json:"endpoint,omitempty"`
	Reachable      bool   `json:"reachable"`
	Error          string `json:"error,omitempty"`
	KubeconfigPath string `json:"kubeconfig_path,omitempty"`
}

// ResourceEndpoint is a DNS name, address or identifier by which apps reach an affected resource.
type ResourceEndpoint struct {
	Service    string `json:"service"`
	Identifier string `json:"identifier"`
	Kind       string `json:"kind"`
	Value      string `json:"value"`
}

// App is a workload found to depend on an affected service.
type App struct {
	Cluster    string   `json:"cluster"`
	Namespace  string   `json:"namespace"`
	Workload   string   `json:"workload"`
	Kind       string   `json:"kind"`
	Containers []string `json:"containers"`
	// Service is the affected resource identifier the app depends on ("" when indirectly affected).
	Service    string            `json:"service"`
	Evidence   []string          `json:"evidence"`
	Confidence string            `json:"confidence"`
	Selector   map[string]string `json:"selector,omitempty"`
}

// Key identifies an app: cluster/namespace/workload.
func (a App) Key() string { return a.Cluster + "/" + a.Namespace + "/" + a.Workload }

// ManagedLogGroup records CloudWatch logging of one affected managed service.
type ManagedLogGroup struct {
	Service        string   `json:"service"`
	Identifier     string   `json:"identifier"`
	Enabled        bool     `json:"enabled"`
	LogGroups      []string `json:"log_groups,omitempty"`
	Recommendation string   `json:"recommendation,omitempty"`
	// Fetched is where the events of the run window were saved, once pulled.
	Fetched string `json:"fetched,omitempty"`
}

// LogCollection describes pod log following for the session.
type LogCollection struct {
	Dir       string      `json:"dir"`
	StartedAt time.Time   `json:"started_at"`
	StoppedAt *time.Time  `json:"stopped_at,omitempty"`
	Apps      []App       `json:"apps"`
	Streams   []LogStream `json:"streams"`
	// MaxStreams is the collector's stream limit (--max-log-streams).
	MaxStreams int `json:"max_streams,omitempty"`
	// NotFollowed names (namespace/pod/container) the streams left out by the
	// limit: they wait, queued, for a slot.
	NotFollowed []string `json:"not_followed,omitempty"`
	// Skipped says why collection was not done, when it was not.
	Skipped      string    `json:"skipped,omitempty"`
	LastInsights time.Time `json:"last_insights,omitempty"`
}

// LogStream is one followed (pod, container).
type LogStream struct {
	App       string `json:"app"`
	Pod       string `json:"pod"`
	Container string `json:"container"`
	File      string `json:"file"`
	Status    string `json:"status"`
	Error     string `json:"error,omitempty"`
	// PodUID, StartedAt (the container's current start) and Restarts (its restart count)
	// are the pod records fault confirmation reads: a new UID or a restart after an action
	// started shows a pod deletion or restart.
	PodUID    string     `json:"pod_uid,omitempty"`
	StartedAt *time.Time `json:"started_at,omitempty"`
	Restarts  int32      `json:"restarts,omitempty"`
}

// Confirmation is a pending start confirmation. Only the token's hash is stored.
type Confirmation struct {
	TokenHash   string    `json:"token_hash"`
	IssuedAt    time.Time `json:"issued_at"`
	ExpiresAt   time.Time `json:"expires_at"`
	Fingerprint string    `json:"fingerprint"`
	DryRun      bool      `json:"dry_run"`
	Used        bool      `json:"used"`
	// Channel is how the answer must come back: "token" or "elicitation".
	Channel string `json:"channel,omitempty"`
	// Criteria are the hypothesis criteria given to start_experiment, shown in the impact
	// warning and copied to Run.Criteria when the run starts.
	Criteria []Criterion `json:"criteria,omitempty"`
}

// Run is the FIS experiment started for the session.
type Run struct {
	ExperimentID string      `json:"experiment_id"`
	ClientToken  string      `json:"client_token"`
	DryRun       bool        `json:"dry_run"`
	ConfirmedAt  time.Time   `json:"confirmed_at"`
	ConfirmedBy  string      `json:"confirmed_by"`
	RequestedAt  time.Time   `json:"requested_at"`
	State        string      `json:"state"`
	Reason       string      `json:"reason,omitempty"`
	StartTime    *time.Time  `json:"start_time,omitempty"`
	EndTime      *time.Time  `json:"end_time,omitempty"`
	Actions      []ActionRun `json:"actions"`
	LastPolledAt time.Time   `json:"last_polled_at,omitempty"`
	// ResourceStates is the last observed status per resource ID while running.
	ResourceStates map[string]string `json:"resource_states,omitempty"`
	// ResourceHealthy is the checker's verdict on each resource's last observed status.
	ResourceHealthy map[string]bool `json:"resource_healthy,omitempty"`
	// AlarmStates is every state each stop-condition alarm was seen in, in order.
	AlarmStates map[string][]string `json:"alarm_states,omitempty"`
	// ResolvedTargets are FIS's own resolved targets (dry runs), if read.
	ResolvedTargets []ResolvedTarget `json:"resolved_targets,omitempty"`
	StopRequestedAt *time.Time       `json:"stop_requested_at,omitempty"`
	// EventWatermarks is, per AWS event stream (service and source type, e.g. "rds:db-cluster"),
	// the newest event time poll has read: the next poll reads from there (less a small overlap).
	EventWatermarks map[string]time.Time `json:"event_watermarks,omitempty"`
	// PolledThrough is how many timeline events the poll calls have returned: the next
	// poll returns the sampled events recorded after them.
	PolledThrough int `json:"polled_through,omitempty"`
	// SupervisedAt is when the run supervisor last sampled the run, and SupervisorNotes
	// the reads that failed then: a poll right after returns them instead of sampling again.
	SupervisedAt    time.Time `json:"supervised_at,omitempty"`
	SupervisorNotes []string  `json:"supervisor_notes,omitempty"`
	// UnattendedStop is why the dead-man's switch (--stop-if-unattended) stopped the run, if it did.
	UnattendedStop string `json:"unattended_stop,omitempty"`
	// Criteria are the hypothesis criteria fixed by start_experiment before the run.
	Criteria []Criterion `json:"criteria,omitempty"`
	// ExperimentReport is FIS's own experiment report of the run, as GetExperiment last
	// returned it (templates with an experiment report configuration only).
	ExperimentReport *ExperimentReport `json:"experiment_report,omitempty"`
}

// ExperimentReport is GetExperiment's experimentReport: the state of FIS's own report
// generation and, once generated, where it is in S3
// (https://docs.aws.amazon.com/fis/latest/APIReference/API_ExperimentReport.html).
type ExperimentReport struct {
	// Status is pending, running, completed, cancelled or failed (API_ExperimentReportState).
	Status string `json:"status,omitempty"`
	Reason string `json:"reason,omitempty"`
	// ErrorCode is the error code when generation failed.
	ErrorCode string                   `json:"error_code,omitempty"`
	S3Reports []ExperimentReportS3File `json:"s3_reports,omitempty"`
	// ReadAt is when fis-mcp read this state.
	ReadAt time.Time `json:"read_at"`
}

// ExperimentReportS3File is one generated report file (API_ExperimentReportS3Report).
type ExperimentReportS3File struct {
	Arn        string `json:"arn"`
	ReportType string `json:"report_type,omitempty"`
}

// ActionRun is one action's state within the running experiment.
type ActionRun struct {
	Name      string     `json:"name"`
	ActionID  string     `json:"action_id"`
	State     string     `json:"state"`
	Reason    string     `json:"reason,omitempty"`
	StartTime *time.Time `json:"start_time,omitempty"`
	EndTime   *time.Time `json:"end_time,omitempty"`
}

// ResolvedTarget is one resource FIS resolved for a target.
type ResolvedTarget struct {
	TargetName   string `json:"target_name"`
	ResourceType string `json:"resource_type"`
	Identifier   string `json:"identifier"`
}

// Abort records why a session was ended before (or instead of) an experiment.
type Abort struct {
	At      time.Time `json:"at"`
	Reason  string    `json:"reason"`
	Remedy  string    `json:"remedy,omitempty"`
	Details []string  `json:"details,omitempty"`
}

// ReportRef points at the written report.
type ReportRef struct {
	Path      string    `json:"path"`
	JSONPath  string    `json:"json_path"`
	WrittenAt time.Time `json:"written_at"`
	Summary   string    `json:"summary"`
	// FinalizedBy is who wrote it: FinalizedByTool or FinalizedBySupervisor.
	FinalizedBy string `json:"finalized_by,omitempty"`
	// HTMLPath is the single-file HTML twin of the Markdown report.
	HTMLPath string `json:"html_path,omitempty"`
	// Verdict is the report's verdict: "passed", "failed" or "inconclusive" (report.Verdict*).
	Verdict string `json:"verdict,omitempty"`
}

// Criterion is one criterion of the experiment's hypothesis: a measure of a subject and
// its bound ("orders-api recovers within 60 s"). Text is always set; a criterion whose
// text could not be parsed has no Measure and is reported as not evaluated.
type Criterion struct {
	// Text is the criterion as written (or as rendered from the structured form).
	Text string `json:"criterion"`
	// SubjectKind is what Subject names: "app", "resource", "alarm", "action" or "experiment"
	// ("" with Subject "" = every impacted app / affected resource / alarm / action).
	SubjectKind string `json:"subject_kind,omitempty"`
	Subject     string `json:"subject,omitempty"`
	// Measure is one of the report.Measure* names ("" = not parsed).
	Measure string `json:"measure,omitempty"`
	// Op is the comparison ("<=", "<", ">=", ">", "=") and Bound its value (a number for
	// numeric measures, in seconds or errors; a state name for state measures).
	Op    string `json:"op,omitempty"`
	Bound string `json:"bound,omitempty"`
	// Source is where it came from: "start_experiment", "finalize_report", "readme",
	// "expected-behavior.md" or "default".
	Source string `json:"source,omitempty"`
}

// Event is one timeline entry.
type Event struct {
	Time time.Time `json:"time"`
	// Source: "fis", "fis-action", "resource", "alarm", "app", "fis-mcp", "rds-events", ...
	Source  string `json:"source"`
	Kind    string `json:"kind,omitempty"`
	Subject string `json:"subject,omitempty"`
	Message string `json:"message"`
	// Observed is true when Time is when fis-mcp saw it rather than AWS's own timestamp.
	Observed bool `json:"observed,omitempty"`
	// RecordedBy says which sampling recorded it: RecordedBySupervisor (the server's own
	// run supervisor) or RecordedByPoll (a poll call); empty for events of other steps.
	RecordedBy string `json:"recorded_by,omitempty"`
}

// Who recorded a sampled event (Event.RecordedBy) and who finalized a report (ReportRef.FinalizedBy).
const (
	RecordedBySupervisor  = "supervisor"
	RecordedByPoll        = "poll"
	FinalizedByTool       = "finalize_report"
	FinalizedBySupervisor = "supervisor"
)

// APICall is one entry of the audit trail.
type APICall struct {
	Time      time.Time `json:"time"`
	Tool      string    `json:"tool,omitempty"`
	Service   string    `json:"service"`
	Operation string    `json:"operation"`
	Resource  string    `json:"resource,omitempty"`
	Result    string    `json:"result"`
	LatencyMS int64     `json:"latency_ms"`
	// CLI is the equivalent AWS CLI command for mutating calls.
	CLI string `json:"cli,omitempty"`
}

// Observations are AWS's own records of the run window, read after (and during) the run.
type Observations struct {
	WindowStart time.Time `json:"window_start"`
	WindowEnd   time.Time `json:"window_end"`
	// ServiceEvents come from RDS/ElastiCache/MemoryDB DescribeEvents, Auto Scaling activities,
	// EC2 state transitions, EKS nodegroup health, MSK operations; Source names the API.
	ServiceEvents []Event           `json:"service_events,omitempty"`
	Metrics       []MetricSeries    `json:"metrics,omitempty"`
	AlarmHistory  []AlarmTransition `json:"alarm_history,omitempty"`
	Errors        []string          `json:"errors,omitempty"`
}

// MetricSeries is one CloudWatch metric of one resource over the window.
type MetricSeries struct {
	Service    string        `json:"service"`
	Identifier string        `json:"identifier"`
	Namespace  string        `json:"namespace"`
	Metric     string        `json:"metric"`
	Stat       string        `json:"stat"`
	Unit       string        `json:"unit,omitempty"`
	Points     []MetricPoint `json:"points"`
	// PeriodSeconds is the GetMetricData period the points were read with (0: not
	// recorded, sessions from before it was); HighResolution says whether the metric is
	// a high-resolution one (sub-minute periods possible) or standard (60 s at best).
	PeriodSeconds  int  `json:"period_seconds,omitempty"`
	HighResolution bool `json:"high_resolution,omitempty"`
}

// MetricPoint is one datapoint.
type MetricPoint struct {
	Time  time.Time `json:"time"`
	Value float64   `json:"value"`
}

// AlarmTransition is one state change of a stop-condition alarm.
type AlarmTransition struct {
	Alarm  string    `json:"alarm"`
	Time   time.Time `json:"time"`
	From   string    `json:"from"`
	To     string    `json:"to"`
	Reason string    `json:"reason,omitempty"`
}
