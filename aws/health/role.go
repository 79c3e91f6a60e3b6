package health

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/session"
)

// roleAPI is the part of the IAM client role checks use.
type roleAPI interface {
	GetRole(ctx context.Context, in *iam.GetRoleInput, optFns ...func(*iam.Options)) (*iam.GetRoleOutput, error)
}

// iamRoleName returns the role name of an IAM role ARN (arn:aws:iam::123456789012:role/path/name → name),
// or the input itself when it is a bare role name. ok is false for an ARN that is not a role's.
func iamRoleName(arnOrName string) (name string, ok bool) {
	if !strings.HasPrefix(arnOrName, "arn:") {
		return arnOrName, arnOrName != "" && !strings.Contains(arnOrName, "/")
	}
	// arn:partition:iam::account:role/[path/]name
	parts := strings.SplitN(arnOrName, ":", 6)
	if len(parts) != 6 || parts[2] != "iam" || !strings.HasPrefix(parts[5], "role/") {
		return "", false
	}
	rest := strings.TrimPrefix(parts[5], "role/")
	name = rest[strings.LastIndexByte(rest, '/')+1:]
	return name, name != ""
}

// CheckRole reports whether the template's IAM role exists (iam:GetRole). It returns nil for an
// empty ARN. A failed call gives Exists false with the reason in Detail.
func CheckRole(ctx context.Context, c *awsapi.Clients, roleArn string) *session.RoleCheck {
	if roleArn == "" {
		return nil
	}
	if c == nil || c.IAM == nil {
		return &session.RoleCheck{ARN: roleArn, Detail: "unchecked: no IAM client"}
	}
	return checkRole(ctx, c.IAM, roleArn)
}

func checkRole(ctx context.Context, api roleAPI, roleArn string) *session.RoleCheck {
	rc := &session.RoleCheck{ARN: roleArn}
	name, ok := iamRoleName(roleArn)
	if !ok {
		rc.Detail = fmt.Sprintf("%q is not an IAM role ARN", roleArn)
		return rc
	}
	out, err := api.GetRole(ctx, &iam.GetRoleInput{RoleName: &name})
	switch {
	case err == nil && out != nil && out.Role != nil:
		got := ""
		if out.Role.Arn != nil {
			got = *out.Role.Arn
		}
		if strings.HasPrefix(roleArn, "arn:") && got != "" && got != roleArn {
			rc.Detail = fmt.Sprintf("a role named %s exists but its ARN is %s, not the template's %s (path differs): the experiment cannot assume it", name, got, roleArn)
			return rc
		}
		rc.Exists = true
		rc.Detail = "role exists"
	case err == nil:
		rc.Detail = fmt.Sprintf("iam GetRole %s: empty response", name)
	case awsapi.IsNotFound(err):
		rc.Detail = fmt.Sprintf("role %s does not exist: FIS cannot start the experiment; redeploy the experiment's CloudFormation stack", name)
	default:
		rc.Detail = "unchecked: " + awsapi.Wrap(err, "iam GetRole", name, "iam:GetRole").Error()
	}
	return rc
}

// addIAMCheckers registers aws:iam:role.
func addIAMCheckers(r Registry) {
	r["aws:iam:role"] = checkIAMRoles
}

// checkIAMRoles checks aws:iam:role targets: a role that exists is healthy.
func checkIAMRoles(ctx context.Context, env Env, rs []Resource) []Result {
	out := make([]Result, 0, len(rs))
	for _, r := range rs {
		if env.Clients == nil || env.Clients.IAM == nil {
			out = append(out, Unchecked(r, "no IAM client"))
			continue
		}
		out = append(out, checkIAMRole(ctx, env.Clients.IAM, r))
	}
	return out
}

func checkIAMRole(ctx context.Context, api roleAPI, r Resource) Result {
	ref := r.ARN
	if ref == "" {
		ref = r.ID
	}
	name, ok := iamRoleName(ref)
	if !ok {
		return Unchecked(r, fmt.Sprintf("%q is not an IAM role ARN or name", ref))
	}
	res := Result{ResourceHealth: session.ResourceHealth{ID: r.ID, ARN: r.ARN, Type: r.Type, Target: r.Target}}
	if res.ID == "" {
		res.ID = name
	}
	out, err := api.GetRole(ctx, &iam.GetRoleInput{RoleName: &name})
	switch {
	case err == nil && out != nil && out.Role != nil:
		res.Status, res.Healthy = "exists", true
		if res.ARN == "" && out.Role.Arn != nil {
			res.ARN = *out.Role.Arn
		}
		res.Attributes = out.Role
	case err == nil:
		return Unchecked(r, fmt.Sprintf("iam GetRole %s: empty response", name))
	case awsapi.IsNotFound(err):
		res.Status, res.Healthy = "not-found", false
		res.Detail = fmt.Sprintf("role %s does not exist", name)
	default:
		return Unchecked(r, awsapi.Wrap(err, "iam GetRole", name, "iam:GetRole").Error())
	}
	return res
}
