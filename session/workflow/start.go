package workflow

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

	"github.com/fis-mcp/fis-mcp/aws/experiment"
	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/aws/stack"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/humandur"
	"github.com/fis-mcp/fis-mcp/session/hypothesis"
)

// StartTimeout bounds one StartExperiment attempt (with the SDK's retries).
const StartTimeout = 60 * time.Second

// RunStartUnknown is the run state while a StartExperiment outcome is unknown.
const RunStartUnknown = "start-unknown"

// StartStates are the session states a start may be asked for in.
var StartStates = []session.State{session.StateHealthChecked, session.StateLogsStarted, session.StateAwaitingConfirmation}

// StartRequest asks to start the session's experiment (step 5). Asker, when the
// transport can ask the human directly, poses the impact warning; without one the human
// types the returned token back (ConfirmStart).
type StartRequest struct {
	SessionID string
	DryRun    bool
	Asker     Asker
	// Criteria are the hypothesis criteria fixed for the run (hypothesis.FromArgs): they
	// are listed in the impact warning and copied to Run.Criteria when the run starts.
	// They are taken only here, with the warning: a confirmation cannot change them.
	Criteria []session.Criterion
}

// StartResult is a start step's outcome: the confirmation awaited (Prompt), or the
// started experiment. SessionID is set as soon as the session was read, also with an error.
type StartResult struct {
	SessionID string
	DryRun    bool
	// Prompt is the question the start waits for (RequestStart); nil once started.
	Prompt *Question
	// Asked says the Asker posed Prompt and its answer comes back later (ErrAnswerLater).
	Asked bool

	// Session is the stored session after the step.
	Session *session.Session
	// Experiment is the started experiment's status (after the queued stop, if any).
	Experiment  experiment.Status
	TemplateID  string
	Region      string
	ConfirmedBy string
	// StopSent: a stop requested while StartExperiment was in flight was sent at once.
	StopSent bool
	// Unsaved warns that the experiment's state after that stop was not saved.
	Unsaved string
}

// startable says why a session may not be started, or nil.
func (e *Engine) startable(s *session.Session) error {
	if e.Config.ReadOnly {
		return errors.New("this server runs in read-only mode (--read-only / FIS_MCP_READ_ONLY): it never calls StartExperiment. Resolving, health checks, discovery, logs, stop and reports still work; restart the server without --read-only to run experiments")
	}
	if s.Run != nil {
		return fmt.Errorf("an experiment was already started for session %s (%s, %s): one session starts at most one experiment; poll it or resolve the directory again for a new session", s.ID, s.Run.ExperimentID, s.Run.State)
	}
	if s.State == session.StateAborted {
		return fmt.Errorf("session %s is aborted: %s", s.ID, session.AbortedNext)
	}
	if s.State == session.StateResolved || s.Health == nil {
		return fmt.Errorf("session %s has not been health-checked: call health_check first (starting against unchecked targets is refused)", s.ID)
	}
	if err := s.Require("start an experiment", StartStates...); err != nil {
		return err
	}
	switch s.Health.Verdict {
	case session.VerdictHealthy, session.VerdictOverridden:
		return nil
	}
	return fmt.Errorf("the health verdict is %s: %s. Retry health_check (wait=true to recheck), or, only if the human explicitly accepts the risk, health_check with override=true and their override_reason",
		s.Health.Verdict, strings.Join(UnhealthyList(*s.Health), "; "))
}

// RequestStart issues the start's single-use confirmation, bound to the impact warning it
// builds from the very state it is bound to, and records it. Without an Asker the result's
// Prompt holds the warning and the token for the human to type back. With one the human is
// asked directly: an answer given at once goes on to ConfirmStart (whose result is
// returned); one that comes back later leaves Asked set.
func (e *Engine) RequestStart(ctx context.Context, in StartRequest) (StartResult, error) {
	res := StartResult{DryRun: in.DryRun}
	sess, err := e.Store.Get(in.SessionID)
	if err != nil {
		return res, err
	}
	res.SessionID = sess.ID
	if err := e.startable(sess); err != nil {
		return res, err
	}
	leverNote, refusal := e.leverCheck(ctx, sess)
	if refusal != nil {
		_, uerr := e.Store.RecordEvent(e.Log, sess.ID, session.Event{Time: e.Clock.Now().UTC(), Source: session.SourceFISMCP, Kind: session.EventStartRefused, Message: refusal.Error()})
		return res, WithUnsaved(refusal, "refusal", uerr)
	}
	now := e.Clock.Now()
	channel := session.ChannelToken
	if in.Asker != nil {
		channel = session.ChannelElicitation
	}
	var q Question
	updated, err := e.Store.Update(sess.ID, func(s *session.Session) error {
		if err := e.startable(s); err != nil {
			return err
		}
		token, err := s.IssueConfirmation(now, e.Config.ConfirmationTTL, in.DryRun, channel)
		if err != nil {
			return err
		}
		s.Confirmation.Criteria = in.Criteria
		warning := ImpactWarning(s, e.Config, in.DryRun)
		if leverNote != "" {
			warning += "!!! WARNING: " + leverNote + " !!!\n"
		}
		q = Question{SessionID: s.ID, TemplateID: s.Experiment.TemplateID, Warning: warning,
			DryRun: in.DryRun, Token: token, ExpiresAt: s.Confirmation.ExpiresAt}
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
		return res, err
	}
	res.Session, res.Prompt = updated, &q
	if in.Asker == nil {
		return res, nil
	}
	answer, err := in.Asker.Ask(ctx, q)
	if errors.Is(err, ErrAnswerLater) {
		res.Asked = true
		return res, nil
	}
	if err != nil {
		return res, e.askFailed(sess.ID, err)
	}
	return e.ConfirmStart(ctx, sess.ID, Confirmation{Token: q.Token, DryRun: in.DryRun, Answer: &answer})
}

// askFailed records that the human could not be asked: the confirmation is voided.
func (e *Engine) askFailed(id string, cause error) error {
	err := fmt.Errorf("the human could not be asked to confirm the start (%v): nothing was started. Call start_experiment again", cause)
	_, uerr := e.Store.Record(e.Log, id, "start refusal (the human could not be asked)", func(s *session.Session) error {
		s.InvalidateConfirmation()
		s.AddEvent(session.Event{Time: e.Clock.Now().UTC(), Source: session.SourceFISMCP, Kind: session.EventStartRefused, Message: err.Error()})
		return nil
	})
	return WithUnsaved(err, "refusal (and the token's invalidation)", uerr)
}

// ConfirmStart starts the experiment on the human's confirmation: the token (checked and
// consumed under the session lock, so it can never start two experiments), or their
// accepted Answer; any other answer is a refusal, recorded.
func (e *Engine) ConfirmStart(ctx context.Context, id string, c Confirmation) (StartResult, error) {
	res := StartResult{DryRun: c.DryRun}
	sess, err := e.Store.Get(id)
	if err != nil {
		return res, err
	}
	res.SessionID = sess.ID
	if err := e.startable(sess); err != nil {
		return res, err
	}
	channel := session.ChannelToken
	if a := c.Answer; a != nil {
		if a.Reply != ReplyAccepted {
			return res, e.declined(sess.ID, *a)
		}
		channel = session.ChannelElicitation
	}
	res, err = e.launch(ctx, sess.ID, c.DryRun, c.confirmedBy(), func(s *session.Session) error {
		if err := e.startable(s); err != nil {
			return err
		}
		if err := s.ConsumeConfirmation(c.Token, e.Clock.Now(), c.DryRun, channel); err != nil {
			return fmt.Errorf("start refused: %w", tokenRefusal(e.Config, err))
		}
		return nil
	})
	if s, gerr := e.Store.Get(sess.ID); gerr == nil && s.Run != nil && s.State == session.StateRunning {
		e.Supervise(sess.ID) // the server samples the run from now on (supervisor.go)
	}
	return res, err
}

// declined records the human's no (or cancel): the confirmation asked with is voided.
func (e *Engine) declined(id string, a Answer) error {
	now := e.Clock.Now().UTC()
	_, uerr := e.Store.Record(e.Log, id, "declined confirmation", func(s *session.Session) error {
		s.InvalidateConfirmation()
		s.AuditConfirmation(now, session.ConfirmationDeclined, Confirmation{Answer: &a}.confirmedBy())
		s.AddEvent(session.Event{Time: now, Source: session.SourceFISMCP, Kind: session.EventConfirmationDeclined,
			Message: fmt.Sprintf("the human did not confirm the start (%s)", a.detail())})
		return nil
	})
	return WithUnsaved(errors.New("the human declined (or cancelled) the start: nothing was started. Call stop_experiment to abort the session, or start_experiment again if they change their mind"), "declined confirmation", uerr)
}

// launch records the confirmed start (check is run atomically under the session lock,
// so a token can never start two experiments), calls FIS StartExperiment with a
// client token derived from the session, and persists the experiment ID.
func (e *Engine) launch(ctx context.Context, id string, dryRun bool, confirmedBy string, check func(*session.Session) error) (StartResult, error) {
	res := StartResult{SessionID: id, DryRun: dryRun}
	if err := e.preStartCheck(ctx, id); err != nil {
		_, uerr := e.Store.Record(e.Log, id, "start refusal (changed template or engaged safety lever)", func(s *session.Session) error {
			s.InvalidateConfirmation()
			s.AddEvent(session.Event{Time: e.Clock.Now().UTC(), Source: session.SourceFISMCP, Kind: session.EventStartRefused, Message: err.Error()})
			return nil
		})
		return res, WithUnsaved(err, "refusal (and the token's invalidation)", uerr)
	}
	now := e.Clock.Now().UTC()
	var tmplID, region string
	var startIn experiment.StartInput // the very call the impact warning showed (StartCommand)
	var refusal error
	sess, err := e.Store.Update(id, func(s *session.Session) error {
		if err := check(s); err != nil {
			refusal = err
			s.AddEvent(session.Event{Time: now, Source: session.SourceFISMCP, Kind: session.EventStartRefused, Message: err.Error()})
			return nil // persist the refusal event
		}
		tmplID, region = s.Experiment.TemplateID, s.Experiment.Region
		startIn = experiment.SessionStart(s.ID, s.Experiment.TemplateID, dryRun)
		s.Run = &session.Run{
			ClientToken: startIn.ClientToken, DryRun: dryRun,
			ConfirmedAt: now, ConfirmedBy: confirmedBy, RequestedAt: now, State: "starting", Actions: []session.ActionRun{},
			Criteria: confirmedCriteria(s),
		}
		s.AuditConfirmation(now, session.ConfirmationConfirmed, confirmedBy)
		s.AddEvent(session.Event{Time: now, Source: session.SourceFISMCP, Kind: session.EventConfirmed, Message: fmt.Sprintf("start confirmed by %s (dry_run=%t)", confirmedBy, dryRun)})
		return nil
	})
	if err != nil {
		return res, err
	}
	if refusal != nil {
		return res, refusal
	}
	clients, err := e.AWS(region)
	if err != nil {
		return res, WithUnsaved(err, "abandoned start (the session still shows a start in progress)", e.abandonStart(id, err))
	}
	defer e.BeginStart(id)()
	// The start must not be cut short by the client going away, or its outcome would be unknown.
	startCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), StartTimeout)
	defer cancel()
	st, startErr := experiment.Start(startCtx, clients.FIS, startIn)
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
			_, uerr := e.Store.Record(e.Log, id, "unknown start outcome", func(s *session.Session) error {
				if s.Run != nil && s.Run.ExperimentID == "" {
					s.Run.State = RunStartUnknown
					s.AddEvent(session.Event{Time: e.Clock.Now().UTC(), Source: session.SourceFIS, Kind: session.EventStartUnknown, Message: "StartExperiment outcome unknown: " + startErr.Error()})
				}
				return nil
			})
			return res, WithUnsaved(fmt.Errorf("the outcome of FIS StartExperiment is unknown (%v): the experiment may or may not have started. poll looks it up by its %s tag; stop_experiment stops it if it exists. By hand: aws fis list-experiments --region %s (tag %s=%s)", startErr, experiment.SessionTag, region, experiment.SessionTag, id), "unknown start outcome", uerr)
		}
	}
	if startErr != nil {
		uerr := e.abandonStart(id, startErr)
		return res, WithUnsaved(fmt.Errorf("FIS refused StartExperiment, nothing was started: %w", startErr), "abandoned start (the session still shows a start in progress)", uerr)
	}
	stopRequested := false
	sess, err = e.Store.Update(id, func(s *session.Session) error {
		if s.Run == nil { // never expected: the experiment exists, so track it
			s.Run = &session.Run{ClientToken: sess.Run.ClientToken, DryRun: dryRun, ConfirmedAt: now, ConfirmedBy: confirmedBy, RequestedAt: now, Criteria: sess.Run.Criteria}
		}
		if s.Run.ExperimentID == "" { // not already recovered by a concurrent stop_experiment
			s.Run.ExperimentID = st.ID
			s.Run.State = st.State
			s.Run.Reason = st.Reason
			s.Run.StartTime = st.StartTime
			s.Run.Actions = nonNilSlice(st.Actions)
			stopRequested = s.Run.StopRequestedAt != nil
		}
		s.AddEvent(session.Event{Time: e.Clock.Now().UTC(), Source: session.SourceFIS, Kind: session.EventStarted, Subject: st.ID,
			Message: fmt.Sprintf("experiment %s started (%s), state %s", st.ID, map[bool]string{true: "dry run: actionsMode skip-all", false: "live"}[dryRun], st.State), Observed: true})
		if s.State != session.StateRunning && !s.Terminal() { // a concurrent stop may have ended it already
			return s.Transition(session.StateRunning)
		}
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("experiment %s was started but the session could not be saved (%v): poll will recover it by its %s tag; to stop it now: %s", st.ID, err, experiment.SessionTag, experiment.StopCLI(st.ID, region))
	}
	if stopRequested {
		// stop_experiment was called while the start was in flight: honour it now.
		if stopped, serr := experiment.Stop(startCtx, clients.FIS, st.ID); serr == nil {
			st = stopped
		} else if now, gerr := experiment.Get(startCtx, clients.FIS, st.ID); gerr == nil && (now.State == "stopping" || experiment.IsTerminal(now.State)) {
			st = now
		} else {
			return res, fmt.Errorf("experiment %s started while a stop was requested, and StopExperiment failed: %w. Stop it now: %s", st.ID, serr, experiment.StopCLI(st.ID, region))
		}
		if _, _, rerr := e.RecordStatus(id, st); rerr != nil {
			e.Log.Error().Err(rerr).Str("session", id).Str("recording", "experiment status after the queued stop").Msg("could not save the session: the change is lost")
			res.Unsaved = UnsavedNote("experiment's state after the stop (poll records it)", rerr)
		}
	}
	res.Session, res.Experiment, res.TemplateID, res.Region = sess, st, tmplID, region
	res.ConfirmedBy, res.StopSent = confirmedBy, stopRequested
	return res, nil
}

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
func (e *Engine) abandonStart(id string, cause error) error {
	_, err := e.Store.Record(e.Log, id, "abandoned start", func(s *session.Session) error {
		s.AddEvent(session.Event{Time: e.Clock.Now().UTC(), Source: session.SourceFIS, Kind: session.EventStartFailed, Message: cause.Error()})
		s.Run = nil
		s.Confirmation = nil
		return nil
	})
	return err
}

// preStartCheck is what is re-read just before StartExperiment: the template and its stack
// (templateUnchanged) and the account's safety lever (engaged since the warning was shown).
func (e *Engine) preStartCheck(ctx context.Context, id string) error {
	sess, err := e.Store.Get(id)
	if err != nil {
		return err
	}
	if err := e.templateUnchanged(ctx, sess); err != nil {
		return err
	}
	_, refusal := e.leverCheck(ctx, sess)
	return refusal
}

// templateUnchanged re-reads the FIS template just before a start: FIS starts the live
// template, so one changed since resolve_experiment (a stack update) would run targets
// and actions nobody checked or was warned about.
func (e *Engine) templateUnchanged(ctx context.Context, sess *session.Session) error {
	clients, err := e.AWS(sess.Experiment.Region)
	if err != nil {
		return err
	}
	if name := sess.Experiment.StackName; name != "" {
		// A stack operation begun since resolve_experiment (an update, a delete) may be
		// replacing the template: never start into it. Stable states with a warning pass.
		if err := stack.CheckUsable(ctx, clients.CloudFormation, name); err != nil {
			return fmt.Errorf("start refused: the CloudFormation stack is not usable now: %w", err)
		}
	}
	live, err := experiment.GetTemplate(ctx, clients.FIS, sess.Experiment.TemplateID)
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

// tokenRefusal restates session.ErrTokenExpired with the configured token lifetime
// (errors.Is still finds it); other refusals are returned unchanged.
func tokenRefusal(c Config, err error) error {
	if errors.Is(err, session.ErrTokenExpired) {
		return expiredToken{ttl: c.ConfirmationTTL}
	}
	return err
}

// expiredToken is session.ErrTokenExpired with the configured lifetime.
type expiredToken struct{ ttl time.Duration }

func (e expiredToken) Error() string {
	return fmt.Sprintf("the confirmation token has expired (tokens last %s): call start_experiment without a token for a fresh warning and token", SpellDuration(e.ttl, DurLong))
}

func (e expiredToken) Unwrap() error { return session.ErrTokenExpired }

// StartCommand is the AWS CLI equivalent of the StartExperiment call a confirmed start of
// the session makes (launch sends the same experiment.SessionStart input).
func StartCommand(s *session.Session, dryRun bool) string {
	return experiment.StartCLI(experiment.SessionStart(s.ID, s.Experiment.TemplateID, dryRun), s.Experiment.Region)
}

// impactHeadline is the impact warning's first line: SIMULATED first in a simulated
// account (never "REAL impact" followed by a correction), the real impact otherwise.
func impactHeadline(simulated, dryRun bool) string {
	switch {
	case simulated && dryRun:
		return "SIMULATED DRY RUN of the FIS experiment (actionsMode skip-all): the simulated account resolves every target and runs no action; no real AWS resources are touched."
	case simulated:
		return "SIMULATED: starting this FIS experiment touches no real AWS resources; the simulated account plays out the impact below (against a real account it would cause REAL impact):"
	case dryRun:
		return "WARNING: this starts a DRY RUN of the FIS experiment (actionsMode skip-all): FIS resolves every target but runs no action. It is still a real experiment record in the account."
	}
	return "WARNING: Starting this FIS experiment will cause REAL impact:"
}

// ImpactWarning is the safety warning the human reads before confirming a start: what
// the experiment affects, its actions and stop conditions, the monitored applications,
// the log collection and how to abort.
func ImpactWarning(s *session.Session, cfg Config, dryRun bool) string {
	e := s.Experiment
	var b strings.Builder
	b.WriteString(impactHeadline(cfg.Simulated, dryRun) + "\n\n")
	az := e.TargetAZ
	if az == "" {
		az = "n/a"
	}
	fmt.Fprintf(&b, "Scenario:    %s\nRegion:      %s\nTarget AZ:   %s\nDuration:    %s\nStack:       %s (verified: %s)\nTemplate ID: %s\n\n",
		e.Scenario, e.Region, az, humandur.ISO("en", e.EstimatedDuration), e.StackName, e.StackStatus, e.TemplateID)
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
			fmt.Fprintf(&b, " for %s", humandur.ISO("en", dur))
		}
		b.WriteString("\n")
	}
	conds := RealStopConditions(e.Template.StopConditions)
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
	writeHypothesis(&b, s)
	fmt.Fprintf(&b, "\nOn confirmation fis-mcp makes exactly this call (its client token makes a repeat return the same experiment, never a second one):\n  %s\n",
		StartCommand(s, dryRun))
	logDir := "not started (start_logs)"
	if s.Logs != nil {
		logDir = s.Logs.Dir
	}
	fmt.Fprintf(&b, "\nLog directory: %s\nPost-experiment baseline: %s (automatic, before the report)\n", logDir, SpellDuration(cfg.Baseline, DurLong))
	if cfg.StopIfUnattended > 0 {
		fmt.Fprintf(&b, "Dead-man's switch: ON: the server stops the experiment when no tool call for this session arrives for %s.\n", SpellDuration(cfg.StopIfUnattended, DurLong))
	}
	fmt.Fprintf(&b, "How to abort at any time: stop_experiment with session_id %s, or `aws fis stop-experiment --id <experiment-id> --region %s`, or the FIS console.\n", s.ID, e.Region)
	b.WriteString(LeverLine(e.Region) + "\n")
	return b.String()
}

// confirmedCriteria are the criteria of the confirmation being consumed: those the
// impact warning the human confirmed listed.
func confirmedCriteria(s *session.Session) []session.Criterion {
	if s.Confirmation == nil {
		return nil
	}
	return s.Confirmation.Criteria
}

// writeHypothesis lists the criteria fixed for the run in the impact warning.
func writeHypothesis(b *strings.Builder, s *session.Session) {
	crits := confirmedCriteria(s)
	if len(crits) == 0 {
		if h := s.Experiment.Hypothesis; len(h) > 0 {
			b.WriteString("\nHypothesis of README.md (the verdict is judged against it unless finalize_report is given criteria; pass criteria here to fix it for this run):\n")
			for _, line := range h {
				fmt.Fprintf(b, "  - %s\n", line)
			}
		}
		return
	}
	b.WriteString("\nHypothesis fixed for this run (the report's verdict is judged against it):\n")
	for _, c := range crits {
		if c.Measure == "" {
			fmt.Fprintf(b, "  - %s (not evaluated: fis-mcp cannot read this criterion; the verdict will be inconclusive)\n", c.Text)
			continue
		}
		fmt.Fprintf(b, "  - %s (read as: %s)\n", c.Text, hypothesis.Describe(c))
	}
}

// CheckStartCriteria refuses a confirmation that carries criteria other than those the
// impact warning listed: the human confirmed the warning they saw. Criteria are fixed
// with the warning (RequestStart); passing none, or the same, with the token is fine.
func (e *Engine) CheckStartCriteria(id string, given []session.Criterion) error {
	if len(given) == 0 {
		return nil
	}
	sess, err := e.Store.Get(id)
	if err != nil {
		return err
	}
	shown := confirmedCriteria(sess)
	same := len(shown) == len(given)
	for i := 0; same && i < len(given); i++ {
		same = shown[i].Text == given[i].Text && shown[i].Measure == given[i].Measure && shown[i].Subject == given[i].Subject &&
			shown[i].Op == given[i].Op && shown[i].Bound == given[i].Bound
	}
	if !same {
		return errors.New("start refused: the criteria differ from those listed in the impact warning the human confirmed. Criteria are fixed when the warning is issued: call start_experiment without a confirmation_token, with the new criteria, for a new warning and token")
	}
	return nil
}
