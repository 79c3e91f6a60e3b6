package report

// fisReport links FIS's own experiment report, when the template configures one.
func (r *renderer) fisReport() {}
