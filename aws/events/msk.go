package events

func addMSKReaders(m map[string]ReadFunc) {}
