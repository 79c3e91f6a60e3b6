package awstest

// ec2State is the fake's state for this service. (Stub: to be filled.)
type ec2State struct{}

func ec2Service() *service {
	return &service{protocol: protoEC2Query, xmlns: "http://ec2.amazonaws.com/doc/2016-11-15/", route: restRouter(), handle: notImplemented}
}
