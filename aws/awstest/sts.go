package awstest

// stsState is the fake's state for this service. (Stub: to be filled.)
type stsState struct{}

func stsService() *service {
	return &service{protocol: protoQuery, xmlns: "https://sts.amazonaws.com/doc/2011-06-15/", route: restRouter(), handle: notImplemented}
}
