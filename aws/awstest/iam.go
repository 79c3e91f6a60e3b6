package awstest

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// iamState is the fake's IAM state (and the STS caller identity, which has no state of its own on Server).
type iamState struct {
	roles map[string]iamRole
	// callerArn and callerUserID answer sts GetCallerIdentity.
	callerArn, callerUserID string
	// decisions are SimulatePrincipalPolicy's non-allowed answers per action (iam_simulate.go).
	decisions map[string]string
}

type iamRole struct {
	name, path, arn, id string
	tags                map[string]string
	// trust is the role's trust policy JSON ("" means one that trusts fis.amazonaws.com).
	trust string
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

// TagRole adds tags to a seeded role (IAM TagRole); the Tagging API records them too but,
// as in AWS, its GetResources does not return IAM roles.
func (s *Server) TagRole(name string, tags map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.iam.roles[name]
	if !ok {
		return
	}
	if r.tags == nil {
		r.tags = map[string]string{}
	}
	for k, v := range tags {
		r.tags[k] = v
	}
	s.iam.roles[name] = r
	s.tagResource(r.arn, tags)
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
			AssumeRolePolicyDocument: roleTrustDocument(r),
			MaxSessionDuration:       3600,
		}})
	case "SimulatePrincipalPolicy":
		iamSimulatePrincipalPolicy(s, c)
	case "ListRoles":
		iamListRoles(s, c)
	case "ListRoleTags":
		iamListRoleTags(s, c)
	default:
		notImplemented(s, c)
	}
}

type iamRoleXML struct {
	Path               string `xml:"Path"`
	RoleName           string `xml:"RoleName"`
	RoleID             string `xml:"RoleId"`
	Arn                string `xml:"Arn"`
	CreateDate         string `xml:"CreateDate"`
	MaxSessionDuration int    `xml:"MaxSessionDuration"`
}

type iamTagXML struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

// iamPage applies Marker (an offset) and MaxItems (1-1000, default 100) as IAM list calls do.
func iamPage(c *call, n int) (from, to int, marker string, ok bool) {
	if m := c.Form("Marker"); m != "" {
		v, err := strconv.Atoi(strings.TrimPrefix(m, "m-"))
		if err != nil || v < 0 || v > n {
			c.Fail(http.StatusBadRequest, "ValidationError", "Invalid Marker.")
			return 0, 0, "", false
		}
		from = v
	}
	limit := 100
	if mi := c.Form("MaxItems"); mi != "" {
		v, err := strconv.Atoi(mi)
		if err != nil || v < 1 || v > 1000 {
			c.Fail(http.StatusBadRequest, "ValidationError", "MaxItems must be between 1 and 1000.")
			return 0, 0, "", false
		}
		limit = v
	}
	to = min(from+limit, n)
	if to < n {
		marker = fmt.Sprintf("m-%d", to)
	}
	return from, to, marker, true
}

// iamListRoles lists roles without their tags: "The following IAM resource attributes are not
// returned by default: PermissionsBoundary, RoleLastUsed, and Tags"
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListRoles.html).
func iamListRoles(s *Server, c *call) {
	prefix := c.Form("PathPrefix")
	names := make([]string, 0, len(s.iam.roles))
	for n, r := range s.iam.roles {
		if prefix == "" || strings.HasPrefix(r.path, prefix) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	from, to, marker, ok := iamPage(c, len(names))
	if !ok {
		return
	}
	rows := []iamRoleXML{}
	for _, n := range names[from:to] {
		r := s.iam.roles[n]
		rows = append(rows, iamRoleXML{Path: r.path, RoleName: r.name, RoleID: r.id, Arn: r.arn, CreateDate: cfnTime(c.now), MaxSessionDuration: 3600})
	}
	c.XML(struct {
		Roles       []iamRoleXML `xml:"Roles>member"`
		IsTruncated bool         `xml:"IsTruncated"`
		Marker      string       `xml:"Marker,omitempty"`
	}{rows, marker != "", marker})
}

// iamListRoleTags lists a role's tags (https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListRoleTags.html).
func iamListRoleTags(s *Server, c *call) {
	name := c.Form("RoleName")
	r, ok := s.iam.roles[name]
	if !ok {
		c.Fail(http.StatusNotFound, "NoSuchEntity", fmt.Sprintf("The role with name %s cannot be found.", name))
		return
	}
	keys := make([]string, 0, len(r.tags))
	for k := range r.tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	from, to, marker, ok := iamPage(c, len(keys))
	if !ok {
		return
	}
	tags := []iamTagXML{}
	for _, k := range keys[from:to] {
		tags = append(tags, iamTagXML{Key: k, Value: r.tags[k]})
	}
	c.XML(struct {
		Tags        []iamTagXML `xml:"Tags>member"`
		IsTruncated bool        `xml:"IsTruncated"`
		Marker      string      `xml:"Marker,omitempty"`
	}{tags, marker != "", marker})
}
