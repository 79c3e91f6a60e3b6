package managedlogs

func addOpenSearchDetectors(m map[string]DetectFunc) {}
