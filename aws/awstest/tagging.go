package awstest

// taggingState is the fake's state for this service. (Stub: to be filled.)
type taggingState struct{}

func taggingService() *service {
	return &service{protocol: protoJSON11, xmlns: "", route: restRouter(), handle: notImplemented}
}
