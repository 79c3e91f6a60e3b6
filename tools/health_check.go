package tools

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/session"
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
		mcp.WithInputSchema[HealthCheckInput](),
		mcp.WithOutputSchema[HealthCheckOutput](),
		withTimings(d.Config),
	)
	return server.ServerTool{Tool: tool, Handler: handle(d, "health_check", (*Deps).healthCheck)}
}

var healthStates = []session.State{session.StateResolved, session.StateHealthChecked, session.StateLogsStarted, session.StateAwaitingConfirmation}

func (d *Deps) healthEnv(sess *session.Session) (health.Env, error) {
	clients, err := d.AWS(sess.Experiment.Region)
	if err != nil {
		return health.Env{}, err
	}
	return health.Env{Clients: clients, Pods: d.podLister(clients)}, nil
}

func (d *Deps) healthCheck(c *call, in HealthCheckInput) (*mcp.CallToolResult, error) {
	sess, err := d.Store.Get(in.SessionID)
	if err != nil {
		return c.fail("", err)
	}
	if err := sess.Require("run a health check", healthStates...); err != nil {
		return c.fail(sess.ID, err)
	}
	if in.Override && strings.TrimSpace(in.OverrideReason) == "" {
		return c.fail(sess.ID, errors.New("override needs override_reason: ask the human why they accept starting against unhealthy targets, and pass their words"))
	}
	env, err := d.healthEnv(sess)
	if err != nil {
		return c.fail(sess.ID, err)
	}
	started := d.Clock.Now()
	var res session.HealthResult
	check := d.healthChecker(c.ctx, sess, env) // multi-account templates: per target account (accounts.go)
	for attempt := 1; ; attempt++ {
		res = check()
		if res.Verdict == session.VerdictHealthy || !in.Wait {
			break
		}
		waited := d.Clock.Now().Sub(started)
		if waited+d.Config.HealthWaitInterval > d.Config.HealthWaitMax {
			break
		}
		c.progress(waited.Seconds(), d.Config.HealthWaitMax.Seconds(),
			fmt.Sprintf("check %d: %d unhealthy (%s); rechecking in %s", attempt, len(unhealthyList(res)), strings.Join(unhealthyList(res), ", "), d.Config.HealthWaitInterval))
		if err := d.Clock.Sleep(c.ctx, d.Config.HealthWaitInterval); err != nil {
			break
		}
	}
	health.AddAlarmWarnings(&res) // INSUFFICIENT_DATA stop conditions: loud, not a block
	res.CheckedAt = d.Clock.Now().UTC()
	res.WaitedSeconds = int(d.Clock.Now().Sub(started).Seconds())
	unhealthy := unhealthyList(res)
	if in.Override && res.Verdict == session.VerdictBlocked {
		res.Verdict = session.VerdictOverridden
		res.Override = &session.Override{Reason: in.OverrideReason, At: res.CheckedAt, By: overrideBy(c), Unhealthy: unhealthy}
	}
	updated, err := d.Store.Update(sess.ID, func(s *session.Session) error {
		if err := s.Require("run a health check", healthStates...); err != nil {
			return err
		}
		s.Health = &res
		if s.State == session.StateResolved {
			if err := s.Transition(session.StateHealthChecked); err != nil {
				return err
			}
		}
		if s.InvalidateConfirmation() { // any change invalidates a pending confirmation
			s.AddEvent(session.Event{Time: res.CheckedAt, Source: session.SourceFISMCP, Kind: session.EventConfirmationInvalidated, Message: "pending start confirmation invalidated by a new health check"})
		}
		healthy := len(res.Resources) - countUnhealthyResources(res)
		s.AddEvent(session.Event{Time: res.CheckedAt, Source: session.SourceFISMCP, Kind: session.EventHealthCheck,
			Message: fmt.Sprintf("health check: %d/%d resources healthy, verdict %s (waited %ds)", healthy, len(res.Resources), res.Verdict, res.WaitedSeconds)})
		if res.Override != nil {
			s.AddEvent(session.Event{Time: res.CheckedAt, Source: session.SourceFISMCP, Kind: session.EventHealthOverride,
				Message: fmt.Sprintf("health override by %s: %q; unhealthy: %s", res.Override.By, res.Override.Reason, strings.Join(unhealthy, ", "))})
		}
		return nil
	})
	if err != nil {
		return c.fail(sess.ID, err)
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

func countUnhealthyResources(res session.HealthResult) int {
	n := 0
	for _, r := range res.Resources {
		if !r.Healthy {
			n++
		}
	}
	return n
}

// unhealthyList names every unhealthy resource, alarm and a missing role.
func unhealthyList(res session.HealthResult) []string {
	var out []string
	for _, r := range res.Resources {
		if !r.Healthy {
			out = append(out, fmt.Sprintf("%s (%s: %s)", r.ID, r.Type, r.Status))
		}
	}
	for _, a := range res.Alarms {
		if !a.Healthy {
			out = append(out, fmt.Sprintf("alarm %s (%s)", a.Name, a.State))
		}
	}
	if res.Role != nil && !res.Role.Exists {
		out = append(out, "role "+res.Role.ARN+" (missing)")
	}
	return out
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
			fmt.Fprintf(&b, "- %s: %s\n", resourceLabel(r), r.Detail)
		}
	}
	for _, a := range res.Alarms {
		if !a.Healthy && a.Detail != "" {
			fmt.Fprintf(&b, "- alarm %s: %s\n", a.Name, a.Detail)
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
			fmt.Fprintf(&b, "\nStill unhealthy after waiting %ds (limit %s): %s.\n", res.WaitedSeconds, spellDuration(cfg.HealthWaitMax, durLong), strings.Join(unhealthyList(res), "; "))
		}
		fmt.Fprintf(&b, "\nBLOCKED: start_experiment is refused. Ask the human: retry (health_check, or wait=true to recheck every %s for %s), override (health_check override=true with their reason), or abort (stop_experiment).\n",
			spellDuration(cfg.HealthWaitInterval, durShort), spellDuration(cfg.HealthWaitMax, durLong))
	}
	return b.String()
}
