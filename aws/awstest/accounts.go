package awstest

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// Multi-account design (kept minimal): the Server is one account. AddAccount links a
// second Server (its own state, seeded with the same methods) for another account ID;
// it shares the listener of the account it is linked to, as real AWS endpoints serve
// every account. STS AssumeRole of a role in a linked account issues temporary
// credentials whose access key ID is recorded here: a request signed with such a key is
// served by the linked account, so the caller's own account never sees (or records) it.
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html: "returns a set of temporary
// security credentials that you can use to access AWS resources"; the credentials act in the role's account.

// accountsState is the fake's multi-account state.
type accountsState struct {
	// linked are other accounts by account ID.
	linked map[string]*Server
	// keys maps an issued temporary access key ID to the account it acts in.
	keys map[string]*Server
	// trust maps a role ARN to the principal ARNs its trust policy allows (in the role's account).
	trust map[string][]string
	// issued counts AssumeRole credentials, to make unique access keys.
	issued int
	// targetAccounts are the FIS templates' target account configurations, by template ID.
	targetAccounts map[string][]TargetAccountConfiguration
}

// AddAccount links (or returns the linked) account accountID: a Server with its own state,
// reachable through this server's URL with credentials from sts AssumeRole of one of its roles.
// Seed it like any Server (AddRole, AddInstance, ...); assert its calls with its Calls.
func (s *Server) AddAccount(accountID string) *Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.accounts.linked == nil {
		s.accounts.linked = map[string]*Server{}
	}
	if o := s.accounts.linked[accountID]; o != nil {
		return o
	}
	o := NewUnstarted(WithClock(s.clock), WithRegion(s.Region))
	o.AccountID = accountID
	o.URL = s.URL
	s.accounts.linked[accountID] = o
	return o
}

// TrustRole sets who may assume the role roleArn of this account: principal ARNs such as
// "arn:aws:iam::123456789012:user/awstest" or an account root "arn:aws:iam::123456789012:root"
// (any principal of that account). A role without trusted principals cannot be assumed
// across accounts (AccessDenied), as a role's trust policy must name the caller:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user.html.
func (s *Server) TrustRole(roleArn string, principals ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.accounts.trust == nil {
		s.accounts.trust = map[string][]string{}
	}
	s.accounts.trust[roleArn] = append([]string(nil), principals...)
}

var accessKeyRE = regexp.MustCompile(`Credential=([^/]+)/`)

// accountFor returns the linked account a request's access key acts in (nil: this account).
func (s *Server) accountFor(r *http.Request) *Server {
	m := accessKeyRE.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if o := s.accounts.keys[m[1]]; o != nil && o != s {
		return o
	}
	return nil
}

var (
	// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html: RoleSessionName
	// "Length Constraints: Minimum length of 2. Maximum length of 64. Pattern: [\w+=,.@-]*".
	stsSessionNameRE = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
	stsRoleArnRE     = regexp.MustCompile(`^arn:aws[\w-]*:iam::(\d{12}):role/(?:[\w+=,.@-]+/)*([\w+=,.@-]+)$`)
)

// stsCallerArn is the identity the fake's static credentials stand for. Lock held.
func (s *Server) stsCallerArn() string {
	if s.iam.callerArn != "" {
		return s.iam.callerArn
	}
	return fmt.Sprintf("arn:aws:iam::%s:user/awstest", s.AccountID)
}

// stsAssumeRole answers sts AssumeRole. Lock held (the role's account is locked in turn;
// a linked account never locks the account it is linked to, so there is no lock cycle).
func stsAssumeRole(s *Server, c *call) {
	roleArn, name := c.Form("RoleArn"), c.Form("RoleSessionName")
	// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html: RoleArn and RoleSessionName
	// are required; DurationSeconds ranges from 900 to the role's maximum session duration (default 1 hour).
	m := stsRoleArnRE.FindStringSubmatch(roleArn)
	switch {
	case m == nil:
		c.Fail(http.StatusBadRequest, "ValidationError", fmt.Sprintf("%s is invalid", roleArn))
		return
	case !stsSessionNameRE.MatchString(name):
		c.Fail(http.StatusBadRequest, "ValidationError",
			fmt.Sprintf("1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", name))
		return
	}
	duration := 3600
	if d := c.Form("DurationSeconds"); d != "" {
		if _, err := fmt.Sscan(d, &duration); err != nil || duration < 900 {
			c.Fail(http.StatusBadRequest, "ValidationError", fmt.Sprintf("1 validation error detected: Value '%s' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900", d))
			return
		}
		if duration > 3600 {
			c.Fail(http.StatusBadRequest, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
			return
		}
	}
	caller := s.stsCallerArn()
	target := s
	if m[1] != s.AccountID {
		target = s.accounts.linked[m[1]]
	}
	// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html (Errors; common AccessDenied, 403):
	// a role that does not exist or whose trust policy does not allow the caller is refused the same way.
	denied := func() {
		c.Fail(http.StatusForbidden, "AccessDenied",
			fmt.Sprintf("User: %s is not authorized to perform: sts:AssumeRole on resource: %s", caller, roleArn))
	}
	if target == nil {
		denied()
		return
	}
	var roleID string
	var trusted []string
	if target != s {
		target.mu.Lock()
	}
	for _, r := range target.iam.roles {
		if r.arn == roleArn {
			roleID = r.id
		}
	}
	trusted = target.accounts.trust[roleArn]
	if target != s {
		target.mu.Unlock()
	}
	if roleID == "" || !stsTrusts(trusted, caller) {
		denied()
		return
	}
	s.accounts.issued++
	key := fmt.Sprintf("ASIA%s%08d", strings.ToUpper(m[1][len(m[1])-4:]), s.accounts.issued)
	if s.accounts.keys == nil {
		s.accounts.keys = map[string]*Server{}
	}
	s.accounts.keys[key] = target
	assumedArn := fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", m[1], m[2], name)
	if target != s {
		// Requests with the new key are served by the role's account: it answers
		// GetCallerIdentity with the assumed role.
		target.mu.Lock()
		target.iam.callerArn, target.iam.callerUserID = assumedArn, roleID+":"+name
		target.mu.Unlock()
	}
	type creds struct {
		AccessKeyID     string `xml:"AccessKeyId"`
		SecretAccessKey string `xml:"SecretAccessKey"`
		SessionToken    string `xml:"SessionToken"`
		Expiration      string `xml:"Expiration"`
	}
	type user struct {
		AssumedRoleID string `xml:"AssumedRoleId"`
		Arn           string `xml:"Arn"`
	}
	// The SDK judges expiry by the wall clock (aws.Credentials.Expired), so the expiration is
	// wall-clock based; the simulation clock does not expire these credentials.
	exp := time.Now().Add(time.Duration(duration) * time.Second)
	c.XML(struct {
		Credentials      creds `xml:"Credentials"`
		AssumedRoleUser  user  `xml:"AssumedRoleUser"`
		PackedPolicySize int   `xml:"PackedPolicySize"`
	}{
		Credentials:     creds{AccessKeyID: key, SecretAccessKey: "fake-assumed-secret", SessionToken: "fake-session-token-" + key, Expiration: cfnTime(exp)},
		AssumedRoleUser: user{AssumedRoleID: roleID + ":" + name, Arn: assumedArn},
	})
}

// stsTrusts reports whether a trust list allows caller: its ARN, or its account's root.
func stsTrusts(trusted []string, caller string) bool {
	acct := ""
	if parts := strings.Split(caller, ":"); len(parts) > 4 {
		acct = parts[4]
	}
	// An assumed-role session is trusted as its role: arn:aws:sts::A:assumed-role/R/S → arn:aws:iam::A:role/R.
	asRole := ""
	if rest, ok := strings.CutPrefix(caller, "arn:aws:sts::"+acct+":assumed-role/"); ok {
		if i := strings.IndexByte(rest, '/'); i > 0 {
			asRole = fmt.Sprintf("arn:aws:iam::%s:role/%s", acct, rest[:i])
		}
	}
	for _, p := range trusted {
		if p == caller || p == fmt.Sprintf("arn:aws:iam::%s:root", acct) || (asRole != "" && p == asRole) {
			return true
		}
	}
	return false
}

// TargetAccountConfiguration is one target account of a multi-account experiment template.
type TargetAccountConfiguration struct {
	AccountID   string
	RoleArn     string
	Description string
}

// AddTargetAccountConfiguration adds (or replaces) a target account configuration of templateID
// (https://docs.aws.amazon.com/fis/latest/APIReference/API_CreateTargetAccountConfiguration.html).
func (s *Server) AddTargetAccountConfiguration(templateID string, tac TargetAccountConfiguration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.accounts.targetAccounts == nil {
		s.accounts.targetAccounts = map[string][]TargetAccountConfiguration{}
	}
	list := s.accounts.targetAccounts[templateID]
	for i, t := range list {
		if t.AccountID == tac.AccountID {
			list[i] = tac
			return
		}
	}
	s.accounts.targetAccounts[templateID] = append(list, tac)
}

// fisListTargetAccountConfigurations answers GET /experimentTemplates/{id}/targetAccountConfigurations
// (https://docs.aws.amazon.com/fis/latest/APIReference/API_ListTargetAccountConfigurations.html:
// maxResults 1-100, nextToken; an unknown template is ResourceNotFoundException).
func fisListTargetAccountConfigurations(s *Server, c *call) {
	id := c.Param("id")
	if s.fis.templates[id] == nil {
		c.Fail(http.StatusNotFound, "ResourceNotFoundException", fmt.Sprintf("Experiment template %s not found.", id))
		return
	}
	list := s.accounts.targetAccounts[id]
	start, end, ok := fisPage(c, len(list))
	if !ok {
		return
	}
	type summary struct {
		AccountID   string `json:"accountId"`
		RoleArn     string `json:"roleArn"`
		Description string `json:"description,omitempty"`
	}
	out := []summary{}
	for _, t := range list[start:end] {
		out = append(out, summary{t.AccountID, t.RoleArn, t.Description})
	}
	res := map[string]any{"targetAccountConfigurations": out}
	if end < len(list) {
		res["nextToken"] = fmt.Sprintf("page-%d", end)
	}
	c.JSON(res)
}

// fisMultiAccountResolve resolves target tg of a multi-account template t as FIS does
// (https://docs.aws.amazon.com/fis/latest/userguide/work-with-multi-account.html: "An AWS FIS experiment
// will resolve resources with consistent tags in each target account"): ARNs as given (each names its
// account), tags and parameters in every target account of t's target account configurations, never in
// this orchestrator account unless it is one of them. ok is false for a single-account template (resolve
// in this account as before). For fisResolveTargets; lock held.
func (s *Server) fisMultiAccountResolve(t *ExperimentTemplate, tg TemplateTarget) (ids []string, ok bool) {
	if t.ExperimentOptions["accountTargeting"] != "multi-account" {
		return nil, false
	}
	if len(tg.ResourceArns) > 0 {
		return append([]string(nil), tg.ResourceArns...), true
	}
	for _, tac := range s.accounts.targetAccounts[t.ID] {
		o := s
		if tac.AccountID != s.AccountID {
			if o = s.accounts.linked[tac.AccountID]; o == nil {
				continue // an account the fake does not model holds nothing
			}
			o.mu.Lock()
		}
		ids = append(ids, o.fisResolveTarget(tg)...)
		if o != s {
			o.mu.Unlock()
		}
	}
	return ids, true
}
