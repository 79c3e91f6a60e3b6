package tools

import (
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/workflow"
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
		inputSchema[StopExperimentInput](),
		mcp.WithOutputSchema[StopExperimentOutput](),
	)
	return server.ServerTool{Tool: tool, Handler: handle(d, "stop_experiment", (*Deps).stopExperiment)}
}

func (d *Deps) stopExperiment(c *call, in StopExperimentInput) (*mcp.CallToolResult, error) {
	res, err := d.Stop(c.ctx, workflow.StopRequest{SessionID: in.SessionID, Reason: in.Reason}, c.progress)
	if err != nil {
		return c.fail(res.SessionID, err)
	}
	out := StopExperimentOutput{SessionID: res.SessionID, State: res.State, SessionState: res.Session.State, ExperimentID: res.ExperimentID, LogsStopped: res.LogsStopped}
	return c.finish(res.SessionID, &out, &out.Common, stopText(res))
}

func stopText(res workflow.StopResult) string {
	var text strings.Builder
	if res.Command != "" { // shown before the call too, as a progress message
		fmt.Fprintf(&text, "Sending: %s\n", res.Command)
	}
	if res.LogsUnsaved != "" {
		text.WriteString(res.LogsUnsaved + "\n")
	}
	if res.LogsStopped {
		text.WriteString("Log collection stopped.\n")
	}
	switch res.Outcome {
	case workflow.StopQueued:
		text.WriteString("StartExperiment is still in flight for this session: the stop is recorded, and the experiment is stopped the moment FIS accepts it (the start_experiment result will say so). Call stop_experiment again in a few seconds to confirm.\n")
	case workflow.StopExperiment:
		if res.StopUnsaved != "" {
			text.WriteString(res.StopUnsaved + " (the stop is sent anyway)\n")
		}
		if res.StopSent {
			fmt.Fprintf(&text, "StopExperiment sent for %s (state %s).\n", res.ExperimentID, res.SentState)
		}
		if res.Terminal {
			fmt.Fprintf(&text, "Experiment %s is %s.", res.ExperimentID, res.State)
			if res.Reason != "" {
				fmt.Fprintf(&text, " (%s)", res.Reason)
			}
			text.WriteString(" Next: finalize_report.\n")
		} else {
			fmt.Fprintf(&text, "Experiment %s is still %s after %s: poll it until it is stopped, and check the FIS console.\n", res.ExperimentID, res.State, workflow.StopFollow)
		}
		if res.Session != nil {
			text.WriteString(workflow.LeverLine(res.Session.Experiment.Region) + "\n")
		}
	case workflow.StopAborted:
		text.WriteString("No experiment had been started: the session is aborted and nothing will start. finalize_report writes the abort report, or resolve_experiment opens a new session.\n")
	default:
		fmt.Fprintf(&text, "Nothing to stop: the session is already %s.\n", res.Session.State)
	}
	return text.String()
}
