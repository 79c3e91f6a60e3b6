package report

import "github.com/fis-mcp/fis-mcp/session"

// computeVerdict evaluates the hypothesis criteria (fixed at the start, else the
// finalize_report argument, else the README's hypothesis, else the default
// steady-state hypothesis) and the fault checks into the report's verdict.
func computeVerdict(s *session.Session, a *Analysis, given []session.Criterion, lang string) (string, []string, []CriterionResult) {
	return VerdictInconclusive, nil, nil
}

// verdictSection renders the verdict, its criteria and their evidence (it leads the report).
func (r *renderer) verdictSection() {}
