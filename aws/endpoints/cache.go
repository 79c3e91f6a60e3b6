package endpoints

func addCacheLookups(m map[string]LookupFunc) {}
