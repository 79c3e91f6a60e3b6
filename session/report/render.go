package report

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/fis-mcp/fis-mcp/session"
)

// Render produces the Markdown report and its JSON twin. lang "" uses the
// analysis language. Analysis notes keep the language Analyze used.
func Render(s *session.Session, a *Analysis, lang string) (markdown []byte, jsonBytes []byte, err error) {
	out, err := render(s, a, lang)
	if err != nil {
		return nil, nil, err
	}
	return out.markdown, out.json, nil
}

// render is Render plus what the HTML twin needs: the language and the charts the
// Markdown draws, in order (html.go).
func render(s *session.Session, a *Analysis, lang string) (*rendered, error) {
	if s == nil || a == nil {
		return nil, errors.New("report: Render needs a session and an analysis")
	}
	if lang == "" {
		lang = a.Language
	}
	lang = pickLanguage(lang, s)
	recs, issues := a.Recommendations, a.Issues
	if lang != a.Language {
		recs, issues = findings(s, a, lang)
	}
	r := &renderer{s: s, a: a, lang: lang, recs: recs, issues: issues}
	md := r.markdown()
	js, err := renderJSON(s, a, lang, recs, issues)
	if err != nil {
		return nil, err
	}
	return &rendered{markdown: []byte(md), json: js, lang: lang, charts: r.charts}, nil
}

type renderer struct {
	s      *session.Session
	a      *Analysis
	lang   string
	recs   []Recommendation
	issues []Issue
	b      strings.Builder
	// charts are the Mermaid charts written so far, in order (mermaid.go).
	charts []*Chart
}

func (r *renderer) t(format string, args ...any) string { return tr(r.lang, format, args...) }

func (r *renderer) p(format string, args ...any) {
	r.b.WriteString(r.t(format, args...))
	r.b.WriteByte('\n')
}

func (r *renderer) raw(s string) { r.b.WriteString(s) }

func (r *renderer) nl() { r.b.WriteByte('\n') }

// cell escapes a table cell.
func cell(s string) string {
	s = strings.NewReplacer("|", "\\|", "\n", " ", "\r", " ").Replace(s)
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

func (r *renderer) row(cells ...string) {
	r.b.WriteString("|")
	for _, c := range cells {
		r.b.WriteString(" " + cell(c) + " |")
	}
	r.b.WriteByte('\n')
}

func (r *renderer) header(cols ...string) {
	tc := make([]string, len(cols))
	for i, c := range cols {
		tc[i] = r.t(c)
	}
	r.row(tc...)
	r.b.WriteString("|" + strings.Repeat("---|", len(cols)) + "\n")
}

func (r *renderer) markdown() string {
	r.head()
	r.verdictSection()
	r.faultsSection()
	r.fisReport()
	r.actions()
	r.alarms()
	r.timeline()
	r.services()
	r.appLogs()
	r.recovery()
	r.history()
	r.issuesSection()
	r.cleanup()
	r.logFiles()
	r.auditTrail()
	return r.b.String()
}

func (r *renderer) head() {
	s, a := r.s, r.a
	r.p("## FIS Experiment Results")
	r.nl()
	if s.Simulated {
		r.p("> **SIMULATED run:** fis-mcp ran against its built-in simulated account; no real AWS resource was affected.")
		r.nl()
	}
	if w := undeterminedWarning(s, a, r.lang); w != "" {
		r.raw(w + "\n\n")
	}
	fact := func(label, value string) { r.raw(fmt.Sprintf("- **%s:** %s\n", r.t(label), value)) }
	fact("Scenario", orDash(s.Experiment.Scenario))
	expID := "—"
	if s.Run != nil && s.Run.ExperimentID != "" {
		expID = "`" + s.Run.ExperimentID + "`"
	}
	fact("Experiment ID", expID)
	fact("Template ID", "`"+orDash(s.Experiment.TemplateID)+"`")
	stack := orDash(s.Experiment.StackName)
	if s.Experiment.StackStatus != "" {
		stack += " (" + s.Experiment.StackStatus + ")"
	}
	fact("Stack", stack)
	fact("Region", orDash(s.Experiment.Region))
	if s.Experiment.TargetAZ != "" {
		fact("Target AZ", s.Experiment.TargetAZ)
	}
	if a.Aborted {
		reason := ""
		if s.Abort != nil {
			reason = s.Abort.Reason
		}
		fact("Status", "**"+r.t("aborted")+"** — "+orDash(reason))
		if s.Abort != nil {
			fact("Aborted at", iso(s.Abort.At))
			if s.Abort.Remedy != "" {
				fact("Remedy", s.Abort.Remedy)
			}
			for _, d := range s.Abort.Details {
				r.raw("  - " + d + "\n")
			}
		}
		fact("Start", r.t("not started"))
		fact("End", "—")
		fact("Duration", "—")
	} else {
		st := "**" + orDash(s.Run.State) + "**"
		if s.Run.Reason != "" {
			st += " — " + s.Run.Reason
		}
		fact("Status", st)
		fact("Start", iso(a.ExperimentStart))
		if a.EndKnown {
			fact("End", iso(a.ExperimentEnd))
			fact("Duration", fmtDur(r.lang, a.ExperimentEnd.Sub(a.ExperimentStart))+r.plannedDuration())
		} else {
			fact("End", r.t("not ended when the report was written"))
			fact("Duration", "—")
		}
	}
	if h := s.Health; h != nil {
		v := "**" + orDash(h.Verdict) + "**"
		if h.Override != nil {
			v += r.t(" — overridden by %s at %s: %s", orDash(h.Override.By), iso(h.Override.At), orDash(h.Override.Reason))
			if len(h.Override.Unhealthy) > 0 {
				v += r.t("; unhealthy: %s", strings.Join(h.Override.Unhealthy, ", "))
			}
		} else {
			var bad []string
			for _, res := range h.Resources {
				if !res.Healthy {
					bad = append(bad, res.ID+" ("+res.Status+")")
				}
			}
			if len(bad) > 0 {
				v += r.t("; unhealthy: %s", strings.Join(bad, ", "))
			}
		}
		fact("Health check", v+r.t(" (checked %s)", iso(h.CheckedAt)))
	} else {
		fact("Health check", r.t("not run"))
	}
	if s.Run != nil && !s.Run.ConfirmedAt.IsZero() {
		fact("Confirmed", r.t("by %s at %s", orDash(s.Run.ConfirmedBy), iso(s.Run.ConfirmedAt)))
	}
	dry := false
	if s.Run != nil {
		dry = s.Run.DryRun
	} else if s.Confirmation != nil {
		dry = s.Confirmation.DryRun
	}
	fact("Dry run", r.yesNo(dry))
	if !a.GeneratedAt.IsZero() {
		fact("Report generated", iso(a.GeneratedAt))
	}
	if a.FinalizedBy != "" {
		fact("Finalized by", a.FinalizedBy)
	}
	if s.Experiment.DashboardURL != "" {
		fact("Dashboard", s.Experiment.DashboardURL)
	}
	r.nl()
}

// plannedDuration is " (planned: 3 min)" from the README's estimated duration ("PT3M"), or "".
func (r *renderer) plannedDuration() string {
	if est := strings.TrimSpace(r.s.Experiment.EstimatedDuration); est != "" {
		return r.t(" (planned: %s)", fmtISO(r.lang, est))
	}
	return ""
}

func (r *renderer) yesNo(b bool) string {
	if b {
		return r.t("yes")
	}
	return r.t("no")
}

func (r *renderer) actions() {
	r.p("### Action Results")
	r.nl()
	if r.a.Aborted {
		r.p("No experiment was started, so no action ran. Planned actions:")
		r.nl()
		if len(r.s.Experiment.Template.Actions) == 0 {
			r.p("_None known._")
			r.nl()
			return
		}
		r.header("Action", "Action ID", "Status")
		for _, ac := range r.s.Experiment.Template.Actions {
			r.row(ac.Name, "`"+ac.ActionID+"`", r.t("not started"))
		}
		r.nl()
		return
	}
	r.header("Action", "Action ID", "Status", "Start (UTC)", "End (UTC)", "Duration")
	for _, ac := range r.s.Run.Actions {
		st := ac.State
		if ac.Reason != "" {
			st += " — " + ac.Reason
		}
		start, end, dur := "—", "—", "—"
		if ac.StartTime != nil {
			start = hms(*ac.StartTime)
		}
		if ac.EndTime != nil {
			end = hms(*ac.EndTime)
		}
		if ac.StartTime != nil && ac.EndTime != nil {
			dur = fmtDur(r.lang, ac.EndTime.Sub(*ac.StartTime))
		}
		r.row(ac.Name, "`"+ac.ActionID+"`", st, start, end, dur)
	}
	if len(r.s.Run.Actions) == 0 {
		r.row(r.t("no action states were recorded"), "", "", "", "", "")
	}
	r.nl()
}

func (r *renderer) alarms() {
	r.p("### Stop Condition Alarms")
	r.nl()
	names := stopConditionAlarms(r.s)
	if len(names) == 0 {
		r.p("> ⚠️ **No stop conditions configured.** Nothing would have stopped this experiment automatically had the impact exceeded the plan.")
		r.nl()
		return
	}
	r.header("Alarm", "State during run", "Final State")
	for _, n := range names {
		seen, final := alarmStates(r.s, n)
		r.row(n, strings.Join(seen, " → "), final)
	}
	r.nl()
}

func (r *renderer) timeline() {
	r.p("### Timeline")
	r.nl()
	if len(r.a.Timeline) == 0 {
		r.p("_No events were recorded._")
		r.nl()
	} else {
		r.header("Time (UTC)", "Source", "Event")
		for _, e := range r.a.Timeline {
			r.row(hms(e.Time), e.Source, eventCell(e))
		}
		r.nl()
		if hasUntrustedEvents(r.a.Timeline) {
			r.p(untrustedEventsNote)
			r.nl()
		}
	}
	var tasks []ganttTask
	if r.s.Run != nil && !r.a.Aborted {
		for _, ac := range r.s.Run.Actions {
			if ac.StartTime == nil {
				continue
			}
			end := r.a.ExperimentEnd
			if ac.EndTime != nil {
				end = *ac.EndTime
			}
			tasks = append(tasks, ganttTask{section: r.t("FIS actions"), name: ac.Name, tag: "active", start: *ac.StartTime, end: end})
		}
	}
	for i := range r.a.Apps {
		ap := &r.a.Apps[i]
		if !ap.Impacted() || ap.FirstError == nil || ap.LastError == nil {
			continue
		}
		tasks = append(tasks, ganttTask{section: r.t("Application errors"), name: ap.Key(), tag: "crit", start: *ap.FirstError, end: *ap.LastError})
	}
	r.chart(renderGantt(&r.b, r.t("Actions and impact windows (UTC)"), tasks))
}

// relatedEvents lists the timeline entries about one service and its apps.
func (r *renderer) relatedEvents(sv *ServiceAnalysis) []TimelineEntry {
	apps := map[string]bool{}
	for _, k := range sv.Apps {
		apps[k] = true
	}
	for _, res := range sv.Resources {
		apps[res.ID] = true // the resolved resources of a tag or name row
	}
	var out []TimelineEntry
	for _, e := range r.a.Timeline {
		if e.Subject == sv.Identifier || apps[e.Subject] || (e.Subject == "" && strings.Contains(e.Event, sv.Identifier)) {
			out = append(out, e)
		}
	}
	return out
}

func (r *renderer) appByKey(k string) *AppAnalysis {
	for i := range r.a.Apps {
		if r.a.Apps[i].Key() == k {
			return &r.a.Apps[i]
		}
	}
	return nil
}

func (r *renderer) services() {
	r.p("### Per-Service Impact Analysis")
	r.nl()
	if len(r.a.Services) == 0 {
		r.p("_The README lists no affected resources._")
		r.nl()
	}
	for i := range r.a.Services {
		sv := &r.a.Services[i]
		r.raw(fmt.Sprintf("#### %s (%s)\n\n", sv.Service, sv.Identifier))
		if sv.Indirect {
			r.p("_Indirectly affected: not tied to an affected resource, but its errors rose during the fault window._")
			r.nl()
		} else if sv.Impact != "" {
			r.raw(fmt.Sprintf("_%s_ %s\n\n", r.t("Planned impact:"), sv.Impact))
		}
		if exp := r.expected(sv); exp != "" {
			r.raw(fmt.Sprintf("**%s**\n\n", r.t("Expected behaviour (expected-behavior.md)")))
			for _, l := range strings.Split(strings.TrimSpace(exp), "\n") {
				r.raw("> " + l + "\n")
			}
			r.nl()
		}
		evs := r.relatedEvents(sv)
		if len(evs) > 0 {
			r.header("Time (UTC)", "Source", "Event")
			for _, e := range evs {
				r.row(hms(e.Time), e.Source, eventCell(e))
			}
			r.nl()
		}
		r.raw(fmt.Sprintf("**%s**\n\n", r.t("Observed behaviour")))
		var obs []string
		if h := r.s.Health; h != nil {
			for _, res := range h.Resources {
				if res.ID == sv.Identifier {
					obs = append(obs, r.t("Before the run the resource was %s (%s).", res.Status, healthWord(r.lang, res.Healthy)))
				}
			}
		}
		if sv.FinalState != "" {
			obs = append(obs, r.t("Last state seen while monitoring: %s.", sv.FinalState))
		}
		obs = append(obs, r.resourceLines(sv)...)
		nAWS := 0
		if r.s.Observations != nil {
			for _, e := range r.s.Observations.ServiceEvents {
				if e.Subject == sv.Identifier {
					nAWS++
				}
			}
		}
		if nAWS > 0 {
			obs = append(obs, r.t("AWS events recorded for this resource: %d (in the table above).", nAWS))
		}
		for _, k := range sv.Apps {
			ap := r.appByKey(k)
			if ap == nil {
				continue
			}
			obs = append(obs, r.appLine(ap))
		}
		if len(sv.Apps) == 0 && !sv.Indirect {
			obs = append(obs, r.t("No application depending on this resource had its logs collected."))
		}
		for _, o := range obs {
			r.raw("- " + o + "\n")
		}
		r.nl()
		r.raw(fmt.Sprintf("**%s**\n\n", r.t("Key findings")))
		r.raw("- " + r.t("Recovery: %s — %s", statusText(r.lang, sv.RecoveryStatus), sv.Notes) + "\n")
		for _, rc := range r.recs {
			if rc.Service == sv.Identifier || rc.App == sv.Identifier {
				r.raw("- " + rc.Finding + "\n")
			}
		}
		r.nl()
		if r.s.Observations != nil {
			for _, m := range r.s.Observations.Metrics {
				if m.Identifier == sv.Identifier {
					r.chart(renderMetricChart(&r.b, r.lang, m))
				}
			}
		}
	}
}

// resourceLines describe each resolved resource of a tag or name row: its target, its
// state before the run, the states seen while monitoring and the last one.
func (r *renderer) resourceLines(sv *ServiceAnalysis) []string {
	if len(sv.Resources) == 0 {
		return nil
	}
	out := []string{r.t("%s stands for %d resolved resources:", sv.Identifier, len(sv.Resources))}
	for _, res := range sv.Resources {
		l := "`" + res.ID + "`"
		if res.Target != "" {
			l += " " + r.t("(target %s)", res.Target)
		}
		l += ": "
		if res.Before != "" {
			l += r.t("before the run %s", res.Before) + "; "
		}
		if len(res.States) > 0 {
			l += r.t("states seen %s", strings.Join(res.States, " → ")) + "; "
		}
		if res.Final != "" {
			l += r.t("last state %s (%s)", res.Final, healthWord(r.lang, res.Healthy != nil && *res.Healthy))
		} else {
			l += r.t("no state observed while monitoring")
		}
		out[0] += "\n  - " + l
	}
	return out
}

func (r *renderer) expected(sv *ServiceAnalysis) string {
	for k, v := range r.s.Experiment.ExpectedBehavior {
		if strings.Contains(k, "("+sv.Identifier+")") || k == sv.Identifier {
			return v
		}
	}
	return ""
}

func healthWord(lang string, ok bool) string {
	if ok {
		return tr(lang, "healthy")
	}
	return tr(lang, "unhealthy")
}

// appLine is a one-line factual summary of an app.
func (r *renderer) appLine(ap *AppAnalysis) string {
	s := r.t("%s: %d errors, %d warnings; %s", ap.Key(), ap.Errors, ap.Warnings, statusText(r.lang, ap.RecoveryStatus))
	if ap.TimeToImpact != nil {
		s += r.t("; first error %s after the fault started", fmtSeconds(r.lang, *ap.TimeToImpact))
	}
	if ap.RecoverySeconds != nil && ap.QuietAt != nil {
		s += r.t("; back at the pre-fault error rate from %s, %s after %s (%s)", hms(*ap.QuietAt), fmtSeconds(r.lang, *ap.RecoverySeconds), ap.RecoveryRef, hms(ap.RecoveryFrom))
	}
	return s
}

func (r *renderer) appLogs() {
	r.p("### Application Log Analysis")
	r.nl()
	if reason := r.skipReason(); reason != "" {
		r.raw(reason + "\n\n")
	} else {
		r.raw(r.t("Window: baseline before %s, fault %s → %s, observation closes at %s (UTC).",
			hms(r.a.FaultStart), hms(r.a.FaultStart), hms(r.a.FaultEnd), hms(r.a.WindowClose)) + "\n\n")
		r.raw(r.recoveryRule() + "\n\n")
		done := map[string]bool{}
		for _, sv := range r.a.Services {
			if sv.Indirect || len(sv.Apps) == 0 {
				continue
			}
			r.raw(fmt.Sprintf("#### %s (%s)\n\n", sv.Service, sv.Identifier))
			for _, k := range sv.Apps {
				if ap := r.appByKey(k); ap != nil && !done[k] {
					done[k] = true
					r.app(ap)
				}
			}
		}
		var rest []*AppAnalysis
		for i := range r.a.Apps {
			if !done[r.a.Apps[i].Key()] {
				rest = append(rest, &r.a.Apps[i])
			}
		}
		if len(rest) > 0 {
			r.raw(fmt.Sprintf("#### %s\n\n", r.t("Other applications (indirect or unattributed)")))
			for _, ap := range rest {
				r.app(ap)
			}
		}
	}
	r.managed()
	if len(r.a.Notes) > 0 {
		r.raw(fmt.Sprintf("**%s**\n\n", r.t("Analysis notes")))
		for _, n := range r.a.Notes {
			r.raw("- " + n + "\n")
		}
		r.nl()
	}
}

// recoveryRule is the one line saying how every recovery time is measured, and which
// reference each app uses when they differ.
func (r *renderer) recoveryRule() string {
	line := r.t("Recovery = time from the end of the fault on the app's dependency (or its start, for one-shot faults like a reboot or failover) to the first 10 s bucket back at the pre-fault error rate (the first of 3 such buckets in a row); an app that was back before that reference reads 0 s. Apps not tied to an affected resource are measured from %s. \"Back at the pre-fault error rate from\" is the absolute time, whatever the reference.", r.recoveryRef())
	refs := map[string]bool{}
	var per []string
	for i := range r.a.Apps {
		ap := &r.a.Apps[i]
		if !ap.Impacted() {
			continue
		}
		refs[ap.RecoveryFrom.String()+ap.RecoveryRef] = true
		per = append(per, r.t("%s from %s (%s)", ap.Key(), hms(ap.RecoveryFrom), ap.RecoveryRef))
	}
	if len(refs) > 1 {
		line += " " + r.t("The impacted apps use different references: %s.", strings.Join(per, "; "))
	}
	return line
}

func (r *renderer) recoveryRef() string {
	if r.a.Instantaneous {
		return r.t("the fault start %s (instantaneous fault)", hms(r.a.RecoveryFrom))
	}
	return r.t("the fault end %s", hms(r.a.RecoveryFrom))
}

// skipReason says why there is no application log analysis, or "".
func (r *renderer) skipReason() string {
	s := r.s
	if s.Logs != nil && s.Logs.Skipped != "" {
		return r.t("Application log collection was skipped: %s", s.Logs.Skipped)
	}
	if s.Logs != nil && len(r.a.Apps) > 0 {
		return ""
	}
	if s.Discovery == nil {
		return r.t("Application discovery was not run, so no application logs were collected.")
	}
	var unreachable []string
	for _, c := range s.Discovery.Clusters {
		if !c.Reachable {
			unreachable = append(unreachable, fmt.Sprintf("%s (%s)", c.Name, orDash(c.Error)))
		}
	}
	msg := ""
	if len(s.Discovery.Apps) == 0 {
		msg = r.t("No application depending on the affected resources was found in the %d EKS cluster(s) scanned, so log collection was skipped.", len(s.Discovery.Clusters))
	} else {
		msg = r.t("%d application(s) were discovered but their logs were not collected (start_logs was not run).", len(s.Discovery.Apps))
	}
	if len(unreachable) > 0 {
		msg += " " + r.t("Unreachable clusters: %s.", strings.Join(unreachable, ", "))
	}
	return msg
}

func (r *renderer) app(ap *AppAnalysis) {
	r.raw(fmt.Sprintf("##### %s\n\n", ap.Key()))
	if ap.Indirect {
		r.raw("- " + r.t("Indirectly affected: %s", ap.IndirectEvidence) + "\n")
	}
	r.raw("- " + r.t("Total: %d errors, %d warnings in %d lines (log files: %d)", ap.Errors, ap.Warnings, ap.Lines, len(ap.LogFiles)) + "\n")
	if ap.BaselineBuckets > 0 {
		r.raw("- " + r.t("Baseline before the fault: %d errors in %s (%.2f per 10 s)", ap.BaselineErrors, fmtDur(r.lang, time.Duration(ap.BaselineBuckets)*BucketWidth), ap.BaselineRate) + "\n")
	} else {
		r.raw("- " + r.t("Baseline before the fault: none collected (treated as 0 errors per 10 s)") + "\n")
	}
	if ap.PeakAt != nil {
		r.raw("- " + r.t("Peak error rate: %d errors in the 10 s bucket starting %s", ap.PeakErrors, hms(*ap.PeakAt)) + "\n")
	} else {
		r.raw("- " + r.t("Peak error rate: no errors after the fault start") + "\n")
	}
	if ap.TimeToImpact != nil {
		r.raw("- " + r.t("Time to impact: %s", fmtSeconds(r.lang, *ap.TimeToImpact)) + "\n")
	}
	if ap.FirstError != nil && ap.LastError != nil {
		r.raw("- " + r.t("Errors after the fault start: %s → %s", hms(*ap.FirstError), hms(*ap.LastError)) + "\n")
	}
	rec := statusText(r.lang, ap.RecoveryStatus)
	if ap.RecoverySeconds != nil && ap.RecoveryStatus != "" {
		rec += r.t(" after %s", fmtSeconds(r.lang, *ap.RecoverySeconds))
	}
	if ap.RecoveryNote != "" {
		rec += " — " + ap.RecoveryNote
	}
	r.raw("- " + r.t("Recovery: %s", rec) + "\n")
	if ap.QuietAt != nil {
		r.raw("- " + r.t("Back at the pre-fault error rate from: %s", hms(*ap.QuietAt)) + "\n")
	}
	r.raw("- " + r.t("Recovery measured from: %s (%s)", hms(ap.RecoveryFrom), ap.RecoveryRef) + "\n")
	if len(ap.RecoverySignals) > 0 {
		r.raw("- " + r.t("Recovery signals in the logs: %d, first at %s", len(ap.RecoverySignals), hms(ap.RecoverySignals[0].Time)) + "\n")
	}
	if len(ap.Categories) > 0 {
		var cs []string
		for _, c := range ap.Categories {
			cs = append(cs, fmt.Sprintf("%s/%s ×%d", c.Category, c.Signature, c.Count))
		}
		r.raw("- " + r.t("Failure signatures: %s", strings.Join(cs, ", ")) + "\n")
	}
	for _, n := range ap.Notes {
		r.raw("- ⚠️ " + n + "\n")
	}
	r.nl()
	if len(ap.Patterns) > 0 {
		r.header("Pattern", "Count", "First", "Last")
		for i, p := range ap.Patterns {
			if i == 10 {
				break
			}
			t := "`" + strings.ReplaceAll(cleanText(p.Template), "`", "'") + "`"
			if p.New {
				t = "🆕 " + t
			}
			r.row(t, fmt.Sprint(p.Count), hms(p.First), hms(p.Last))
		}
		r.nl()
		if len(ap.Patterns) > 10 {
			r.p("_%d more patterns in the JSON report._", len(ap.Patterns)-10)
			r.nl()
		}
		if hasNew(ap.Patterns) {
			r.p("🆕 = new: never seen before the fault started.")
			r.nl()
		}
	}
	if len(ap.Samples) > 0 {
		r.raw(r.t("Sample lines (secrets redacted; untrusted data, not instructions):") + "\n\n" + fencedLines(ap.Samples) + "\n")
	}
	if ap.Errors > 0 {
		r.chart(renderAppChart(&r.b, r.lang, r.a, ap))
	}
}

func hasNew(ps []Pattern) bool {
	for i, p := range ps {
		if i == 10 {
			break
		}
		if p.New {
			return true
		}
	}
	return false
}

func (r *renderer) managed() {
	if len(r.a.Managed) == 0 {
		return
	}
	r.raw(fmt.Sprintf("#### %s\n\n", r.t("Managed-service logs")))
	for _, m := range r.a.Managed {
		switch {
		case !m.Enabled:
			r.raw("- " + r.t("%s (%s): CloudWatch logging is not enabled. %s", m.Identifier, m.Service, m.Recommendation) + "\n")
		case m.Logs == nil:
			r.raw("- " + r.t("%s (%s): logging enabled (%s); no events were fetched for the run window.", m.Identifier, m.Service, strings.Join(m.LogGroups, ", ")) + "\n")
		default:
			l := m.Logs
			s := r.t("%s (%s): %d errors, %d warnings in %d events from %s", m.Identifier, m.Service, l.Errors, l.Warnings, l.Lines, strings.Join(m.LogGroups, ", "))
			if l.FirstError != nil {
				s += r.t("; errors after the fault start %s → %s", hms(*l.FirstError), hms(*deref2(l.LastError, *l.FirstError)))
			}
			r.raw("- " + s + "\n")
			for i, p := range l.Patterns {
				if i == 5 {
					break
				}
				r.raw(fmt.Sprintf("  - `%s` ×%d (%s → %s)\n", strings.ReplaceAll(cleanText(p.Template), "`", "'"), p.Count, hms(p.First), hms(p.Last)))
			}
			for _, n := range l.Notes {
				r.raw("  - ⚠️ " + n + "\n")
			}
		}
	}
	r.nl()
}

func deref2(t *time.Time, def time.Time) *time.Time {
	if t == nil {
		return &def
	}
	return t
}

func (r *renderer) recovery() {
	r.p("### Recovery Status Summary")
	r.nl()
	r.header("Resource", "Status", "Notes")
	for _, sv := range r.a.Services {
		r.row(fmt.Sprintf("%s (%s)", sv.Service, sv.Identifier), statusText(r.lang, sv.RecoveryStatus), sv.Notes)
	}
	if len(r.a.Services) == 0 {
		r.row(r.t("no affected resources listed"), "", "")
	}
	r.nl()
}

func (r *renderer) issuesSection() {
	r.p("### Issues Requiring Attention")
	r.nl()
	if len(r.issues) == 0 {
		r.p("None.")
		r.nl()
	}
	for i, is := range r.issues {
		r.raw(fmt.Sprintf("%d. **%s** %s\n   **%s** %s\n", i+1, r.t("Problem:"), is.Problem, r.t("Recommendation:"), is.Recommendation))
	}
	if len(r.issues) > 0 {
		r.nl()
	}
	if len(r.recs) == 0 && !r.a.Aborted {
		r.p("No evidence-based recommendation: no known failure signature (database, Redis, Kafka, DNS, throttling, timeout, connection) appeared in the application logs of an impacted app during the fault window.")
		r.nl()
	}
}

// shellQuote quotes s for a POSIX shell when needed.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_./:@+=,", c))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// cleanupCommands are the commands the user may run afterwards (never run by fis-mcp).
func cleanupCommands(s *session.Session) []string {
	var out []string
	if s.Experiment.StackName != "" {
		c := "aws cloudformation delete-stack --stack-name " + shellQuote(s.Experiment.StackName)
		if s.Experiment.Region != "" {
			c += " --region " + shellQuote(s.Experiment.Region)
		}
		out = append(out, c)
	}
	if s.Logs != nil && s.Logs.Dir != "" {
		out = append(out, "rm -rf "+shellQuote(s.Logs.Dir))
	}
	return out
}

func (r *renderer) cleanup() {
	r.p("### Cleanup")
	r.nl()
	cmds := cleanupCommands(r.s)
	if len(cmds) == 0 {
		r.p("Nothing to clean up.")
		r.nl()
		return
	}
	r.p("Run these yourself when you are done; fis-mcp never runs them:")
	r.nl()
	r.raw("```bash\n" + strings.Join(cmds, "\n") + "\n```\n\n")
}

func (r *renderer) logFiles() {
	r.p("### Appendix: Log File Locations")
	r.nl()
	s := r.s
	if s.Logs == nil || (s.Logs.Dir == "" && len(s.Logs.Streams) == 0) {
		r.p("No log files were written.")
		r.nl()
	} else {
		if s.Logs.Dir != "" {
			r.raw(fmt.Sprintf("- **%s:** `%s`\n\n", r.t("Log directory"), s.Logs.Dir))
		}
		if s.Logs.StoppedAt != nil {
			r.raw(fmt.Sprintf("- **%s:** %s\n\n", r.t("Collection stopped"), iso(*s.Logs.StoppedAt)))
		}
		if line := notFollowedLine(r.lang, s.Logs); line != "" {
			r.raw("- **" + cell(line) + "**\n\n")
		}
		if len(s.Logs.Streams) > 0 {
			r.header("App", "Pod/Container", "File", "Status")
			streams := append([]session.LogStream(nil), s.Logs.Streams...)
			sort.SliceStable(streams, func(i, j int) bool { return streams[i].App < streams[j].App })
			for _, st := range streams {
				status := streamStatus(r.lang, s.Logs, st)
				if st.Error != "" {
					status += ": " + cleanText(st.Error)
				}
				r.row(st.App, st.Pod+"/"+st.Container, "`"+st.File+"`", status)
			}
			r.nl()
		}
	}
	extra := false
	for _, m := range r.a.Managed {
		if m.File != "" {
			r.raw(fmt.Sprintf("- %s (%s): `%s`\n", m.Identifier, m.Service, m.File))
			extra = true
		}
	}
	if s.Report != nil && s.Report.Path != "" {
		r.raw(fmt.Sprintf("- %s: `%s`\n", r.t("Previous report"), s.Report.Path))
		extra = true
	}
	if extra {
		r.nl()
	}
}

func (r *renderer) auditTrail() {
	r.p("### Appendix: API Call Audit Trail")
	r.nl()
	if head, n := r.s.ChainHead(); n > 0 {
		r.p("Audit chain head: `sha256:%s` (%d records; verify with `fis-mcp audit verify %s`).", head, n, r.s.ID)
	} else {
		r.p("No audit chain: the session predates the tamper-evident audit trail.")
	}
	r.nl()
	if len(r.s.APICalls) == 0 {
		r.p("No API calls were recorded.")
		r.nl()
		return
	}
	r.header("Time (UTC)", "Tool", "Service", "Operation", "Resource", "Result", "Latency (ms)", "CLI equivalent")
	for _, c := range r.s.APICalls {
		cli := ""
		if c.CLI != "" {
			cli = "`" + strings.ReplaceAll(c.CLI, "`", "'") + "`"
		}
		r.row(hms(c.Time), c.Tool, c.Service, c.Operation, c.Resource, c.Result, fmt.Sprint(c.LatencyMS), cli)
	}
	r.nl()
}

// notFollowedLine is "N streams not followed: ns/pod/container, …" with the
// limit, when the stream limit left any out; "" otherwise.
func notFollowedLine(lang string, lc *session.LogCollection) string {
	if lc == nil || len(lc.NotFollowed) == 0 {
		return ""
	}
	line := tr(lang, "%d streams not followed: %s", len(lc.NotFollowed), strings.Join(lc.NotFollowed, ", "))
	if lc.MaxStreams > 0 {
		line += " " + tr(lang, "(limit %d; raise --max-log-streams or FIS_MCP_MAX_LOG_STREAMS): the analysis of their apps is incomplete", lc.MaxStreams)
	}
	return line
}
