package awstest

// autoscalingState is the fake's state for this service. (Stub: to be filled.)
type autoscalingState struct{}

func autoscalingService() *service {
	return &service{protocol: protoQuery, xmlns: "http://autoscaling.amazonaws.com/doc/2011-01-01/", route: restRouter(), handle: notImplemented}
}
