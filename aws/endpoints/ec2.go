package endpoints

func addEC2Lookups(m map[string]LookupFunc) {}
