package workflow

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/fis-mcp/fis-mcp/aws/experiment"
	"github.com/fis-mcp/fis-mcp/aws/stack"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/expdir"
)

// ResolveRequest selects an experiment directory: exactly one of Path or TemplateID
// (searched one level deep under SearchDir, the configured experiments directory or the
// working directory). Language overrides the README's report language (en or zh).
type ResolveRequest struct {
	Path, TemplateID, SearchDir, Language string
}

// ResolveResult is the new session. A session whose stack cannot be used is stored
// aborted (Aborted true) with the reason, the remedy and the stack's failure events.
type ResolveResult struct {
	Session       *session.Session
	Aborted       bool
	AbortReason   string
	Remedy        string
	StackFailures []string
}

// Resolve finds and validates the experiment directory, reads its README, checks its
// CloudFormation stack and reads the FIS template, and opens a session (step 1). Errors
// are refusals that open no session.
func (e *Engine) Resolve(ctx context.Context, in ResolveRequest) (*ResolveResult, error) {
	if (in.Path == "") == (in.TemplateID == "") {
		return nil, errors.New("give exactly one of path (the experiment directory) or template_id (EXT..., searched under search_dir)")
	}
	if in.Language != "" && in.Language != "en" && in.Language != "zh" {
		return nil, fmt.Errorf("language must be en or zh, not %q", in.Language)
	}
	root, err := e.searchRoot(in.SearchDir)
	if err != nil {
		return nil, err
	}
	path := in.Path
	if in.TemplateID != "" {
		if !expdir.ValidTemplateID(in.TemplateID) {
			return nil, fmt.Errorf("%q is not a FIS experiment template ID (expected EXT followed by letters and digits, e.g. EXT1a2b3c4d5e6f7)", in.TemplateID)
		}
		if path, err = expdir.Find(root, in.TemplateID); err != nil {
			return nil, err
		}
	}
	dir, err := expdir.Open(path, root)
	if err != nil {
		return nil, err
	}
	exp, warnings, err := expdir.Load(dir)
	if err != nil {
		return nil, err
	}
	if exp.Region == "" {
		if e.Config.DefaultRegion == "" {
			return nil, errors.New("the README has no Region and no AWS region is configured: add **Region:** to README.md or start the server with --region")
		}
		exp.Region = e.Config.DefaultRegion
		warnings = append(warnings, fmt.Sprintf("README.md has no Region: using the AWS configuration's region %s; check it is the experiment's region", exp.Region))
	}
	lang := exp.ReadmeLanguage
	if in.Language != "" {
		lang = in.Language
	}
	if lang == "" {
		lang = "en"
	}
	sess := &session.Session{State: session.StateResolved, Language: lang, Experiment: exp, Simulated: e.Config.Simulated}
	sess.ID = e.Store.NewID()
	now := e.Clock.Now().UTC()
	sess.CreatedAt = now

	clients, err := e.AWS(exp.Region)
	if err != nil {
		return nil, err
	}
	abort := func(reason, remedy string, details []string) (*ResolveResult, error) {
		sess.State = session.StateAborted
		sess.Abort = &session.Abort{At: now, Reason: reason, Remedy: remedy, Details: details}
		sess.AddEvent(session.Event{Time: now, Source: session.SourceFISMCP, Kind: session.EventAborted, Message: reason})
		sess.Warnings = warnings
		if err := e.Store.Create(sess); err != nil {
			return nil, err
		}
		return &ResolveResult{Session: sess, Aborted: true, AbortReason: reason, Remedy: remedy, StackFailures: details}, nil
	}

	if exp.StackName == "" {
		return abort("the README has no CFN Stack name (\"**CFN Stack:** ...\")",
			"check the experiment was prepared with a recent version of the prepare step; add the stack name to README.md", nil)
	}
	st, err := stack.Describe(ctx, clients.CloudFormation, exp.StackName)
	if errors.Is(err, stack.ErrNotFound) {
		return abort(fmt.Sprintf("CloudFormation stack %s does not exist in %s (ValidationError)", exp.StackName, exp.Region),
			"deploy the stack first (the prepare step's cfn-template.yaml), then resolve again", nil)
	}
	if err != nil {
		return nil, err
	}
	sess.Experiment.StackStatus = st.Status
	if !stack.Ready(st.Status) {
		return abort(stackRefusal(ctx, clients.CloudFormation, exp.StackName, st))
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
		return nil, fmt.Errorf("stack %s output ExperimentTemplateId is %s but the directory is for %s: the directory and the stack do not belong together; check the README's CFN Stack name", exp.StackName, outID, exp.TemplateID)
	}
	tmpl, err := experiment.GetTemplate(ctx, clients.FIS, exp.TemplateID)
	if err != nil {
		return nil, err
	}
	sess.Experiment.Template = tmpl
	if len(RealStopConditions(tmpl.StopConditions)) == 0 {
		warnings = append(warnings, "NO STOP CONDITIONS CONFIGURED: nothing will stop this experiment automatically if it harms more than intended; consider adding a CloudWatch alarm stop condition")
	}
	sess.Warnings = warnings
	sess.AddEvent(session.Event{Time: now, Source: session.SourceFISMCP, Kind: session.EventResolved,
		Message: fmt.Sprintf("resolved %s: stack %s %s, %d actions, %d targets", exp.TemplateID, exp.StackName, st.Status, len(tmpl.Actions), len(tmpl.Targets))})
	if err := e.Store.Create(sess); err != nil {
		return nil, err
	}
	return &ResolveResult{Session: sess}, nil
}

func (e *Engine) searchRoot(in string) (string, error) {
	switch {
	case in != "":
		return in, nil
	case e.Config.ExperimentsDir != "":
		return e.Config.ExperimentsDir, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("working directory: %w", err)
	}
	return wd, nil
}

// stackRefusal explains why a stack that is not in a stable state refuses the experiment:
// the reason (with the stack's classification), the remedy and, except while an operation
// is in progress, its last failure events.
func stackRefusal(ctx context.Context, api stack.API, name string, st *stack.Stack) (reason, remedy string, details []string) {
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
	events, ferr := stack.FailureEvents(ctx, api, name, 5)
	if ferr != nil {
		details = append(details, "stack events could not be read: "+ferr.Error())
	}
	for _, ev := range events {
		details = append(details, fmt.Sprintf("%s %s (%s) %s: %s", ev.Time.UTC().Format("2006-01-02T15:04:05Z"), ev.LogicalID, ev.ResourceType, ev.Status, ev.Reason))
	}
	return reason, stack.Remedy(st.Status), details
}

// RealStopConditions are the stop conditions that can stop an experiment (not "none").
func RealStopConditions(conds []session.StopCondition) []session.StopCondition {
	var out []session.StopCondition
	for _, s := range conds {
		if s.Source != "" && s.Source != "none" {
			out = append(out, s)
		}
	}
	return out
}
