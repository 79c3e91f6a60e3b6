package tools

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/experiment"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/audit"
)

// Common carries the fields every tool result has.
type Common struct {
	// APICalls are the AWS and Kubernetes calls this tool call made.
	APICalls []session.APICall `json:"api_calls" jsonschema:"AWS and Kubernetes API calls made by this tool call"`
	// Abort says how to stop right now.
	Abort string `json:"abort" jsonschema:"how to stop the experiment or abort the session right now"`
	// Mode is set when the server is read-only or simulated.
	Mode string `json:"mode,omitempty" jsonschema:"read-only and/or simulated when the server runs that way"`
}

// call is the context of one tool invocation.
type call struct {
	d     *Deps
	tool  string
	rec   *audit.Recorder
	ctx   context.Context
	req   mcp.CallToolRequest
	start time.Time
}

func (d *Deps) newCall(ctx context.Context, tool string, req mcp.CallToolRequest) *call {
	rec := audit.NewRecorder(tool)
	return &call{d: d, tool: tool, rec: rec, ctx: audit.With(ctx, rec), req: req, start: time.Now()}
}

// logDone logs the end of a tool call (never its arguments' secrets: there are none,
// and AWS/Kubernetes calls are logged by operation and resource only).
func (c *call) logDone(sessionID string, calls int, err error) {
	ev := c.d.Log.Debug()
	if err != nil {
		ev = c.d.Log.Info().Str("refusal", err.Error())
	}
	ev.Str("tool", c.tool).Str("session", sessionID).Int("api_calls", calls).
		Dur("took", time.Since(c.start)).Msg("tool call done")
	for _, cl := range c.rec.Calls() {
		c.d.Log.Debug().Str("tool", c.tool).Str("service", cl.Service).Str("operation", cl.Operation).
			Str("resource", cl.Resource).Str("result", cl.Result).Int64("latency_ms", cl.LatencyMS).Msg("api call")
	}
}

// flushCalls appends the calls recorded since the last flush to the session's audit
// trail and returns every call of this tool call.
func (c *call) flushCalls(sessionID string) []session.APICall {
	c.d.SaveAPICalls(c.ctx, sessionID)
	return nonNil(c.rec.Calls())
}

// abortLine says how to stop now, for a session (and its experiment, once one exists).
func abortLine(sess *session.Session) string {
	if sess == nil {
		return "Nothing is running: no session yet, nothing to stop."
	}
	if sess.Run != nil && sess.Run.ExperimentID != "" && !sess.Terminal() {
		return fmt.Sprintf("To stop now: call stop_experiment with session_id %s; if the server is gone: `%s` or AWS console → FIS → Experiments → %s → Stop.",
			sess.ID, experiment.StopCLI(sess.Run.ExperimentID, sess.Experiment.Region), sess.Run.ExperimentID)
	}
	if sess.Terminal() {
		return fmt.Sprintf("Nothing is running for session %s (state %s).", sess.ID, sess.State)
	}
	return fmt.Sprintf("To abort: call stop_experiment with session_id %s (no experiment has been started).", sess.ID)
}

// mode describes the server mode for results.
func (d *Deps) mode() string {
	var parts []string
	if d.Config.ReadOnly {
		parts = append(parts, "read-only (StartExperiment is disabled)")
	}
	if d.Config.Simulated {
		parts = append(parts, "SIMULATED account (no real AWS resources)")
	}
	return strings.Join(parts, "; ")
}

// finish builds a successful result: structured content plus text ending with the calls and the abort line.
func (c *call) finish(sessionID string, out any, common *Common, text string) (*mcp.CallToolResult, error) {
	c.d.NoteToolCall(sessionID) // the dead-man's switch counts from here
	common.APICalls = c.flushCalls(sessionID)
	sess, _ := c.session(sessionID)
	common.Abort = c.d.footer(sess)
	common.Mode = c.d.mode()
	var b strings.Builder
	if common.Mode != "" {
		fmt.Fprintf(&b, "[%s]\n", common.Mode)
	}
	b.WriteString(strings.TrimRight(text, "\n"))
	b.WriteString("\n")
	b.WriteString(callsText(common.APICalls))
	b.WriteString(common.Abort)
	c.logDone(sessionID, len(common.APICalls), nil)
	return mcp.NewToolResultStructured(out, b.String()), nil
}

// fail builds an isError result with what to do next, and records the calls made.
func (c *call) fail(sessionID string, err error) (*mcp.CallToolResult, error) {
	c.d.NoteToolCall(sessionID) // the dead-man's switch counts from here
	calls := c.flushCalls(sessionID)
	sess, _ := c.session(sessionID)
	var b strings.Builder
	if m := c.d.mode(); m != "" {
		fmt.Fprintf(&b, "[%s]\n", m)
	}
	b.WriteString(errorText(err))
	b.WriteString("\n")
	b.WriteString(callsText(calls))
	b.WriteString(c.d.footer(sess))
	c.logDone(sessionID, len(calls), err)
	// No structured content: clients validate it against the tool's (success) output
	// schema even on errors, so the calls and the abort line travel in the text.
	return mcp.NewToolResultError(b.String()), nil
}

func (c *call) session(id string) (*session.Session, error) {
	if id == "" {
		return nil, errors.New("no session")
	}
	return c.d.Get(id)
}

// errorText renders an error with its remedy.
func errorText(err error) string {
	return "Error: " + err.Error()
}

// callsText is the short list of API calls for a text result.
func callsText(calls []session.APICall) string {
	if len(calls) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "API calls (%d):\n", len(calls))
	const max = 12
	for i, cl := range calls {
		if i == max {
			fmt.Fprintf(&b, "  … and %d more (get_session shows the whole trail)\n", len(calls)-max)
			break
		}
		res := cl.Resource
		if res != "" {
			res = " " + res
		}
		fmt.Fprintf(&b, "  %s %s%s → %s (%d ms)\n", cl.Service, cl.Operation, res, cl.Result, cl.LatencyMS)
		if cl.CLI != "" {
			fmt.Fprintf(&b, "    CLI equivalent: %s\n", cl.CLI)
		}
	}
	return b.String()
}

// progress sends an MCP progress notification when the client asked for them.
func (c *call) progress(done, total float64, msg string) {
	if c.req.Params.Meta == nil || c.req.Params.Meta.ProgressToken == nil {
		return
	}
	srv := server.ServerFromContext(c.ctx)
	if srv == nil {
		return
	}
	params := map[string]any{"progressToken": c.req.Params.Meta.ProgressToken, "progress": done, "message": msg}
	if total > 0 {
		params["total"] = total
	}
	if err := srv.SendNotificationToClient(c.ctx, string(mcp.MethodNotificationProgress), params); err != nil {
		c.d.Log.Debug().Err(err).Msg("progress notification not sent")
	}
}

// handle adapts a typed tool implementation to an MCP handler: it opens the call
// (audit recorder), decodes the arguments and turns bad ones into an isError result.
func handle[In any](d *Deps, tool string, run func(*Deps, *call, In) (*mcp.CallToolResult, error)) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		c := d.newCall(ctx, tool, req)
		var in In
		if err := bind(req, &in); err != nil {
			return c.fail("", err)
		}
		return run(d, c, in)
	}
}

// isAWS reports whether err is an AWS failure (already actionable).
func isAWS(err error) bool {
	var e *awsapi.Error
	return errors.As(err, &e)
}
