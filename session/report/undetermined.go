package report

import (
	"strings"

	"github.com/fis-mcp/fis-mcp/session"
)

// A run whose experiment state is unknown, or whose actions never left pending, cannot be
// read as "recovered" or "not impacted": nobody knows whether (or when) the fault ran. The
// report says so first and keeps only the facts (error counts, times).

// endedStates are the run states after which an action still pending never started.
var endedStates = map[string]bool{"completed": true, "stopped": true, "failed": true, "cancelled": true, "unknown": true}

// noteUndetermined records on a whether the run's state is unknown and which actions never
// left pending.
func noteUndetermined(s *session.Session, a *Analysis) {
	if a.Aborted || s.Run == nil {
		return
	}
	st := strings.ToLower(strings.TrimSpace(s.Run.State))
	if st == "unknown" || st == "" {
		a.StateUnknown = true
		a.StateReason = s.Run.Reason
	}
	if !endedStates[st] && st != "" {
		return
	}
	for _, ac := range s.Run.Actions {
		if ac.StartTime == nil && (strings.EqualFold(ac.State, "pending") || ac.State == "") {
			a.ActionsNeverStarted = append(a.ActionsNeverStarted, ac.Name)
		}
	}
}

// undetermined reports whether nothing of the run can be read as recovered or not
// impacted: its state is unknown, or none of its actions ever started.
func (a *Analysis) undetermined(s *session.Session) bool {
	if a.StateUnknown {
		return true
	}
	return s.Run != nil && len(s.Run.Actions) > 0 && len(a.ActionsNeverStarted) == len(s.Run.Actions)
}

// undeterminedWhy is the short reason shown where a status would have been.
func undeterminedWhy(lang string, a *Analysis) string {
	if a.StateUnknown {
		return tr(lang, "experiment state unknown: whether and when the fault ran is not known")
	}
	return tr(lang, "no action ever started: no fault was injected")
}

// reassuring reports whether a status would say all is well.
func reassuring(st string) bool { return st == StatusRecovered || st == StatusNotImpacted }

// withholdApps clears the reassuring statuses of the apps (and managed-service logs) of an
// undetermined run: the status becomes unknown and the note says why.
func withholdApps(s *session.Session, a *Analysis, lang string) {
	if !a.undetermined(s) {
		return
	}
	why := undeterminedWhy(lang, a)
	hold := func(ap *AppAnalysis) {
		if reassuring(ap.RecoveryStatus) {
			ap.ObservedStatus = ap.RecoveryStatus
			ap.RecoveryStatus = ""
			ap.RecoveryNote = why
		}
	}
	for i := range a.Apps {
		hold(&a.Apps[i])
	}
	for i := range a.Managed {
		if a.Managed[i].Logs != nil {
			hold(a.Managed[i].Logs)
		}
	}
}

// withholdServices does the same for the per-service statuses.
func withholdServices(s *session.Session, a *Analysis, lang string) {
	if !a.undetermined(s) {
		return
	}
	why := undeterminedWhy(lang, a)
	for i := range a.Services {
		sv := &a.Services[i]
		if reassuring(sv.RecoveryStatus) || sv.RecoveryStatus == "" {
			sv.RecoveryStatus = ""
			sv.Notes = why + tr(lang, "; ") + sv.Notes
		}
	}
}

// undeterminedIssues are the issues of an unknown state and of actions that never started.
func undeterminedIssues(s *session.Session, a *Analysis, lang string) []Issue {
	var out []Issue
	if a.StateUnknown {
		out = append(out, Issue{Problem: tr(lang, "experiment state unknown: %s", orDash(a.StateReason)),
			Recommendation: tr(lang, "Check the experiment in the FIS console or with `%s`, and read these results as unconfirmed until its state is known.", getExperimentCLI(s))})
	}
	if len(a.ActionsNeverStarted) > 0 {
		out = append(out, Issue{Problem: tr(lang, "actions never started: %s (still pending when the run ended)", strings.Join(a.ActionsNeverStarted, ", ")),
			Recommendation: tr(lang, "Check each action's state reason in the FIS console or with `%s` (often the template's IAM role lacks permissions or its targets resolved nothing), then rerun.", getExperimentCLI(s))})
	}
	return out
}

// getExperimentCLI is the AWS CLI command that reads the run's experiment.
func getExperimentCLI(s *session.Session) string {
	id := ""
	if s.Run != nil {
		id = s.Run.ExperimentID
	}
	c := "aws fis get-experiment --id " + shellQuote(orDash(id))
	if s.Experiment.Region != "" {
		c += " --region " + shellQuote(s.Experiment.Region)
	}
	return c
}

// undeterminedWarning is the bold line that opens the report of such a run ("" otherwise).
func undeterminedWarning(s *session.Session, a *Analysis, lang string) string {
	var parts []string
	if a.StateUnknown {
		parts = append(parts, tr(lang, "the experiment state is unknown (%s)", orDash(a.StateReason)))
	}
	if len(a.ActionsNeverStarted) > 0 {
		parts = append(parts, tr(lang, "these actions never left pending: %s", strings.Join(a.ActionsNeverStarted, ", ")))
	}
	if len(parts) == 0 {
		return ""
	}
	line := tr(lang, "⚠️ **Warning: %s.**", strings.Join(parts, tr(lang, "; ")))
	if a.undetermined(s) {
		line += " " + tr(lang, "Whether the fault ran is not known, so nothing below is reported as recovered or not impacted; check `%s`.", getExperimentCLI(s))
	}
	return line
}
