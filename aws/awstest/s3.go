package awstest

// s3State is the fake's state for this service. (Stub: to be filled.)
type s3State struct{}

func s3Service() *service {
	return &service{protocol: protoRestXML, xmlns: "", route: restRouter(), handle: notImplemented}
}
