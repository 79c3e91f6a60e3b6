package tools

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/fis-mcp/fis-mcp/aws/experiment"
	"github.com/fis-mcp/fis-mcp/aws/stack"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/expdir"
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
		mcp.WithInputSchema[ResolveExperimentInput](),
		mcp.WithOutputSchema[ResolveExperimentOutput](),
	)
	return server.ServerTool{Tool: tool, Handler: handle(d, "resolve_experiment", (*Deps).resolve)}
}

func (d *Deps) searchRoot(in string) (string, error) {
	switch {
	case in != "":
		return in, nil
	case d.Config.ExperimentsDir != "":
		return d.Config.ExperimentsDir, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("working directory: %w", err)
	}
	return wd, nil
}

func (d *Deps) resolve(c *call, in ResolveExperimentInput) (*mcp.CallToolResult, error) {
	if (in.Path == "") == (in.TemplateID == "") {
		return c.fail("", errors.New("give exactly one of path (the experiment directory) or template_id (EXT..., searched under search_dir)"))
	}
	if in.Language != "" && in.Language != "en" && in.Language != "zh" {
		return c.fail("", fmt.Errorf("language must be en or zh, not %q", in.Language))
	}
	root, err := d.searchRoot(in.SearchDir)
	if err != nil {
		return c.fail("", err)
	}
	path := in.Path
	if in.TemplateID != "" {
		if !expdir.ValidTemplateID(in.TemplateID) {
			return c.fail("", fmt.Errorf("%q is not a FIS experiment template ID (expected EXT followed by letters and digits, e.g. EXT1a2b3c4d5e6f7)", in.TemplateID))
		}
		path, err = expdir.Find(root, in.TemplateID)
		if err != nil {
			return c.fail("", err)
		}
	}
	dir, err := expdir.Open(path, root)
	if err != nil {
		return c.fail("", err)
	}
	exp, warnings, err := expdir.Load(dir)
	if err != nil {
		return c.fail("", err)
	}
	if exp.Region == "" {
		if d.Config.DefaultRegion == "" {
			return c.fail("", errors.New("the README has no Region and no AWS region is configured: add **Region:** to README.md or start the server with --region"))
		}
		exp.Region = d.Config.DefaultRegion
		warnings = append(warnings, fmt.Sprintf("README.md has no Region: using the AWS configuration's region %s; check it is the experiment's region", exp.Region))
	}
	lang := exp.ReadmeLanguage
	if in.Language != "" {
		lang = in.Language
	}
	if lang == "" {
		lang = "en"
	}
	sess := &session.Session{State: session.StateResolved, Language: lang, Experiment: exp}
	sess.ID = d.Store.NewID()
	now := d.Clock.Now().UTC()
	sess.CreatedAt = now

	clients, err := d.AWS(exp.Region)
	if err != nil {
		return c.fail("", err)
	}
	abort := func(reason, remedy string, details []string) (*mcp.CallToolResult, error) {
		sess.State = session.StateAborted
		sess.Abort = &session.Abort{At: now, Reason: reason, Remedy: remedy, Details: details}
		sess.AddEvent(session.Event{Time: now, Source: session.SourceFISMCP, Kind: session.EventAborted, Message: reason})
		sess.Warnings = warnings
		if err := d.Store.Create(sess); err != nil {
			return c.fail("", err)
		}
		out := resolveOutput(sess)
		out.AbortReason, out.Remedy, out.StackFailures = reason, remedy, details
		text := fmt.Sprintf("Session %s ABORTED: %s\nRemedy: %s\n", sess.ID, reason, remedy)
		for _, f := range details {
			text += "  " + f + "\n"
		}
		text += "Nothing was started. finalize_report writes an abort report into the experiment directory.\n"
		return c.finish(sess.ID, &out, &out.Common, text)
	}

	if exp.StackName == "" {
		return abort("the README has no CFN Stack name (\"**CFN Stack:** ...\")",
			"check the experiment was prepared with a recent version of the prepare step; add the stack name to README.md", nil)
	}
	st, err := stack.Describe(c.ctx, clients.CloudFormation, exp.StackName)
	if errors.Is(err, stack.ErrNotFound) {
		return abort(fmt.Sprintf("CloudFormation stack %s does not exist in %s (ValidationError)", exp.StackName, exp.Region),
			"deploy the stack first (the prepare step's cfn-template.yaml), then resolve again", nil)
	}
	if err != nil {
		return c.fail("", err)
	}
	sess.Experiment.StackStatus = st.Status
	if !stack.Ready(st.Status) {
		return abort(stackRefusal(c, clients.CloudFormation, exp.StackName, st))
	}
	if w := stack.Warning(exp.StackName, st.Status); w != "" {
		if st.StatusReason != "" {
			w += " (" + st.StatusReason + ")"
		}
		sess.Experiment.StackWarning = w
		warnings = append(warnings, "STACK: "+w)
	}
	outID := st.Outputs["ExperimentTemplateId"]
	switch {
	case outID == "":
		return abort(fmt.Sprintf("stack %s has no ExperimentTemplateId output", exp.StackName),
			"check cfn-template.yaml defines the ExperimentTemplateId output and redeploy", nil)
	case outID != exp.TemplateID:
		return c.fail("", fmt.Errorf("stack %s output ExperimentTemplateId is %s but the directory is for %s: the directory and the stack do not belong together; check the README's CFN Stack name", exp.StackName, outID, exp.TemplateID))
	}
	tmpl, err := experiment.GetTemplate(c.ctx, clients.FIS, exp.TemplateID)
	if err != nil {
		return c.fail("", err)
	}
	sess.Experiment.Template = tmpl
	if len(realStopConditions(tmpl.StopConditions)) == 0 {
		warnings = append(warnings, "NO STOP CONDITIONS CONFIGURED: nothing will stop this experiment automatically if it harms more than intended; consider adding a CloudWatch alarm stop condition")
	}
	sess.Warnings = warnings
	sess.AddEvent(session.Event{Time: now, Source: session.SourceFISMCP, Kind: session.EventResolved,
		Message: fmt.Sprintf("resolved %s: stack %s %s, %d actions, %d targets", exp.TemplateID, exp.StackName, st.Status, len(tmpl.Actions), len(tmpl.Targets))})
	if err := d.Store.Create(sess); err != nil {
		return c.fail("", err)
	}
	out := resolveOutput(sess)
	return c.finish(sess.ID, &out, &out.Common, resolveText(sess))
}

// stackRefusal explains why a stack that is not in a stable state refuses the experiment:
// the reason (with the stack's classification), the remedy and, except while an operation
// is in progress, its last failure events.
func stackRefusal(c *call, api stack.API, name string, st *stack.Stack) (reason, remedy string, details []string) {
	cl := stack.Classify(st.Status)
	switch cl.Kind {
	case stack.KindInProgress:
		reason = fmt.Sprintf("stack %s is %s: %s in progress (%s)", name, st.Status, cl.Operation, cl.Meaning)
	default:
		reason = fmt.Sprintf("stack %s is %s, not in a stable state: %s", name, st.Status, cl.Meaning)
	}
	if st.StatusReason != "" {
		reason += " (" + st.StatusReason + ")"
	}
	events, ferr := stack.FailureEvents(c.ctx, api, name, 5)
	if ferr != nil {
		details = append(details, "stack events could not be read: "+ferr.Error())
	}
	for _, e := range events {
		details = append(details, fmt.Sprintf("%s %s (%s) %s: %s", e.Time.UTC().Format("2006-01-02T15:04:05Z"), e.LogicalID, e.ResourceType, e.Status, e.Reason))
	}
	return reason, stack.Remedy(st.Status), details
}

func realStopConditions(conds []session.StopCondition) []session.StopCondition {
	var out []session.StopCondition
	for _, s := range conds {
		if s.Source != "" && s.Source != "none" {
			out = append(out, s)
		}
	}
	return out
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
	fmt.Fprintf(&b, "Duration:    %s\nStack:       %s (verified: %s)\n", e.EstimatedDuration, e.StackName, e.StackStatus)
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
	conds := realStopConditions(e.Template.StopConditions)
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
