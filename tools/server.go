package tools

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/fis-mcp/fis-mcp/session"
)

// All returns every tool.
func All(d *Deps) []server.ServerTool {
	return []server.ServerTool{
		ResolveExperiment(d),
		HealthCheck(d),
		DiscoverApps(d),
		StartLogs(d),
		StartExperiment(d),
		Poll(d),
		StopExperiment(d),
		FinalizeReport(d),
		ListSessions(d),
		GetSession(d),
		CheckSetup(d),
	}
}

// NewServer builds the MCP server with every tool, the report resources and the workflow prompt.
func NewServer(d *Deps, version string, extra ...server.ServerOption) *server.MCPServer {
	opts := []server.ServerOption{
		server.WithToolCapabilities(false),
		server.WithResourceCapabilities(false, false),
		server.WithPromptCapabilities(false),
		server.WithElicitation(),
		server.WithRecovery(),
		server.WithOutputSchemaValidation(),
		server.WithInstructions(Instructions(d.Config)),
	}
	hooks, bindHooks := d.reportResourceHooks() // resources/list: one resource per written report
	opts = append(opts, hooks)
	s := server.NewMCPServer("fis-mcp", version, append(opts, extra...)...)
	bindHooks(s)
	s.AddTools(All(d)...)
	s.AddResourceTemplate(mcp.NewResourceTemplate("fis-mcp://reports/{session_id}", "FIS experiment results report",
		mcp.WithTemplateDescription("The Markdown results report written by finalize_report for a session"),
		mcp.WithTemplateMIMEType("text/markdown")), d.readReport)
	s.AddPrompt(mcp.NewPrompt("run_fis_experiment",
		mcp.WithPromptDescription("Run a prepared AWS FIS experiment from start to finish, with the human confirming the start"),
		mcp.WithArgument("experiment", mcp.ArgumentDescription("experiment directory path or FIS template ID (EXT...)"), mcp.RequiredArgument()),
	), d.workflowPrompt)
	s.AddPrompt(mcp.NewPrompt("stop_fis_experiment",
		mcp.WithPromptDescription("Emergency: stop a running FIS experiment now"),
		mcp.WithArgument("session_id", mcp.ArgumentDescription("the session ID (list_sessions shows them)")),
	), d.stopPrompt)
	return s
}

// Instructions is the initialize instructions text.
func Instructions(cfg Config) string {
	var b strings.Builder
	b.WriteString("fis-mcp runs prepared AWS FIS experiments step by step: resolve_experiment → health_check → discover_apps → start_logs → start_experiment (human confirmation required) → poll → finalize_report. ")
	b.WriteString("Never confirm a start on the human's behalf: show the impact warning and wait for their explicit yes. stop_experiment works at every step. ")
	if cfg.ReadOnly {
		b.WriteString("READ-ONLY MODE: this server never starts experiments (start_experiment is refused); everything else, including stop, works. ")
	}
	if cfg.Simulated {
		b.WriteString("SIMULATED ACCOUNT: every AWS and Kubernetes answer comes from a built-in simulation; nothing real is touched. ")
	}
	return b.String()
}

func (d *Deps) readReport(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
	id := strings.TrimPrefix(req.Params.URI, "fis-mcp://reports/")
	sess, err := d.Get(id)
	if err != nil {
		return nil, err
	}
	if sess.Report == nil {
		return nil, fmt.Errorf("session %s has no report yet (state %s): call finalize_report", id, sess.State)
	}
	b, err := os.ReadFile(sess.Report.Path)
	if err != nil {
		return nil, fmt.Errorf("read report %s: %w", sess.Report.Path, err)
	}
	return []mcp.ResourceContents{mcp.TextResourceContents{URI: req.Params.URI, MIMEType: "text/markdown", Text: string(b)}}, nil
}

func (d *Deps) workflowPrompt(ctx context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
	exp := req.Params.Arguments["experiment"]
	arg := "path"
	if strings.HasPrefix(exp, "EXT") && !strings.ContainsAny(exp, `/\`) {
		arg = "template_id"
	}
	text := fmt.Sprintf(`Run the prepared AWS FIS experiment %q with the fis-mcp tools, one step at a time, telling me what each step found:
0. Begin with check_setup (read-only; pass template_id when the experiment is a template ID). Show the checks that are not ok with their remedies; if blocking is true, stop here and tell me what to fix.
1. resolve_experiment with %s=%q. Show the summary, the actions and any warnings. If the session is aborted (stack not deployed), explain the remedy and stop.
2. health_check. Show the table. If the verdict is blocked, ask me whether to retry (wait=true), override (I must give a reason) or abort (stop_experiment). Never override on your own.
3. discover_apps, show what depends on the affected resources and ask me to confirm the list; then start_logs.
4. start_experiment without a token. Show me the impact warning VERBATIM and ask me to type "Yes, start experiment". Only if I do, call start_experiment again with the confirmation_token. If I say anything else, call stop_experiment.
5. poll until the experiment ends (use next_poll_seconds or wait_seconds), reporting each change and the log insights. Remind me I can say "stop" at any time: then call stop_experiment immediately.
6. finalize_report with wait=true, then show the summary and the report path.
%s`, exp, arg, exp, Instructions(d.Config))
	return &mcp.GetPromptResult{Description: "Run a prepared FIS experiment", Messages: []mcp.PromptMessage{mcp.NewPromptMessage(mcp.RoleUser, mcp.NewTextContent(text))}}, nil
}

func (d *Deps) stopPrompt(ctx context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
	id := req.Params.Arguments["session_id"]
	text := "Stop the FIS experiment NOW: call stop_experiment"
	if id != "" {
		text += " with session_id " + id
	} else {
		text += " for every session list_sessions shows as running"
	}
	text += ". If the tool fails, tell me to run `aws fis stop-experiment --id <experiment-id> --region <region>` or use the AWS console (FIS → Experiments → Stop) immediately."
	var running []string
	if list, err := d.List(); err == nil {
		for _, s := range list {
			if s.State == session.StateRunning {
				running = append(running, fmt.Sprintf("%s (experiment %s, %s)", s.ID, s.ExperimentID, s.Region))
			}
		}
	}
	if len(running) > 0 {
		text += " Running sessions: " + strings.Join(running, "; ") + "."
	}
	return &mcp.GetPromptResult{Description: "Emergency stop", Messages: []mcp.PromptMessage{mcp.NewPromptMessage(mcp.RoleUser, mcp.NewTextContent(text))}}, nil
}
