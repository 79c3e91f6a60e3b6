package awstest

// eksState is the fake's state for this service. (Stub: to be filled.)
type eksState struct{}

func eksService() *service {
	return &service{protocol: protoRestJSON, xmlns: "", route: restRouter(), handle: notImplemented}
}
