package managedlogs

func addCacheDetectors(m map[string]DetectFunc) {}
