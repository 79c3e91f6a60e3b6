package tools

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/experiment"
	"github.com/fis-mcp/fis-mcp/session"
)

// StopExperimentInput selects the session.
type StopExperimentInput struct {
	SessionID string `json:"session_id" jsonschema:"the session to stop or abort"`
	Reason    string `json:"reason,omitempty" jsonschema:"why it is stopped (recorded in the report)"`
}

// StopExperimentOutput is the resulting state.
type StopExperimentOutput struct {
	SessionID    string        `json:"session_id"`
	State        string        `json:"state" jsonschema:"the experiment's FIS state after the stop, or aborted when none was started"`
	SessionState session.State `json:"session_state"`
	ExperimentID string        `json:"experiment_id,omitempty"`
	LogsStopped  bool          `json:"logs_stopped"`
	Common
}

// StopExperiment is the stop_experiment tool.
func StopExperiment(d *Deps) server.ServerTool {
	tool := mcp.NewTool("stop_experiment",
		mcp.WithDescription("EMERGENCY STOP, usable at every step and never disabled (also in read-only mode): a running or initiating experiment is stopped with FIS StopExperiment and followed until it is stopped; a session that has not started one is aborted. Always stops log collection. Idempotent. If this server is unavailable: `aws fis stop-experiment --id <experiment-id> --region <region>` or AWS console → FIS → Experiments → Stop."),
		mcp.WithTitleAnnotation("Experiment: STOP / abort"),
		mcp.WithReadOnlyHintAnnotation(false),
		mcp.WithDestructiveHintAnnotation(true),
		mcp.WithIdempotentHintAnnotation(true),
		mcp.WithOpenWorldHintAnnotation(true),
		mcp.WithInputSchema[StopExperimentInput](),
		mcp.WithOutputSchema[StopExperimentOutput](),
	)
	return server.ServerTool{Tool: tool, Handler: handle(d, "stop_experiment", (*Deps).stopExperiment)}
}

// stopFollow is how long stop_experiment follows an experiment to its stopped state.
const stopFollow = 60 * time.Second

func (d *Deps) stopExperiment(c *call, in StopExperimentInput) (*mcp.CallToolResult, error) {
	sess, err := d.Store.Get(in.SessionID)
	if err != nil {
		return c.fail("", err)
	}
	reason := strings.TrimSpace(in.Reason)
	if reason == "" {
		reason = "stopped by the user (stop_experiment)"
	}
	var text strings.Builder
	// Log collection stops first, durably, whatever happens next.
	logsStopped := d.StopLogs(sess.ID)
	if sess.Logs != nil && sess.Logs.StoppedAt == nil {
		if updated, err := d.Store.Record(d.Log, sess.ID, "logs stopped", func(s *session.Session) error {
			if s.Logs != nil && s.Logs.StoppedAt == nil {
				now := d.Clock.Now().UTC()
				s.Logs.StoppedAt = &now
				s.AddEvent(session.Event{Time: now, Source: session.SourceFISMCP, Kind: session.EventLogsStopped, Message: "log collection stopped (stop_experiment)"})
			}
			return nil
		}); err == nil {
			sess = updated
			logsStopped = true
		} else {
			text.WriteString(unsavedNote("end of log collection", err) + "\n")
		}
	}
	if logsStopped {
		text.WriteString("Log collection stopped.\n")
	}
	// A start whose experiment ID is not known yet (in flight, crashed, or unknown outcome).
	if sess.Run != nil && sess.Run.ExperimentID == "" && !sess.Terminal() {
		resolved, err := d.resolvePendingStart(c, sess)
		if errors.Is(err, errStopQueued) {
			out := StopExperimentOutput{SessionID: sess.ID, State: "stop_requested", SessionState: resolved.State, LogsStopped: logsStopped}
			text.WriteString("StartExperiment is still in flight for this session: the stop is recorded, and the experiment is stopped the moment FIS accepts it (the start_experiment result will say so). Call stop_experiment again in a few seconds to confirm.\n")
			return c.finish(sess.ID, &out, &out.Common, text.String())
		}
		if err != nil {
			return c.fail(in.SessionID, err)
		}
		sess = resolved
	}
	out := StopExperimentOutput{SessionID: sess.ID, LogsStopped: logsStopped}
	switch {
	case sess.Run != nil && sess.Run.ExperimentID != "":
		clients, err := d.AWS(sess.Experiment.Region)
		if err != nil {
			return c.fail(sess.ID, err)
		}
		id := sess.Run.ExperimentID
		out.ExperimentID = id
		st, getErr := experiment.Get(c.ctx, clients.FIS, id)
		if getErr != nil || !experiment.IsTerminal(st.State) {
			// Send the stop even when the experiment could not be read first.
			now := d.Clock.Now().UTC()
			if _, err := d.Store.Record(d.Log, sess.ID, "stop request", func(s *session.Session) error {
				if s.Run != nil {
					s.Run.StopRequestedAt = &now
				}
				s.AddEvent(session.Event{Time: now, Source: session.SourceFISMCP, Kind: session.EventStopRequested, Subject: id, Message: "StopExperiment requested: " + reason})
				return nil
			}); err != nil {
				text.WriteString(unsavedNote("stop request", err) + " (the stop is sent anyway)\n")
			}
			stopped, err := experiment.Stop(c.ctx, clients.FIS, id)
			if err != nil {
				if getErr != nil && awsapi.IsNotFound(getErr) {
					return d.markVanished(c, sess, getErr)
				}
				return c.fail(sess.ID, fmt.Errorf("FIS StopExperiment %s failed: %w. Stop it by hand now: aws fis stop-experiment --id %s --region %s, or the FIS console", id, err, id, sess.Experiment.Region))
			}
			st = stopped
			fmt.Fprintf(&text, "StopExperiment sent for %s (state %s).\n", id, st.State)
			deadline := d.Clock.Now().Add(stopFollow)
			for !experiment.IsTerminal(st.State) && d.Clock.Now().Before(deadline) {
				c.progress(0, 0, fmt.Sprintf("experiment %s %s, waiting for stopped", id, st.State))
				if err := d.Clock.Sleep(c.ctx, d.Config.PollWaitStep); err != nil {
					break
				}
				next, err := experiment.Get(c.ctx, clients.FIS, id)
				if err != nil {
					break
				}
				st = next
			}
		}
		updated, _, err := d.RecordStatus(sess.ID, st)
		if err != nil {
			return c.fail(in.SessionID, err)
		}
		sess = updated
		out.State = st.State
		if experiment.IsTerminal(st.State) {
			fmt.Fprintf(&text, "Experiment %s is %s.", id, st.State)
			if st.Reason != "" {
				fmt.Fprintf(&text, " (%s)", st.Reason)
			}
			text.WriteString(" Next: finalize_report.\n")
		} else {
			fmt.Fprintf(&text, "Experiment %s is still %s after %s: poll it until it is stopped, and check the FIS console.\n", id, st.State, stopFollow)
		}
	case !sess.Terminal():
		now := d.Clock.Now().UTC()
		var raced bool
		updated, err := d.Store.Update(sess.ID, func(s *session.Session) error {
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
			return c.fail(in.SessionID, err)
		}
		if raced {
			return c.fail(in.SessionID, errors.New("a start began while stopping: call stop_experiment again now to stop it"))
		}
		sess = updated
		out.State = "aborted"
		text.WriteString("No experiment had been started: the session is aborted and nothing will start. finalize_report writes the abort report.\n")
	default:
		out.State = string(sess.State)
		if sess.Run != nil {
			out.State = sess.Run.State
			out.ExperimentID = sess.Run.ExperimentID
		}
		fmt.Fprintf(&text, "Nothing to stop: the session is already %s.\n", sess.State)
	}
	out.SessionState = sess.State
	return c.finish(sess.ID, &out, &out.Common, text.String())
}

// errStopQueued says a StartExperiment call of this process is still in flight: the
// launch stops the experiment itself as soon as FIS has accepted it.
var errStopQueued = errors.New("stop queued behind an in-flight start")

// resolvePendingStart settles a start whose experiment ID is unknown before stopping:
// it records the stop request (an in-flight launch honours it), then looks the
// experiment up by its session tag. A start FIS certainly does not know, with no
// launch in flight, is dropped so the session can be aborted.
func (d *Deps) resolvePendingStart(c *call, sess *session.Session) (*session.Session, error) {
	now := d.Clock.Now().UTC()
	fresh, err := d.Store.Update(sess.ID, func(s *session.Session) error {
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
	recovered, found, err := d.RecoverStart(c.ctx, fresh)
	if err != nil {
		return fresh, err // never abort a start that may exist
	}
	if found {
		return recovered, nil
	}
	if d.StartInFlight(sess.ID) {
		return fresh, errStopQueued
	}
	return d.Store.Update(sess.ID, func(s *session.Session) error {
		if s.Run != nil && s.Run.ExperimentID == "" {
			s.AddEvent(session.Event{Time: d.Clock.Now().UTC(), Source: session.SourceFISMCP, Kind: session.EventStartNotFound,
				Message: "FIS has no experiment tagged " + experiment.SessionTag + "=" + s.ID + ": the requested start did not happen"})
			s.Run = nil
		}
		return nil
	})
}

// markVanished renders Engine.MarkVanished's refusal.
func (d *Deps) markVanished(c *call, sess *session.Session, cause error) (*mcp.CallToolResult, error) {
	updated, err := d.MarkVanished(sess, cause)
	return c.fail(updated.ID, err)
}
