package setup

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	fistypes "github.com/aws/aws-sdk-go-v2/service/fis/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/clusters"
	"github.com/fis-mcp/fis-mcp/aws/experiment"
)

// iamChecks simulates every action of Policy for the caller's principal with
// iam:SimulatePrincipalPolicy; EvalDecision is allowed, explicitDeny or implicitDeny
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html,
// API_EvaluationResult.html). One check per Policy row.
func iamChecks(ctx context.Context, c *awsapi.Clients, id Identity) []Check {
	if strings.HasSuffix(id.Arn, ":root") {
		return []Check{manualCheck("the root user cannot be simulated; it is allowed everything (use an IAM role instead)")}
	}
	if !strings.Contains(id.Principal, ":role/") && !strings.Contains(id.Principal, ":user/") {
		return []Check{manualCheck(fmt.Sprintf("%s is not an IAM user or role, so its policies cannot be simulated", id.Principal))}
	}
	principal := id.Principal
	decisions, err := simulate(ctx, c, principal, AllActions(Policy))
	if err != nil && awsapi.IsNotFound(err) && id.AssumedRole {
		// The session ARN has no path (SSO roles live under /aws-reserved/sso.amazonaws.com/):
		// GetRole by name gives the role's full ARN.
		if arn := roleArnByName(ctx, c, principal); arn != "" && arn != principal {
			principal = arn
			decisions, err = simulate(ctx, c, principal, AllActions(Policy))
		}
	}
	switch {
	case err != nil && isAccessDenied(err):
		return []Check{manualCheck(fmt.Sprintf("the caller may not call iam:SimulatePrincipalPolicy on %s", principal))}
	case err != nil && awsapi.IsNotFound(err) && id.AssumedRole:
		return []Check{manualCheck(fmt.Sprintf("IAM does not know %s and iam:GetRole could not find its path: the path is not part of the session ARN %s (e.g. SSO roles live under /aws-reserved/sso.amazonaws.com/)", id.Principal, id.Arn))}
	case err != nil:
		return []Check{manualCheck("iam SimulatePrincipalPolicy failed: " + firstLine(err))}
	}
	var out []Check
	for _, t := range Policy {
		var denied []string
		for _, a := range t.Actions {
			if d := decisions[strings.ToLower(a)]; d != string(iamtypes.PolicyEvaluationDecisionTypeAllowed) {
				if d == "" {
					d = "not evaluated"
				}
				denied = append(denied, fmt.Sprintf("%s (%s)", a, d))
			}
		}
		ch := Check{Name: "IAM: " + t.Tool, OK: len(denied) == 0, Blocking: !t.Optional}
		if ch.OK {
			ch.Detail = plural(len(t.Actions), "action") + " allowed"
		} else {
			ch.Detail = "not allowed: " + strings.Join(denied, ", ")
			ch.Remedy = fmt.Sprintf("allow these actions for %s (README: IAM permissions, statement %s)", principal, t.Sid)
			if t.Optional {
				ch.Remedy += "; optional: only needed for the resource types or features that use them"
			}
		}
		out = append(out, ch)
	}
	return out
}

// roleArnByName is the full ARN (with its path) of the role an ARN names, "" when
// iam:GetRole cannot tell.
func roleArnByName(ctx context.Context, c *awsapi.Clients, roleArn string) string {
	name := roleArn[strings.LastIndexByte(roleArn, '/')+1:]
	out, err := c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: &name})
	if err != nil || out.Role == nil {
		return ""
	}
	return awssdk.ToString(out.Role.Arn)
}

// manualCheck is the IAM check when simulation is not possible: the actions to verify by hand.
func manualCheck(why string) Check {
	var req []string
	for _, t := range Policy {
		if !t.Optional {
			req = append(req, t.Actions...)
		}
	}
	return Check{Name: "IAM: simulation", Detail: "cannot simulate the caller's permissions: " + why,
		Remedy: "verify by hand that the caller is allowed: " + strings.Join(req, ", ") +
			" (and the optional actions of the README's IAM policy for the features you use)"}
}

// simulate returns the EvalDecision of each action (lower-cased), following Marker.
func simulate(ctx context.Context, c *awsapi.Clients, principal string, actions []string) (map[string]string, error) {
	out := map[string]string{}
	p := iam.NewSimulatePrincipalPolicyPaginator(c.IAM, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: &principal, ActionNames: actions})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range page.EvaluationResults {
			out[strings.ToLower(awssdk.ToString(r.EvalActionName))] = string(r.EvalDecision)
		}
	}
	return out, nil
}

// leverCheck reads the account's safety lever: engaged (or engaging) refuses every start
// (https://docs.aws.amazon.com/fis/latest/userguide/safety-lever.html).
func leverCheck(ctx context.Context, c *awsapi.Clients) Check {
	ch := Check{Name: "FIS safety lever", Blocking: true}
	l, err := experiment.GetSafetyLever(ctx, c.FIS)
	switch {
	case err != nil && isAccessDenied(err):
		ch.Blocking = false
		ch.Detail = "cannot read it (fis:GetSafetyLever denied); starts then warn instead of checking it"
		ch.Remedy = "allow fis:GetSafetyLever"
	case err != nil:
		ch.Blocking = false
		ch.Detail = "cannot read it: " + firstLine(err)
	case l.Blocks():
		ch.Detail = fmt.Sprintf("%s (reason: %s): FIS cancels every new experiment in %s", l.Status, l.Reason, c.Region)
		ch.Remedy = "ask whoever engaged it; it is disengaged with aws fis update-safety-lever-state --id default --state 'status=disengaged,reason=...'"
	default:
		ch.OK = true
		ch.Detail = l.Status
	}
	return ch
}

// templateChecks: the template is readable, its role exists (iam:GetRole) and its trust
// policy lets fis.amazonaws.com assume it
// (https://docs.aws.amazon.com/fis/latest/userguide/getting-started-iam-service-role.html).
// A multi-account template's target accounts are checked too (targetAccountsCheck), from
// the same read of the template.
func templateChecks(ctx context.Context, c *awsapi.Clients, id string, caller Identity, roles awsapi.AccountRoles) []Check {
	name := "FIS template " + id
	out, err := c.FIS.GetExperimentTemplate(ctx, &fis.GetExperimentTemplateInput{Id: &id})
	if err != nil {
		ch := Check{Name: name, Blocking: true, Detail: "cannot read it: " + firstLine(err)}
		switch {
		case isAccessDenied(err):
			ch.Remedy = "allow fis:GetExperimentTemplate"
		case awsapi.IsNotFound(err):
			ch.Remedy = fmt.Sprintf("check the template ID and the region (%s)", c.Region)
		}
		return []Check{ch}
	}
	roleArn, multiAccount := "", false
	if t := out.ExperimentTemplate; t != nil {
		roleArn = awssdk.ToString(t.RoleArn)
		multiAccount = t.ExperimentOptions != nil && t.ExperimentOptions.AccountTargeting == fistypes.AccountTargetingMultiAccount
	}
	checks := []Check{{Name: name, OK: true, Detail: "readable"}, roleCheck(ctx, c, id, roleArn)}
	if multiAccount {
		checks = append(checks, targetAccountsCheck(ctx, c, id, caller, roles))
	}
	return checks
}

func roleCheck(ctx context.Context, c *awsapi.Clients, id, roleArn string) Check {
	ch := Check{Name: "FIS role of " + id, Blocking: true}
	if roleArn == "" {
		ch.Detail = "the template has no role"
		ch.Remedy = "set the template's roleArn to a role FIS can assume"
		return ch
	}
	roleName := roleArn[strings.LastIndexByte(roleArn, '/')+1:]
	out, err := c.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: &roleName})
	switch {
	case err != nil && isAccessDenied(err):
		ch.Blocking = false
		ch.Detail = fmt.Sprintf("cannot read %s (iam:GetRole denied)", roleArn)
		ch.Remedy = "allow iam:GetRole, or verify by hand that the role exists and trusts fis.amazonaws.com"
		return ch
	case err != nil && awsapi.IsNotFound(err):
		ch.Detail = fmt.Sprintf("%s does not exist", roleArn)
		ch.Remedy = "create the role (or redeploy the experiment's stack)"
		return ch
	case err != nil:
		ch.Blocking = false
		ch.Detail = "iam GetRole failed: " + firstLine(err)
		return ch
	}
	doc := ""
	if out.Role != nil {
		doc = awssdk.ToString(out.Role.AssumeRolePolicyDocument)
	}
	ok, err := trustsService(doc, "fis.amazonaws.com")
	switch {
	case err != nil:
		ch.Detail = fmt.Sprintf("%s: cannot read its trust policy: %v", roleArn, err)
	case !ok:
		ch.Detail = fmt.Sprintf("%s does not trust fis.amazonaws.com", roleArn)
		ch.Remedy = `add a trust statement {"Effect":"Allow","Principal":{"Service":"fis.amazonaws.com"},"Action":"sts:AssumeRole"}`
	default:
		ch.OK = true
		ch.Detail = roleArn + " exists and trusts fis.amazonaws.com"
	}
	return ch
}

// trustsService reports whether a trust policy (URL-encoded JSON, as GetRole returns it:
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_Role.html) allows service to
// sts:AssumeRole. Conditions are not evaluated.
func trustsService(doc, service string) (bool, error) {
	if dec, err := url.QueryUnescape(doc); err == nil {
		doc = dec
	}
	var p struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return false, fmt.Errorf("not JSON")
	}
	type stmt struct {
		Effect    string
		Principal json.RawMessage
		Action    json.RawMessage
	}
	var list []stmt
	if err := json.Unmarshal(p.Statement, &list); err != nil {
		var one stmt
		if err := json.Unmarshal(p.Statement, &one); err != nil {
			return false, fmt.Errorf("no statements")
		}
		list = []stmt{one}
	}
	for _, s := range list {
		if s.Effect != "Allow" {
			continue
		}
		var pr struct{ Service json.RawMessage }
		_ = json.Unmarshal(s.Principal, &pr)
		if slices.Contains(stringOrList(pr.Service), service) && slices.ContainsFunc(stringOrList(s.Action), func(a string) bool {
			return a == "sts:AssumeRole" || a == "sts:*" || a == "*"
		}) {
			return true, nil
		}
	}
	return false, nil
}

func stringOrList(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(raw, &many)
	return many
}

// eksChecks: per cluster of the region, whether the caller has an access entry
// (eks:ListAccessEntries lists principal ARNs:
// https://docs.aws.amazon.com/eks/latest/APIReference/API_ListAccessEntries.html) and
// the Kubernetes permissions fis-mcp uses.
func eksChecks(ctx context.Context, d Deps, id Identity) []Check {
	list, err := clusters.List(ctx, d.AWS, nil)
	if err != nil {
		ch := Check{Name: "EKS clusters", Detail: "cannot list them: " + firstLine(err)}
		if isAccessDenied(err) {
			ch.Remedy = "allow eks:ListClusters and eks:DescribeCluster (discover_apps and start_logs need them)"
		}
		return []Check{ch}
	}
	if len(list) == 0 {
		return []Check{{Name: "EKS clusters", OK: true, Detail: "none in " + d.AWS.Region}}
	}
	var out []Check
	for _, cl := range list {
		out = append(out, accessEntryCheck(ctx, d.AWS, cl.Name, id))
		if cl.Error != "" {
			out = append(out, Check{Name: "EKS " + cl.Name + ": Kubernetes permissions", Detail: "cannot describe the cluster: " + cl.Error})
			continue
		}
		if d.Kube != nil {
			out = append(out, kubeCheck(cl.Name, d.Kube(ctx, cl)))
		}
	}
	return out
}

func accessEntryCheck(ctx context.Context, c *awsapi.Clients, cluster string, id Identity) Check {
	ch := Check{Name: "EKS " + cluster + ": access entry"}
	if id.Principal == "" {
		ch.Detail = "cannot tell: the caller's identity is unknown"
		return ch
	}
	p := eks.NewListAccessEntriesPaginator(c.EKS, &eks.ListAccessEntriesInput{ClusterName: &cluster})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			ch.Detail = "cannot tell: " + firstLine(err)
			if isAccessDenied(err) {
				ch.Detail = "cannot tell (eks:ListAccessEntries denied)"
				ch.Remedy = "allow eks:ListAccessEntries, or check the cluster's access entries by hand"
			}
			return ch
		}
		if slices.ContainsFunc(page.AccessEntries, func(e string) bool { return samePrincipal(e, id.Principal) }) {
			ch.OK = true
			ch.Detail = id.Principal + " has an access entry"
			return ch
		}
	}
	ch.Detail = id.Principal + " has no access entry (access through the aws-auth ConfigMap still works)"
	ch.Remedy = fmt.Sprintf("aws eks create-access-entry --cluster-name %s --principal-arn %s, then associate AmazonEKSViewPolicy (cluster scope)", cluster, id.Principal)
	return ch
}

// samePrincipal compares principal ARNs; a role matches by account and name, since the
// derived role ARN has no path.
func samePrincipal(entry, principal string) bool {
	if strings.EqualFold(entry, principal) {
		return true
	}
	i, j := strings.Index(entry, ":role/"), strings.Index(principal, ":role/")
	if i < 0 || j < 0 || entry[:i] != principal[:j] {
		return false
	}
	last := func(s string) string { return s[strings.LastIndexByte(s, '/')+1:] }
	return last(entry) == last(principal)
}

func kubeCheck(cluster string, perms []KubePermission) Check {
	ch := Check{Name: "EKS " + cluster + ": Kubernetes permissions"}
	var denied, optional []string
	for _, p := range perms {
		if p.Allowed {
			continue
		}
		name := p.Verb + " " + p.Resource
		if p.Subresource != "" {
			name += "/" + p.Subresource
		}
		if p.Reason != "" {
			name += " (" + p.Reason + ")"
		}
		if p.Optional {
			optional = append(optional, name)
		} else {
			denied = append(denied, name)
		}
	}
	switch {
	case len(denied) > 0:
		ch.Blocking = true
		ch.Detail = "not allowed: " + strings.Join(denied, ", ")
		ch.Remedy = "grant read access cluster-wide (e.g. associate AmazonEKSViewPolicy with the caller's access entry) and get on pods/log"
	case len(optional) > 0:
		ch.Detail = "optional, not allowed: " + strings.Join(optional, ", ") + "; discovery skips references found only there"
	default:
		ch.OK = true
		ch.Detail = plural(len(perms), "permission") + " allowed"
	}
	if len(optional) > 0 && len(denied) > 0 {
		ch.Detail += "; optional, not allowed: " + strings.Join(optional, ", ")
	}
	return ch
}

// cloudWatchCheck is a cheap read: DescribeAlarms with MaxRecords 1.
func cloudWatchCheck(ctx context.Context, c *awsapi.Clients) Check {
	_, err := c.CloudWatch.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{MaxRecords: awssdk.Int32(1)})
	return readCheck("CloudWatch read access", err, "cloudwatch:DescribeAlarms, cloudwatch:GetMetricData and cloudwatch:DescribeAlarmHistory (health checks and the report)")
}

// logsCheck is a cheap read: DescribeLogGroups with limit 1.
func logsCheck(ctx context.Context, c *awsapi.Clients) Check {
	_, err := c.Logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{Limit: awssdk.Int32(1)})
	return readCheck("CloudWatch Logs read access", err, "logs:DescribeLogGroups and logs:FilterLogEvents (the report's managed logs)")
}

func readCheck(name string, err error, actions string) Check {
	if err == nil {
		return Check{Name: name, OK: true, Detail: "readable"}
	}
	ch := Check{Name: name, Detail: "cannot read: " + firstLine(err)}
	if isAccessDenied(err) {
		ch.Remedy = "allow " + actions
	} else {
		ch.Remedy = remedyOf(err, "")
	}
	return ch
}

// plural is "1 action" or "3 actions".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
