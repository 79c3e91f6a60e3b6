package endpoints

func addMSKLookups(m map[string]LookupFunc) {}
