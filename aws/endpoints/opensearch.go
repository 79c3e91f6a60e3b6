package endpoints

func addOpenSearchLookups(m map[string]LookupFunc) {}
