package tools

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/humandur"
	"github.com/fis-mcp/fis-mcp/session/workflow"
)

// ResolveExperimentInput selects an experiment directory.
type ResolveExperimentInput struct {
	Path       string `json:"path,omitempty" jsonschema:"full path of the experiment directory (its name ends with the FIS template ID EXT...)"`
	TemplateID string `json:"template_id,omitempty" jsonschema:"FIS experiment template ID (EXT...) to search for one level deep under search_dir"`
	SearchDir  string `json:"search_dir,omitempty" jsonschema:"where to search for template_id (default: the server's experiments directory or working directory)"`
	Language   string `json:"language,omitempty" jsonschema:"report language override: en or zh (default: the README's language)"`
}

// ResolveExperimentOutput is the resolved experiment and its new session.
type ResolveExperimentOutput struct {
	SessionID         string                     `json:"session_id" jsonschema:"the new session; pass it to every later tool"`
	State             session.State              `json:"state" jsonschema:"resolved, or aborted when the stack is not deployed"`
	Directory         string                     `json:"directory"`
	TemplateID        string                     `json:"template_id"`
	Scenario          string                     `json:"scenario"`
	Region            string                     `json:"region"`
	TargetAZ          string                     `json:"target_az"`
	EstimatedDuration string                     `json:"estimated_duration"`
	StackName         string                     `json:"stack_name"`
	StackStatus       string                     `json:"stack_status"`
	StackWarning      string                     `json:"stack_warning,omitempty" jsonschema:"set when the stack is usable but after a failed or partial operation (e.g. UPDATE_ROLLBACK_COMPLETE): tell the human"`
	Language          string                     `json:"language"`
	AffectedResources []session.AffectedResource `json:"affected_resources"`
	Actions           []session.Action           `json:"actions"`
	Targets           []session.Target           `json:"targets"`
	StopConditions    []session.StopCondition    `json:"stop_conditions"`
	Warnings          []string                   `json:"warnings"`
	AbortReason       string                     `json:"abort_reason,omitempty" jsonschema:"why the session was aborted (stack missing or failed)"`
	Remedy            string                     `json:"remedy,omitempty" jsonschema:"what to do about the abort"`
	StackFailures     []string                   `json:"stack_failures,omitempty" jsonschema:"the stack's last failure events, newest first"`
	Common
}

// ResolveExperiment is the resolve_experiment tool.
func ResolveExperiment(d *Deps) server.ServerTool {
	tool := mcp.NewTool("resolve_experiment",
		mcp.WithDescription("Step 1 of running a prepared AWS FIS experiment. Finds the experiment directory (by full path, or by FIS template ID searched one level deep), validates README.md and cfn-template.yaml, reads the README metadata, checks the CloudFormation stack is deployed in a stable state (CREATE_COMPLETE/UPDATE_COMPLETE; UPDATE_ROLLBACK_COMPLETE/IMPORT_COMPLETE/IMPORT_ROLLBACK_COMPLETE with a warning; an operation in progress means wait) and its ExperimentTemplateId output, and reads the FIS template's actions, targets and stop conditions. Opens a session; pass its session_id to health_check next. Read-only: nothing is started."),
		mcp.WithTitleAnnotation("Experiment: resolve"),
		mcp.WithReadOnlyHintAnnotation(true),
		mcp.WithDestructiveHintAnnotation(false),
		mcp.WithIdempotentHintAnnotation(false),
		mcp.WithOpenWorldHintAnnotation(true),
		inputSchema[ResolveExperimentInput](),
		mcp.WithOutputSchema[ResolveExperimentOutput](),
	)
	return server.ServerTool{Tool: tool, Handler: handle(d, "resolve_experiment", (*Deps).resolve)}
}

func (d *Deps) resolve(c *call, in ResolveExperimentInput) (*mcp.CallToolResult, error) {
	res, err := d.Resolve(c.ctx, workflow.ResolveRequest{Path: in.Path, TemplateID: in.TemplateID, SearchDir: in.SearchDir, Language: in.Language})
	if err != nil {
		return c.fail("", err)
	}
	sess := res.Session
	out := resolveOutput(sess)
	if !res.Aborted {
		return c.finish(sess.ID, &out, &out.Common, resolveText(sess))
	}
	out.AbortReason, out.Remedy, out.StackFailures = res.AbortReason, res.Remedy, res.StackFailures
	text := fmt.Sprintf("Session %s ABORTED: %s\nRemedy: %s\n", sess.ID, res.AbortReason, res.Remedy)
	for _, f := range res.StackFailures {
		text += "  " + f + "\n"
	}
	text += "Nothing was started. finalize_report writes an abort report into the experiment directory.\n"
	return c.finish(sess.ID, &out, &out.Common, text)
}

func resolveOutput(s *session.Session) ResolveExperimentOutput {
	e := s.Experiment
	out := ResolveExperimentOutput{
		SessionID: s.ID, State: s.State, Directory: e.Dir, TemplateID: e.TemplateID, Scenario: e.Scenario,
		Region: e.Region, TargetAZ: e.TargetAZ, EstimatedDuration: e.EstimatedDuration, StackName: e.StackName,
		StackStatus: e.StackStatus, StackWarning: e.StackWarning, Language: s.Language,
		AffectedResources: nonNil(e.AffectedResources), Actions: nonNil(e.Template.Actions),
		Targets: nonNil(e.Template.Targets), StopConditions: nonNil(e.Template.StopConditions), Warnings: nonNil(s.Warnings),
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func resolveText(s *session.Session) string {
	e := s.Experiment
	var b strings.Builder
	fmt.Fprintf(&b, "Session %s opened for %s\n", s.ID, e.TemplateID)
	fmt.Fprintf(&b, "Scenario:    %s\nDirectory:   %s\nRegion:      %s\n", e.Scenario, e.Dir, e.Region)
	if e.TargetAZ != "" {
		fmt.Fprintf(&b, "Target AZ:   %s\n", e.TargetAZ)
	}
	fmt.Fprintf(&b, "Duration:    %s\nStack:       %s (verified: %s)\n", humandur.ISO("en", e.EstimatedDuration), e.StackName, e.StackStatus)
	if t := e.Template; t.MultiAccount() {
		fmt.Fprintf(&b, "Accounts:    multi-account template, %d target account(s):", len(t.TargetAccounts))
		for _, a := range t.TargetAccounts {
			fmt.Fprintf(&b, " %s", a.AccountID)
		}
		b.WriteString("\n")
	}
	if len(e.AffectedResources) > 0 {
		b.WriteString("Affected resources:\n")
		for _, r := range e.AffectedResources {
			fmt.Fprintf(&b, "  - %s %s: %s\n", r.Type, r.Identifier, r.Impact)
		}
	}
	b.WriteString("Actions found:\n")
	for _, a := range e.Template.Actions {
		after := ""
		if len(a.StartAfter) > 0 {
			after = " (after " + strings.Join(a.StartAfter, ", ") + ")"
		}
		fmt.Fprintf(&b, "  - %s: %s%s\n", a.Name, a.ActionID, after)
	}
	b.WriteString("Targets:\n")
	for _, t := range e.Template.Targets {
		fmt.Fprintf(&b, "  - %s: %s, %s\n", t.Name, t.ResourceType, describeSelection(t))
	}
	conds := workflow.RealStopConditions(e.Template.StopConditions)
	if len(conds) == 0 {
		b.WriteString("Stop conditions: NONE CONFIGURED\n")
	} else {
		b.WriteString("Stop conditions:\n")
		for _, sc := range conds {
			fmt.Fprintf(&b, "  - %s %s\n", sc.Source, sc.Value)
		}
	}
	for _, w := range s.Warnings {
		fmt.Fprintf(&b, "WARNING: %s\n", w)
	}
	b.WriteString("Next: health_check with this session_id.\n")
	return b.String()
}

func describeSelection(t session.Target) string {
	var parts []string
	if n := len(t.ResourceArns); n > 0 {
		parts = append(parts, fmt.Sprintf("%d ARN(s)", n))
	}
	if len(t.ResourceTags) > 0 {
		parts = append(parts, "tags "+strings.Join(sortedPairs(t.ResourceTags), ","))
	}
	for _, f := range t.Filters {
		parts = append(parts, fmt.Sprintf("filter %s in %v", f.Path, f.Values))
	}
	parts = append(parts, sortedPairs(t.Parameters)...)
	if t.SelectionMode != "" {
		parts = append(parts, "selection "+t.SelectionMode)
	}
	return strings.Join(parts, "; ")
}

// sortedPairs renders a map as sorted key=value strings.
func sortedPairs(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}
