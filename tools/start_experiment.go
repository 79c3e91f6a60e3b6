package tools

import (
	"fmt"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/fis-mcp/fis-mcp/aws/experiment"
	"github.com/fis-mcp/fis-mcp/session/hypothesis"
	"github.com/fis-mcp/fis-mcp/session/workflow"
)

// StartExperimentInput is the session plus, on the second call, the confirmation token.
type StartExperimentInput struct {
	SessionID         string `json:"session_id" jsonschema:"the session from resolve_experiment"`
	ConfirmationToken string `json:"confirmation_token,omitempty" jsonschema:"the token from the first call; pass it ONLY after the human has read the impact warning and explicitly said to start"`
	DryRun            bool   `json:"dry_run,omitempty" jsonschema:"start with experimentOptions.actionsMode=skip-all: FIS resolves the targets and runs no action (same confirmation as a real start)"`
	Criteria          []any  `json:"criteria,omitempty" jsonschema:"optional hypothesis fixed before the run, given with the first call (no token): each item free text (orders-api recovers within 90 seconds) or an object {subject, measure, bound}; listed in the impact warning, and the report's verdict is judged against them"`
}

// StartExperimentOutput is either a confirmation request or the started experiment.
type StartExperimentOutput struct {
	SessionID         string     `json:"session_id"`
	Status            string     `json:"status" jsonschema:"confirmation_required or started"`
	Warning           string     `json:"warning,omitempty" jsonschema:"the impact warning to show the human verbatim"`
	ConfirmationToken string     `json:"confirmation_token,omitempty" jsonschema:"single-use token; valid until expires_at"`
	ExpiresAt         *time.Time `json:"expires_at,omitempty"`
	ExperimentID      string     `json:"experiment_id,omitempty"`
	State             string     `json:"state,omitempty" jsonschema:"the experiment's FIS state"`
	DryRun            bool       `json:"dry_run"`
	ConfirmedBy       string     `json:"confirmed_by,omitempty"`
	Common
}

// StartExperiment is the start_experiment tool.
func StartExperiment(d *Deps) server.ServerTool {
	tool := mcp.NewTool("start_experiment",
		mcp.WithDescription("DANGEROUS: starts the FIS experiment, which causes REAL impact on AWS resources. "+
			"Refused unless the session is resolved, its health verdict is healthy or explicitly overridden, and no experiment was started yet. "+
			"When the MCP client supports elicitation, the server asks the human directly and starts only on their explicit yes. "+
			"Otherwise: the first call (no token) returns the impact warning and a single-use confirmation_token valid for {confirmation-ttl}; "+
			"show the warning to the human verbatim and call again with the token ONLY if they explicitly answer \"Yes, start experiment\". Never confirm on the human's behalf. "+
			"dry_run=true starts with actionsMode skip-all (no action runs) behind the same confirmation. "+
			"criteria (optional, with the first call) fix the hypothesis before the run: they are listed in the impact warning and the report is judged against them; "+
			"they cannot be changed with the token (a token call with different criteria is refused: ask for a new warning)."),
		mcp.WithTitleAnnotation("Experiment: start (confirmation required)"),
		mcp.WithReadOnlyHintAnnotation(false),
		mcp.WithDestructiveHintAnnotation(true),
		mcp.WithIdempotentHintAnnotation(false),
		mcp.WithOpenWorldHintAnnotation(true),
		inputSchema[StartExperimentInput](),
		mcp.WithOutputSchema[StartExperimentOutput](),
		withTimings(d.Config),
	)
	return server.ServerTool{Tool: tool, Handler: handle(d, "start_experiment", (*Deps).startExperiment)}
}

func (d *Deps) startExperiment(c *call, in StartExperimentInput) (*mcp.CallToolResult, error) {
	var res workflow.StartResult
	var err error
	var asker *elicitAsker
	crits, cerr := hypothesis.FromArgs(in.Criteria, hypothesis.SourceStart)
	if cerr != nil {
		return c.fail(in.SessionID, fmt.Errorf("invalid criteria: %w", cerr))
	}
	switch answer := server.ElicitationResponse(c.req.Params.InputResponses, confirmInputID); {
	case in.ConfirmationToken != "":
		if err := d.CheckStartCriteria(in.SessionID, crits); err != nil {
			return c.fail(in.SessionID, err)
		}
		res, err = d.ConfirmStart(c.ctx, in.SessionID, workflow.Confirmation{Token: in.ConfirmationToken, DryRun: in.DryRun})
	case answer != nil: // a retry carrying the human's answer to the elicitation, and its token
		if err := d.CheckStartCriteria(in.SessionID, crits); err != nil {
			return c.fail(in.SessionID, err)
		}
		res, err = d.ConfirmStart(c.ctx, in.SessionID, workflow.Confirmation{Token: c.req.Params.RequestState, DryRun: in.DryRun, Answer: elicitedAnswer(answer)})
	default:
		req := workflow.StartRequest{SessionID: in.SessionID, DryRun: in.DryRun, Criteria: crits}
		if asker = c.asker(); asker != nil {
			req.Asker = asker
		}
		res, err = d.RequestStart(c.ctx, req)
	}
	switch {
	case err != nil:
		return c.fail(res.SessionID, err)
	case res.Asked:
		c.flushCalls(res.SessionID)
		return asker.result, nil
	case res.Prompt != nil:
		q := res.Prompt
		out := StartExperimentOutput{SessionID: q.SessionID, Status: "confirmation_required", Warning: q.Warning, ConfirmationToken: q.Token, ExpiresAt: &q.ExpiresAt, DryRun: q.DryRun}
		text := q.Warning + "\n\nType \"Yes, start experiment\" to proceed, or \"No\" to abort.\n" +
			fmt.Sprintf("Only after the human explicitly confirms: call start_experiment with session_id %s and confirmation_token %s (single use, expires %s). If they say no: stop_experiment.\n",
				q.SessionID, q.Token, q.ExpiresAt.Format(time.RFC3339))
		return c.finish(q.SessionID, &out, &out.Common, text)
	}
	st := res.Experiment
	out := StartExperimentOutput{SessionID: res.SessionID, Status: "started", ExperimentID: st.ID, State: st.State, DryRun: res.DryRun, ConfirmedBy: res.ConfirmedBy}
	return c.finish(res.SessionID, &out, &out.Common, d.startedText(res))
}

func (d *Deps) startedText(res workflow.StartResult) string {
	st := res.Experiment
	text := fmt.Sprintf("Experiment %s STARTED (state %s) for template %s in %s.\n", st.ID, st.State, res.TemplateID, res.Region)
	if res.StopSent {
		text += "A stop was requested while it was starting: StopExperiment was sent at once.\n" +
			"Sent: " + experiment.StopCLI(st.ID, res.Region) + "\n"
	}
	if res.Unsaved != "" {
		text += res.Unsaved + "\n"
	}
	if res.DryRun {
		text += "Dry run: actionsMode skip-all — FIS resolves the targets and runs no action.\n"
	}
	if st.State == "initiating" || st.State == "pending" {
		text += "FIS is initiating the experiment; if it stays in initiating for long, the IAM role is likely still propagating — keep polling.\n"
	}
	text += fmt.Sprintf("Next: poll (every %s for the first %s, then every %s).", spellDuration(d.Config.PollFast, durShort), spellDuration(d.Config.PollFastFor, durLong), spellDuration(d.Config.PollSlow, durShort))
	if res.Session.Experiment.DashboardURL != "" {
		text += " CloudWatch dashboard: " + res.Session.Experiment.DashboardURL
	}
	return text + "\n"
}
