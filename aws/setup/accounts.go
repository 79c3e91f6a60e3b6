package setup

import (
	"context"
	"fmt"
	"sort"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/experiment"
)

// accountRoleChecks assumes each --account-roles role once (as health_check will, session
// name awsapi.HealthCheckSessionName) and asks STS who it then is: the role must be
// assumable by the caller and act in the account it is listed for.
func accountRoleChecks(ctx context.Context, c *awsapi.Clients, roles awsapi.AccountRoles) []Check {
	accts := make([]string, 0, len(roles))
	for a := range roles {
		accts = append(accts, a)
	}
	sort.Strings(accts)
	out := make([]Check, 0, len(accts))
	for _, acct := range accts {
		role := roles[acct]
		ch := Check{Name: "Account role for " + acct, Blocking: true}
		cfg, err := awsapi.AssumedRoleConfig(ctx, c.Config, role)
		if err != nil {
			ch.Detail = fmt.Sprintf("cannot assume %s: %s", role, firstLine(err))
			ch.Remedy = "the role's trust policy must allow the identity fis-mcp runs as (sts:AssumeRole), and that identity's policy must allow sts:AssumeRole on it"
			out = append(out, ch)
			continue
		}
		who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		switch {
		case err != nil:
			ch.Detail = fmt.Sprintf("assumed %s, but sts GetCallerIdentity failed: %s", role, firstLine(err))
		case awssdk.ToString(who.Account) != acct:
			ch.Detail = fmt.Sprintf("%s acts in account %s, not %s", role, awssdk.ToString(who.Account), acct)
			ch.Remedy = "list the role under the account it belongs to in --account-roles"
		default:
			ch.OK = true
			ch.Detail = fmt.Sprintf("%s assumed (session %s); health checks read account %s with it", role, awsapi.HealthCheckSessionName, acct)
		}
		out = append(out, ch)
	}
	return out
}

// targetAccountsCheck: every target account of a multi-account template must be readable
// by health_check, through a role of --account-roles or, for the caller's own account,
// directly (FIS resolves targets in every target account:
// https://docs.aws.amazon.com/fis/latest/userguide/multi-account.html).
func targetAccountsCheck(ctx context.Context, c *awsapi.Clients, id string, caller Identity, roles awsapi.AccountRoles) Check {
	accounts, err := experiment.TargetAccounts(ctx, c.FIS, id)
	if err != nil {
		return Check{Name: "Target accounts of " + id, Detail: "cannot list them: " + firstLine(err),
			Remedy: "allow fis:ListTargetAccountConfigurations"}
	}
	ch := Check{Name: "Target accounts of " + id, Blocking: true}
	var missing, read []string
	for _, ta := range accounts {
		switch {
		case roles[ta.AccountID] != "":
			read = append(read, ta.AccountID+" (role)")
		case ta.AccountID == caller.Account:
			read = append(read, ta.AccountID+" (your account)")
		default:
			missing = append(missing, ta.AccountID)
		}
	}
	switch {
	case len(accounts) == 0:
		ch.Detail = "multi-account, but no target account configuration"
		ch.Remedy = "add the target account configurations to the template (fis:CreateTargetAccountConfiguration) or redeploy its stack"
	case len(missing) > 0:
		ch.Detail = fmt.Sprintf("no role to read %s: health_check leaves their targets unchecked, which blocks the start", strings.Join(missing, ", "))
		ch.Remedy = "add a read-only role for each to --account-roles (FIS_MCP_ACCOUNT_ROLES; see README, Multi-account templates)"
	default:
		ch.OK = true
		ch.Detail = "multi-account; every target account is readable: " + strings.Join(read, ", ")
	}
	return ch
}
