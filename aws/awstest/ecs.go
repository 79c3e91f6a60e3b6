package awstest

// ecsState is the fake's state for this service. (Stub: to be filled.)
type ecsState struct{}

func ecsService() *service {
	return &service{protocol: protoJSON11, xmlns: "", route: restRouter(), handle: notImplemented}
}
