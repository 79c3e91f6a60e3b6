package awstest

import (
	"fmt"
	"net/http"
	"strings"
)

// iamState is the fake's IAM state (and the STS caller identity, which has no state of its own on Server).
type iamState struct {
	roles map[string]iamRole
	// callerArn and callerUserID answer sts GetCallerIdentity.
	callerArn, callerUserID string
}

type iamRole struct {
	name, path, arn, id string
}

func iamService() *service {
	return &service{protocol: protoQuery, xmlns: "https://iam.amazonaws.com/doc/2010-05-08/", handle: handleIAM}
}

// AddRole seeds an IAM role. The path is taken from the ARN (arn:aws:iam::123:role/service-role/name → /service-role/);
// an empty ARN gets the default one for the account.
func (s *Server) AddRole(name, arn string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.iam.roles == nil {
		s.iam.roles = map[string]iamRole{}
	}
	if arn == "" {
		arn = fmt.Sprintf("arn:aws:iam::%s:role/%s", s.AccountID, name)
	}
	path := "/"
	if i := strings.Index(arn, ":role/"); i >= 0 {
		rest := arn[i+len(":role/"):]
		if j := strings.LastIndexByte(rest, '/'); j >= 0 {
			path = "/" + rest[:j+1]
		}
	}
	s.iam.roles[name] = iamRole{name: name, path: path, arn: arn, id: fmt.Sprintf("AROA%016d", len(s.iam.roles)+1)}
}

// DeleteRole removes a seeded role (to script "the role was deleted" scenarios).
func (s *Server) DeleteRole(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.iam.roles, name)
}

func handleIAM(s *Server, c *call) {
	switch c.op {
	case "GetRole":
		name := c.Form("RoleName")
		r, ok := s.iam.roles[name]
		if !ok {
			c.Fail(http.StatusNotFound, "NoSuchEntity", fmt.Sprintf("The role with name %s cannot be found.", name))
			return
		}
		type role struct {
			Path                     string `xml:"Path"`
			RoleName                 string `xml:"RoleName"`
			RoleID                   string `xml:"RoleId"`
			Arn                      string `xml:"Arn"`
			CreateDate               string `xml:"CreateDate"`
			AssumeRolePolicyDocument string `xml:"AssumeRolePolicyDocument"`
			MaxSessionDuration       int    `xml:"MaxSessionDuration"`
		}
		c.XML(struct {
			Role role `xml:"Role"`
		}{role{
			Path: r.path, RoleName: r.name, RoleID: r.id, Arn: r.arn, CreateDate: cfnTime(c.now),
			AssumeRolePolicyDocument: "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22fis.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D",
			MaxSessionDuration:       3600,
		}})
	default:
		notImplemented(s, c)
	}
}
