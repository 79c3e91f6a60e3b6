package events

func addCacheReaders(m map[string]ReadFunc) {}
