package endpoints

func addRDSLookups(m map[string]LookupFunc) {}
