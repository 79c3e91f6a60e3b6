package managedlogs

func addEKSDetectors(m map[string]DetectFunc) {}
