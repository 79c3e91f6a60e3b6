package tools

import (
	"fmt"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

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
	logsStopped := d.stopLogs(sess.ID)
	var text strings.Builder
	if logsStopped {
		text.WriteString("Log collection stopped.\n")
	}
	if sess.Run != nil && sess.Run.ExperimentID == "" && !sess.Terminal() {
		if recovered, rerr := d.recoverStart(c, sess); rerr == nil {
			sess = recovered
		}
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
		st, err := experiment.Get(c.ctx, clients.FIS, id)
		if err != nil {
			return c.fail(sess.ID, fmt.Errorf("read experiment %s before stopping: %w. Stop it by hand now: aws fis stop-experiment --id %s --region %s", id, err, id, sess.Experiment.Region))
		}
		if !experiment.IsTerminal(st.State) {
			now := d.Clock.Now().UTC()
			_, _ = d.Store.Update(sess.ID, func(s *session.Session) error {
				s.Run.StopRequestedAt = &now
				s.AddEvent(session.Event{Time: now, Source: "fis-mcp", Kind: "stop-requested", Subject: id, Message: "StopExperiment requested: " + reason})
				return nil
			})
			if st, err = experiment.Stop(c.ctx, clients.FIS, id); err != nil {
				return c.fail(sess.ID, fmt.Errorf("FIS StopExperiment %s failed: %w. Stop it by hand now: aws fis stop-experiment --id %s --region %s, or the FIS console", id, err, id, sess.Experiment.Region))
			}
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
		if sess, _, err = d.recordStatus(sess.ID, st); err != nil {
			return c.fail(in.SessionID, err)
		}
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
		sess, err = d.Store.Update(sess.ID, func(s *session.Session) error {
			if s.Terminal() {
				return nil
			}
			s.Run = nil
			s.Confirmation = nil
			s.Abort = &session.Abort{At: now, Reason: reason, Remedy: "nothing was started; resolve the experiment again to start over"}
			s.AddEvent(session.Event{Time: now, Source: "fis-mcp", Kind: "aborted", Message: "session aborted before any experiment was started: " + reason})
			return s.Transition(session.StateAborted)
		})
		if err != nil {
			return c.fail(in.SessionID, err)
		}
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
	if sess.Logs != nil && sess.Logs.StoppedAt == nil {
		sess, _ = d.Store.Update(sess.ID, func(s *session.Session) error {
			if s.Logs != nil && s.Logs.StoppedAt == nil {
				now := d.Clock.Now().UTC()
				s.Logs.StoppedAt = &now
			}
			return nil
		})
	}
	out.SessionState = sess.State
	return c.finish(sess.ID, &out, &out.Common, text.String())
}

// stopLogs stops this process's log collection for the session.
func (d *Deps) stopLogs(id string) bool { return d.logs.stop(id) }
