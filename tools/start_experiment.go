package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/fis-mcp/fis-mcp/aws/experiment"
	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/aws/stack"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/workflow"
)

// StartExperimentInput is the session plus, on the second call, the confirmation token.
type StartExperimentInput struct {
	SessionID         string `json:"session_id" jsonschema:"the session from resolve_experiment"`
	ConfirmationToken string `json:"confirmation_token,omitempty" jsonschema:"the token from the first call; pass it ONLY after the human has read the impact warning and explicitly said to start"`
	DryRun            bool   `json:"dry_run,omitempty" jsonschema:"start with experimentOptions.actionsMode=skip-all: FIS resolves the targets and runs no action (same confirmation as a real start)"`
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
			"dry_run=true starts with actionsMode skip-all (no action runs) behind the same confirmation."),
		mcp.WithTitleAnnotation("Experiment: start (confirmation required)"),
		mcp.WithReadOnlyHintAnnotation(false),
		mcp.WithDestructiveHintAnnotation(true),
		mcp.WithIdempotentHintAnnotation(false),
		mcp.WithOpenWorldHintAnnotation(true),
		mcp.WithInputSchema[StartExperimentInput](),
		mcp.WithOutputSchema[StartExperimentOutput](),
		withTimings(d.Config),
	)
	return server.ServerTool{Tool: tool, Handler: handle(d, "start_experiment", (*Deps).startExperiment)}
}

var startStates = []session.State{session.StateHealthChecked, session.StateLogsStarted, session.StateAwaitingConfirmation}

// startable says why a session may not be started, or nil.
func (d *Deps) startable(s *session.Session) error {
	if d.Config.ReadOnly {
		return errors.New("this server runs in read-only mode (--read-only / FIS_MCP_READ_ONLY): it never calls StartExperiment. Resolving, health checks, discovery, logs, stop and reports still work; restart the server without --read-only to run experiments")
	}
	if s.Run != nil {
		return fmt.Errorf("an experiment was already started for session %s (%s, %s): one session starts at most one experiment; poll it or resolve the directory again for a new session", s.ID, s.Run.ExperimentID, s.Run.State)
	}
	if s.State == session.StateResolved || s.Health == nil {
		return fmt.Errorf("session %s has not been health-checked: call health_check first (starting against unchecked targets is refused)", s.ID)
	}
	if err := s.Require("start an experiment", startStates...); err != nil {
		return err
	}
	switch s.Health.Verdict {
	case session.VerdictHealthy, session.VerdictOverridden:
		return nil
	}
	return fmt.Errorf("the health verdict is %s: %s. Retry health_check (wait=true to recheck), or, only if the human explicitly accepts the risk, health_check with override=true and their override_reason",
		s.Health.Verdict, strings.Join(workflow.UnhealthyList(*s.Health), "; "))
}

func (d *Deps) startExperiment(c *call, in StartExperimentInput) (*mcp.CallToolResult, error) {
	sess, err := d.Store.Get(in.SessionID)
	if err != nil {
		return c.fail("", err)
	}
	if err := d.startable(sess); err != nil {
		return c.fail(sess.ID, err)
	}
	if in.ConfirmationToken != "" {
		return d.startWithToken(c, sess, in)
	}
	// A retry carrying the human's answer to the elicitation below.
	if answer := server.ElicitationResponse(c.req.Params.InputResponses, confirmInputID); answer != nil {
		return d.startFromElicitation(c, sess.ID, in.DryRun, answer)
	}
	now := d.Clock.Now()
	elicit := clientCanElicit(c.ctx)
	var token, warning string
	updated, err := d.Store.Update(sess.ID, func(s *session.Session) error {
		if err := d.startable(s); err != nil {
			return err
		}
		// The warning is built from the very state the confirmation is bound to.
		warning = impactWarning(s, d, in.DryRun)
		channel := session.ChannelToken
		if elicit {
			channel = session.ChannelElicitation
		}
		t, err := s.IssueConfirmation(now, d.Config.ConfirmationTTL, in.DryRun, channel)
		if err != nil {
			return err
		}
		token = t
		if s.State != session.StateAwaitingConfirmation {
			if err := s.Transition(session.StateAwaitingConfirmation); err != nil {
				return err
			}
		}
		s.AddEvent(session.Event{Time: now.UTC(), Source: session.SourceFISMCP, Kind: session.EventConfirmationIssued,
			Message: fmt.Sprintf("impact warning shown, confirmation token issued (expires %s, dry_run=%t)", s.Confirmation.ExpiresAt.Format(time.RFC3339), in.DryRun)})
		return nil
	})
	if err != nil {
		return c.fail(sess.ID, err)
	}
	if elicit {
		// Ask the human directly. The token travels as the request state and comes back
		// with their answer, so the answer is single use, expires and is bound to what
		// they were shown, exactly like a typed token.
		c.flushCalls(sess.ID)
		return server.NewInputRequestBuilder(token).Elicit(confirmInputID, confirmElicitation(updated, warning, in.DryRun)).ToolResult(), nil
	}
	exp := updated.Confirmation.ExpiresAt
	out := StartExperimentOutput{SessionID: sess.ID, Status: "confirmation_required", Warning: warning, ConfirmationToken: token, ExpiresAt: &exp, DryRun: in.DryRun}
	text := warning + "\n\nType \"Yes, start experiment\" to proceed, or \"No\" to abort.\n" +
		fmt.Sprintf("Only after the human explicitly confirms: call start_experiment with session_id %s and confirmation_token %s (single use, expires %s). If they say no: stop_experiment.\n",
			sess.ID, token, exp.Format(time.RFC3339))
	return c.finish(sess.ID, &out, &out.Common, text)
}

func (d *Deps) startWithToken(c *call, sess *session.Session, in StartExperimentInput) (*mcp.CallToolResult, error) {
	return d.launch(c, sess.ID, in.DryRun, "human via confirmation token", func(s *session.Session) error {
		if err := d.startable(s); err != nil {
			return err
		}
		if err := s.ConsumeConfirmation(in.ConfirmationToken, d.Clock.Now(), in.DryRun, session.ChannelToken); err != nil {
			return fmt.Errorf("start refused: %w", tokenRefusal(d.Config, err))
		}
		return nil
	})
}

// launch records the confirmed start (check is run atomically under the session lock,
// so a token can never start two experiments), calls FIS StartExperiment with a
// client token derived from the session, and persists the experiment ID.
func (d *Deps) launch(c *call, id string, dryRun bool, confirmedBy string, check func(*session.Session) error) (*mcp.CallToolResult, error) {
	if err := d.templateUnchanged(c, id); err != nil {
		_, uerr := d.Store.Record(d.Log, id, "start refusal (changed template)", func(s *session.Session) error {
			s.InvalidateConfirmation()
			s.AddEvent(session.Event{Time: d.Clock.Now().UTC(), Source: session.SourceFISMCP, Kind: session.EventStartRefused, Message: err.Error()})
			return nil
		})
		return c.fail(id, withUnsaved(err, "refusal (and the token's invalidation)", uerr))
	}
	now := d.Clock.Now().UTC()
	var tmplID, region string
	var refusal error
	sess, err := d.Store.Update(id, func(s *session.Session) error {
		if err := check(s); err != nil {
			refusal = err
			s.AddEvent(session.Event{Time: now, Source: session.SourceFISMCP, Kind: session.EventStartRefused, Message: err.Error()})
			return nil // persist the refusal event
		}
		tmplID, region = s.Experiment.TemplateID, s.Experiment.Region
		token := experiment.ClientToken(s.ID, s.Experiment.TemplateID)
		if dryRun {
			token = experiment.DryRunClientToken(s.ID, s.Experiment.TemplateID)
		}
		s.Run = &session.Run{
			ClientToken: token, DryRun: dryRun,
			ConfirmedAt: now, ConfirmedBy: confirmedBy, RequestedAt: now, State: "starting", Actions: []session.ActionRun{},
		}
		s.AddEvent(session.Event{Time: now, Source: session.SourceFISMCP, Kind: session.EventConfirmed, Message: fmt.Sprintf("start confirmed by %s (dry_run=%t)", confirmedBy, dryRun)})
		return nil
	})
	if err != nil {
		return c.fail(id, err)
	}
	if refusal != nil {
		return c.fail(id, refusal)
	}
	clients, err := d.AWS(region)
	if err != nil {
		return c.fail(id, withUnsaved(err, "abandoned start (the session still shows a start in progress)", d.abandonStart(id, err)))
	}
	defer d.BeginStart(id)()
	// The start must not be cut short by the client going away, or its outcome would be unknown.
	startCtx, cancel := context.WithTimeout(context.WithoutCancel(c.ctx), startTimeout)
	defer cancel()
	st, startErr := experiment.Start(startCtx, clients.FIS, experiment.StartInput{
		TemplateID:  tmplID,
		ClientToken: sess.Run.ClientToken,
		Tags:        map[string]string{experiment.SessionTag: id, "created-by": "fis-mcp"},
		DryRun:      dryRun,
	})
	if startErr != nil && !definiteRejection(startErr) {
		// The request may have reached FIS (connection reset, 5xx after retries, timeout):
		// look the experiment up by its session tag before saying anything.
		if found, ferr := experiment.FindBySessionTag(startCtx, clients.FIS, tmplID, id); ferr == nil && found != "" {
			if got, gerr := experiment.Get(startCtx, clients.FIS, found); gerr == nil {
				st, startErr = got, nil
			} else {
				st, startErr = experiment.Status{ID: found, State: "pending"}, nil
			}
		} else {
			_, uerr := d.Store.Record(d.Log, id, "unknown start outcome", func(s *session.Session) error {
				if s.Run != nil && s.Run.ExperimentID == "" {
					s.Run.State = runStartUnknown
					s.AddEvent(session.Event{Time: d.Clock.Now().UTC(), Source: session.SourceFIS, Kind: session.EventStartUnknown, Message: "StartExperiment outcome unknown: " + startErr.Error()})
				}
				return nil
			})
			return c.fail(id, withUnsaved(fmt.Errorf("the outcome of FIS StartExperiment is unknown (%v): the experiment may or may not have started. poll looks it up by its %s tag; stop_experiment stops it if it exists. By hand: aws fis list-experiments --region %s (tag %s=%s)", startErr, experiment.SessionTag, region, experiment.SessionTag, id), "unknown start outcome", uerr))
		}
	}
	if startErr != nil {
		uerr := d.abandonStart(id, startErr)
		return c.fail(id, withUnsaved(fmt.Errorf("FIS refused StartExperiment, nothing was started: %w", startErr), "abandoned start (the session still shows a start in progress)", uerr))
	}
	stopRequested, unsaved := false, ""
	sess, err = d.Store.Update(id, func(s *session.Session) error {
		if s.Run == nil { // never expected: the experiment exists, so track it
			s.Run = &session.Run{ClientToken: sess.Run.ClientToken, DryRun: dryRun, ConfirmedAt: now, ConfirmedBy: confirmedBy, RequestedAt: now}
		}
		if s.Run.ExperimentID == "" { // not already recovered by a concurrent stop_experiment
			s.Run.ExperimentID = st.ID
			s.Run.State = st.State
			s.Run.Reason = st.Reason
			s.Run.StartTime = st.StartTime
			s.Run.Actions = nonNil(st.Actions)
			stopRequested = s.Run.StopRequestedAt != nil
		}
		s.AddEvent(session.Event{Time: d.Clock.Now().UTC(), Source: session.SourceFIS, Kind: session.EventStarted, Subject: st.ID,
			Message: fmt.Sprintf("experiment %s started (%s), state %s", st.ID, map[bool]string{true: "dry run: actionsMode skip-all", false: "live"}[dryRun], st.State), Observed: true})
		if s.State != session.StateRunning && !s.Terminal() { // a concurrent stop may have ended it already
			return s.Transition(session.StateRunning)
		}
		return nil
	})
	if err != nil {
		return c.fail(id, fmt.Errorf("experiment %s was started but the session could not be saved (%v): poll will recover it by its %s tag; to stop it now: aws fis stop-experiment --id %s --region %s", st.ID, err, experiment.SessionTag, st.ID, region))
	}
	if stopRequested {
		// stop_experiment was called while the start was in flight: honour it now.
		if stopped, serr := experiment.Stop(startCtx, clients.FIS, st.ID); serr == nil {
			st = stopped
		} else if now, gerr := experiment.Get(startCtx, clients.FIS, st.ID); gerr == nil && (now.State == "stopping" || experiment.IsTerminal(now.State)) {
			st = now
		} else {
			return c.fail(id, fmt.Errorf("experiment %s started while a stop was requested, and StopExperiment failed: %w. Stop it now: aws fis stop-experiment --id %s --region %s", st.ID, serr, st.ID, region))
		}
		if _, _, rerr := d.RecordStatus(id, st); rerr != nil {
			d.Log.Error().Err(rerr).Str("session", id).Str("recording", "experiment status after the queued stop").Msg("could not save the session: the change is lost")
			unsaved = unsavedNote("experiment's state after the stop (poll records it)", rerr)
		}
	}
	out := StartExperimentOutput{SessionID: id, Status: "started", ExperimentID: st.ID, State: st.State, DryRun: dryRun, ConfirmedBy: confirmedBy}
	text := fmt.Sprintf("Experiment %s STARTED (state %s) for template %s in %s.\n", st.ID, st.State, tmplID, region)
	if stopRequested {
		text += "A stop was requested while it was starting: StopExperiment was sent at once.\n"
	}
	if unsaved != "" {
		text += unsaved + "\n"
	}
	if dryRun {
		text += "Dry run: actionsMode skip-all — FIS resolves the targets and runs no action.\n"
	}
	if st.State == "initiating" || st.State == "pending" {
		text += "FIS is initiating the experiment; if it stays in initiating for long, the IAM role is likely still propagating — keep polling.\n"
	}
	text += fmt.Sprintf("Next: poll (every %s for the first %s, then every %s).", spellDuration(d.Config.PollFast, durShort), spellDuration(d.Config.PollFastFor, durLong), spellDuration(d.Config.PollSlow, durShort))
	if sess.Experiment.DashboardURL != "" {
		text += " CloudWatch dashboard: " + sess.Experiment.DashboardURL
	}
	return c.finish(id, &out, &out.Common, text+"\n")
}

// confirmInputID names the elicitation that asks the human to confirm the start.
const confirmInputID = "confirm_start"

// clientCanElicit reports whether the MCP client declared the elicitation capability.
func clientCanElicit(ctx context.Context) bool {
	cs, ok := server.ClientSessionFromContext(ctx).(server.SessionWithClientInfo)
	return ok && cs.GetClientCapabilities().Elicitation != nil
}

func confirmElicitation(sess *session.Session, warning string, dryRun bool) mcp.ElicitationParams {
	what := "START"
	if dryRun {
		what = "START (DRY RUN)"
	}
	return mcp.ElicitationParams{
		Message: warning + "\n\nDo you confirm you want to " + what + " this FIS experiment now?",
		RequestedSchema: map[string]any{
			"type": "object",
			"properties": map[string]any{
				"confirm": map[string]any{"type": "boolean", "title": "Yes, start experiment " + sess.Experiment.TemplateID, "description": "Tick only if you accept the impact described above"},
			},
			"required": []string{"confirm"},
		},
	}
}

// startFromElicitation starts on the human's explicit yes; anything else is a refusal.
func (d *Deps) startFromElicitation(c *call, id string, dryRun bool, answer *mcp.ElicitationResult) (*mcp.CallToolResult, error) {
	content, _ := answer.Content.(map[string]any)
	yes, _ := content["confirm"].(bool)
	if answer.Action != mcp.ElicitationResponseActionAccept || !yes {
		now := d.Clock.Now().UTC()
		_, uerr := d.Store.Record(d.Log, id, "declined confirmation", func(s *session.Session) error {
			s.InvalidateConfirmation()
			s.AddEvent(session.Event{Time: now, Source: session.SourceFISMCP, Kind: session.EventConfirmationDeclined,
				Message: fmt.Sprintf("the human did not confirm the start (elicitation %s, confirm=%t)", answer.Action, yes)})
			return nil
		})
		return c.fail(id, withUnsaved(errors.New("the human declined (or cancelled) the start: nothing was started. Call stop_experiment to abort the session, or start_experiment again if they change their mind"), "declined confirmation", uerr))
	}
	token := c.req.Params.RequestState
	return d.launch(c, id, dryRun, "human via MCP elicitation", func(s *session.Session) error {
		if err := d.startable(s); err != nil {
			return err
		}
		if err := s.ConsumeConfirmation(token, d.Clock.Now(), dryRun, session.ChannelElicitation); err != nil {
			return fmt.Errorf("start refused: %w", tokenRefusal(d.Config, err))
		}
		return nil
	})
}

func impactWarning(s *session.Session, d *Deps, dryRun bool) string {
	e := s.Experiment
	var b strings.Builder
	if dryRun {
		b.WriteString("WARNING: this starts a DRY RUN of the FIS experiment (actionsMode skip-all): FIS resolves every target but runs no action. It is still a real experiment record in the account.\n\n")
	} else {
		b.WriteString("WARNING: Starting this FIS experiment will cause REAL impact:\n\n")
	}
	if d.Config.Simulated {
		b.WriteString("(SIMULATED account: no real AWS resources are touched.)\n\n")
	}
	az := e.TargetAZ
	if az == "" {
		az = "n/a"
	}
	fmt.Fprintf(&b, "Scenario:    %s\nRegion:      %s\nTarget AZ:   %s\nDuration:    %s\nStack:       %s (verified: %s)\nTemplate ID: %s\n\n",
		e.Scenario, e.Region, az, e.EstimatedDuration, e.StackName, e.StackStatus, e.TemplateID)
	b.WriteString("Resources that WILL be affected:\n")
	counts := map[string]int{}
	var types []string
	if s.Health != nil {
		for _, r := range s.Health.Resources {
			if counts[r.Type] == 0 {
				types = append(types, r.Type)
			}
			counts[r.Type]++
		}
		sort.Strings(types)
		for _, t := range types {
			var ids []string
			for _, r := range s.Health.Resources {
				if r.Type == t {
					ids = append(ids, r.ID)
				}
			}
			fmt.Fprintf(&b, "  - %s × %d: %s\n", t, counts[t], strings.Join(ids, ", "))
		}
	}
	for _, r := range e.AffectedResources {
		fmt.Fprintf(&b, "  - (README) %s %s: %s\n", r.Type, r.Identifier, r.Impact)
	}
	if s.Health != nil {
		for _, st := range s.Health.SkippedTargets {
			fmt.Fprintf(&b, "  - %s\n", health.SkipNote(st.Target, st.Actions))
		}
	}
	b.WriteString("\nActions:\n")
	for _, a := range e.Template.Actions {
		fmt.Fprintf(&b, "  - %s: %s", a.Name, a.ActionID)
		if dur := a.Parameters["duration"]; dur != "" {
			fmt.Fprintf(&b, " for %s", dur)
		}
		b.WriteString("\n")
	}
	conds := workflow.RealStopConditions(e.Template.StopConditions)
	b.WriteString("\nStop Conditions:\n")
	if len(conds) == 0 {
		b.WriteString("  - !!! NONE CONFIGURED: nothing stops this experiment automatically !!!\n")
	}
	for _, sc := range conds {
		fmt.Fprintf(&b, "  - %s\n", sc.Value)
	}
	if s.Health != nil {
		for _, w := range s.Health.Warnings {
			fmt.Fprintf(&b, "  - !!! WARNING: %s !!!\n", w)
		}
		if notes := health.ResourceNotes(s.Health.Resources); len(notes) > 0 {
			b.WriteString("\nTarget notes (healthy, but worth knowing):\n")
			for _, n := range notes {
				fmt.Fprintf(&b, "  - %s\n", n)
			}
		}
	}
	if s.Health != nil && s.Health.Override != nil {
		fmt.Fprintf(&b, "\nHEALTH OVERRIDE in effect (%q): unhealthy targets: %s\n", s.Health.Override.Reason, strings.Join(s.Health.Override.Unhealthy, "; "))
	}
	b.WriteString("\nApplications being monitored:\n")
	if s.Discovery == nil || len(s.Discovery.Apps) == 0 {
		b.WriteString("  - none (discover_apps was not run or found nothing): application impact will not be measured\n")
	} else {
		for _, a := range s.Discovery.Apps {
			if a.Service == "" {
				fmt.Fprintf(&b, "  - %s (indirect: calls an app that depends on the affected resources)\n", a.Key())
			} else {
				fmt.Fprintf(&b, "  - %s (depends on %s, %s)\n", a.Key(), a.Service, a.Confidence)
			}
		}
	}
	b.WriteString("\nManaged service log collection:\n")
	if s.Discovery == nil || len(s.Discovery.ManagedLogGroups) == 0 {
		b.WriteString("  - none recorded\n")
	} else {
		for _, m := range s.Discovery.ManagedLogGroups {
			st := "logging OFF"
			if m.Enabled {
				st = strings.Join(m.LogGroups, ", ")
			}
			fmt.Fprintf(&b, "  - %s %s: %s\n", m.Service, m.Identifier, st)
		}
	}
	logDir := "not started (start_logs)"
	if s.Logs != nil {
		logDir = s.Logs.Dir
	}
	fmt.Fprintf(&b, "\nLog directory: %s\nPost-experiment baseline: %s (automatic, before the report)\n", logDir, spellDuration(d.Config.Baseline, durLong))
	fmt.Fprintf(&b, "How to abort at any time: stop_experiment with session_id %s, or `aws fis stop-experiment --id <experiment-id> --region %s`, or the FIS console.\n", s.ID, e.Region)
	return b.String()
}

// startTimeout bounds one StartExperiment attempt (with the SDK's retries).
const startTimeout = 60 * time.Second

// runStartUnknown is the run state while a StartExperiment outcome is unknown.
const runStartUnknown = "start-unknown"

// definiteRejection reports whether FIS certainly did not start anything: it answered
// with a 4xx (validation, not found, access denied, quota, throttling after the SDK's
// retries) rather than a lost connection, a timeout or a 5xx.
func definiteRejection(err error) bool {
	var respErr *smithyhttp.ResponseError
	if errors.As(err, &respErr) {
		code := respErr.HTTPStatusCode()
		return code >= 400 && code < 500
	}
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorFault() == smithy.FaultClient
}

// abandonStart forgets a start that certainly did not happen: a new confirmation is needed.
// A failed write is logged and returned, for the result to say so.
func (d *Deps) abandonStart(id string, cause error) error {
	_, err := d.Store.Record(d.Log, id, "abandoned start", func(s *session.Session) error {
		s.AddEvent(session.Event{Time: d.Clock.Now().UTC(), Source: session.SourceFIS, Kind: session.EventStartFailed, Message: cause.Error()})
		s.Run = nil
		s.Confirmation = nil
		return nil
	})
	return err
}

// templateUnchanged re-reads the FIS template just before a start: FIS starts the live
// template, so one changed since resolve_experiment (a stack update) would run targets
// and actions nobody checked or was warned about.
func (d *Deps) templateUnchanged(c *call, id string) error {
	sess, err := d.Store.Get(id)
	if err != nil {
		return err
	}
	clients, err := d.AWS(sess.Experiment.Region)
	if err != nil {
		return err
	}
	if name := sess.Experiment.StackName; name != "" {
		// A stack operation begun since resolve_experiment (an update, a delete) may be
		// replacing the template: never start into it. Stable states with a warning pass.
		if err := stack.CheckUsable(c.ctx, clients.CloudFormation, name); err != nil {
			return fmt.Errorf("start refused: the CloudFormation stack is not usable now: %w", err)
		}
	}
	live, err := experiment.GetTemplate(c.ctx, clients.FIS, sess.Experiment.TemplateID)
	if err != nil {
		return fmt.Errorf("start refused: the FIS template could not be re-read before the start: %w", err)
	}
	was, _ := json.Marshal(sess.Experiment.Template)
	now, _ := json.Marshal(live)
	if string(was) != string(now) {
		return fmt.Errorf("start refused: FIS template %s changed since resolve_experiment (its actions, targets or stop conditions differ from what was checked and shown): resolve the experiment again", sess.Experiment.TemplateID)
	}
	return nil
}
