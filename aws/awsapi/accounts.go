package awsapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"gopkg.in/yaml.v3"
)

// HealthCheckSessionName is the STS role session name fis-mcp uses when it assumes an
// operator-provided role to read a target account (it shows in the account's CloudTrail).
const HealthCheckSessionName = "fis-mcp-health-check"

// AccountRoles maps a target account ID to the IAM role ARN fis-mcp assumes to read that
// account's resources (multi-account templates). The role is used read-only.
type AccountRoles map[string]string

var (
	accountIDRE = regexp.MustCompile(`^\d{12}$`)
	// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html: RoleArn is an IAM role ARN.
	roleArnRE = regexp.MustCompile(`^arn:aws[\w-]*:iam::(\d{12}):role/[\w+=,.@/-]+$`)
)

// LoadAccountRoles reads an account → role ARN file, YAML or JSON (JSON is YAML), e.g.
//
//	"210987654321": arn:aws:iam::210987654321:role/fis-mcp-read
//
// An empty path gives no roles. Every key must be a 12-digit account ID and every value a
// role ARN of that account.
func LoadAccountRoles(path string) (AccountRoles, error) {
	if path == "" {
		return AccountRoles{}, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("account roles file: %w", err)
	}
	return ParseAccountRoles(b, path)
}

// ParseAccountRoles parses the content of an account roles file (name is for messages).
func ParseAccountRoles(b []byte, name string) (AccountRoles, error) {
	raw := map[string]string{}
	var err error
	if t := strings.TrimSpace(string(b)); strings.HasPrefix(t, "{") {
		err = json.Unmarshal(b, &raw)
	} else {
		err = yaml.Unmarshal(b, &raw)
	}
	if err != nil {
		return nil, fmt.Errorf("account roles file %s: expected a mapping of account ID to role ARN (YAML or JSON): %w", name, err)
	}
	out := AccountRoles{}
	var problems []string
	for acct, role := range raw {
		acct, role = strings.TrimSpace(acct), strings.TrimSpace(role)
		m := roleArnRE.FindStringSubmatch(role)
		switch {
		case !accountIDRE.MatchString(acct):
			problems = append(problems, fmt.Sprintf("%q is not a 12-digit AWS account ID", acct))
		case m == nil:
			problems = append(problems, fmt.Sprintf("account %s: %q is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)", acct, role))
		case m[1] != acct:
			problems = append(problems, fmt.Sprintf("account %s: role %s belongs to account %s", acct, role, m[1]))
		default:
			out[acct] = role
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, fmt.Errorf("account roles file %s: %s", name, strings.Join(problems, "; "))
	}
	return out, nil
}

// AssumedRoleConfig returns a copy of cfg whose credentials come from assuming roleArn with
// STS AssumeRole (session name HealthCheckSessionName), cached and refreshed by the SDK. It
// makes one AssumeRole call now, so that a refused role is reported before any read: the error
// names the role and, for AccessDenied, the remedy (the role's trust policy must allow the caller).
func AssumedRoleConfig(ctx context.Context, cfg awssdk.Config, roleArn string) (awssdk.Config, error) {
	out := cfg.Copy()
	provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), roleArn, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = HealthCheckSessionName
	})
	out.Credentials = awssdk.NewCredentialsCache(provider)
	if _, err := out.Credentials.Retrieve(ctx); err != nil {
		return awssdk.Config{}, assumeRoleError(err, roleArn)
	}
	return out, nil
}

// assumeRoleError turns a failed AssumeRole into an actionable error.
func assumeRoleError(err error, roleArn string) error {
	var ae *Error
	wrapped := Wrap(err, "sts AssumeRole", roleArn, "sts:AssumeRole")
	if errors.As(wrapped, &ae) && ae.Kind == KindAccessDenied {
		return fmt.Errorf("%w; remedy: the role's trust policy must allow the identity fis-mcp runs as (sts:AssumeRole), and that identity's policy must allow sts:AssumeRole on %s", wrapped, roleArn)
	}
	return wrapped
}
