// Package setup checks what fis-mcp needs before a first experiment (fis-mcp doctor and the
// read-only check_setup tool): credentials and identity, region, the IAM actions of every
// tool, the FIS template, its role and the safety lever, EKS access, CloudWatch and Logs
// read access, and the state directory.
package setup

import (
	"context"
	"fmt"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/clusters"
)

// Check is one line of the setup report. Blocking is set on a failed check that
// stops an experiment; a failed check that is not blocking is a warning.
type Check struct {
	Name     string `json:"name"`
	OK       bool   `json:"ok"`
	Detail   string `json:"detail"`
	Remedy   string `json:"remedy,omitempty"`
	Blocking bool   `json:"blocking,omitempty"`
}

// Report is every check, and whether any of them blocks.
type Report struct {
	Checks   []Check `json:"checks"`
	Blocking bool    `json:"blocking"`
}

// KubePermission is one Kubernetes permission fis-mcp uses, as the cluster answered it
// (kube.AccessCheck).
type KubePermission struct {
	Verb, Resource, Subresource string
	Allowed, Optional           bool
	Reason                      string
}

// KubeChecker asks a cluster which of fis-mcp's Kubernetes permissions the caller holds.
type KubeChecker func(ctx context.Context, c clusters.Cluster) []KubePermission

// Deps are the clients the checks use.
type Deps struct {
	// AWS are the clients of the region checked (their Config carries the credentials).
	AWS *awsapi.Clients
	// Profile is the shared-config profile in use ("" = AWS_PROFILE or default).
	Profile string
	// Kube checks a cluster's Kubernetes permissions (nil: not checked).
	Kube KubeChecker
}

// Options select what is checked.
type Options struct {
	// TemplateIDs are FIS experiment templates to check (readable, role, trust).
	TemplateIDs []string
	// StateDir is fis-mcp's state directory ("" = not checked).
	StateDir string
	// ExperimentsDir is the experiments directory ("" = not checked).
	ExperimentsDir string
	// Simulated marks a run against the built-in simulated account.
	Simulated bool
	// AccountRoles are the --account-roles roles (target account → role ARN) health_check
	// assumes to read multi-account templates' target accounts.
	AccountRoles awsapi.AccountRoles
	// ReadOnly checks without writing anything (the check_setup tool is read-only):
	// the state directory's writability is asked of the OS, not tried.
	ReadOnly bool
}

// Run performs every check; it never fails: what cannot be checked is a check that says so.
func Run(ctx context.Context, d Deps, o Options) Report {
	var r Report
	add := func(cs ...Check) {
		for _, c := range cs {
			if c.OK {
				c.Blocking = false
			}
			r.Checks = append(r.Checks, c)
			r.Blocking = r.Blocking || c.Blocking
		}
	}
	if o.Simulated {
		add(Check{Name: "Mode", OK: true, Detail: "SIMULATED account: every AWS and Kubernetes answer comes from the built-in simulation"})
	}
	creds := credentialsCheck(ctx, d)
	if o.Simulated && creds.OK {
		creds.Detail = "simulated (no real credentials)"
	}
	add(creds)
	region := regionCheck(d)
	if !region.OK {
		add(region)
	} else {
		id, idCheck := identityCheck(ctx, d)
		add(idCheck, region)
		if idCheck.OK {
			add(awsChecks(ctx, d, o, id)...)
		} else {
			add(Check{Name: "AWS checks", Detail: "skipped: the caller's identity is unknown (see AWS identity)"})
		}
	}
	if o.ExperimentsDir != "" {
		add(experimentsDirCheck(o.ExperimentsDir))
	}
	if o.StateDir != "" {
		add(stateDirChecks(o.StateDir, o.ReadOnly)...)
	}
	return r
}

// awsChecks are the checks that need a known caller and region.
func awsChecks(ctx context.Context, d Deps, o Options, id Identity) []Check {
	out := iamChecks(ctx, d.AWS, id)
	out = append(out, leverCheck(ctx, d.AWS))
	for _, t := range o.TemplateIDs {
		out = append(out, templateChecks(ctx, d.AWS, t, id, o.AccountRoles)...)
	}
	out = append(out, accountRoleChecks(ctx, d.AWS, o.AccountRoles)...)
	out = append(out, eksChecks(ctx, d, id)...)
	return append(out, cloudWatchCheck(ctx, d.AWS), logsCheck(ctx, d.AWS))
}

// Identity is the caller as STS reports it and the IAM principal derived from it.
type Identity struct {
	Account, Arn string
	// Principal is the IAM user or role ARN (a role's path is unknown: none is assumed).
	Principal string
	// AssumedRole is set when Principal was derived from an assumed-role session ARN.
	AssumedRole bool
}

// PrincipalFromCaller derives the IAM principal of a caller ARN: an assumed-role session
// arn:aws:sts::ACCT:assumed-role/NAME/SESSION belongs to role arn:aws:iam::ACCT:role/NAME
// (its path is not part of the session ARN;
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns).
func PrincipalFromCaller(arn string) (principal string, assumed bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[2] != "sts" || !strings.HasPrefix(parts[5], "assumed-role/") {
		return arn, false
	}
	name, _, _ := strings.Cut(strings.TrimPrefix(parts[5], "assumed-role/"), "/")
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", parts[1], parts[4], name), true
}

// credentialsCheck says where the credentials come from (never what they are), from the
// SDK's Credentials.Source.
func credentialsCheck(ctx context.Context, d Deps) Check {
	c := Check{Name: "AWS credentials", Blocking: true}
	prov := d.AWS.Config.Credentials
	if prov == nil {
		c.Detail = "no credentials found"
		c.Remedy = "configure credentials: aws configure, aws sso login --profile P, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
		return c
	}
	creds, err := prov.Retrieve(ctx)
	if err != nil {
		c.Detail = "cannot load credentials: " + firstLine(err)
		c.Remedy = "refresh them (aws sso login --profile P) or check AWS_PROFILE / the shared config"
		return c
	}
	c.OK = true
	c.Detail = "from " + describeSource(creds.Source, d.Profile)
	if creds.CanExpire {
		c.Detail += fmt.Sprintf(", expire %s", creds.Expires.UTC().Format("2006-01-02 15:04 UTC"))
	}
	return c
}

// describeSource names a credential source (the providers' ProviderName constants of
// aws-sdk-go-v2/credentials and config).
func describeSource(src, profile string) string {
	if profile == "" {
		profile = "default"
	}
	switch {
	case src == "EnvConfigCredentials":
		return "environment variables (AWS_ACCESS_KEY_ID)"
	case strings.HasPrefix(src, "SharedConfigCredentials"):
		return fmt.Sprintf("shared credentials file, profile %q", profile)
	case src == "SSOProvider":
		return fmt.Sprintf("IAM Identity Center (SSO), profile %q", profile)
	case src == "AssumeRoleProvider":
		return fmt.Sprintf("assumed role of profile %q", profile)
	case src == "WebIdentityCredentials":
		return "web identity token (AWS_WEB_IDENTITY_TOKEN_FILE / IRSA)"
	case src == "EC2RoleProvider":
		return "EC2 instance metadata (IMDS)"
	case src == "CredentialsEndpointProvider":
		return "container credentials endpoint (ECS task role / EKS Pod Identity)"
	case src == "ProcessProvider":
		return fmt.Sprintf("credential_process of profile %q", profile)
	case src == "LoginProvider":
		return fmt.Sprintf("aws login, profile %q", profile)
	case src == "StaticCredentials":
		return "static credentials (configured in code)"
	case src == "":
		return "an unnamed provider"
	}
	return src
}

// identityCheck asks STS who the caller is
// (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html: no permission needed).
func identityCheck(ctx context.Context, d Deps) (Identity, Check) {
	c := Check{Name: "AWS identity", Blocking: true}
	out, err := d.AWS.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		c.Detail = "sts GetCallerIdentity failed: " + firstLine(err)
		c.Remedy = remedyOf(err, "check the credentials and network access to STS")
		return Identity{}, c
	}
	id := Identity{Account: awssdk.ToString(out.Account), Arn: awssdk.ToString(out.Arn)}
	id.Principal, id.AssumedRole = PrincipalFromCaller(id.Arn)
	c.OK = true
	c.Detail = fmt.Sprintf("%s (account %s)", id.Arn, id.Account)
	if id.AssumedRole {
		c.Detail += "; IAM principal " + id.Principal
	}
	return id, c
}

func regionCheck(d Deps) Check {
	if d.AWS.Region == "" {
		return Check{Name: "AWS region", Blocking: true, Detail: "no region configured",
			Remedy: "pass --region, set AWS_REGION, or set region in the profile (experiment READMEs may name their own)"}
	}
	return Check{Name: "AWS region", OK: true, Detail: d.AWS.Region}
}

// firstLine is an error's message without the SDK's request details on later lines.
func firstLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// remedyOf is awsapi's remedy for err's kind, or def.
func remedyOf(err error, def string) string {
	switch awsapi.Classify(err) {
	case awsapi.KindNoCredentials:
		return "configure credentials: aws configure, aws sso login --profile P, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
	case awsapi.KindExpiredCredentials:
		return "the credentials expired: refresh them (aws sso login --profile P)"
	case awsapi.KindUnknownRegion:
		return "check the region name (--region / AWS_REGION)"
	case awsapi.KindNetwork:
		return "check network access to the AWS endpoints (proxy, VPC endpoints)"
	}
	return def
}

func isAccessDenied(err error) bool { return awsapi.Classify(err) == awsapi.KindAccessDenied }
