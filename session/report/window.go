package report

import (
	"strings"
	"time"

	"github.com/fis-mcp/fis-mcp/session"
)

// window is the time frame of the analysis.
type window struct {
	expStart, expEnd     time.Time
	endKnown             bool
	faultStart, faultEnd time.Time
	instantaneous        bool
	recFrom              time.Time
	close                time.Time
	closedEarly          bool
	aborted              bool
}

// aborted reports whether the session ended without an experiment being started.
func aborted(s *session.Session) bool {
	if s.Run == nil || s.Run.ExperimentID == "" {
		return true
	}
	return false
}

// instantaneousAction reports whether an action is a one-shot fault: a reboot or
// failover, or an action whose template parameters carry no duration.
func instantaneousAction(s *session.Session, a session.ActionRun) bool {
	id := strings.ToLower(a.ActionID)
	if strings.Contains(id, "reboot") || strings.Contains(id, "failover") {
		return true
	}
	for _, ta := range s.Experiment.Template.Actions {
		if ta.Name != a.Name {
			continue
		}
		for k := range ta.Parameters {
			if strings.Contains(strings.ToLower(k), "duration") {
				return false
			}
		}
		return true
	}
	return a.StartTime != nil && a.EndTime != nil && !a.EndTime.After(*a.StartTime)
}

func computeWindow(s *session.Session, opts Options) window {
	var w window
	now := opts.Now
	baseline := opts.Baseline
	if baseline <= 0 {
		baseline = DefaultBaseline
	}
	if aborted(s) {
		w.aborted = true
		switch {
		case s.Abort != nil && !s.Abort.At.IsZero():
			w.expStart = s.Abort.At
		case !now.IsZero():
			w.expStart = now
		default:
			w.expStart = s.UpdatedAt
		}
		w.expEnd = w.expStart
		w.close = w.expStart
		if !now.IsZero() && now.After(w.close) {
			w.close = now
		}
		w.faultStart, w.faultEnd, w.recFrom = w.close, w.close, w.close
		return w
	}
	r := s.Run
	var firstStart, lastEnd time.Time
	openAction := false
	started, instant := 0, 0
	for _, a := range r.Actions {
		if a.StartTime == nil {
			continue
		}
		started++
		if instantaneousAction(s, a) {
			instant++
		}
		if firstStart.IsZero() || a.StartTime.Before(firstStart) {
			firstStart = *a.StartTime
		}
		if a.EndTime == nil {
			openAction = true
		} else if a.EndTime.After(lastEnd) {
			lastEnd = *a.EndTime
		}
	}
	switch {
	case r.StartTime != nil:
		w.expStart = *r.StartTime
	case !firstStart.IsZero():
		w.expStart = firstStart
	case !r.RequestedAt.IsZero():
		w.expStart = r.RequestedAt
	default:
		w.expStart = now
	}
	switch {
	case r.EndTime != nil:
		w.expEnd, w.endKnown = *r.EndTime, true
	case !now.IsZero():
		w.expEnd = now
	case !lastEnd.IsZero():
		w.expEnd = lastEnd
	default:
		w.expEnd = w.expStart
	}
	w.faultStart = firstStart
	if w.faultStart.IsZero() {
		w.faultStart = w.expStart
	}
	w.faultEnd = lastEnd
	if openAction || w.faultEnd.IsZero() {
		w.faultEnd = w.expEnd
	}
	if w.faultEnd.Before(w.faultStart) {
		w.faultEnd = w.faultStart
	}
	w.instantaneous = started > 0 && instant == started
	w.recFrom = w.faultEnd
	if w.instantaneous {
		w.recFrom = w.faultStart
	}
	w.close = w.expEnd.Add(baseline)
	if !now.IsZero() && now.Before(w.close) {
		w.close = now
		w.closedEarly = true
	}
	if w.close.Before(w.faultStart) {
		w.close = w.faultStart
	}
	return w
}

// bucketIndex is the 10-s bucket of t relative to the fault start (floor division).
func bucketIndex(ns, faultNs int64) int64 {
	d := ns - faultNs
	if d >= 0 {
		return d / int64(BucketWidth)
	}
	return -((-d + int64(BucketWidth) - 1) / int64(BucketWidth))
}

// serviceFault narrows the fault to the actions that target one affected resource:
// its own start, end and instantaneity. ok is false when no started action can be
// tied to the resource (the experiment-wide window applies then).
func serviceFault(s *session.Session, w window, id string) (start, end time.Time, instant, ok bool) {
	if id == "" || s.Run == nil {
		return
	}
	names := serviceActionNames(s, id)
	instant = true
	for _, a := range s.Run.Actions {
		if !names[a.Name] || a.StartTime == nil {
			continue
		}
		if !ok || a.StartTime.Before(start) {
			start = *a.StartTime
		}
		e := w.expEnd
		if a.EndTime != nil {
			e = *a.EndTime
		}
		if e.After(end) {
			end = e
		}
		instant = instant && instantaneousAction(s, a)
		ok = true
	}
	if !ok {
		instant = false
	}
	return
}

// startedServiceActions names, in run order, the started actions that target one affected resource.
func startedServiceActions(s *session.Session, id string) []string {
	if id == "" || s.Run == nil {
		return nil
	}
	names := serviceActionNames(s, id)
	var out []string
	for _, a := range s.Run.Actions {
		if names[a.Name] && a.StartTime != nil {
			out = append(out, a.Name)
		}
	}
	return out
}

// serviceActionNames are the template actions whose targets stand for one affected resource.
func serviceActionNames(s *session.Session, id string) map[string]bool {
	targets := map[string]bool{}
	for _, t := range s.Experiment.Template.Targets {
		if t.Name == id || targetMatches(t, id) {
			targets[t.Name] = true
		}
	}
	for _, rt := range s.Run.ResolvedTargets {
		if rt.Identifier == id || strings.HasSuffix(rt.Identifier, ":"+id) || strings.HasSuffix(rt.Identifier, "/"+id) {
			targets[rt.TargetName] = true
		}
	}
	names := map[string]bool{}
	if len(targets) == 0 {
		return names
	}
	for _, ta := range s.Experiment.Template.Actions {
		for _, tn := range ta.Targets {
			if targets[tn] {
				names[ta.Name] = true
			}
		}
	}
	return names
}

func targetMatches(t session.Target, id string) bool {
	for _, arn := range t.ResourceArns {
		if arn == id || strings.HasSuffix(arn, ":"+id) || strings.HasSuffix(arn, "/"+id) {
			return true
		}
	}
	for _, v := range t.ResourceTags {
		if v == id {
			return true
		}
	}
	if k, v, ok := tagSelector(id); ok {
		if tv, has := t.ResourceTags[k]; has && tv == v {
			return true
		}
	}
	for _, f := range t.Filters {
		for _, v := range f.Values {
			if v == id {
				return true
			}
		}
	}
	return false
}
