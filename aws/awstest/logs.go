package awstest

// logsState is the fake's state for this service. (Stub: to be filled.)
type logsState struct{}

func logsService() *service {
	return &service{protocol: protoJSON11, xmlns: "", route: restRouter(), handle: notImplemented}
}
