package events

func addEKSReaders(m map[string]ReadFunc) {}
