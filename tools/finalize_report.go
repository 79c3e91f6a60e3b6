package tools

import (
	"fmt"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/fis-mcp/fis-mcp/session/hypothesis"
	"github.com/fis-mcp/fis-mcp/session/workflow"
)

// FinalizeReportInput selects the session.
type FinalizeReportInput struct {
	SessionID string `json:"session_id" jsonschema:"the session whose experiment has ended (or that was aborted)"`
	Wait      bool   `json:"wait,omitempty" jsonschema:"block through the rest of the {baseline-adj} post-experiment baseline (with a countdown) instead of returning the remaining time"`
	Language  string `json:"language,omitempty" jsonschema:"report language override: en or zh"`
	Criteria  []any  `json:"criteria,omitempty" jsonschema:"optional hypothesis the verdict is judged against, used when start_experiment fixed none: each item free text (orders-api recovers within 90 seconds) or an object {subject, measure, bound}; unreadable text is kept and reported as not evaluated"`
}

// FinalizeReportOutput is the written report, or the baseline time still to wait.
type FinalizeReportOutput struct {
	SessionID        string `json:"session_id"`
	Status           string `json:"status" jsonschema:"written, or collecting_baseline (call again after remaining_seconds, or with wait=true)"`
	RemainingSeconds int    `json:"remaining_seconds"`
	ReportPath       string `json:"report_path,omitempty"`
	JSONPath         string `json:"json_path,omitempty"`
	HTMLPath         string `json:"html_path,omitempty" jsonschema:"the report's single-file HTML twin (same content, charts as inline SVG, no scripts, nothing fetched): to share or print"`
	ResourceURI      string `json:"resource_uri,omitempty"`
	Summary          string `json:"summary,omitempty"`
	// Verdict, Criteria and Faults lead the report (issue 15).
	Verdict  string            `json:"verdict,omitempty" jsonschema:"passed, failed or inconclusive"`
	Criteria []CriterionResult `json:"criteria,omitempty" jsonschema:"the hypothesis criteria and what each rests on"`
	Faults   []FaultResult     `json:"faults,omitempty" jsonschema:"whether each action's effect was observed in AWS's own records"`
	Common
}

// CriterionResult is one evaluated hypothesis criterion.
type CriterionResult struct {
	Criterion   string `json:"criterion" jsonschema:"the criterion as written"`
	SubjectKind string `json:"subject_kind,omitempty" jsonschema:"app, resource, alarm, action or experiment (empty: every one)"`
	Subject     string `json:"subject" jsonschema:"what the criterion is about (empty: every impacted app, affected resource, alarm or action)"`
	Measure     string `json:"measure" jsonschema:"recovery_seconds, peak_errors_per_10s, error_count, time_to_impact_seconds, final_state, alarm_state or action_status (empty: not evaluated)"`
	Op          string `json:"op,omitempty"`
	Bound       string `json:"bound" jsonschema:"the bound, human-readable (<= 90 s; empty: not evaluated)"`
	Source      string `json:"source,omitempty" jsonschema:"start_experiment, finalize_report, readme, expected-behavior.md or default"`
	Result      string `json:"result" jsonschema:"met, not_met or not_measurable"`
	Evidence    string `json:"evidence" jsonschema:"the fact it rests on: value, time, source"`
}

// FaultResult says whether one action's effect was observed.
type FaultResult struct {
	Action   string `json:"action"`
	ActionID string `json:"action_id,omitempty"`
	Observed string `json:"observed" jsonschema:"confirmed, not_observed or not_checkable"`
	Evidence string `json:"evidence"`
}

// FinalizeReport is the finalize_report tool.
func FinalizeReport(d *Deps) server.ServerTool {
	tool := mcp.NewTool("finalize_report",
		mcp.WithDescription("Step 6: after the experiment ends (or the session was aborted), finish the {baseline-adj} post-experiment baseline of log collection (wait=true blocks through it with a countdown; otherwise the remaining time is returned), stop log collection, fetch the managed-service CloudWatch logs, AWS's own event records and metrics of the run window, analyse the application logs and write the results report (Markdown, its JSON twin and a single-file HTML twin to share or print) into the experiment directory. Never overwrites an earlier report. Calling it again returns the same report. The report is also the MCP resource fis-mcp://reports/{session_id}."),
		mcp.WithTitleAnnotation("Experiment: finalize report"),
		mcp.WithReadOnlyHintAnnotation(false),
		mcp.WithDestructiveHintAnnotation(false),
		mcp.WithIdempotentHintAnnotation(true),
		mcp.WithOpenWorldHintAnnotation(true),
		inputSchema[FinalizeReportInput](),
		mcp.WithOutputSchema[FinalizeReportOutput](),
		withTimings(d.Config),
	)
	return server.ServerTool{Tool: tool, Handler: handle(d, "finalize_report", (*Deps).finalize)}
}

func (d *Deps) finalize(c *call, in FinalizeReportInput) (*mcp.CallToolResult, error) {
	crits, err := hypothesis.FromArgs(in.Criteria, hypothesis.SourceFinalize)
	if err != nil {
		return c.fail(in.SessionID, fmt.Errorf("invalid criteria: %w", err))
	}
	sess, res, err := d.Finalize(c.ctx, workflow.FinalizeRequest{SessionID: in.SessionID, Wait: in.Wait, Language: in.Language, Criteria: crits}, c.progress)
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
	out.HTMLPath = res.HTMLPath
	out.Verdict = res.Verdict
	for _, cr := range res.Criteria {
		out.Criteria = append(out.Criteria, CriterionResult{Criterion: cr.Text, SubjectKind: cr.SubjectKind, Subject: cr.Subject, Measure: cr.Measure,
			Op: cr.Op, Bound: hypothesis.BoundText(cr.Criterion), Source: cr.Source, Result: cr.Result, Evidence: cr.Evidence})
	}
	for _, f := range res.Faults {
		out.Faults = append(out.Faults, FaultResult{Action: f.Action, ActionID: f.ActionID, Observed: f.Observed, Evidence: f.Evidence})
	}
	text := finalizeText(res)
	if res.AlreadyWritten && len(crits) > 0 {
		text += "The criteria given were not used: the report was already written, with its verdict.\n"
	}
	if res.HTMLPath != "" {
		text = strings.TrimRight(text, "\n") + "\nHTML report (single file, to share or print): " + res.HTMLPath + "\n"
	}
	return c.finish(sess.ID, &out, &out.Common, text)
}

// finalizeText begins with the verdict (in English, for the agent) and goes on with the
// report's summary (whose own verdict line, in the report language, it replaces).
func finalizeText(res workflow.FinalizeResult) string {
	body := res.Summary
	if res.AlreadyWritten {
		body = "The report was already written (unchanged):\n" + body
	}
	if res.Verdict == "" {
		return body
	}
	if head, rest, ok := strings.Cut(res.Summary, "\n"); ok && (strings.HasPrefix(head, "Verdict: ") || strings.HasPrefix(head, "结论：")) {
		body = rest
		if res.AlreadyWritten {
			body = "The report was already written (unchanged):\n" + rest
		}
	}
	return "Verdict: " + strings.ToUpper(res.Verdict) + "\n" + body
}
