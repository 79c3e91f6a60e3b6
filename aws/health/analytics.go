package health

// addAnalyticsCheckers registers MSK clusters and OpenSearch domains.
func addAnalyticsCheckers(r Registry) {}
