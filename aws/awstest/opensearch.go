package awstest

// opensearchState is the fake's state for this service. (Stub: to be filled.)
type opensearchState struct{}

func opensearchService() *service {
	return &service{protocol: protoRestJSON, xmlns: "", route: restRouter(), handle: notImplemented}
}
