package report

// history renders the "Compared with earlier runs" table (runs.jsonl).
func (r *renderer) history() {}
