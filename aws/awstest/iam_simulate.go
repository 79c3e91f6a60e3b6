package awstest

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// fisTrustPolicy is the default trust policy of a seeded role: FIS may assume it
// (https://docs.aws.amazon.com/fis/latest/userguide/getting-started-iam-service-role.html).
const fisTrustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"fis.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// Simulation decisions of iam SimulatePrincipalPolicy's EvalDecision
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_EvaluationResult.html).
const (
	DecisionAllowed      = "allowed"
	DecisionExplicitDeny = "explicitDeny"
	DecisionImplicitDeny = "implicitDeny"
)

// SimulateDecision makes iam SimulatePrincipalPolicy answer decision for the actions
// (DecisionAllowed, the default for every action, clears them).
func (s *Server) SimulateDecision(decision string, actions ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.iam.decisions == nil {
		s.iam.decisions = map[string]string{}
	}
	for _, a := range actions {
		if decision == DecisionAllowed || decision == "" {
			delete(s.iam.decisions, strings.ToLower(a))
		} else {
			s.iam.decisions[strings.ToLower(a)] = decision
		}
	}
}

// SetRoleTrust replaces a seeded role's trust policy (JSON); GetRole returns it URL-encoded.
func (s *Server) SetRoleTrust(name, policyJSON string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.iam.roles[name]; ok {
		r.trust = policyJSON
		s.iam.roles[name] = r
	}
}

// roleTrustDocument is GetRole's AssumeRolePolicyDocument: "A URL-encoded JSON string"
// (RFC 3986; https://docs.aws.amazon.com/IAM/latest/APIReference/API_Role.html).
func roleTrustDocument(r iamRole) string {
	doc := r.trust
	if doc == "" {
		doc = fisTrustPolicy
	}
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}

// iamSimulatePrincipalPolicy evaluates ActionNames for PolicySourceArn: an unknown role is
// NoSuchEntity; each action is allowed unless SimulateDecision said otherwise
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html).
func iamSimulatePrincipalPolicy(s *Server, c *call) {
	src := c.Form("PolicySourceArn")
	if src == "" {
		c.Fail(http.StatusBadRequest, "InvalidInput", "PolicySourceArn is required.")
		return
	}
	if strings.Contains(src, ":role/") {
		found := false
		for _, r := range s.iam.roles {
			found = found || r.arn == src
		}
		if !found {
			c.Fail(http.StatusNotFound, "NoSuchEntity", fmt.Sprintf("The role with ARN %s cannot be found.", src))
			return
		}
	} else if !strings.Contains(src, ":user/") && !strings.Contains(src, ":group/") {
		c.Fail(http.StatusBadRequest, "InvalidInput", fmt.Sprintf("Invalid ARN %s: PolicySourceArn must be a user, group or role.", src))
		return
	}
	actions := c.FormList("ActionNames")
	if len(actions) == 0 {
		c.Fail(http.StatusBadRequest, "InvalidInput", "ActionNames is required.")
		return
	}
	from, to, marker, ok := iamPage(c, len(actions))
	if !ok {
		return
	}
	type result struct {
		EvalActionName   string `xml:"EvalActionName"`
		EvalResourceName string `xml:"EvalResourceName"`
		EvalDecision     string `xml:"EvalDecision"`
	}
	rows := []result{}
	for _, a := range actions[from:to] {
		d := s.iam.decisions[strings.ToLower(a)]
		if d == "" {
			d = DecisionAllowed
		}
		rows = append(rows, result{EvalActionName: a, EvalResourceName: "*", EvalDecision: d})
	}
	c.XML(struct {
		EvaluationResults []result `xml:"EvaluationResults>member"`
		IsTruncated       bool     `xml:"IsTruncated"`
		Marker            string   `xml:"Marker,omitempty"`
	}{rows, marker != "", marker})
}
