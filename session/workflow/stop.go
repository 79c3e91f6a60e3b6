package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/experiment"
	"github.com/fis-mcp/fis-mcp/session"
)

// StopFollow is how long Stop follows an experiment to its stopped state.
const StopFollow = 60 * time.Second

// StopRequest asks for the emergency stop of a session: its experiment is stopped, or the
// session aborted when none was started. Reason is recorded ("" = stopped by the user).
type StopRequest struct {
	SessionID string
	Reason    string
}

// StopOutcome is what a stop did.
type StopOutcome string

// Stop outcomes.
const (
	// StopQueued: StartExperiment is still in flight in this process; the start stops the
	// experiment the moment FIS accepts it.
	StopQueued StopOutcome = "queued"
	// StopExperiment: the session's experiment was stopped (or had already ended).
	StopExperiment StopOutcome = "experiment"
	// StopAborted: no experiment had been started; the session is aborted.
	StopAborted StopOutcome = "aborted"
	// StopNothing: the session had already ended.
	StopNothing StopOutcome = "nothing"
)

// StopResult is the stop's outcome. SessionID is set as soon as the session was read,
// also with an error.
type StopResult struct {
	SessionID string
	Outcome   StopOutcome
	// Session is the stored session after the stop.
	Session *session.Session
	// State is the experiment's FIS state after the stop, "aborted", "stop_requested"
	// (StopQueued), or the session's state when there was nothing to stop.
	State        string
	ExperimentID string
	// Reason is FIS's reason for the experiment's state (StopExperiment).
	Reason string
	// Terminal says the experiment has ended (StopExperiment).
	Terminal bool
	// StopSent says StopExperiment was sent (not when the experiment had already ended);
	// SentState is the state it answered with.
	StopSent  bool
	SentState string
	// Command is the AWS CLI equivalent of the StopExperiment call, set (and reported
	// through progress) before the call is sent, also when it then fails.
	Command string
	// LogsStopped says the session's log collection is stopped.
	LogsStopped bool
	// LogsUnsaved and StopUnsaved warn that the end of log collection, or the stop
	// request, could not be recorded (the stop went on regardless).
	LogsUnsaved string
	StopUnsaved string
}

// Stop is the emergency stop, usable at every step: log collection stops first, durably;
// a start whose experiment ID is not known yet is settled (found by its session tag, or
// queued behind the in-flight StartExperiment); a running experiment gets StopExperiment
// (sent even when it cannot be read first) and is followed up to StopFollow until
// stopped; a session with no experiment is aborted.
func (e *Engine) Stop(ctx context.Context, in StopRequest, progress Progress) (StopResult, error) {
	var res StopResult
	sess, err := e.Store.Get(in.SessionID)
	if err != nil {
		return res, err
	}
	res.SessionID = sess.ID
	reason := strings.TrimSpace(in.Reason)
	if reason == "" {
		reason = "stopped by the user (stop_experiment)"
	}
	// Log collection stops first, durably, whatever happens next.
	res.LogsStopped = e.StopLogs(sess.ID)
	if sess.Logs != nil && sess.Logs.StoppedAt == nil {
		if updated, err := e.Store.Record(e.Log, sess.ID, "logs stopped", func(s *session.Session) error {
			if s.Logs != nil && s.Logs.StoppedAt == nil {
				now := e.Clock.Now().UTC()
				s.Logs.StoppedAt = &now
				s.AddEvent(session.Event{Time: now, Source: session.SourceFISMCP, Kind: session.EventLogsStopped, Message: "log collection stopped (stop_experiment)"})
			}
			return nil
		}); err == nil {
			sess = updated
			res.LogsStopped = true
		} else {
			res.LogsUnsaved = UnsavedNote("end of log collection", err)
		}
	}
	// A start whose experiment ID is not known yet (in flight, crashed, or unknown outcome).
	if sess.Run != nil && sess.Run.ExperimentID == "" && !sess.Terminal() {
		resolved, err := e.resolvePendingStart(ctx, sess)
		if errors.Is(err, errStopQueued) {
			res.Outcome, res.State, res.Session = StopQueued, "stop_requested", resolved
			return res, nil
		}
		if err != nil {
			return res, err
		}
		sess = resolved
	}
	switch {
	case sess.Run != nil && sess.Run.ExperimentID != "":
		return e.stopExperiment(ctx, sess, reason, res, progress)
	case !sess.Terminal():
		return e.abort(sess, reason, res)
	}
	res.Outcome, res.Session, res.State = StopNothing, sess, string(sess.State)
	if sess.Run != nil {
		res.State, res.ExperimentID = sess.Run.State, sess.Run.ExperimentID
	}
	return res, nil
}

// stopExperiment sends StopExperiment for the session's experiment (unless it has ended)
// and follows it to its stopped state.
func (e *Engine) stopExperiment(ctx context.Context, sess *session.Session, reason string, res StopResult, progress Progress) (StopResult, error) {
	res.Outcome = StopExperiment
	clients, err := e.AWS(sess.Experiment.Region)
	if err != nil {
		return res, err
	}
	id := sess.Run.ExperimentID
	res.ExperimentID = id
	st, getErr := experiment.Get(ctx, clients.FIS, id)
	if getErr != nil || !experiment.IsTerminal(st.State) {
		// Send the stop even when the experiment could not be read first.
		now := e.Clock.Now().UTC()
		if _, err := e.Store.Record(e.Log, sess.ID, "stop request", func(s *session.Session) error {
			if s.Run != nil {
				s.Run.StopRequestedAt = &now
			}
			s.AddEvent(session.Event{Time: now, Source: session.SourceFISMCP, Kind: session.EventStopRequested, Subject: id, Message: "StopExperiment requested: " + reason})
			return nil
		}); err != nil {
			res.StopUnsaved = UnsavedNote("stop request", err)
		}
		// Show the command before it runs (no confirmation: a stop is never delayed).
		res.Command = experiment.StopCLI(id, sess.Experiment.Region)
		if progress != nil {
			progress(0, 0, "Sending: "+res.Command)
		}
		stopped, err := experiment.Stop(ctx, clients.FIS, id)
		if err != nil {
			if getErr != nil && awsapi.IsNotFound(getErr) {
				_, verr := e.MarkVanished(sess, getErr)
				return res, verr
			}
			return res, fmt.Errorf("FIS StopExperiment %s failed: %w. Stop it by hand now: %s, or the FIS console", id, err, res.Command)
		}
		st = stopped
		res.StopSent, res.SentState = true, st.State
		deadline := e.Clock.Now().Add(StopFollow)
		for !experiment.IsTerminal(st.State) && e.Clock.Now().Before(deadline) {
			if progress != nil {
				progress(0, 0, fmt.Sprintf("experiment %s %s, waiting for stopped", id, st.State))
			}
			if err := e.Clock.Sleep(ctx, e.Config.PollWaitStep); err != nil {
				break
			}
			next, err := experiment.Get(ctx, clients.FIS, id)
			if err != nil {
				break
			}
			st = next
		}
	}
	updated, _, err := e.RecordStatus(sess.ID, st)
	if err != nil {
		return res, err
	}
	res.Session, res.State, res.Reason, res.Terminal = updated, st.State, st.Reason, experiment.IsTerminal(st.State)
	return res, nil
}

// abort ends a session that has not started an experiment.
func (e *Engine) abort(sess *session.Session, reason string, res StopResult) (StopResult, error) {
	now := e.Clock.Now().UTC()
	var raced bool
	updated, err := e.Store.Update(sess.ID, func(s *session.Session) error {
		if s.Terminal() {
			return nil
		}
		if s.Run != nil {
			raced = true // a start began meanwhile: never abort over it
			return nil
		}
		s.Confirmation = nil
		s.Abort = &session.Abort{At: now, Reason: reason, Remedy: "nothing was started; resolve the experiment again to start over"}
		s.AddEvent(session.Event{Time: now, Source: session.SourceFISMCP, Kind: session.EventAborted, Message: "session aborted before any experiment was started: " + reason})
		return s.Transition(session.StateAborted)
	})
	if err != nil {
		return res, err
	}
	if raced {
		return res, errors.New("a start began while stopping: call stop_experiment again now to stop it")
	}
	res.Outcome, res.Session, res.State = StopAborted, updated, "aborted"
	return res, nil
}

// errStopQueued says a StartExperiment call of this process is still in flight: the
// launch stops the experiment itself as soon as FIS has accepted it.
var errStopQueued = errors.New("stop queued behind an in-flight start")

// resolvePendingStart settles a start whose experiment ID is unknown before stopping:
// it records the stop request (an in-flight launch honours it), then looks the
// experiment up by its session tag. A start FIS certainly does not know, with no
// launch in flight, is dropped so the session can be aborted.
func (e *Engine) resolvePendingStart(ctx context.Context, sess *session.Session) (*session.Session, error) {
	now := e.Clock.Now().UTC()
	fresh, err := e.Store.Update(sess.ID, func(s *session.Session) error {
		if s.Run != nil && s.Run.ExperimentID == "" {
			s.Run.StopRequestedAt = &now
		}
		return nil
	})
	if err != nil {
		return sess, err
	}
	if fresh.Run == nil || fresh.Run.ExperimentID != "" {
		return fresh, nil
	}
	recovered, found, err := e.RecoverStart(ctx, fresh)
	if err != nil {
		return fresh, err // never abort a start that may exist
	}
	if found {
		return recovered, nil
	}
	if e.StartInFlight(sess.ID) {
		return fresh, errStopQueued
	}
	return e.Store.Update(sess.ID, func(s *session.Session) error {
		if s.Run != nil && s.Run.ExperimentID == "" {
			s.AddEvent(session.Event{Time: e.Clock.Now().UTC(), Source: session.SourceFISMCP, Kind: session.EventStartNotFound,
				Message: "FIS has no experiment tagged " + experiment.SessionTag + "=" + s.ID + ": the requested start did not happen"})
			s.Run = nil
		}
		return nil
	})
}
