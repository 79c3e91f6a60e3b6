package health

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/fis-mcp/fis-mcp/session"
)

// Multi-account templates (experimentOptions accountTargeting multi-account):
// https://docs.aws.amazon.com/fis/latest/userguide/multi-account.html: the orchestrator account owns the
// template and the experiment; target accounts, one target account configuration each, hold the resources.
// https://docs.aws.amazon.com/fis/latest/userguide/work-with-multi-account.html (best practices): "An AWS FIS
// experiment will resolve resources with consistent tags in each target account. An action must resolve at
// least one target resource in any target account or will fail, except for experiments with
// emptyTargetResolutionMode set to skip"; resource ARNs name the account of each resource.
// So: tags and parameters are resolved in every target account, each ARN in the account it names; the stop
// conditions and the experiment role belong to the orchestrator (the caller's) account. Targets are never
// looked up in the caller's account unless it is itself a target account.

// AccountAccess is how one target account is read.
type AccountAccess struct {
	AccountID string
	// Env reads the account (clients with an assumed role's credentials, or the caller's own
	// clients when the caller's account is a target account). Unused when Err is set.
	Env Env
	// Err says why the account cannot be read (no role to assume, AssumeRole refused): every
	// target resource in it is then unchecked with this reason.
	Err error
}

// ErrNoAccountRole is the reason for a target account without a configured role.
var ErrNoAccountRole = errors.New("no role to assume; add it to --account-roles (see README)")

// NoRoleError is the error of a target account without a configured role to assume.
func NoRoleError(accountID string) error {
	return fmt.Errorf("other account %s: %w", accountID, ErrNoAccountRole)
}

// CheckAccounts is Check for a multi-account template: every target is resolved and checked in
// each target account it can select resources in (through that account's AccountAccess), the
// results merged with the account on each resource; stop-condition alarms and the role are
// checked in the caller's (orchestrator) account with caller. A target that selects nothing in
// one account but resources in another is not empty (FIS needs one resource in any account).
func CheckAccounts(ctx context.Context, caller Env, reg Registry, t session.Template, accounts []AccountAccess, opts Options) session.HealthResult {
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	hr := session.HealthResult{}
	plan := planAccounts(t, accounts)
	hr.Notes = append(hr.Notes, plan.notes...)
	hr.Resources = append(hr.Resources, plan.unchecked...)
	for _, a := range accounts {
		sub, ok := plan.templates[a.AccountID]
		if !ok || len(sub.Targets) == 0 {
			continue
		}
		if a.Err != nil {
			hr.Resources = append(hr.Resources, uncheckedAccount(a, sub)...)
			continue
		}
		res := Check(ctx, a.Env, reg, sub, opts)
		for _, r := range res.Resources {
			r.Account = a.AccountID
			hr.Resources = append(hr.Resources, r)
		}
		for _, n := range res.Notes {
			hr.Notes = append(hr.Notes, fmt.Sprintf("account %s: %s", a.AccountID, n))
		}
		hr.Warnings = append(hr.Warnings, res.Warnings...)
		for _, s := range res.SkippedTargets {
			hr.SkippedTargets = append(hr.SkippedTargets, accountSkipped(s, a.AccountID))
		}
	}
	mergeEmptyTargets(&hr, t)
	sortResources(hr.Resources)
	if caller.Clients != nil {
		hr.Alarms = CheckAlarms(ctx, caller.Clients, t.StopConditions)
		hr.Role = CheckRole(ctx, caller.Clients, t.RoleArn)
		AddAlarmWarnings(&hr)
	}
	hr.Verdict = Verdict(hr.Resources, hr.Alarms, hr.Role)
	hr.AllHealthy = hr.Verdict == session.VerdictHealthy
	hr.CheckedAt = now().UTC()
	return hr
}

// RecheckAccounts is Recheck for resources of several accounts: each is rechecked with its
// account's Env (caller for resources without an account); resources of an account that
// cannot be read are returned as they are.
func RecheckAccounts(ctx context.Context, caller Env, reg Registry, accounts []AccountAccess, rs []session.ResourceHealth) []session.ResourceHealth {
	out := make([]session.ResourceHealth, len(rs))
	envs := map[string]*AccountAccess{}
	for i := range accounts {
		envs[accounts[i].AccountID] = &accounts[i]
	}
	groups := map[string][]int{}
	var order []string
	for i, r := range rs {
		if _, ok := groups[r.Account]; !ok {
			order = append(order, r.Account)
		}
		groups[r.Account] = append(groups[r.Account], i)
	}
	for _, acct := range order {
		idx := groups[acct]
		env := caller
		if acct != "" {
			a := envs[acct]
			if a == nil || a.Err != nil {
				for _, i := range idx {
					out[i] = rs[i]
				}
				continue
			}
			env = a.Env
		}
		part := make([]session.ResourceHealth, len(idx))
		for j, i := range idx {
			part[j] = rs[i]
		}
		for j, r := range Recheck(ctx, env, reg, part) {
			r.Account = acct
			out[idx[j]] = r
		}
	}
	return out
}

// accountPlan splits a template's targets by target account.
type accountPlan struct {
	// templates are the per-account templates (targets only), by account ID.
	templates map[string]session.Template
	// unchecked stand for resources no target account can hold (ARNs of other accounts).
	unchecked []session.ResourceHealth
	notes     []string
}

func planAccounts(t session.Template, accounts []AccountAccess) accountPlan {
	p := accountPlan{templates: map[string]session.Template{}}
	known := map[string]bool{}
	for _, a := range accounts {
		known[a.AccountID] = true
		p.templates[a.AccountID] = session.Template{ID: t.ID, Actions: t.Actions, ExperimentOptions: t.ExperimentOptions}
	}
	if len(accounts) == 0 {
		p.notes = append(p.notes, "the multi-account template has no target account configurations: FIS cannot run it (add one per target account)")
		for _, tg := range t.Targets {
			p.unchecked = append(p.unchecked, session.ResourceHealth{ID: "(no target accounts)", Type: tg.ResourceType, Target: tg.Name,
				Status: StatusUnresolved, Detail: "multi-account template without target account configurations"})
		}
		return p
	}
	add := func(acct string, tg session.Target) {
		sub := p.templates[acct]
		sub.Targets = append(sub.Targets, tg)
		p.templates[acct] = sub
	}
	for _, tg := range t.Targets {
		byAcct := map[string][]string{}
		for _, arn := range tg.ResourceArns {
			acct := arnAccount(arn)
			switch {
			case acct == "":
				p.unchecked = append(p.unchecked, arnPlaceholder(tg, arn, "",
					"the ARN names no account: in a multi-account experiment fis-mcp cannot tell which target account holds it"))
			case !known[acct]:
				p.unchecked = append(p.unchecked, arnPlaceholder(tg, arn, acct,
					fmt.Sprintf("account %s is not a target account of this template (no target account configuration): FIS cannot act on it", acct)))
			default:
				byAcct[acct] = append(byAcct[acct], arn)
			}
		}
		if len(tg.ResourceArns) > 0 {
			for acct, arns := range byAcct {
				cp := tg
				cp.ResourceArns = arns
				add(acct, cp)
			}
			continue
		}
		for _, a := range accounts { // tags and parameters: resolved in every target account
			add(a.AccountID, tg)
		}
	}
	return p
}

// uncheckedAccount is one unchecked entry per resource (ARN) or target (tags, parameters)
// of an account that cannot be read.
func uncheckedAccount(a AccountAccess, sub session.Template) []session.ResourceHealth {
	var out []session.ResourceHealth
	for _, tg := range sub.Targets {
		if len(tg.ResourceArns) == 0 {
			out = append(out, session.ResourceHealth{ID: "(account " + a.AccountID + ")", Type: tg.ResourceType, Target: tg.Name,
				Account: a.AccountID, Status: StatusUnchecked, Detail: a.Err.Error()})
			continue
		}
		for _, arn := range tg.ResourceArns {
			out = append(out, arnPlaceholder(tg, arn, a.AccountID, a.Err.Error()))
		}
	}
	return out
}

func arnPlaceholder(tg session.Target, arn, acct, detail string) session.ResourceHealth {
	id, err := IDFromARN(tg.ResourceType, arn)
	if err != nil || id == "" {
		id = arn
	}
	return session.ResourceHealth{ID: id, ARN: arn, Type: tg.ResourceType, Target: tg.Name, Account: acct, Status: StatusUnchecked, Detail: detail}
}

// arnAccount is the account field of an ARN ("" when absent or not an ARN).
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}

func accountSkipped(s session.SkippedTarget, acct string) session.SkippedTarget {
	s.Reason = fmt.Sprintf("account %s: %s", acct, s.Reason)
	return s
}

// mergeEmptyTargets applies "an action must resolve at least one target resource in any target
// account": a target that selects nothing in one account but something (or something unchecked)
// in another is not empty; its per-account empty entries become notes. A target empty in every
// account keeps its entries, and is skipped once (not once per account) under skip.
func mergeEmptyTargets(hr *session.HealthResult, t session.Template) {
	selects := map[string]bool{}
	for _, r := range hr.Resources {
		if r.Status != StatusNoTargetsResolved {
			selects[r.Target] = true
		}
	}
	var kept []session.ResourceHealth
	for _, r := range hr.Resources {
		if r.Status == StatusNoTargetsResolved && selects[r.Target] {
			hr.Notes = append(hr.Notes, fmt.Sprintf("target %s selects no resource in account %s (it does in another target account: FIS needs one in any)", r.Target, r.Account))
			continue
		}
		kept = append(kept, r)
	}
	hr.Resources = kept
	var skipped []session.SkippedTarget
	seen := map[string]bool{}
	for _, s := range hr.SkippedTargets {
		if selects[s.Target] {
			hr.Notes = append(hr.Notes, fmt.Sprintf("target %s: %s (it selects resources in another target account, so its actions run)", s.Target, s.Reason))
			continue
		}
		if !seen[s.Target] {
			seen[s.Target] = true
			s.Reason = "selects no resource in any target account"
			s.Actions = ActionsUsing(t, s.Target)
			skipped = append(skipped, s)
		}
	}
	hr.SkippedTargets = skipped
	sort.SliceStable(hr.SkippedTargets, func(i, j int) bool { return hr.SkippedTargets[i].Target < hr.SkippedTargets[j].Target })
}
