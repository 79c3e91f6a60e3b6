package awstest

// kafkaState is the fake's state for this service. (Stub: to be filled.)
type kafkaState struct{}

func kafkaService() *service {
	return &service{protocol: protoRestJSON, xmlns: "", route: restRouter(), handle: notImplemented}
}
