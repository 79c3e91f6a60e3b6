package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/session"
)

// HealthStates are the session states a health check may run in.
var HealthStates = []session.State{session.StateResolved, session.StateHealthChecked, session.StateLogsStarted, session.StateAwaitingConfirmation}

// HealthRequest asks for step 2. Wait rechecks every Config.HealthWaitInterval up to
// Config.HealthWaitMax until healthy; Override (with the human's OverrideReason, recorded
// with OverrideBy) accepts unhealthy targets.
type HealthRequest struct {
	SessionID      string
	Wait           bool
	Override       bool
	OverrideReason string
	OverrideBy     string
}

// Progress reports how far a long step is (done of total, with a message).
type Progress func(done, total float64, msg string)

// HealthEnv is what the health checkers of a session's region use.
func (e *Engine) HealthEnv(sess *session.Session) (health.Env, error) {
	clients, err := e.AWS(sess.Experiment.Region)
	if err != nil {
		return health.Env{}, err
	}
	return health.Env{Clients: clients, Pods: e.pods(clients)}, nil
}

func (e *Engine) pods(c *awsapi.Clients) health.PodLister {
	if e.Pods == nil {
		return nil
	}
	return e.Pods(c)
}

// HealthCheck resolves every target of the session's template and checks each resource's
// live state, the stop-condition alarms and the role (step 2), and records the result.
func (e *Engine) HealthCheck(ctx context.Context, in HealthRequest, progress Progress) (*session.Session, session.HealthResult, error) {
	var res session.HealthResult
	sess, err := e.Store.Get(in.SessionID)
	if err != nil {
		return nil, res, err
	}
	if err := sess.Require("run a health check", HealthStates...); err != nil {
		return sess, res, err
	}
	if in.Override && strings.TrimSpace(in.OverrideReason) == "" {
		return sess, res, errors.New("override needs override_reason: ask the human why they accept starting against unhealthy targets, and pass their words")
	}
	env, err := e.HealthEnv(sess)
	if err != nil {
		return sess, res, err
	}
	started := e.Clock.Now()
	check := e.healthChecker(ctx, sess, env) // multi-account templates: per target account
	for attempt := 1; ; attempt++ {
		res = check()
		if res.Verdict == session.VerdictHealthy || !in.Wait {
			break
		}
		waited := e.Clock.Now().Sub(started)
		if waited+e.Config.HealthWaitInterval > e.Config.HealthWaitMax {
			break
		}
		if progress != nil {
			progress(waited.Seconds(), e.Config.HealthWaitMax.Seconds(),
				fmt.Sprintf("check %d: %d unhealthy (%s); rechecking in %s", attempt, len(UnhealthyList(res)), strings.Join(UnhealthyList(res), ", "), e.Config.HealthWaitInterval))
		}
		if err := e.Clock.Sleep(ctx, e.Config.HealthWaitInterval); err != nil {
			break
		}
	}
	res.CheckedAt = e.Clock.Now().UTC()
	res.WaitedSeconds = int(e.Clock.Now().Sub(started).Seconds())
	unhealthy := UnhealthyList(res)
	if in.Override && res.Verdict == session.VerdictBlocked {
		res.Verdict = session.VerdictOverridden
		res.Override = &session.Override{Reason: in.OverrideReason, At: res.CheckedAt, By: in.OverrideBy, Unhealthy: unhealthy}
	}
	updated, err := e.Store.Update(sess.ID, func(s *session.Session) error {
		if err := s.Require("run a health check", HealthStates...); err != nil {
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
		healthy := len(res.Resources) - CountUnhealthyResources(res)
		s.AddEvent(session.Event{Time: res.CheckedAt, Source: session.SourceFISMCP, Kind: session.EventHealthCheck,
			Message: fmt.Sprintf("health check: %d/%d resources healthy, verdict %s (waited %ds)", healthy, len(res.Resources), res.Verdict, res.WaitedSeconds)})
		if res.Override != nil {
			s.AddEvent(session.Event{Time: res.CheckedAt, Source: session.SourceFISMCP, Kind: session.EventHealthOverride,
				Message: fmt.Sprintf("health override by %s: %q; unhealthy: %s", res.Override.By, res.Override.Reason, strings.Join(unhealthy, ", "))})
		}
		return nil
	})
	if err != nil {
		return sess, res, err
	}
	return updated, res, nil
}

// healthChecker returns the health check of the session's template: health.Check, or for a
// multi-account template (https://docs.aws.amazon.com/fis/latest/userguide/multi-account.html)
// health.CheckAccounts, with each target account's access set up once (one AssumeRole per account).
func (e *Engine) healthChecker(ctx context.Context, sess *session.Session, env health.Env) func() session.HealthResult {
	t := sess.Experiment.Template
	if !t.MultiAccount() {
		return func() session.HealthResult { return health.Check(ctx, env, e.Health, t, health.Options{}) }
	}
	accounts := e.accountAccess(ctx, env, t)
	return func() session.HealthResult {
		return health.CheckAccounts(ctx, env, e.Health, t, accounts, health.Options{})
	}
}

// RecheckHealth rechecks a session's resources (poll's live samples) in the accounts they live in.
func (e *Engine) RecheckHealth(ctx context.Context, sess *session.Session, env health.Env, rs []session.ResourceHealth) []session.ResourceHealth {
	t := sess.Experiment.Template
	if !t.MultiAccount() {
		return health.Recheck(ctx, env, e.Health, rs)
	}
	return health.RecheckAccounts(ctx, env, e.Health, e.accountAccess(ctx, env, t), rs)
}

// accountAccess sets up reading each target account of t: through the operator's role for it
// (--account-roles, assumed read-only), with the caller's own clients when the target account
// is the caller's, otherwise not at all (its targets are then unchecked, with the remedy).
func (e *Engine) accountAccess(ctx context.Context, env health.Env, t session.Template) []health.AccountAccess {
	caller, callerErr := callerAccount(ctx, env.Clients)
	out := make([]health.AccountAccess, 0, len(t.TargetAccounts))
	for _, ta := range t.TargetAccounts {
		a := health.AccountAccess{AccountID: ta.AccountID}
		role := e.Config.AccountRoles[ta.AccountID]
		switch {
		case role != "" && env.Clients != nil:
			cfg, err := awsapi.AssumedRoleConfig(ctx, env.Clients.Config, role)
			if err != nil {
				a.Err = fmt.Errorf("other account %s: could not assume %s: %w", ta.AccountID, role, err)
				break
			}
			clients := awsapi.NewClients(cfg)
			a.Env = health.Env{Clients: clients, Pods: e.pods(clients)}
		case caller != "" && ta.AccountID == caller:
			a.Env = env
		case callerErr != nil:
			a.Err = fmt.Errorf("%w (the caller's own account could not be determined: %v)", health.NoRoleError(ta.AccountID), callerErr)
		default:
			a.Err = health.NoRoleError(ta.AccountID)
		}
		out = append(out, a)
	}
	return out
}

// callerAccount is the account of the identity fis-mcp runs as (sts GetCallerIdentity).
func callerAccount(ctx context.Context, c *awsapi.Clients) (string, error) {
	if c == nil || c.STS == nil {
		return "", fmt.Errorf("no STS client")
	}
	out, err := c.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", awsapi.Wrap(err, "sts GetCallerIdentity", "", "sts:GetCallerIdentity")
	}
	if out == nil || out.Account == nil {
		return "", fmt.Errorf("sts GetCallerIdentity: no account in the answer")
	}
	return *out.Account, nil
}

// CountUnhealthyResources counts the resources of res that are not healthy.
func CountUnhealthyResources(res session.HealthResult) int {
	n := 0
	for _, r := range res.Resources {
		if !r.Healthy {
			n++
		}
	}
	return n
}

// UnhealthyList names every unhealthy resource, alarm and a missing role.
func UnhealthyList(res session.HealthResult) []string {
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
