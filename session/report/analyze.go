package report

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/fis-mcp/fis-mcp/session"
)

// Analyze reads the session's collected log files and works out the fault window,
// per-app impact and recovery, per-service verdicts, the merged timeline, the
// evidence-based recommendations and the issues to raise. Missing or unreadable log
// files become notes, never errors; an error means the session itself is unusable.
func Analyze(s *session.Session, opts Options) (*Analysis, error) {
	return analyze(s, opts, func(cls *classifier, faultStart, closeAt time.Time) fileScanner {
		return newScanner(cls, faultStart, closeAt)
	})
}

// fileScanner adds the lines of one log file to an app's accumulator.
type fileScanner interface {
	scanFile(path string, acc *appAcc) error
}

func analyze(s *session.Session, opts Options, newSc func(cls *classifier, faultStart, closeAt time.Time) fileScanner) (*Analysis, error) {
	if s == nil {
		return nil, errors.New("report: nil session")
	}
	lang := pickLanguage(opts.Language, s)
	w := computeWindow(s, opts)
	a := &Analysis{
		GeneratedAt:     opts.Now.UTC(),
		FinalizedBy:     opts.FinalizedBy,
		Language:        lang,
		Aborted:         w.aborted,
		ExperimentStart: w.expStart.UTC(),
		ExperimentEnd:   w.expEnd.UTC(),
		EndKnown:        w.endKnown,
		FaultStart:      w.faultStart.UTC(),
		FaultEnd:        w.faultEnd.UTC(),
		Instantaneous:   w.instantaneous,
		RecoveryFrom:    w.recFrom.UTC(),
		WindowClose:     w.close.UTC(),
	}
	if s.Run != nil && s.Run.UnattendedStop != "" {
		a.Notes = append(a.Notes, tr(lang, "The run was %s.", s.Run.UnattendedStop))
	}
	if w.closedEarly {
		a.Notes = append(a.Notes, tr(lang, "The report was generated before the %s post-experiment observation window ended; recovery is judged up to %s.",
			fmtDur(lang, opts.baselineOr()), hms(w.close)))
	}
	cls := newClassifier(signatures)
	sc := newSc(cls, w.faultStart, w.close)
	affected := map[string]bool{}
	for _, r := range s.Experiment.AffectedResources {
		affected[r.Identifier] = true
	}
	for _, app := range sessionApps(s) {
		files := appFiles(s, app.Key())
		aa := analyzeFiles(sc, cls, w, s, app, files, lang)
		if !affected[app.Service] && aa.Impacted() && !w.aborted {
			aa.Indirect = true
			aa.IndirectEvidence = indirectEvidence(lang, &aa, w)
		}
		a.Apps = append(a.Apps, aa)
	}
	if s.Discovery != nil {
		for _, m := range s.Discovery.ManagedLogGroups {
			ma := ManagedAnalysis{Service: m.Service, Identifier: m.Identifier, Enabled: m.Enabled, LogGroups: m.LogGroups,
				Recommendation: m.Recommendation, File: m.Fetched}
			if m.Fetched != "" {
				la := analyzeFiles(sc, cls, w, s, session.App{Workload: m.Identifier, Service: m.Identifier}, []string{m.Fetched}, lang)
				ma.Logs = &la
			}
			a.Managed = append(a.Managed, ma)
		}
	}
	if s.Observations != nil {
		for _, e := range s.Observations.Errors {
			a.Notes = append(a.Notes, tr(lang, "AWS observation not read: %s", e))
		}
	}
	noteUndetermined(s, a)
	withholdApps(s, a, lang)
	a.Services = serviceVerdicts(s, a, lang)
	withholdServices(s, a, lang)
	a.Timeline = mergeTimeline(s, a, lang)
	a.Recommendations, a.Issues = findings(s, a, lang)
	a.Faults = faultChecks(s, a, lang)
	a.Verdict, a.VerdictReasons, a.Criteria = computeVerdict(s, a, opts.Criteria, lang)
	a.History = loadHistory(s, lang)
	return a, nil
}

func (o Options) baselineOr() time.Duration {
	if o.Baseline > 0 {
		return o.Baseline
	}
	return DefaultBaseline
}

func pickLanguage(lang string, s *session.Session) string {
	for _, l := range []string{lang, s.Language, s.Experiment.ReadmeLanguage} {
		switch strings.ToLower(l) {
		case "zh", "zh-cn", "zh_cn", "chinese":
			return "zh"
		case "en", "english":
			return "en"
		}
	}
	return "en"
}

// sessionApps lists the apps whose logs were followed (plus any app key found only
// in the streams), in a stable order.
func sessionApps(s *session.Session) []session.App {
	if s.Logs == nil {
		return nil
	}
	seen := map[string]bool{}
	var out []session.App
	known := map[string]session.App{}
	if s.Discovery != nil {
		for _, a := range s.Discovery.Apps {
			known[a.Key()] = a
		}
	}
	for _, a := range s.Logs.Apps {
		if !seen[a.Key()] {
			seen[a.Key()] = true
			out = append(out, a)
		}
	}
	for _, st := range s.Logs.Streams {
		if seen[st.App] {
			continue
		}
		seen[st.App] = true
		if a, ok := known[st.App]; ok {
			out = append(out, a)
			continue
		}
		parts := strings.SplitN(st.App, "/", 3)
		for len(parts) < 3 {
			parts = append([]string{""}, parts...)
		}
		out = append(out, session.App{Cluster: parts[0], Namespace: parts[1], Workload: parts[2]})
	}
	return out
}

// appFiles lists the distinct log files of one app.
func appFiles(s *session.Session, key string) []string {
	var out []string
	seen := map[string]bool{}
	for _, st := range s.Logs.Streams {
		if st.App != key || st.File == "" || seen[st.File] {
			continue
		}
		seen[st.File] = true
		out = append(out, st.File)
	}
	return out
}

func analyzeFiles(sc fileScanner, cls *classifier, w window, s *session.Session, app session.App, files []string, lang string) AppAnalysis {
	aa := AppAnalysis{Cluster: app.Cluster, Namespace: app.Namespace, Workload: app.Workload, Kind: app.Kind, Service: app.Service,
		LogFiles: files}
	aa.RecoveryFrom, aa.InstantaneousFault = w.recFrom.UTC(), w.instantaneous
	aa.RecoveryRef = experimentRef(lang, w)
	if st, end, inst, ok := serviceFault(s, w, app.Service); ok {
		aa.InstantaneousFault = inst
		aa.RecoveryFrom = end.UTC()
		acts := strings.Join(startedServiceActions(s, app.Service), ", ")
		aa.RecoveryRef = tr(lang, "the end of %s", acts)
		if inst {
			aa.RecoveryFrom = st.UTC()
			aa.RecoveryRef = tr(lang, "the start of %s, a one-shot fault", acts)
		}
	}
	acc := newAppAcc(len(cls.sigs))
	if len(files) == 0 {
		aa.Notes = append(aa.Notes, tr(lang, "No log file was collected for this app."))
	}
	for _, f := range files {
		if err := sc.scanFile(f, acc); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				aa.Notes = append(aa.Notes, tr(lang, "Log file %s is missing.", f))
			} else {
				aa.Notes = append(aa.Notes, tr(lang, "Log file %s could not be read: %s", f, err.Error()))
			}
		}
	}
	finishApp(&aa, acc, cls, w, s, lang)
	return aa
}

func nsTime(ns int64) *time.Time {
	if ns == 0 {
		return nil
	}
	t := time.Unix(0, ns).UTC()
	return &t
}

func fptr(f float64) *float64 { return &f }

func finishApp(aa *AppAnalysis, acc *appAcc, cls *classifier, w window, s *session.Session, lang string) {
	aa.Lines, aa.Malformed, aa.LongLines, aa.AfterWindow = acc.lines, acc.malformed, acc.long, acc.after
	aa.Errors, aa.Warnings, aa.BaselineErrors = acc.errors, acc.warnings, acc.baselineErr
	if acc.malformed > 0 {
		aa.Notes = append(aa.Notes, tr(lang, "%d malformed lines were skipped.", acc.malformed))
	}
	if acc.long > 0 {
		aa.Notes = append(aa.Notes, tr(lang, "%d lines longer than 64 KiB were skipped.", acc.long))
	}
	faultNs := w.faultStart.UnixNano()
	closeIdx := bucketIndex(w.close.UnixNano(), faultNs) // buckets < closeIdx end by the close
	startIdx := int64(0)
	if acc.firstLineNs != 0 {
		startIdx = min(startIdx, bucketIndex(acc.firstLineNs, faultNs))
	}
	if s.Logs != nil && !s.Logs.StartedAt.IsZero() && s.Logs.StartedAt.Before(w.faultStart) {
		if i := bucketIndex(s.Logs.StartedAt.UnixNano(), faultNs); i >= -maxBaselineBuckets {
			startIdx = min(startIdx, i)
		}
	}
	aa.BaselineBuckets = int(-startIdx)
	if aa.BaselineBuckets > 0 {
		aa.BaselineRate = float64(acc.baselineErr) / float64(aa.BaselineBuckets)
	}
	lastIdx := closeIdx // inclusive: the (maybe partial) bucket holding the close
	if w.close.Equal(w.faultStart.Add(time.Duration(closeIdx) * BucketWidth)) {
		lastIdx = closeIdx - 1
	}
	errs := make([]int, 0, max(0, int(lastIdx-startIdx+1)))
	for i := startIdx; i <= lastIdx; i++ {
		b := acc.buckets.get(i)
		aa.Buckets = append(aa.Buckets, Bucket{Start: w.faultStart.Add(time.Duration(i) * BucketWidth).UTC(),
			Errors: int(b.errors), Warnings: int(b.warnings), Lines: int(b.lines)})
		errs = append(errs, int(b.errors))
	}
	for i := int64(0); i <= lastIdx; i++ {
		b := acc.buckets.get(i)
		if int(b.errors) > aa.PeakErrors {
			aa.PeakErrors = int(b.errors)
			t := w.faultStart.Add(time.Duration(i) * BucketWidth).UTC()
			aa.PeakAt = &t
			aa.peakFirstErr = nsTime(b.firstErr)
		}
	}
	aa.FirstError, aa.LastError = nsTime(acc.firstErrNs), nsTime(acc.lastErrNs)
	aa.Patterns = acc.drain.patterns(cls.sigs)
	for i, n := range acc.sigCount {
		if n == 0 {
			continue
		}
		sg := cls.sigs[i]
		aa.Categories = append(aa.Categories, CategoryCount{Signature: sg.ID, Category: sg.Category, Recommendation: sg.Rec, Count: n,
			First: *nsTime(acc.sigFirst[i]), Last: *nsTime(acc.sigLast[i])})
	}
	sort.SliceStable(aa.Categories, func(i, j int) bool { return aa.Categories[i].Count > aa.Categories[j].Count })
	aa.RecoverySignals = acc.recovery
	// Samples: fault-window lines of the most frequent templates first.
	for _, inFault := range []bool{true, false} {
		for _, p := range aa.Patterns {
			if len(aa.Samples) == 5 {
				break
			}
			if p.Sample != "" && p.sampleInFault == inFault {
				aa.Samples = append(aa.Samples, p.Sample)
			}
		}
	}
	if w.aborted {
		aa.RecoveryStatus = StatusNotImpacted
		return
	}
	rr := computeRecovery(recoveryInput{
		errs:      errs,
		startIdx:  startIdx,
		threshold: aa.BaselineRate,
		recIdx:    bucketIndex(aa.RecoveryFrom.UnixNano(), faultNs),
		endIdx:    closeIdx,
		lastIdx:   lastIdx,
	})
	aa.RecoveryStatus = rr.status
	if rr.status == StatusNotImpacted {
		return
	}
	// Time to impact: the first error after the fault start; with a noisy baseline,
	// the first error of the first bucket above it.
	impactNs := acc.firstErrNs
	if aa.BaselineRate > 0 {
		impactNs = acc.buckets.get(rr.impactIdx).firstErr
	}
	if impactNs != 0 {
		aa.TimeToImpact = fptr(roundSec(time.Duration(impactNs - faultNs)))
	}
	if rr.runIdx != nil {
		at := w.faultStart.Add(time.Duration(*rr.runIdx) * BucketWidth).UTC()
		aa.RecoveredAt = &at
		q := w.faultStart.Add(time.Duration(quietFrom(errs, startIdx, aa.BaselineRate, rr.impactIdx, *rr.runIdx)) * BucketWidth).UTC()
		aa.QuietAt = &q
		d := at.Sub(aa.RecoveryFrom)
		if d < 0 {
			d = 0
		}
		aa.RecoverySeconds = fptr(roundSec(d))
	}
	switch rr.status {
	case StatusPartiallyRecovered:
		if rr.relapseIdx != nil {
			aa.RecoveryNote = tr(lang, "errors returned above the baseline at %s after recovering at %s",
				hms(w.faultStart.Add(time.Duration(*rr.relapseIdx)*BucketWidth)), hms(*aa.RecoveredAt))
		} else {
			aa.RecoveryNote = tr(lang, "error rate fell from a peak of %d to %.1f per 10 s but stayed above the baseline (%.1f)",
				aa.PeakErrors, rr.tailMean, aa.BaselineRate)
		}
	case StatusNotRecovered:
		aa.RecoveryNote = tr(lang, "no 30-s run at or below the baseline (%.1f errors/10 s) before the window closed at %s",
			aa.BaselineRate, hms(w.close))
	}
}

// quietFrom is the first bucket of the quiet stretch (at or below the threshold) that
// holds the recovery run starting at bucket run: it reaches back past the recovery
// reference, but not to or before the first impacted bucket.
func quietFrom(errs []int, startIdx int64, threshold float64, impactIdx, run int64) int64 {
	q := run
	for q-1 > impactIdx {
		j := q - 1 - startIdx
		if j < 0 || j >= int64(len(errs)) || float64(errs[j]) > threshold {
			break
		}
		q--
	}
	return q
}

// experimentRef describes the experiment-wide recovery reference.
func experimentRef(lang string, w window) string {
	if w.instantaneous {
		return tr(lang, "the fault start, one-shot faults (not tied to an affected resource)")
	}
	return tr(lang, "the fault end (not tied to an affected resource)")
}

func roundSec(d time.Duration) float64 { return math.Round(d.Seconds()*10) / 10 }

// recoveryInput is the error series of one app, bucket startIdx first.
type recoveryInput struct {
	errs      []int
	startIdx  int64
	threshold float64
	// recIdx is the bucket holding the recovery reference (fault end, or start when instantaneous).
	recIdx int64
	// endIdx: only buckets < endIdx lie wholly inside the observation window.
	endIdx int64
	// lastIdx is the last bucket holding any of the window (endIdx, or endIdx-1 when the close is on a boundary).
	lastIdx int64
}

type recoveryResult struct {
	status     string
	impactIdx  int64
	runIdx     *int64
	relapseIdx *int64
	tailMean   float64
}

// runLen is the number of consecutive quiet buckets that make a recovery.
const runLen = 3

// computeRecovery applies the FORMATS.md definition: impacted when a bucket at or
// after the fault start exceeds the baseline; recovered at the start of the first run
// of 3 consecutive buckets at or below the baseline that starts at or after both the
// recovery reference and the first impacted bucket, and ends before the window closes.
// Partially recovered: errors rose above the baseline again after such a run, or no
// run happened but the rate at the close fell to at most half the peak.
func computeRecovery(in recoveryInput) recoveryResult {
	get := func(i int64) int {
		j := i - in.startIdx
		if j < 0 || j >= int64(len(in.errs)) {
			return 0
		}
		return in.errs[j]
	}
	above := func(i int64) bool { return float64(get(i)) > in.threshold }
	res := recoveryResult{impactIdx: -1}
	for i := int64(0); i <= in.lastIdx; i++ {
		if above(i) {
			res.impactIdx = i
			break
		}
	}
	if res.impactIdx < 0 {
		res.status = StatusNotImpacted
		return res
	}
	from := max(res.impactIdx+1, in.recIdx)
	for i := from; i+runLen <= in.endIdx; i++ {
		quiet := true
		for k := int64(0); k < runLen; k++ {
			if above(i + k) {
				quiet = false
				i += k // the next candidate starts after the loud bucket
				break
			}
		}
		if quiet {
			r := i
			res.runIdx = &r
			break
		}
	}
	peak := 0
	for i := int64(0); i <= in.lastIdx; i++ {
		peak = max(peak, get(i))
	}
	if res.runIdx != nil {
		for i := *res.runIdx + runLen; i <= in.lastIdx; i++ {
			if above(i) {
				r := i
				res.relapseIdx = &r
				res.status = StatusPartiallyRecovered
				return res
			}
		}
		res.status = StatusRecovered
		return res
	}
	// No recovery run: compare the last full buckets with the peak.
	n, sum := int64(0), 0
	for i := in.endIdx - 1; i >= max(0, in.endIdx-runLen); i-- {
		sum += get(i)
		n++
	}
	if n > 0 {
		res.tailMean = float64(sum) / float64(n)
	}
	if n > 0 && peak > 0 && res.tailMean <= float64(peak)/2 && in.endIdx > res.impactIdx+1 {
		res.status = StatusPartiallyRecovered
		return res
	}
	res.status = StatusNotRecovered
	return res
}

func indirectEvidence(lang string, aa *AppAnalysis, w window) string {
	ev := tr(lang, "errors rose from %.1f per 10 s before the fault to a peak of %d per 10 s", aa.BaselineRate, aa.PeakErrors)
	if aa.PeakAt != nil {
		ev += tr(lang, " in the 10 s bucket starting %s", hms(*aa.PeakAt))
	}
	if aa.TimeToImpact != nil {
		ev += tr(lang, "; first error %s after the fault started (%s)", fmtSeconds(lang, *aa.TimeToImpact), hms(w.faultStart))
	}
	return ev
}

// serviceVerdicts gives each Affected Resources row (and each indirectly affected app) a recovery status.
func serviceVerdicts(s *session.Session, a *Analysis, lang string) []ServiceAnalysis {
	var out []ServiceAnalysis
	for _, r := range s.Experiment.AffectedResources {
		sv := ServiceAnalysis{Service: r.Type, Identifier: r.Identifier, Impact: r.Impact, Apps: []string{}}
		sv.FinalState = finalResourceState(s, r.Identifier)
		sv.Resources = rowResources(s, r.Identifier)
		var apps []*AppAnalysis
		for i := range a.Apps {
			if a.Apps[i].Service == r.Identifier {
				apps = append(apps, &a.Apps[i])
				sv.Apps = append(sv.Apps, a.Apps[i].Key())
			}
		}
		switch {
		case a.Aborted:
			sv.RecoveryStatus = StatusNotImpacted
			sv.Notes = tr(lang, "no fault was injected (session aborted)")
		case s.Run != nil && s.Run.DryRun:
			sv.RecoveryStatus = StatusNotImpacted
			sv.Notes = tr(lang, "dry run: actions were skipped")
		case len(apps) > 0:
			sv.RecoveryStatus, sv.Notes = worstOf(lang, apps)
		case len(sv.Resources) > 0:
			sv.RecoveryStatus, sv.Notes = groupVerdict(lang, sv.Resources)
		case sv.FinalState != "":
			if finalResourceHealthy(s, r.Identifier, sv.FinalState) {
				sv.RecoveryStatus = StatusRecovered
				sv.Notes = tr(lang, "resource state %s at the last check; no application logs", sv.FinalState)
			} else {
				sv.RecoveryStatus = StatusNotRecovered
				sv.Notes = tr(lang, "resource state %s at the last check; no application logs", sv.FinalState)
			}
		default:
			sv.Notes = tr(lang, "unknown: no application logs and no resource state observed")
		}
		out = append(out, sv)
	}
	for i := range a.Apps {
		app := &a.Apps[i]
		if !app.Indirect {
			continue
		}
		kind := app.Kind
		if kind == "" {
			kind = "Workload"
		}
		out = append(out, ServiceAnalysis{Service: kind, Identifier: app.Key(), Indirect: true, RecoveryStatus: app.RecoveryStatus,
			Notes: tr(lang, "indirectly affected: %s", app.IndirectEvidence), Apps: []string{app.Key()}})
	}
	return out
}

var statusRank = map[string]int{StatusNotImpacted: 0, StatusRecovered: 1, StatusPartiallyRecovered: 2, StatusNotRecovered: 3}

func worstOf(lang string, apps []*AppAnalysis) (string, string) {
	worst := apps[0]
	for _, ap := range apps[1:] {
		if statusRank[ap.RecoveryStatus] > statusRank[worst.RecoveryStatus] ||
			statusRank[ap.RecoveryStatus] == statusRank[worst.RecoveryStatus] && ap.RecoverySeconds != nil &&
				(worst.RecoverySeconds == nil || *ap.RecoverySeconds > *worst.RecoverySeconds) {
			worst = ap
		}
	}
	impacted := 0
	for _, ap := range apps {
		if ap.Impacted() {
			impacted++
		}
	}
	note := tr(lang, "%d of %d apps impacted", impacted, len(apps))
	switch worst.RecoveryStatus {
	case StatusRecovered:
		note += tr(lang, "; slowest recovery %s (%s)", fmtSeconds(lang, deref(worst.RecoverySeconds)), worst.Key())
		if worst.QuietAt != nil {
			note += tr(lang, ", back at the pre-fault error rate from %s", hms(*worst.QuietAt))
		}
	case StatusPartiallyRecovered, StatusNotRecovered:
		note += fmt.Sprintf("; %s: %s", worst.Key(), worst.RecoveryNote)
	}
	return worst.RecoveryStatus, note
}

func deref(f *float64) float64 {
	if f == nil {
		return 0
	}
	return *f
}

func finalResourceState(s *session.Session, id string) string {
	if s.Run != nil {
		if st, ok := s.Run.ResourceStates[id]; ok {
			return st
		}
	}
	return ""
}

// finalResourceHealthy is the health checker's verdict on the last observed state,
// or, for sessions recorded without it, a reading of the status words (every part of
// a compound status such as EC2's "running/ok/ok" must be healthy).
func finalResourceHealthy(s *session.Session, id, st string) bool {
	if s.Run != nil {
		if h, ok := s.Run.ResourceHealthy[id]; ok {
			return h
		}
	}
	for _, part := range strings.Split(st, "/") {
		if !healthyState(part) {
			return false
		}
	}
	return st != ""
}

func healthyState(st string) bool {
	st = strings.ToLower(st)
	for _, w := range []string{"available", "running", "active", "healthy", "inservice", "in-service", "ok", "ready", "online"} {
		if st == w {
			return true
		}
	}
	return false
}

// mergeTimeline merges the session timeline, AWS's own events, alarm transitions and
// the app-derived events into one time-ordered list without duplicates.
func mergeTimeline(s *session.Session, a *Analysis, lang string) []TimelineEntry {
	var out []TimelineEntry
	seen := map[string]bool{}
	add := func(t time.Time, src, subj, ev string) {
		if t.IsZero() {
			return
		}
		k := t.UTC().Format(time.RFC3339Nano) + "\x00" + src + "\x00" + subj + "\x00" + ev
		if seen[k] {
			return
		}
		seen[k] = true
		out = append(out, TimelineEntry{Time: t.UTC(), Source: src, Subject: subj, Event: ev})
	}
	for _, e := range s.Timeline {
		add(e.Time, e.Source, e.Subject, e.Message)
	}
	if s.Observations != nil {
		for _, e := range s.Observations.ServiceEvents {
			add(e.Time, e.Source, e.Subject, e.Message)
		}
		for _, t := range s.Observations.AlarmHistory {
			ev := tr(lang, "alarm %s: %s → %s", t.Alarm, t.From, t.To)
			if t.Reason != "" {
				ev += " (" + t.Reason + ")"
			}
			add(t.Time, session.SourceAlarm, t.Alarm, ev)
		}
	}
	for i := range a.Apps {
		ap := &a.Apps[i]
		if !ap.Impacted() {
			continue
		}
		if ap.FirstError != nil {
			add(*ap.FirstError, session.SourceApp, ap.Key(), tr(lang, "first application error (%s)", ap.Key()))
		}
		if ap.PeakAt != nil {
			// The peak is a 10 s bucket, not a moment: it is placed at the first error it
			// holds (never before the app's first error) and names its bucket.
			pt := *ap.PeakAt
			if ap.peakFirstErr != nil && ap.peakFirstErr.After(pt) {
				pt = *ap.peakFirstErr
			}
			if ap.FirstError != nil && ap.FirstError.After(pt) {
				pt = *ap.FirstError
			}
			add(pt, session.SourceApp, ap.Key(), tr(lang, "peak %d errors in the 10 s bucket starting %s (%s)", ap.PeakErrors, hms(*ap.PeakAt), ap.Key()))
		}
		if ap.LastError != nil {
			add(*ap.LastError, session.SourceApp, ap.Key(), tr(lang, "last application error (%s)", ap.Key()))
		}
		if len(ap.RecoverySignals) > 0 {
			add(ap.RecoverySignals[0].Time, session.SourceApp, ap.Key(), tr(lang, "first recovery signal in the logs (%s)", ap.Key()))
		}
		if ap.QuietAt != nil {
			add(*ap.QuietAt, session.SourceApp, ap.Key(), tr(lang, "error rate back at baseline (%s, %s)", ap.Key(), statusText(lang, ap.RecoveryStatus)))
		} else if ap.RecoveredAt != nil {
			add(*ap.RecoveredAt, session.SourceApp, ap.Key(), tr(lang, "error rate back at baseline (%s, %s)", ap.Key(), statusText(lang, ap.RecoveryStatus)))
		}
	}
	// By each event's own time; ties keep the order they were added in (the session's
	// recorded order first, then AWS's records, then the app-derived events).
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out
}
