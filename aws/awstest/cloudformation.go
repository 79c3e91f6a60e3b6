package awstest

// cfnState is the fake's state for this service. (Stub: to be filled.)
type cfnState struct{}

func cloudformationService() *service {
	return &service{protocol: protoQuery, xmlns: "http://cloudformation.amazonaws.com/doc/2010-05-15/", route: restRouter(), handle: notImplemented}
}
