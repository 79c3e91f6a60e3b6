// Package experiment reads FIS experiment templates and starts, follows and stops
// FIS experiments. Starts are idempotent: a deterministic client token per session
// and template means a retried start never starts a second experiment.
package experiment

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/fis/types"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/isoduration"
)

// API is the part of the FIS client this package uses.
type API interface {
	GetExperimentTemplate(ctx context.Context, in *fis.GetExperimentTemplateInput, optFns ...func(*fis.Options)) (*fis.GetExperimentTemplateOutput, error)
	StartExperiment(ctx context.Context, in *fis.StartExperimentInput, optFns ...func(*fis.Options)) (*fis.StartExperimentOutput, error)
	GetExperiment(ctx context.Context, in *fis.GetExperimentInput, optFns ...func(*fis.Options)) (*fis.GetExperimentOutput, error)
	StopExperiment(ctx context.Context, in *fis.StopExperimentInput, optFns ...func(*fis.Options)) (*fis.StopExperimentOutput, error)
	ListExperiments(ctx context.Context, in *fis.ListExperimentsInput, optFns ...func(*fis.Options)) (*fis.ListExperimentsOutput, error)
	ListExperimentResolvedTargets(ctx context.Context, in *fis.ListExperimentResolvedTargetsInput, optFns ...func(*fis.Options)) (*fis.ListExperimentResolvedTargetsOutput, error)
	ListTargetAccountConfigurations(ctx context.Context, in *fis.ListTargetAccountConfigurationsInput, optFns ...func(*fis.Options)) (*fis.ListTargetAccountConfigurationsOutput, error)
	GetSafetyLever(ctx context.Context, in *fis.GetSafetyLeverInput, optFns ...func(*fis.Options)) (*fis.GetSafetyLeverOutput, error)
}

// SessionTag is the experiment tag carrying the fis-mcp session ID (for crash recovery).
const SessionTag = "fis-mcp-session"

// Experiment and action states.
const (
	StatePending    = "pending"
	StateInitiating = "initiating"
	StateRunning    = "running"
	StateCompleted  = "completed"
	StateStopping   = "stopping"
	StateStopped    = "stopped"
	StateFailed     = "failed"
	StateCancelled  = "cancelled"
	StateSkipped    = "skipped"
)

// maxPages bounds paging through list operations.
const maxPages = 100

// StartInput is what Start needs.
type StartInput struct {
	TemplateID string
	// ClientToken makes the start idempotent (see ClientToken); required.
	ClientToken string
	Tags        map[string]string
	// DryRun runs the experiment with actionsMode skip-all: targets are resolved, no action runs.
	DryRun bool
}

// Status is an experiment's state.
type Status struct {
	ID         string
	TemplateID string
	State      string
	Reason     string
	StartTime  *time.Time
	EndTime    *time.Time
	// ActionsMode is "run-all" or "skip-all" (a dry run).
	ActionsMode string
	Tags        map[string]string
	// Actions are sorted by name.
	Actions []session.ActionRun
	// Report is FIS's own experiment report (nil when GetExperiment returned none).
	Report *session.ExperimentReport
}

// IsTerminal reports whether an experiment in state will not change any more.
func IsTerminal(state string) bool {
	switch state {
	case StateCompleted, StateStopped, StateFailed, StateCancelled:
		return true
	}
	return false
}

// ClientToken is the deterministic StartExperiment client token of a session's start of a
// template: retried starts reuse it, so FIS never starts the experiment twice. It is at most
// 64 characters (FIS's limit).
func ClientToken(sessionID, templateID string) string {
	sum := sha256.Sum256([]byte(sessionID + "\x00" + templateID))
	return "fis-mcp-" + hex.EncodeToString(sum[:])[:48]
}

// DryRunClientToken is the client token of a session's dry run (actionsMode skip-all) of a template:
// distinct from ClientToken so that a real run after a dry run in the same session is a new start.
func DryRunClientToken(sessionID, templateID string) string {
	return ClientToken(sessionID+"\x00dry-run", templateID)
}

// GetTemplate reads an experiment template: actions and targets sorted by name, stop conditions,
// experiment options, report configuration and tags.
func GetTemplate(ctx context.Context, api API, id string) (session.Template, error) {
	if id == "" {
		return session.Template{}, fmt.Errorf("fis GetExperimentTemplate: empty template ID")
	}
	out, err := api.GetExperimentTemplate(ctx, &fis.GetExperimentTemplateInput{Id: &id})
	if err != nil {
		return session.Template{}, awsapi.Wrap(err, "fis GetExperimentTemplate", id, "fis:GetExperimentTemplate")
	}
	if out == nil || out.ExperimentTemplate == nil {
		return session.Template{}, fmt.Errorf("fis GetExperimentTemplate %s: empty response", id)
	}
	tp := mapTemplate(out.ExperimentTemplate, id)
	if tp.MultiAccount() {
		accts, err := TargetAccounts(ctx, api, id)
		if err != nil {
			return session.Template{}, err
		}
		tp.TargetAccounts = accts
	}
	return tp, nil
}

// TargetAccounts reads a multi-account template's target account configurations, sorted by
// account ID (https://docs.aws.amazon.com/fis/latest/APIReference/API_ListTargetAccountConfigurations.html;
// GetExperimentTemplate gives only their count).
func TargetAccounts(ctx context.Context, api API, id string) ([]session.TargetAccount, error) {
	out := []session.TargetAccount{}
	var token *string
	for page := 0; page < maxPages; page++ {
		res, err := api.ListTargetAccountConfigurations(ctx, &fis.ListTargetAccountConfigurationsInput{ExperimentTemplateId: &id, NextToken: token})
		if err != nil {
			return nil, awsapi.Wrap(err, "fis ListTargetAccountConfigurations", id, "fis:ListTargetAccountConfigurations")
		}
		if res == nil {
			break
		}
		for _, c := range res.TargetAccountConfigurations {
			out = append(out, session.TargetAccount{AccountID: deref(c.AccountId), RoleArn: deref(c.RoleArn), Description: deref(c.Description)})
		}
		if res.NextToken == nil || *res.NextToken == "" || (token != nil && *token == *res.NextToken) {
			break
		}
		token = res.NextToken
	}
	sort.Slice(out, func(i, j int) bool { return out[i].AccountID < out[j].AccountID })
	return out, nil
}

func mapTemplate(t *types.ExperimentTemplate, id string) session.Template {
	tp := session.Template{
		ID:             deref(t.Id),
		Description:    deref(t.Description),
		RoleArn:        deref(t.RoleArn),
		Actions:        []session.Action{},
		Targets:        []session.Target{},
		StopConditions: []session.StopCondition{},
		Tags:           copyMap(t.Tags),
	}
	if tp.ID == "" {
		tp.ID = id
	}
	for name, a := range t.Actions {
		tp.Actions = append(tp.Actions, session.Action{
			Name: name, ActionID: deref(a.ActionId), Description: deref(a.Description),
			Parameters: copyMap(a.Parameters), Targets: copyMap(a.Targets),
			StartAfter: append([]string(nil), a.StartAfter...),
		})
	}
	sort.Slice(tp.Actions, func(i, j int) bool { return tp.Actions[i].Name < tp.Actions[j].Name })
	for name, tg := range t.Targets {
		st := session.Target{
			Name: name, ResourceType: deref(tg.ResourceType), ResourceArns: append([]string(nil), tg.ResourceArns...),
			ResourceTags: copyMap(tg.ResourceTags), SelectionMode: deref(tg.SelectionMode), Parameters: copyMap(tg.Parameters),
		}
		for _, f := range tg.Filters {
			st.Filters = append(st.Filters, session.TargetFilter{Path: deref(f.Path), Values: append([]string(nil), f.Values...)})
		}
		tp.Targets = append(tp.Targets, st)
	}
	sort.Slice(tp.Targets, func(i, j int) bool { return tp.Targets[i].Name < tp.Targets[j].Name })
	for _, sc := range t.StopConditions {
		tp.StopConditions = append(tp.StopConditions, session.StopCondition{Source: deref(sc.Source), Value: deref(sc.Value)})
	}
	if o := t.ExperimentOptions; o != nil {
		opts := map[string]string{}
		if o.AccountTargeting != "" {
			opts["accountTargeting"] = string(o.AccountTargeting)
		}
		if o.EmptyTargetResolutionMode != "" {
			opts["emptyTargetResolutionMode"] = string(o.EmptyTargetResolutionMode)
		}
		if len(opts) > 0 {
			tp.ExperimentOptions = opts
		}
	}
	if rc := t.ExperimentReportConfiguration; rc != nil {
		r := &session.ReportConfiguration{
			PreExperimentSeconds: isoSeconds(deref(rc.PreExperimentDuration)),
			PostExperimentSecond: isoSeconds(deref(rc.PostExperimentDuration)),
		}
		if rc.Outputs != nil && rc.Outputs.S3Configuration != nil {
			r.S3Bucket = deref(rc.Outputs.S3Configuration.BucketName)
			r.S3Prefix = deref(rc.Outputs.S3Configuration.Prefix)
		}
		if rc.DataSources != nil {
			for _, d := range rc.DataSources.CloudWatchDashboards {
				if d.DashboardIdentifier != nil {
					r.CloudWatchDashboards = append(r.CloudWatchDashboards, *d.DashboardIdentifier)
				}
			}
		}
		tp.ReportConfiguration = r
	}
	return tp
}

// Start starts an experiment from in.TemplateID, tagged with in.Tags. Repeating a start with the
// same client token returns the experiment the first call started; a token already used for a
// different template or mode is an error.
func Start(ctx context.Context, api API, in StartInput) (Status, error) {
	if in.TemplateID == "" {
		return Status{}, fmt.Errorf("fis StartExperiment: empty template ID")
	}
	if in.ClientToken == "" || len(in.ClientToken) > 64 {
		return Status{}, fmt.Errorf("fis StartExperiment %s: client token must be 1 to 64 characters, got %d", in.TemplateID, len(in.ClientToken))
	}
	req := startRequest(in)
	mode := req.ExperimentOptions.ActionsMode
	perm := "fis:StartExperiment"
	if len(in.Tags) > 0 {
		perm = "fis:StartExperiment and fis:TagResource"
	}
	out, err := api.StartExperiment(ctx, req)
	if err != nil {
		return Status{}, awsapi.Wrap(err, "fis StartExperiment", in.TemplateID, perm)
	}
	if out == nil || out.Experiment == nil || out.Experiment.Id == nil {
		return Status{}, fmt.Errorf("fis StartExperiment %s: response carries no experiment", in.TemplateID)
	}
	st := mapExperiment(out.Experiment)
	if st.TemplateID != "" && st.TemplateID != in.TemplateID {
		return st, fmt.Errorf("fis StartExperiment %s: client token %s already belongs to experiment %s of template %s",
			in.TemplateID, in.ClientToken, st.ID, st.TemplateID)
	}
	if st.ActionsMode != "" && st.ActionsMode != string(mode) {
		return st, fmt.Errorf("fis StartExperiment %s: client token %s already belongs to experiment %s with actionsMode %s, not %s",
			in.TemplateID, in.ClientToken, st.ID, st.ActionsMode, mode)
	}
	return st, nil
}

// Get reads an experiment's state.
func Get(ctx context.Context, api API, id string) (Status, error) {
	if id == "" {
		return Status{}, fmt.Errorf("fis GetExperiment: empty experiment ID")
	}
	out, err := api.GetExperiment(ctx, &fis.GetExperimentInput{Id: &id})
	if err != nil {
		return Status{}, awsapi.Wrap(err, "fis GetExperiment", id, "fis:GetExperiment")
	}
	if out == nil || out.Experiment == nil {
		return Status{}, fmt.Errorf("fis GetExperiment %s: empty response", id)
	}
	st := mapExperiment(out.Experiment)
	if st.ID == "" {
		st.ID = id
	}
	return st, nil
}

// Stop asks FIS to stop an experiment; the returned state is usually "stopping".
func Stop(ctx context.Context, api API, id string) (Status, error) {
	if id == "" {
		return Status{}, fmt.Errorf("fis StopExperiment: empty experiment ID")
	}
	out, err := api.StopExperiment(ctx, &fis.StopExperimentInput{Id: &id})
	if err != nil {
		return Status{}, awsapi.Wrap(err, "fis StopExperiment", id, "fis:StopExperiment")
	}
	if out == nil || out.Experiment == nil {
		return Status{}, fmt.Errorf("fis StopExperiment %s: empty response", id)
	}
	st := mapExperiment(out.Experiment)
	if st.ID == "" {
		st.ID = id
	}
	return st, nil
}

// ResolvedTargets lists the resources FIS resolved for an experiment's targets.
func ResolvedTargets(ctx context.Context, api API, id string) ([]session.ResolvedTarget, error) {
	out := []session.ResolvedTarget{}
	var token *string
	for page := 0; page < maxPages; page++ {
		res, err := api.ListExperimentResolvedTargets(ctx, &fis.ListExperimentResolvedTargetsInput{ExperimentId: &id, NextToken: token})
		if err != nil {
			return out, awsapi.Wrap(err, "fis ListExperimentResolvedTargets", id, "fis:ListExperimentResolvedTargets")
		}
		if res == nil {
			break
		}
		for _, t := range res.ResolvedTargets {
			out = append(out, session.ResolvedTarget{
				TargetName: deref(t.TargetName), ResourceType: deref(t.ResourceType), Identifier: identifier(t.TargetInformation),
			})
		}
		if res.NextToken == nil || *res.NextToken == "" || (token != nil && *token == *res.NextToken) {
			break
		}
		token = res.NextToken
	}
	return out, nil
}

// identifier picks the resource identifier out of FIS's target information.
func identifier(info map[string]string) string {
	for _, k := range []string{"arn", "identifier", "id", "resourceArn"} {
		if v := info[k]; v != "" {
			return v
		}
	}
	keys := make([]string, 0, len(info))
	for k := range info {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if info[k] != "" {
			return info[k]
		}
	}
	return ""
}

// FindBySessionTag returns the newest experiment of templateID tagged with SessionTag = sessionID,
// or "" when there is none (used to recover after a crash between start and recording it).
func FindBySessionTag(ctx context.Context, api API, templateID, sessionID string) (string, error) {
	var (
		best     string
		bestTime time.Time
		token    *string
	)
	for page := 0; page < maxPages; page++ {
		in := &fis.ListExperimentsInput{NextToken: token}
		if templateID != "" {
			in.ExperimentTemplateId = &templateID
		}
		res, err := api.ListExperiments(ctx, in)
		if err != nil {
			return "", awsapi.Wrap(err, "fis ListExperiments", templateID, "fis:ListExperiments")
		}
		if res == nil {
			break
		}
		for _, e := range res.Experiments {
			if e.Tags[SessionTag] != sessionID || e.Id == nil {
				continue
			}
			if templateID != "" && e.ExperimentTemplateId != nil && *e.ExperimentTemplateId != templateID {
				continue
			}
			var created time.Time
			if e.CreationTime != nil {
				created = *e.CreationTime
			}
			if best == "" || created.After(bestTime) {
				best, bestTime = *e.Id, created
			}
		}
		if res.NextToken == nil || *res.NextToken == "" || (token != nil && *token == *res.NextToken) {
			break
		}
		token = res.NextToken
	}
	return best, nil
}

func mapExperiment(e *types.Experiment) Status {
	st := Status{
		ID:         deref(e.Id),
		TemplateID: deref(e.ExperimentTemplateId),
		StartTime:  utcPtr(e.StartTime),
		EndTime:    utcPtr(e.EndTime),
		Tags:       copyMap(e.Tags),
		Actions:    []session.ActionRun{},
	}
	if e.State != nil {
		st.State = string(e.State.Status)
		st.Reason = deref(e.State.Reason)
	}
	if e.ExperimentOptions != nil {
		st.ActionsMode = string(e.ExperimentOptions.ActionsMode)
	}
	for name, a := range e.Actions {
		r := session.ActionRun{Name: name, ActionID: deref(a.ActionId), StartTime: utcPtr(a.StartTime), EndTime: utcPtr(a.EndTime)}
		if a.State != nil {
			r.State = string(a.State.Status)
			r.Reason = deref(a.State.Reason)
		}
		st.Actions = append(st.Actions, r)
	}
	sort.Slice(st.Actions, func(i, j int) bool { return st.Actions[i].Name < st.Actions[j].Name })
	st.Report = mapReport(e.ExperimentReport)
	return st
}

// mapReport maps GetExperiment's experimentReport (API_ExperimentReport: state {status,
// reason, error {code}}, s3Reports [{arn, reportType}]); nil stays nil.
func mapReport(r *types.ExperimentReport) *session.ExperimentReport {
	if r == nil {
		return nil
	}
	out := &session.ExperimentReport{}
	if r.State != nil {
		out.Status = string(r.State.Status)
		out.Reason = deref(r.State.Reason)
		if r.State.Error != nil {
			out.ErrorCode = deref(r.State.Error.Code)
		}
	}
	for _, f := range r.S3Reports {
		out.S3Reports = append(out.S3Reports, session.ExperimentReportS3File{Arn: deref(f.Arn), ReportType: deref(f.ReportType)})
	}
	return out
}

// ParseISODuration parses an ISO 8601 duration such as PT10M, PT30S, PT1H30M or P1D
// (the grammar is isoduration.Parse's).
func ParseISODuration(s string) (time.Duration, bool) {
	d, err := isoduration.Parse(s)
	return d, err == nil
}

func isoSeconds(s string) int {
	d, ok := ParseISODuration(s)
	if !ok {
		return 0
	}
	return int(d / time.Second)
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil || t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func copyMap(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
