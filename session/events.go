package session

import "github.com/rs/zerolog"

// Event sources (Event.Source) written by fis-mcp itself. AWS's own records name the
// API they come from instead (aws/events: e.g. "rds:DescribeEvents").
const (
	// SourceFISMCP marks what fis-mcp did or decided (confirmations, refusals, logs, notes).
	SourceFISMCP = "fis-mcp"
	// SourceFIS marks the experiment's own lifecycle as FIS reports it.
	SourceFIS = "fis"
	// SourceFISAction marks an action's state transition as FIS reports it.
	SourceFISAction = "fis-action"
	// SourceResource marks a change of an affected resource's live state, sampled by poll.
	SourceResource = "resource"
	// SourceAlarm marks a stop-condition alarm's state (sampled by poll, or its history in the report).
	SourceAlarm = "alarm"
	// SourceApp marks an application event derived from the pod logs (report timeline).
	SourceApp = "app"
)

// Event kinds (Event.Kind) of the session timeline, in workflow order.
const (
	// EventAborted is recorded when a session is ended before any experiment was started.
	EventAborted = "aborted"
	// EventResolved is recorded when resolve_experiment creates the session.
	EventResolved = "resolved"
	// EventHealthCheck is recorded with every health_check verdict.
	EventHealthCheck = "health-check"
	// EventHealthOverride is recorded when the human overrides an unhealthy verdict.
	EventHealthOverride = "health-override"
	// EventDiscovery is recorded when discover_apps stores the apps to follow.
	EventDiscovery = "discovery"
	// EventLogsStarted is recorded when start_logs begins following pod logs.
	EventLogsStarted = "logs-started"
	// EventLogsResumed is recorded when log collection resumes after a server restart.
	EventLogsResumed = "logs-resumed"
	// EventLogsStopped is recorded when log collection stops (stop_experiment or after the baseline).
	EventLogsStopped = "logs-stopped"
	// EventConfirmationIssued is recorded when start_experiment issues a confirmation (token or prompt).
	EventConfirmationIssued = "confirmation-issued"
	// EventConfirmationInvalidated is recorded when a new health check voids a pending confirmation.
	EventConfirmationInvalidated = "confirmation-invalidated"
	// EventConfirmationDeclined is recorded when the human declines (or cancels) the start prompt.
	EventConfirmationDeclined = "confirmation-declined"
	// EventStartRefused is recorded when a start is refused (bad token, changed template, ...).
	EventStartRefused = "start-refused"
	// EventConfirmed is recorded when a confirmed start is accepted, just before StartExperiment.
	EventConfirmed = "confirmed"
	// EventStarted is recorded when FIS has accepted StartExperiment.
	EventStarted = "started"
	// EventStartFailed is recorded when FIS certainly did not start anything.
	EventStartFailed = "start-failed"
	// EventStartUnknown is recorded when StartExperiment's outcome is unknown (lost answer).
	EventStartUnknown = "start-unknown"
	// EventStartNotFound is recorded when a start of unknown outcome is not found by its session tag.
	EventStartNotFound = "start-not-found"
	// EventRecovered is recorded when poll recovers the experiment ID by its session tag.
	EventRecovered = "recovered"
	// EventStopRequested is recorded just before stop_experiment calls StopExperiment.
	EventStopRequested = "stop-requested"
	// EventExperimentNotFound is recorded when FIS no longer knows the session's experiment.
	EventExperimentNotFound = "experiment-not-found"
	// EventExperimentState is recorded for each experiment state transition FIS reports.
	EventExperimentState = "experiment-state"
	// EventActionState is recorded for each action state transition FIS reports.
	EventActionState = "action-state"
	// EventResourceState is recorded when poll samples a changed resource state.
	EventResourceState = "resource-state"
	// EventAlarmState is recorded when poll samples a changed stop-condition alarm state.
	EventAlarmState = "alarm-state"
	// EventDryRun is recorded with a dry run's resolved-target comparison (or why it failed).
	EventDryRun = "dry-run"
	// EventDryRunDifference is recorded for each target a dry run resolved differently from the health check.
	EventDryRunDifference = "dry-run-difference"
	// EventNote is recorded when a read failed (what is missing and why).
	EventNote = "note"
	// EventReported is recorded when finalize_report writes the report.
	EventReported = "reported"
)

// Service event kinds (Observations.ServiceEvents) read from AWS's own records by aws/events.
const (
	// EventNodegroupStatus is recorded for an EKS node group not ACTIVE, or modified in the window.
	EventNodegroupStatus = "nodegroup-status"
	// EventNodegroupHealth is recorded for each EKS node group health issue.
	EventNodegroupHealth = "nodegroup-health"
	// EventOperationStart is recorded when an MSK cluster operation started in the window.
	EventOperationStart = "operation-start"
	// EventOperationEnd is recorded when an MSK cluster operation ended in the window.
	EventOperationEnd = "operation-end"
	// EventOperationInProgress is recorded for an MSK cluster operation spanning the whole window.
	EventOperationInProgress = "operation-in-progress"
	// EventStateTransition is recorded for each EC2 instance state transition.
	EventStateTransition = "state-transition"
	// EventScalingActivity is recorded for each Auto Scaling activity.
	EventScalingActivity = "scaling-activity"
)

// Record applies fn to the stored session like Update. A failed write is never dropped
// silently: it is logged at error level with the session ID and what was being recorded,
// and returned so the caller can tell the user.
func (s *Store) Record(log zerolog.Logger, id, what string, fn func(*Session) error) (*Session, error) {
	sess, err := s.Update(id, fn)
	if err != nil {
		log.Error().Err(err).Str("session", id).Str("recording", what).Msg("could not save the session: the change is lost")
	}
	return sess, err
}

// RecordEvent appends ev to the session's timeline (see Record).
func (s *Store) RecordEvent(log zerolog.Logger, id string, ev Event) (*Session, error) {
	what := ev.Kind
	if what == "" {
		what = "event"
	}
	return s.Record(log, id, what+" event", func(sess *Session) error {
		sess.AddEvent(ev)
		return nil
	})
}
