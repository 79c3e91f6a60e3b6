package awstest

// iamState is the fake's state for this service. (Stub: to be filled.)
type iamState struct{}

func iamService() *service {
	return &service{protocol: protoQuery, xmlns: "https://iam.amazonaws.com/doc/2010-05-08/", route: restRouter(), handle: notImplemented}
}
