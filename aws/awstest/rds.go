package awstest

// rdsState is the fake's state for this service. (Stub: to be filled.)
type rdsState struct{}

func rdsService() *service {
	return &service{protocol: protoQuery, xmlns: "http://rds.amazonaws.com/doc/2014-10-31/", route: restRouter(), handle: notImplemented}
}
