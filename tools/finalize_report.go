package tools

import (
	"fmt"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/fis-mcp/fis-mcp/session/workflow"
)

// FinalizeReportInput selects the session.
type FinalizeReportInput struct {
	SessionID string `json:"session_id" jsonschema:"the session whose experiment has ended (or that was aborted)"`
	Wait      bool   `json:"wait,omitempty" jsonschema:"block through the rest of the {baseline-adj} post-experiment baseline (with a countdown) instead of returning the remaining time"`
	Language  string `json:"language,omitempty" jsonschema:"report language override: en or zh"`
}

// FinalizeReportOutput is the written report, or the baseline time still to wait.
type FinalizeReportOutput struct {
	SessionID        string `json:"session_id"`
	Status           string `json:"status" jsonschema:"written, or collecting_baseline (call again after remaining_seconds, or with wait=true)"`
	RemainingSeconds int    `json:"remaining_seconds"`
	ReportPath       string `json:"report_path,omitempty"`
	JSONPath         string `json:"json_path,omitempty"`
	ResourceURI      string `json:"resource_uri,omitempty"`
	Summary          string `json:"summary,omitempty"`
	Common
}

// FinalizeReport is the finalize_report tool.
func FinalizeReport(d *Deps) server.ServerTool {
	tool := mcp.NewTool("finalize_report",
		mcp.WithDescription("Step 6: after the experiment ends (or the session was aborted), finish the {baseline-adj} post-experiment baseline of log collection (wait=true blocks through it with a countdown; otherwise the remaining time is returned), stop log collection, fetch the managed-service CloudWatch logs, AWS's own event records and metrics of the run window, analyse the application logs and write the results report (Markdown + JSON twin) into the experiment directory. Never overwrites an earlier report. Calling it again returns the same report. The report is also the MCP resource fis-mcp://reports/{session_id}."),
		mcp.WithTitleAnnotation("Experiment: finalize report"),
		mcp.WithReadOnlyHintAnnotation(false),
		mcp.WithDestructiveHintAnnotation(false),
		mcp.WithIdempotentHintAnnotation(true),
		mcp.WithOpenWorldHintAnnotation(true),
		mcp.WithInputSchema[FinalizeReportInput](),
		mcp.WithOutputSchema[FinalizeReportOutput](),
		withTimings(d.Config),
	)
	return server.ServerTool{Tool: tool, Handler: handle(d, "finalize_report", (*Deps).finalize)}
}

func (d *Deps) finalize(c *call, in FinalizeReportInput) (*mcp.CallToolResult, error) {
	sess, res, err := d.Finalize(c.ctx, workflow.FinalizeRequest{SessionID: in.SessionID, Wait: in.Wait, Language: in.Language}, c.progress)
	if err != nil {
		id := ""
		if sess != nil {
			id = sess.ID
		}
		return c.fail(id, err)
	}
	out := FinalizeReportOutput{SessionID: sess.ID, Status: res.Status}
	if res.Status == workflow.FinalizeCollectingBaseline {
		out.RemainingSeconds = int(res.Remaining.Round(time.Second).Seconds())
		return c.finish(sess.ID, &out, &out.Common, fmt.Sprintf(
			"Experiment completed. Collecting post-experiment baseline logs...\nRemaining: %s (%s total). Call finalize_report again then, or with wait=true to block through it.\n",
			res.Remaining.Round(time.Second), spellDuration(d.Config.Baseline, durLong)))
	}
	out.ReportPath, out.JSONPath, out.ResourceURI, out.Summary = res.ReportPath, res.JSONPath, "fis-mcp://reports/"+sess.ID, res.Summary
	text := res.Summary
	if res.AlreadyWritten {
		text = "The report was already written (unchanged):\n" + res.Summary
	}
	return c.finish(sess.ID, &out, &out.Common, text)
}
