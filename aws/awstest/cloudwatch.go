package awstest

// cloudwatchState is the fake's state for this service. (Stub: to be filled.)
type cloudwatchState struct{}

func cloudwatchService() *service {
	return &service{protocol: protoCBOR, xmlns: "", route: restRouter(), handle: notImplemented}
}
