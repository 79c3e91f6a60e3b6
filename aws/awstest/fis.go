package awstest

// fisState is the fake's state for this service. (Stub: to be filled.)
type fisState struct{}

func fisService() *service {
	return &service{protocol: protoRestJSON, xmlns: "", route: restRouter(), handle: notImplemented}
}
