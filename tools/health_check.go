package tools

import (
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/untrusted"
	"github.com/fis-mcp/fis-mcp/session/workflow"
)

// HealthCheckInput selects the session and the mode.
type HealthCheckInput struct {
	SessionID      string `json:"session_id" jsonschema:"the session from resolve_experiment"`
	Wait           bool   `json:"wait,omitempty" jsonschema:"recheck every {health-wait-interval} for up to {health-wait-max}, returning as soon as every target is healthy"`
	Override       bool   `json:"override,omitempty" jsonschema:"go on despite unhealthy or unchecked targets; only on the human's explicit instruction; requires override_reason; recorded in the report"`
	OverrideReason string `json:"override_reason,omitempty" jsonschema:"why the human accepts the unhealthy targets (required with override)"`
}

// HealthCheckOutput is the verdict and every resource's state.
type HealthCheckOutput struct {
	SessionID     string                   `json:"session_id"`
	Verdict       string                   `json:"verdict" jsonschema:"healthy, blocked or overridden"`
	AllHealthy    bool                     `json:"all_healthy"`
	Resources     []session.ResourceHealth `json:"resources"`
	Alarms        []session.AlarmHealth    `json:"alarms"`
	Role          *session.RoleCheck       `json:"role,omitempty"`
	Notes         []string                 `json:"notes"`
	Warnings      []string                 `json:"warnings,omitempty" jsonschema:"loud warnings that do not block (e.g. a stop-condition alarm in INSUFFICIENT_DATA that may never fire): show them to the human"`
	WaitedSeconds int                      `json:"waited_seconds"`
	Override      *session.Override        `json:"override,omitempty"`
	// SkippedTargets: emptyTargetResolutionMode skip and a target that selects nothing.
	SkippedTargets []session.SkippedTarget `json:"skipped_targets,omitempty" jsonschema:"targets that select no resource under emptyTargetResolutionMode skip: FIS will skip the actions listed; not a block"`
	Common
}

// HealthCheck is the health_check tool.
func HealthCheck(d *Deps) server.ServerTool {
	tool := mcp.NewTool("health_check",
		mcp.WithDescription("Step 2: resolve every target of the FIS template (ARNs, tags, filters, parameters) and check each resource's live state with its service's describe API (RDS, Aurora, DocumentDB, ElastiCache, MemoryDB, MSK, EKS clusters/nodegroups/pods, EC2, ASG, ECS, OpenSearch, DynamoDB, S3, Lambda, ...), plus the stop-condition alarms and the template's IAM role. Unknown or failing = unhealthy. start_experiment is refused while the verdict is blocked. wait=true rechecks every {health-wait-interval} up to {health-wait-max}. override=true (with override_reason) lets the run go on despite unhealthy targets: only when the human explicitly says so; it is recorded in the report. Read-only."),
		mcp.WithTitleAnnotation("Experiment: health check"),
		mcp.WithReadOnlyHintAnnotation(true),
		mcp.WithDestructiveHintAnnotation(false),
		mcp.WithIdempotentHintAnnotation(true),
		mcp.WithOpenWorldHintAnnotation(true),
		inputSchema[HealthCheckInput](),
		mcp.WithOutputSchema[HealthCheckOutput](),
		withTimings(d.Config),
	)
	return server.ServerTool{Tool: tool, Handler: handle(d, "health_check", (*Deps).healthCheck)}
}

func (d *Deps) healthCheck(c *call, in HealthCheckInput) (*mcp.CallToolResult, error) {
	updated, res, err := d.HealthCheck(c.ctx, workflow.HealthRequest{SessionID: in.SessionID, Wait: in.Wait,
		Override: in.Override, OverrideReason: in.OverrideReason, OverrideBy: overrideBy(c)}, c.progress)
	if err != nil {
		id := ""
		if updated != nil {
			id = updated.ID
		}
		return c.fail(id, err)
	}
	out := HealthCheckOutput{
		SessionID: updated.ID, Verdict: res.Verdict, AllHealthy: res.AllHealthy, Resources: nonNil(res.Resources),
		Alarms: nonNil(res.Alarms), Role: res.Role, Notes: nonNil(res.Notes), Warnings: res.Warnings, WaitedSeconds: res.WaitedSeconds, Override: res.Override,
		SkippedTargets: res.SkippedTargets,
	}
	return c.finish(updated.ID, &out, &out.Common, healthText(updated, res, in.Wait, d.Config))
}

func overrideBy(c *call) string {
	by := "tool call health_check(override=true)"
	if srv := server.ClientSessionFromContext(c.ctx); srv != nil {
		if ci, ok := srv.(server.SessionWithClientInfo); ok {
			if info := ci.GetClientInfo(); info.Name != "" {
				by += " from MCP client " + info.Name
			}
		}
	}
	return by
}

func healthText(s *session.Session, res session.HealthResult, waited bool, cfg Config) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Health check for %s (%s): verdict %s\n\n", s.Experiment.TemplateID, s.Experiment.Region, strings.ToUpper(res.Verdict))
	fmt.Fprintf(&b, "| Resource | Type | Status | Healthy |\n|---|---|---|---|\n")
	for _, r := range res.Resources {
		mark := "✓"
		if !r.Healthy {
			mark = "✗"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", resourceLabel(r), r.Type, r.Status, mark)
	}
	for _, a := range res.Alarms {
		mark := "✓"
		if !a.Healthy {
			mark = "✗"
		}
		fmt.Fprintf(&b, "| alarm %s | stop condition | %s | %s |\n", a.Name, a.State, mark)
	}
	if res.Role != nil {
		mark, st := "✓", "exists"
		if !res.Role.Exists {
			mark, st = "✗", "missing"
		}
		fmt.Fprintf(&b, "| %s | IAM role | %s | %s |\n", res.Role.ARN, st, mark)
	}
	for _, r := range res.Resources {
		if !r.Healthy && r.Detail != "" {
			fmt.Fprintf(&b, "- %s: %s\n", resourceLabel(r), untrusted.Clean(r.Detail, untrusted.MaxLine))
		}
	}
	for _, a := range res.Alarms {
		if !a.Healthy && a.Detail != "" {
			fmt.Fprintf(&b, "- alarm %s: %s\n", a.Name, untrusted.Clean(a.Detail, untrusted.MaxLine))
		}
	}
	for _, n := range health.ResourceNotes(res.Resources) {
		fmt.Fprintf(&b, "- healthy, note: %s\n", n)
	}
	for _, st := range res.SkippedTargets {
		fmt.Fprintf(&b, "- SKIPPED target %s (%s): %s; %s\n", st.Target, st.ResourceType, st.Reason, health.SkipNote(st.Target, st.Actions))
	}
	for _, n := range res.Notes {
		fmt.Fprintf(&b, "Note: %s\n", n)
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(&b, "\n!!! WARNING: %s !!!\n", w)
	}
	switch res.Verdict {
	case session.VerdictHealthy:
		b.WriteString("\nAll targets are healthy. Next: discover_apps (then start_logs) to follow the affected applications, or start_experiment.\n")
	case session.VerdictOverridden:
		fmt.Fprintf(&b, "\nOVERRIDDEN by %s: %q. Unhealthy: %s. This is recorded in the session and the report.\n",
			res.Override.By, res.Override.Reason, strings.Join(res.Override.Unhealthy, "; "))
	default:
		if waited {
			fmt.Fprintf(&b, "\nStill unhealthy after waiting %ds (limit %s): %s.\n", res.WaitedSeconds, spellDuration(cfg.HealthWaitMax, durLong), strings.Join(workflow.UnhealthyList(res), "; "))
		}
		fmt.Fprintf(&b, "\nBLOCKED: start_experiment is refused. Ask the human: retry (health_check, or wait=true to recheck every %s for %s), override (health_check override=true with their reason), or abort (stop_experiment).\n",
			spellDuration(cfg.HealthWaitInterval, durShort), spellDuration(cfg.HealthWaitMax, durLong))
	}
	return b.String()
}
