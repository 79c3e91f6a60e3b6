package tools

import (
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/fis-mcp/fis-mcp/session"
)

// ListSessionsInput has no arguments.
type ListSessionsInput struct{}

// ListSessionsOutput lists stored sessions.
type ListSessionsOutput struct {
	Sessions []SessionSummary `json:"sessions" jsonschema:"stored sessions, newest first"`
	Common
}

// SessionSummary is one stored session, with its report's verdict once reported.
type SessionSummary struct {
	session.Summary
	Verdict string `json:"verdict,omitempty" jsonschema:"the report's verdict once reported: passed, failed or inconclusive"`
}

// ListSessions is the list_sessions tool.
func ListSessions(d *Deps) server.ServerTool {
	tool := mcp.NewTool("list_sessions",
		mcp.WithDescription("List the stored fis-mcp sessions (also after a server restart): ID, state, template, experiment ID. Use it to find a session to poll, stop or report."),
		mcp.WithTitleAnnotation("Sessions: list"),
		mcp.WithReadOnlyHintAnnotation(true),
		mcp.WithDestructiveHintAnnotation(false),
		mcp.WithIdempotentHintAnnotation(true),
		mcp.WithOpenWorldHintAnnotation(false),
		inputSchema[ListSessionsInput](),
		mcp.WithOutputSchema[ListSessionsOutput](),
	)
	return server.ServerTool{Tool: tool, Handler: handle(d, "list_sessions", (*Deps).listSessions)}
}

func (d *Deps) listSessions(c *call, _ ListSessionsInput) (*mcp.CallToolResult, error) {
	list, err := d.List()
	if err != nil {
		return c.fail("", err)
	}
	var b strings.Builder
	if len(list) == 0 {
		b.WriteString("No sessions yet: call resolve_experiment with an experiment directory path or template ID.\n")
	}
	running := 0
	out := ListSessionsOutput{Sessions: []SessionSummary{}}
	for _, s := range list {
		sum := SessionSummary{Summary: s, Verdict: s.Verdict}
		out.Sessions = append(out.Sessions, sum)
		exp := ""
		if s.ExperimentID != "" {
			exp = " experiment " + s.ExperimentID
		}
		if sum.Verdict != "" {
			exp += " verdict " + strings.ToUpper(sum.Verdict)
		}
		if s.State == session.StateRunning {
			running++
		}
		fmt.Fprintf(&b, "%s  %-22s %s %s%s  (%s)\n", s.ID, s.State, s.TemplateID, s.Scenario, exp, s.UpdatedAt.Format("2006-01-02 15:04:05Z07:00"))
	}
	text := b.String()
	if running > 0 {
		text += fmt.Sprintf("%d session(s) have a running experiment: poll them, or stop_experiment to stop.\n", running)
	}
	return c.finish("", &out, &out.Common, text)
}

// GetSessionInput selects a session.
type GetSessionInput struct {
	SessionID string `json:"session_id" jsonschema:"the session ID from resolve_experiment or list_sessions"`
}

// GetSessionOutput is the whole stored session.
type GetSessionOutput struct {
	Session  *session.Session `json:"session" jsonschema:"the full session state: experiment, health, apps, logs, run, timeline, audit trail"`
	NextTool string           `json:"next_tool" jsonschema:"the tool the workflow expects next"`
	// AuditChain is the head of the session's tamper-evident audit chain.
	AuditChain AuditChain `json:"audit_chain" jsonschema:"the head of the session's tamper-evident audit chain"`
	Common
}

// AuditChain is the head of a session's tamper-evident audit chain (session.AuditRecord).
type AuditChain struct {
	Records int    `json:"records" jsonschema:"number of records in the chain (0: the session predates the audit chain)"`
	Head    string `json:"head" jsonschema:"sha256:<hex> hash of the chain's last record (empty without a chain); fis-mcp audit verify <session_id> recomputes the chain"`
}

// auditChainText is get_session's line on the audit chain: its head and whether it verifies.
func auditChainText(sess *session.Session, chain AuditChain) string {
	if chain.Records == 0 {
		return "Audit chain: none (the session predates the tamper-evident audit trail).\n"
	}
	line := fmt.Sprintf("Audit chain: %d records, head %s", chain.Records, chain.Head)
	if err := sess.VerifyAudit(); err != nil {
		return fmt.Sprintf("%s.\nWARNING: %v\n", line, err)
	}
	return fmt.Sprintf("%s (it verifies; `fis-mcp audit verify %s` checks the file itself).\n", line, sess.ID)
}

// GetSession is the get_session tool.
func GetSession(d *Deps) server.ServerTool {
	tool := mcp.NewTool("get_session",
		mcp.WithDescription("Return the full stored state of one session: resolved experiment, health check, apps and log streams, experiment run, timeline and the whole API call audit trail."),
		mcp.WithTitleAnnotation("Sessions: get"),
		mcp.WithReadOnlyHintAnnotation(true),
		mcp.WithDestructiveHintAnnotation(false),
		mcp.WithIdempotentHintAnnotation(true),
		mcp.WithOpenWorldHintAnnotation(false),
		inputSchema[GetSessionInput](),
		mcp.WithOutputSchema[GetSessionOutput](),
	)
	return server.ServerTool{Tool: tool, Handler: handle(d, "get_session", (*Deps).getSession)}
}

func (d *Deps) getSession(c *call, in GetSessionInput) (*mcp.CallToolResult, error) {
	sess, err := d.Get(in.SessionID)
	if err != nil {
		return c.fail("", err)
	}
	out := GetSessionOutput{Session: sess, NextTool: session.NextTool(sess.State)}
	if head, n := sess.ChainHead(); n > 0 {
		out.AuditChain = AuditChain{Records: n, Head: "sha256:" + head}
	}
	text := fmt.Sprintf("Session %s: state %s, template %s (%s), region %s.\nTimeline: %d events; audit trail: %d API calls.\nNext: %s\n",
		sess.ID, sess.State, sess.Experiment.TemplateID, sess.Experiment.Scenario, sess.Experiment.Region,
		len(sess.Timeline), len(sess.APICalls), out.NextTool)
	if sess.Run != nil && sess.Run.ExperimentID != "" {
		text += fmt.Sprintf("Experiment %s: %s\n", sess.Run.ExperimentID, sess.Run.State)
	}
	if sess.Report != nil {
		text += "Report: " + sess.Report.Path + "\n"
	}
	text += auditChainText(sess, out.AuditChain)
	return c.finish(in.SessionID, &out, &out.Common, text)
}
