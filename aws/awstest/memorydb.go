package awstest

// memorydbState is the fake's state for this service. (Stub: to be filled.)
type memorydbState struct{}

func memorydbService() *service {
	return &service{protocol: protoJSON11, xmlns: "", route: restRouter(), handle: notImplemented}
}
