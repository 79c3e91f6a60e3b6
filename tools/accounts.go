package tools

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/session"
)

// healthChecker returns the health check of the session's template: health.Check, or for a
// multi-account template (https://docs.aws.amazon.com/fis/latest/userguide/multi-account.html)
// health.CheckAccounts, with each target account's access set up once (one AssumeRole per account).
func (d *Deps) healthChecker(ctx context.Context, sess *session.Session, env health.Env) func() session.HealthResult {
	t := sess.Experiment.Template
	if !t.MultiAccount() {
		return func() session.HealthResult { return health.Check(ctx, env, d.Health, t, health.Options{}) }
	}
	accounts := d.accountAccess(ctx, env, t)
	return func() session.HealthResult {
		return health.CheckAccounts(ctx, env, d.Health, t, accounts, health.Options{})
	}
}

// recheckHealth rechecks a session's resources (poll's live samples) in the accounts they live in.
func (d *Deps) recheckHealth(ctx context.Context, sess *session.Session, env health.Env, rs []session.ResourceHealth) []session.ResourceHealth {
	t := sess.Experiment.Template
	if !t.MultiAccount() {
		return health.Recheck(ctx, env, d.Health, rs)
	}
	return health.RecheckAccounts(ctx, env, d.Health, d.accountAccess(ctx, env, t), rs)
}

// accountAccess sets up reading each target account of t: through the operator's role for it
// (--account-roles, assumed read-only), with the caller's own clients when the target account
// is the caller's, otherwise not at all (its targets are then unchecked, with the remedy).
func (d *Deps) accountAccess(ctx context.Context, env health.Env, t session.Template) []health.AccountAccess {
	caller, callerErr := callerAccount(ctx, env.Clients)
	out := make([]health.AccountAccess, 0, len(t.TargetAccounts))
	for _, ta := range t.TargetAccounts {
		a := health.AccountAccess{AccountID: ta.AccountID}
		role := d.Config.AccountRoles[ta.AccountID]
		switch {
		case role != "" && env.Clients != nil:
			cfg, err := awsapi.AssumedRoleConfig(ctx, env.Clients.Config, role)
			if err != nil {
				a.Err = fmt.Errorf("other account %s: could not assume %s: %w", ta.AccountID, role, err)
				break
			}
			clients := awsapi.NewClients(cfg)
			a.Env = health.Env{Clients: clients, Pods: d.podLister(clients)}
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

// resourceLabel names a resource in text, with its account when it has one (multi-account templates).
func resourceLabel(r session.ResourceHealth) string {
	if r.Account == "" {
		return r.ID
	}
	return r.ID + " (account " + r.Account + ")"
}
