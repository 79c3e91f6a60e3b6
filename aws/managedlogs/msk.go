package managedlogs

func addMSKDetectors(m map[string]DetectFunc) {}
