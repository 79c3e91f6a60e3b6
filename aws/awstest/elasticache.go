package awstest

// elasticacheState is the fake's state for this service. (Stub: to be filled.)
type elasticacheState struct{}

func elasticacheService() *service {
	return &service{protocol: protoQuery, xmlns: "http://elasticache.amazonaws.com/doc/2015-02-02/", route: restRouter(), handle: notImplemented}
}
