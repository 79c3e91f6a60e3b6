package report

import "github.com/fis-mcp/fis-mcp/session"

// faultChecks says, for every action of the run, whether its effect was observed in
// AWS's own records (issue 15, "Did the fault land?").
func faultChecks(s *session.Session, a *Analysis, lang string) []FaultCheck {
	return nil
}

// faultsSection renders whether each action's fault was observed.
func (r *renderer) faultsSection() {}
