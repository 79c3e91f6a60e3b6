package awstest

// dynamodbState is the fake's state for this service. (Stub: to be filled.)
type dynamodbState struct{}

func dynamodbService() *service {
	return &service{protocol: protoJSON10, xmlns: "", route: restRouter(), handle: notImplemented}
}
