package report

import (
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/hypothesis"
)

// computeVerdict evaluates the hypothesis criteria (fixed at the start, else the
// finalize_report argument, else the README's hypothesis, else expected-behavior.md's
// criteria, else the default steady-state hypothesis) and the fault checks into the
// report's verdict: passed when every criterion is met, failed when one is not, and
// inconclusive when one cannot be measured or evaluated, the experiment state is unknown,
// no application logs were collected for an affected service, or a fault was not observed.
func computeVerdict(s *session.Session, a *Analysis, given []session.Criterion, lang string) (string, []string, []CriterionResult) {
	if s == nil || a == nil {
		return VerdictInconclusive, nil, nil
	}
	if a.Aborted || s.Run == nil {
		reason := tr(lang, "No experiment ran: the session was aborted before starting one.")
		if s.Abort != nil && s.Abort.Reason != "" {
			reason = tr(lang, "No experiment ran: the session was aborted before starting one (%s).", s.Abort.Reason)
		}
		return VerdictInconclusive, []string{reason}, []CriterionResult{}
	}
	crits := pickCriteria(s, a, given, lang)
	ev := &evaluator{s: s, a: a, lang: lang}
	results := make([]CriterionResult, 0, len(crits))
	for _, c := range crits {
		results = append(results, ev.eval(c))
	}
	var notMet, unsure []string
	for _, r := range results {
		switch {
		case r.Result == CriterionNotMet:
			notMet = append(notMet, tr(lang, "Not met: %s — %s", r.Text, r.Evidence))
		case r.Result == CriterionNotMeasurable && r.Measure == "":
			unsure = append(unsure, tr(lang, "Not evaluated: “%s” is not a criterion fis-mcp can read (write e.g. “orders-api recovers within 60 seconds”).", r.Text))
		case r.Result == CriterionNotMeasurable:
			unsure = append(unsure, tr(lang, "Not measurable: %s — %s", r.Text, r.Evidence))
		}
	}
	doubts, unknown := ev.runDoubts()
	unsure = append(unsure, doubts...)
	switch {
	case len(notMet) > 0 && !unknown:
		return VerdictFailed, append(notMet, unsure...), results
	case len(notMet)+len(unsure) > 0:
		return VerdictInconclusive, append(unsure, notMet...), results
	}
	return VerdictPassed, []string{tr(lang, "All %d criteria were met.", len(results))}, results
}

// pickCriteria returns the criteria of the first source that has any.
func pickCriteria(s *session.Session, a *Analysis, given []session.Criterion, lang string) []session.Criterion {
	if len(s.Run.Criteria) > 0 {
		if len(given) > 0 && !sameCriteria(given, s.Run.Criteria) {
			a.Notes = append(a.Notes, tr(lang, "The criteria given to finalize_report were not used: the hypothesis was fixed by start_experiment before the run."))
		}
		return s.Run.Criteria
	}
	if len(given) > 0 {
		return given
	}
	if len(s.Experiment.Hypothesis) > 0 {
		var out []session.Criterion
		for _, line := range s.Experiment.Hypothesis {
			out = append(out, hypothesis.Parse(line, hypothesis.SourceReadme))
		}
		return out
	}
	if crits, skipped := expectedCriteria(s.Experiment.ExpectedBehavior); len(crits) > 0 || skipped > 0 {
		if len(crits) > 0 {
			if skipped > 0 {
				a.Notes = append(a.Notes, tr(lang, "expected-behavior.md: %d statement(s) describe behaviour rather than a measurable criterion; they are not part of the verdict.", skipped))
			}
			return crits
		}
		a.Notes = append(a.Notes, tr(lang, "expected-behavior.md states no criterion fis-mcp can measure (%d descriptive statement(s)): the default steady-state hypothesis is used.", skipped))
	}
	return defaultCriteria(s, lang)
}

func sameCriteria(a, b []session.Criterion) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		x.Source, y.Source = "", ""
		if x != y {
			return false
		}
	}
	return true
}

var headingIDRe = regexp.MustCompile(`\(([^()]+)\)\s*$`)

// expectedCriteria reads the lines of expected-behavior.md's per-service sections: those
// that parse are criteria about the section's service (unless they name their own
// subject); the others are descriptions, only counted.
func expectedCriteria(sections map[string]string) ([]session.Criterion, int) {
	keys := make([]string, 0, len(sections))
	for k := range sections {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []session.Criterion
	skipped := 0
	for _, k := range keys {
		id := ""
		if m := headingIDRe.FindStringSubmatch(k); m != nil {
			id = strings.TrimSpace(m[1])
		}
		fence := false
		for _, line := range strings.Split(sections[k], "\n") {
			t := strings.TrimSpace(line)
			if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
				fence = !fence
				continue
			}
			if fence || t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, "|") {
				continue
			}
			c := hypothesis.Parse(t, hypothesis.SourceExpected)
			if c.Measure == "" {
				skipped++
				continue
			}
			if c.Subject == "" && c.SubjectKind != hypothesis.SubjectExperiment && id != "" &&
				c.Measure != hypothesis.MeasureAlarmState && c.Measure != hypothesis.MeasureActionStatus {
				c.Subject, c.SubjectKind = id, hypothesis.KindOf(c.Measure)
			}
			out = append(out, c)
		}
	}
	return out, skipped
}

// defaultCriteria is the steady-state hypothesis used when none is given.
func defaultCriteria(s *session.Session, lang string) []session.Criterion {
	d := hypothesis.SourceDefault
	out := []session.Criterion{
		{Text: tr(lang, "every impacted app returns to its pre-fault error rate within the observation window"), Measure: hypothesis.MeasureRecoverySeconds, Source: d},
		{Text: tr(lang, "every affected resource is back in its healthy state"), Measure: hypothesis.MeasureFinalState, Op: "=", Bound: hypothesis.StateHealthy, Source: d},
	}
	if len(alarmNames(s)) > 0 {
		out = append(out, session.Criterion{Text: tr(lang, "no stop-condition alarm fired"), Measure: hypothesis.MeasureAlarmState, Op: "=", Bound: hypothesis.StateOK, Source: d})
	}
	return append(out, session.Criterion{Text: tr(lang, "every action completed"), Measure: hypothesis.MeasureActionStatus, Op: "=", Bound: hypothesis.StateCompleted, Source: d})
}

// evaluator evaluates criteria against one session and its analysis.
type evaluator struct {
	s    *session.Session
	a    *Analysis
	lang string
}

func (ev *evaluator) t(format string, args ...any) string { return tr(ev.lang, format, args...) }

// part is the result of a criterion for one subject (an app, a resource, an alarm, an action).
type part struct {
	result   string
	evidence string
}

func (ev *evaluator) eval(c session.Criterion) CriterionResult {
	res := CriterionResult{Criterion: c}
	var parts []part
	var none string
	switch c.Measure {
	case "":
		res.Result, res.Evidence = CriterionNotMeasurable, ev.t("not evaluated: the criterion could not be read")
		return res
	case hypothesis.MeasureRecoverySeconds, hypothesis.MeasurePeakErrors, hypothesis.MeasureErrorCount, hypothesis.MeasureTimeToImpact:
		parts, none = ev.appParts(c)
	case hypothesis.MeasureFinalState:
		parts, none = ev.resourceParts(c)
	case hypothesis.MeasureAlarmState:
		parts, none = ev.alarmParts(c)
	case hypothesis.MeasureActionStatus:
		parts, none = ev.actionParts(c)
	default:
		res.Result, res.Evidence = CriterionNotMeasurable, ev.t("unknown measure %s", c.Measure)
		return res
	}
	if len(parts) == 0 {
		res.Result, res.Evidence = CriterionNotMeasurable, none
		return res
	}
	res.Result, res.Evidence = combine(parts)
	return res
}

// combine: any part not met → not met; else any not measurable → not measurable; else met.
// The evidence quotes the deciding parts first.
func combine(parts []part) (string, string) {
	result := CriterionMet
	for _, p := range parts {
		if p.result == CriterionNotMet {
			result = CriterionNotMet
			break
		}
		if p.result == CriterionNotMeasurable {
			result = CriterionNotMeasurable
		}
	}
	var first, rest []string
	for _, p := range parts {
		if p.result == result {
			first = append(first, p.evidence)
		} else {
			rest = append(rest, p.evidence)
		}
	}
	all := append(first, rest...)
	const maxParts = 6
	if len(all) > maxParts {
		all = append(all[:maxParts], fmt.Sprintf("… (+%d)", len(all)-maxParts))
	}
	return result, strings.Join(all, "; ")
}

// compare applies op to got and the bound.
func compare(got float64, op string, bound float64) bool {
	switch op {
	case "<":
		return got < bound
	case ">":
		return got > bound
	case ">=":
		return got >= bound
	case "=":
		return got == bound
	}
	return got <= bound
}

func metIf(ok bool) string {
	if ok {
		return CriterionMet
	}
	return CriterionNotMet
}

// appsFor returns the analysed apps a criterion is about, or why there is none.
func (ev *evaluator) appsFor(c session.Criterion) ([]*AppAnalysis, string) {
	var out []*AppAnalysis
	if c.Subject == "" {
		for i := range ev.a.Apps {
			out = append(out, &ev.a.Apps[i])
		}
		if len(out) == 0 {
			return nil, ev.t("no application logs were collected, so no app could be measured")
		}
		return out, ""
	}
	subj := strings.ToLower(c.Subject)
	for i := range ev.a.Apps {
		ap := &ev.a.Apps[i]
		switch subj {
		case strings.ToLower(ap.Key()), strings.ToLower(ap.Namespace + "/" + ap.Workload), strings.ToLower(ap.Workload), strings.ToLower(ap.Service):
			out = append(out, ap)
		}
	}
	if len(out) == 0 {
		return nil, ev.t("no monitored app or affected service is named %s", c.Subject)
	}
	return out, ""
}

// logSource names the app's log files and their line count.
func logSource(ev *evaluator, ap *AppAnalysis) string {
	var names []string
	seen := map[string]bool{}
	for _, f := range ap.LogFiles {
		if b := filepath.Base(f); !seen[b] {
			seen[b] = true
			names = append(names, b)
		}
	}
	if len(names) == 0 {
		return ev.t("no log file")
	}
	return ev.t("log %s, %d lines", strings.Join(names, ", "), ap.Lines)
}

func (ev *evaluator) appParts(c session.Criterion) ([]part, string) {
	apps, none := ev.appsFor(c)
	if len(apps) == 0 {
		return nil, none
	}
	bound, hasBound := 0.0, false
	if c.Bound != "" {
		v, err := strconv.ParseFloat(c.Bound, 64)
		if err != nil {
			return nil, ev.t("the bound %q is not a number", c.Bound)
		}
		bound, hasBound = v, true
	}
	var parts []part
	for _, ap := range apps {
		if ap.Lines == 0 {
			parts = append(parts, part{CriterionNotMeasurable, ev.t("%s: no log lines were collected (%s)", ap.Key(), logSource(ev, ap))})
			continue
		}
		src := " (" + logSource(ev, ap) + ")"
		switch c.Measure {
		case hypothesis.MeasureRecoverySeconds:
			parts = append(parts, ev.recoveryPart(ap, c.Op, bound, hasBound, src))
		case hypothesis.MeasurePeakErrors:
			if !hasBound {
				return nil, ev.t("the criterion has no bound")
			}
			e := ev.t("%s: peak %d errors per 10 s", ap.Key(), ap.PeakErrors)
			if ap.PeakAt != nil {
				e = ev.t("%s: peak %d errors in the 10 s bucket starting %s", ap.Key(), ap.PeakErrors, hms(*ap.PeakAt))
			}
			parts = append(parts, part{metIf(compare(float64(ap.PeakErrors), c.Op, bound)), e + src})
		case hypothesis.MeasureErrorCount:
			if !hasBound {
				return nil, ev.t("the criterion has no bound")
			}
			n := ap.Errors - ap.BaselineErrors
			parts = append(parts, part{metIf(compare(float64(n), c.Op, bound)),
				ev.t("%s: %d errors from the fault start %s to the window close %s", ap.Key(), n, hms(ev.a.FaultStart), hms(ev.a.WindowClose)) + src})
		case hypothesis.MeasureTimeToImpact:
			if !hasBound {
				return nil, ev.t("the criterion has no bound")
			}
			if ap.TimeToImpact == nil {
				if c.Subject == "" && !ap.Impacted() {
					continue // "every impacted app": this one was not
				}
				ok := c.Op == ">" || c.Op == ">="
				parts = append(parts, part{metIf(ok), ev.t("%s: no error above the baseline after the fault start", ap.Key()) + src})
				continue
			}
			e := ev.t("%s: first error %s after the fault start %s", ap.Key(), fmtSeconds(ev.lang, *ap.TimeToImpact), hms(ev.a.FaultStart))
			if ap.FirstError != nil {
				e = ev.t("%s: first error at %s, %s after the fault start %s", ap.Key(), hms(*ap.FirstError), fmtSeconds(ev.lang, *ap.TimeToImpact), hms(ev.a.FaultStart))
			}
			parts = append(parts, part{metIf(compare(*ap.TimeToImpact, c.Op, bound)), e + src})
		}
	}
	if len(parts) == 0 {
		return nil, ev.t("no app was impacted, so there is no time to impact")
	}
	return parts, ""
}

func (ev *evaluator) recoveryPart(ap *AppAnalysis, op string, bound float64, hasBound bool, src string) part {
	switch ap.RecoveryStatus {
	case StatusNotImpacted:
		return part{CriterionMet, ev.t("%s: not impacted (errors stayed at or below the baseline of %.1f per 10 s)", ap.Key(), ap.BaselineRate) + src}
	case StatusRecovered:
		if ap.RecoverySeconds == nil || ap.RecoveredAt == nil {
			return part{CriterionNotMeasurable, ev.t("%s: recovered, but the recovery time is unknown", ap.Key()) + src}
		}
		quiet := ap.RecoveredAt
		if ap.QuietAt != nil {
			quiet = ap.QuietAt
		}
		ev1 := ev.t("%s: back at the pre-fault error rate from %s; recovery %s after %s (%s)", ap.Key(), hms(*quiet), fmtSeconds(ev.lang, *ap.RecoverySeconds), hms(ap.RecoveryFrom), ap.RecoveryRef) + src
		if !hasBound {
			return part{CriterionMet, ev1}
		}
		return part{metIf(compare(*ap.RecoverySeconds, op, bound)), ev1}
	case StatusPartiallyRecovered, StatusNotRecovered:
		return part{CriterionNotMet, fmt.Sprintf("%s: %s — %s", ap.Key(), statusText(ev.lang, ap.RecoveryStatus), ap.RecoveryNote) + src}
	}
	return part{CriterionNotMeasurable, ev.t("%s: recovery unknown", ap.Key()) + src}
}

// resourceIDs are the resources a final-state criterion is about.
func (ev *evaluator) resourceIDs(c session.Criterion) ([]string, string) {
	states := ev.s.Run.ResourceStates
	if c.Subject == "" {
		ids := make([]string, 0, len(states))
		for id := range states {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		if len(ids) == 0 {
			return nil, ev.t("no resource state was observed during the run")
		}
		return ids, ""
	}
	for id := range states {
		if strings.EqualFold(id, c.Subject) {
			return []string{id}, ""
		}
	}
	if ev.s.Health != nil {
		for _, r := range ev.s.Health.Resources {
			if strings.EqualFold(r.ARN, c.Subject) || strings.EqualFold(r.ID, c.Subject) {
				if _, ok := states[r.ID]; ok {
					return []string{r.ID}, ""
				}
			}
		}
	}
	return nil, ev.t("no state of %s was observed during the run", c.Subject)
}

func (ev *evaluator) resourceParts(c session.Criterion) ([]part, string) {
	ids, none := ev.resourceIDs(c)
	if len(ids) == 0 {
		return nil, none
	}
	var parts []part
	for _, id := range ids {
		st := ev.s.Run.ResourceStates[id]
		var ok bool
		if strings.EqualFold(c.Bound, hypothesis.StateHealthy) || c.Bound == "" {
			ok = finalResourceHealthy(ev.s, id, st)
		} else {
			first, _, _ := strings.Cut(st, "/")
			ok = strings.EqualFold(st, c.Bound) || strings.EqualFold(first, c.Bound)
		}
		e := ev.t("%s: %s at the last check", id, orDash(st))
		if last, found := ev.lastResourceEvent(id); found {
			e += ev.t(" (last change recorded %s: %s)", hms(last.Time), last.Message)
		} else {
			e += ev.t(" (no state change recorded during the run)")
		}
		parts = append(parts, part{metIf(ok), e})
	}
	return parts, ""
}

func (ev *evaluator) lastResourceEvent(id string) (session.Event, bool) {
	var last session.Event
	found := false
	for _, e := range ev.s.Timeline {
		if e.Source == session.SourceResource && strings.EqualFold(e.Subject, id) && !e.Time.Before(last.Time) {
			last, found = e, true
		}
	}
	return last, found
}

// alarmNames are the stop-condition alarms of the run: the template's and any whose state was recorded.
func alarmNames(s *session.Session) []string {
	seen := map[string]bool{}
	var out []string
	add := func(n string) {
		if n != "" && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, sc := range s.Experiment.Template.StopConditions {
		if sc.Source == "aws:cloudwatch:alarm" {
			name := sc.Value
			if i := strings.Index(name, ":alarm:"); i >= 0 {
				name = name[i+len(":alarm:"):]
			}
			add(name)
		}
	}
	if s.Run != nil {
		names := make([]string, 0, len(s.Run.AlarmStates))
		for n := range s.Run.AlarmStates {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			add(n)
		}
	}
	if s.Observations != nil {
		for _, t := range s.Observations.AlarmHistory {
			add(t.Alarm)
		}
	}
	return out
}

func (ev *evaluator) alarmParts(c session.Criterion) ([]part, string) {
	names := alarmNames(ev.s)
	if c.Subject != "" {
		var match []string
		for _, n := range names {
			if strings.EqualFold(n, c.Subject) || strings.HasSuffix(strings.ToLower(c.Subject), ":alarm:"+strings.ToLower(n)) {
				match = append(match, n)
			}
		}
		if len(match) == 0 {
			return nil, ev.t("%s is not a stop-condition alarm of this experiment", c.Subject)
		}
		names = match
	}
	if len(names) == 0 {
		return nil, ev.t("the template has no stop-condition alarm")
	}
	want := strings.ToUpper(c.Bound)
	if want == "" {
		want = hypothesis.StateOK
	}
	var parts []part
	for _, n := range names {
		states := ev.s.Run.AlarmStates[n]
		var into []session.AlarmTransition
		if ev.s.Observations != nil {
			for _, t := range ev.s.Observations.AlarmHistory {
				if t.Alarm == n && strings.EqualFold(t.To, "ALARM") {
					into = append(into, t)
				}
			}
		}
		fired := len(into) > 0
		seenOther := ""
		for _, st := range states {
			switch strings.ToUpper(st) {
			case "ALARM":
				fired = true
			case "OK":
			default:
				seenOther = st
			}
		}
		seq := strings.Join(states, " → ")
		switch {
		case want != hypothesis.StateOK:
			ok := false
			for _, st := range states {
				ok = ok || strings.EqualFold(st, want)
			}
			ok = ok || (want == "ALARM" && fired)
			parts = append(parts, part{metIf(ok), ev.t("%s: states seen %s", n, orDash(seq))})
		case len(into) > 0:
			t := into[0]
			e := ev.t("%s: %s → ALARM at %s (alarm history)", n, t.From, hms(t.Time))
			if t.Reason != "" {
				e += ": “" + cleanText(t.Reason) + "”"
			}
			parts = append(parts, part{CriterionNotMet, e})
		case fired:
			parts = append(parts, part{CriterionNotMet, ev.t("%s: seen in ALARM while the run was sampled (%s)", n, seq)})
		case len(states) == 0:
			parts = append(parts, part{CriterionNotMeasurable, ev.t("%s: its state was never read during the run", n)})
		case seenOther != "":
			parts = append(parts, part{CriterionNotMeasurable, ev.t("%s: seen in %s (%s), when it could not fire", n, seenOther, seq)})
		default:
			parts = append(parts, part{CriterionMet, ev.t("%s: OK in all %d samples of the run, no ALARM in its history", n, len(states))})
		}
	}
	return parts, ""
}

func (ev *evaluator) actionParts(c session.Criterion) ([]part, string) {
	want := c.Bound
	if want == "" {
		want = hypothesis.StateCompleted
	}
	run := ev.s.Run
	if c.SubjectKind == hypothesis.SubjectExperiment {
		e := ev.t("experiment %s: %s (FIS)", orDash(run.ExperimentID), orDash(run.State))
		if run.Reason != "" {
			e += " — " + cleanText(run.Reason)
		}
		return []part{{metIf(strings.EqualFold(run.State, want)), e}}, ""
	}
	var parts []part
	for _, ac := range run.Actions {
		if c.Subject != "" && !strings.EqualFold(ac.Name, c.Subject) && !strings.EqualFold(ac.ActionID, c.Subject) {
			continue
		}
		e := fmt.Sprintf("%s: %s", ac.Name, orDash(ac.State))
		if ac.StartTime != nil {
			end := "—"
			if ac.EndTime != nil {
				end = hms(*ac.EndTime)
			}
			e += fmt.Sprintf(" %s–%s", hms(*ac.StartTime), end)
		}
		if ac.Reason != "" {
			e += " — " + cleanText(ac.Reason)
		}
		parts = append(parts, part{metIf(strings.EqualFold(ac.State, want)), e + ev.t(" (FIS action record)")})
	}
	if len(parts) == 0 {
		if c.Subject != "" {
			return nil, ev.t("FIS reported no action named %s", c.Subject)
		}
		return nil, ev.t("FIS reported no action state for this run")
	}
	return parts, ""
}

// runDoubts are the reasons the run cannot pass whatever its criteria say; unknown is
// true when the experiment's state itself is unknown (then even a failed criterion is
// not a verdict: the window it was measured in is not known).
func (ev *evaluator) runDoubts() (out []string, unknown bool) {
	run := ev.s.Run
	switch run.State {
	case "", "unknown", "start-unknown", "starting":
		unknown = true
		reason := run.Reason
		if reason == "" {
			reason = ev.t("FIS never reported it")
		}
		out = append(out, ev.t("The experiment state is unknown (%s): the run cannot be judged.", reason))
	}
	if len(run.Actions) > 0 && !unknown {
		pending := true
		for _, ac := range run.Actions {
			if ac.State != "pending" && ac.State != "" {
				pending = false
			}
		}
		if pending {
			unknown = true
			out = append(out, ev.t("No action ever left the pending state: FIS never injected the fault, so the run cannot be judged."))
		}
	}
	if run.DryRun {
		out = append(out, ev.t("Dry run: FIS ran no action, so the hypothesis was not tested."))
	}
	out = append(out, ev.logDoubts()...)
	for _, f := range ev.a.Faults {
		if f.Observed == FaultNotObserved {
			out = append(out, ev.t("The fault of action %s was not observed (%s): a run whose fault was not observed cannot pass.", f.Action, f.Evidence))
		}
	}
	return out, unknown
}

// logDoubts: no application logs at all, or none for an affected service that apps are
// known to depend on (a resource no app uses is judged by its own final state).
func (ev *evaluator) logDoubts() []string {
	if ev.s.Run.DryRun {
		return nil
	}
	lines := func(keys []string) bool {
		for _, k := range keys {
			for i := range ev.a.Apps {
				if ev.a.Apps[i].Key() == k && ev.a.Apps[i].Lines > 0 {
					return true
				}
			}
		}
		return false
	}
	anyLines := false
	for i := range ev.a.Apps {
		anyLines = anyLines || ev.a.Apps[i].Lines > 0
	}
	if !anyLines {
		why := ev.t("no app was followed")
		if l := ev.s.Logs; l != nil && l.Skipped != "" {
			why = l.Skipped
		} else if l != nil && len(ev.a.Apps) > 0 {
			why = ev.t("the followed apps' log files hold no line")
		}
		return []string{ev.t("No application logs were collected (%s): the application impact was not measured.", why)}
	}
	var out []string
	for _, sv := range ev.a.Services {
		if sv.Indirect {
			continue
		}
		// The apps known to depend on the service: the analysed ones and any that
		// discovery found but whose logs were not followed.
		apps := append([]string(nil), sv.Apps...)
		if ev.s.Discovery != nil {
			for _, app := range ev.s.Discovery.Apps {
				if app.Service == sv.Identifier && !contains(apps, app.Key()) {
					apps = append(apps, app.Key())
				}
			}
		}
		if len(apps) > 0 && !lines(apps) {
			out = append(out, ev.t("No application logs were collected for %s (%s): no log line came from the apps that depend on it (%s).", sv.Identifier, sv.Service, strings.Join(apps, ", ")))
		}
	}
	return out
}

// verdictText is the bold verdict word.
func verdictText(lang, v string) string {
	switch v {
	case VerdictPassed:
		return tr(lang, "PASSED")
	case VerdictFailed:
		return tr(lang, "FAILED")
	}
	return tr(lang, "INCONCLUSIVE")
}

func resultText(lang string, r CriterionResult) string {
	switch {
	case r.Result == CriterionMet:
		return tr(lang, "✅ met")
	case r.Result == CriterionNotMet:
		return tr(lang, "❌ not met")
	case r.Measure == "":
		return tr(lang, "➖ not evaluated")
	}
	return tr(lang, "❔ not measurable")
}

func sourceText(lang, src string) string {
	switch src {
	case hypothesis.SourceReadme:
		return tr(lang, "README hypothesis")
	case hypothesis.SourceDefault:
		return tr(lang, "default hypothesis")
	case "":
		return "—"
	}
	return src
}

// criterionCell is the criterion as written plus how it was read.
func criterionCell(lang string, c session.Criterion) string {
	if c.Measure == "" {
		return c.Text
	}
	subj := c.Subject
	if subj != "" {
		subj += ": "
	}
	return fmt.Sprintf("%s (`%s%s %s`)", c.Text, subj, c.Measure, boundCell(lang, c))
}

// boundCell is hypothesis.BoundText in the report language.
func boundCell(lang string, c session.Criterion) string {
	v, err := strconv.ParseFloat(c.Bound, 64)
	switch {
	case c.Measure == hypothesis.MeasureRecoverySeconds && c.Bound == "":
		return tr(lang, "within the observation window")
	case err != nil || !hypothesis.IsNumeric(c.Measure):
		return hypothesis.BoundText(c)
	case hypothesis.IsTimeMeasure(c.Measure):
		return c.Op + " " + fmtSeconds(lang, v)
	case c.Measure == hypothesis.MeasurePeakErrors:
		return tr(lang, "%s %s errors per 10 s", c.Op, strconv.FormatFloat(v, 'f', -1, 64))
	}
	return tr(lang, "%s %s errors", c.Op, strconv.FormatFloat(v, 'f', -1, 64))
}

// verdictSection renders the verdict, its criteria and their evidence (it leads the report).
func (r *renderer) verdictSection() {
	a := r.a
	r.p("### Verdict")
	r.nl()
	r.raw("**" + verdictText(r.lang, a.Verdict) + "**\n\n")
	for _, reason := range a.VerdictReasons {
		r.raw("- " + reason + "\n")
	}
	if len(a.VerdictReasons) > 0 {
		r.nl()
	}
	if len(a.Criteria) == 0 {
		return
	}
	if a.Criteria[0].Source == hypothesis.SourceDefault {
		r.p("_No hypothesis was given (start_experiment or finalize_report criteria, a README \"## Hypothesis\" section, expected-behavior.md): the default steady-state hypothesis is used._")
		r.nl()
	}
	r.header("Criterion", "Source", "Result", "Evidence")
	for _, c := range a.Criteria {
		r.row(criterionCell(r.lang, c.Criterion), sourceText(r.lang, c.Source), resultText(r.lang, c), c.Evidence)
	}
	r.nl()
}

// verdictLine is the one-line verdict that leads the summary and finalize_report's text.
func verdictLine(lang string, a *Analysis) string {
	return tr(lang, "Verdict: %s", verdictText(lang, a.Verdict))
}
