package managedlogs

func addRDSDetectors(m map[string]DetectFunc) {}
