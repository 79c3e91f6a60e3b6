package awstest

import "fmt"

// stsState is unused: the caller identity lives in iamState (Server has no sts field).
type stsState struct{}

func stsService() *service {
	return &service{protocol: protoQuery, xmlns: "https://sts.amazonaws.com/doc/2011-06-15/", handle: handleSTS}
}

// SetCallerIdentity sets what sts GetCallerIdentity answers (default: an IAM user "awstest" of the account).
func (s *Server) SetCallerIdentity(arn, userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.iam.callerArn, s.iam.callerUserID = arn, userID
}

func handleSTS(s *Server, c *call) {
	switch c.op {
	case "GetCallerIdentity":
		arn, uid := s.iam.callerArn, s.iam.callerUserID
		if arn == "" {
			arn = fmt.Sprintf("arn:aws:iam::%s:user/awstest", s.AccountID)
		}
		if uid == "" {
			uid = "AIDAAWSTESTFAKEUSER01"
		}
		c.XML(struct {
			UserID  string `xml:"UserId"`
			Account string `xml:"Account"`
			Arn     string `xml:"Arn"`
		}{uid, s.AccountID, arn})
	case "AssumeRole":
		stsAssumeRole(s, c)
	default:
		notImplemented(s, c)
	}
}
