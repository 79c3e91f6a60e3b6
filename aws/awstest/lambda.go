package awstest

// lambdaState is the fake's state for this service. (Stub: to be filled.)
type lambdaState struct{}

func lambdaService() *service {
	return &service{protocol: protoRestJSON, xmlns: "", route: restRouter(), handle: notImplemented}
}
