package events

func addRDSReaders(m map[string]ReadFunc) {}
