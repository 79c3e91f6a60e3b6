package report

import (
	"fmt"
	"strings"

	"github.com/fis-mcp/fis-mcp/session"
)

// Summary is the short terminal summary printed after the report is written: file
// path, experiment ID, final status, times, one line per action and per service,
// errors per app, issues and the cleanup commands.
func Summary(s *session.Session, a *Analysis) string {
	if s == nil || a == nil {
		return ""
	}
	lang := a.Language
	var b strings.Builder
	line := func(format string, args ...any) { b.WriteString(tr(lang, format, args...) + "\n") }
	b.WriteString(verdictLine(lang, a) + "\n")
	for _, r := range a.VerdictReasons {
		b.WriteString("  - " + shortLine(r, summaryReasonRunes) + "\n")
	}
	if s.Report != nil && s.Report.Path != "" {
		line("Report: %s", s.Report.Path)
	}
	if a.Aborted {
		reason := ""
		if s.Abort != nil {
			reason = s.Abort.Reason
		}
		line("Session %s aborted: %s", s.ID, orDash(reason))
	} else {
		status := s.Run.State
		if s.Run.Reason != "" {
			status += " (" + s.Run.Reason + ")"
		}
		line("Experiment %s: %s", s.Run.ExperimentID, status)
		end, dur := "—", "—"
		if a.EndKnown {
			end, dur = iso(a.ExperimentEnd), fmtDur(lang, a.ExperimentEnd.Sub(a.ExperimentStart))
		}
		line("Start %s, end %s, duration %s", iso(a.ExperimentStart), end, dur)
		for _, ac := range s.Run.Actions {
			l := fmt.Sprintf("  action %s (%s): %s", ac.Name, ac.ActionID, ac.State)
			if ac.Reason != "" {
				l += " — " + ac.Reason
			}
			b.WriteString(l + "\n")
		}
	}
	for _, sv := range a.Services {
		b.WriteString(fmt.Sprintf("  %s (%s): %s — %s\n", sv.Service, sv.Identifier, statusText(lang, sv.RecoveryStatus), sv.Notes))
	}
	for i := range a.Apps {
		ap := &a.Apps[i]
		b.WriteString(fmt.Sprintf("  %s: %s\n", ap.Key(), tr(lang, "%d errors, %d warnings, peak %d/10 s, %s", ap.Errors, ap.Warnings, ap.PeakErrors, statusText(lang, ap.RecoveryStatus))))
	}
	if len(a.Issues) > 0 {
		line("Issues requiring attention:")
		for i, is := range a.Issues {
			b.WriteString(fmt.Sprintf("  %d. %s\n", i+1, is.Problem))
		}
	}
	if cmds := cleanupCommands(s); len(cmds) > 0 {
		line("Cleanup (run yourself when done):")
		for _, c := range cmds {
			b.WriteString("  " + c + "\n")
		}
	}
	return b.String()
}

// summaryReasonRunes caps a verdict reason in the summary (the report has it whole).
const summaryReasonRunes = 300

// shortLine cuts s at n runes, with an ellipsis.
func shortLine(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
