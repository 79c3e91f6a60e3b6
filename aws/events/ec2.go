package events

func addEC2Readers(m map[string]ReadFunc) {}
