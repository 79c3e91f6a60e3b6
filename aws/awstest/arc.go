package awstest

// arcState is the fake's state for this service. (Stub: to be filled.)
type arcState struct{}

func arcService() *service {
	return &service{protocol: protoRestJSON, route: restRouter(), handle: notImplemented}
}
