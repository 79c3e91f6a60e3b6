package awstest

import (
	"fmt"
	"net/http"
	"strings"
)

// SetAccessEntries sets a cluster's access entries (IAM principal ARNs). Without it a
// cluster has one entry: the caller's principal (its role ARN for an assumed role).
func (s *Server) SetAccessEntries(cluster string, principalArns ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.eks.accessEntries == nil {
		s.eks.accessEntries = map[string][]string{}
	}
	s.eks.accessEntries[cluster] = append([]string{}, principalArns...)
}

// callerPrincipalArn is the IAM principal of the caller identity: an assumed-role
// session arn:aws:sts::ACCT:assumed-role/NAME/SESSION is role NAME
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns). Lock held.
func (s *Server) callerPrincipalArn() string {
	arn := s.iam.callerArn
	if arn == "" {
		return fmt.Sprintf("arn:aws:iam::%s:user/awstest", s.AccountID)
	}
	if i := strings.Index(arn, ":assumed-role/"); i >= 0 {
		name, _, _ := strings.Cut(arn[i+len(":assumed-role/"):], "/")
		return fmt.Sprintf("arn:aws:iam::%s:role/%s", s.AccountID, name)
	}
	return arn
}

// eksListAccessEntries lists a cluster's access entries: "accessEntries" is a list of
// principal ARNs (https://docs.aws.amazon.com/eks/latest/APIReference/API_ListAccessEntries.html).
func eksListAccessEntries(s *Server, c *call) {
	name := c.Param("name")
	if s.eks.clusters[name] == nil {
		c.Fail(http.StatusNotFound, "ResourceNotFoundException", fmt.Sprintf("No cluster found for name: %s.", name))
		return
	}
	entries, ok := s.eks.accessEntries[name]
	if !ok {
		entries = []string{s.callerPrincipalArn()}
	}
	page, next, ok := rjPage(c, entries, 100)
	if !ok {
		return
	}
	c.JSON(map[string]any{"accessEntries": page, "nextToken": rjNilIfEmpty(next)})
}
