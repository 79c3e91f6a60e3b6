package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/fis-mcp/fis-mcp/aws/events"
	"github.com/fis-mcp/fis-mcp/aws/experiment"
	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/session"
)

// RecoverStart looks up, by its session tag, the experiment of a start whose ID was
// not saved (a crash between StartExperiment and the write, or an unknown outcome).
// found is false, with a nil error, when FIS has no such experiment.
func (e *Engine) RecoverStart(ctx context.Context, sess *session.Session) (*session.Session, bool, error) {
	clients, err := e.AWS(sess.Experiment.Region)
	if err != nil {
		return sess, false, err
	}
	id, err := experiment.FindBySessionTag(ctx, clients.FIS, sess.Experiment.TemplateID, sess.ID)
	if err != nil {
		return sess, false, fmt.Errorf("a start was requested at %s but its experiment ID was not saved, and looking it up by its %s tag failed: %w. Check by hand: aws fis list-experiments --region %s (tag %s=%s), then aws fis stop-experiment --id <id> --region %s",
			sess.Run.RequestedAt.Format(time.RFC3339), experiment.SessionTag, err, sess.Experiment.Region, experiment.SessionTag, sess.ID, sess.Experiment.Region)
	}
	if id == "" {
		return sess, false, nil
	}
	updated, err := e.Store.Update(sess.ID, func(s *session.Session) error {
		if s.Run == nil {
			s.Run = &session.Run{RequestedAt: sess.Run.RequestedAt, ClientToken: sess.Run.ClientToken, DryRun: sess.Run.DryRun, Actions: []session.ActionRun{}}
		}
		if s.Run.ExperimentID == "" {
			s.Run.ExperimentID = id
			s.Run.State = "pending"
			s.AddEvent(session.Event{Time: e.Clock.Now().UTC(), Source: session.SourceFISMCP, Kind: session.EventRecovered, Subject: id, Message: "experiment ID recovered by its " + experiment.SessionTag + " tag"})
		}
		if s.State != session.StateRunning && !s.Terminal() {
			return s.Transition(session.StateRunning)
		}
		return nil
	})
	if err != nil {
		return sess, false, err
	}
	return updated, true, nil
}

// RecordStatus merges a GetExperiment status into the session: every experiment and
// action transition becomes a timeline event, with FIS's timestamps where it gives them.
func (e *Engine) RecordStatus(id string, st experiment.Status) (*session.Session, []session.Event, error) {
	return e.recordStatus(id, st, "")
}

// recordStatus is RecordStatus marking each event as recorded by by (session.RecordedBy*),
// set before the event is added so a concurrent poll never sees it unmarked.
func (e *Engine) recordStatus(id string, st experiment.Status, by string) (*session.Session, []session.Event, error) {
	var added []session.Event
	sess, err := e.Store.Update(id, func(s *session.Session) error {
		added = nil
		now := e.Clock.Now().UTC()
		r := s.Run
		if r == nil {
			return errors.New("the session has no experiment run")
		}
		add := func(e session.Event) {
			e.RecordedBy = by
			s.AddEvent(e)
			added = append(added, e)
		}
		if st.State != r.State {
			t, observed := now, true
			switch {
			case experiment.IsTerminal(st.State) && st.EndTime != nil:
				t, observed = st.EndTime.UTC(), false
			case st.State == "running" && st.StartTime != nil && r.StartTime == nil:
				t, observed = now, true
			}
			msg := fmt.Sprintf("experiment %s: %s → %s", st.ID, r.State, st.State)
			if st.Reason != "" {
				msg += " (" + st.Reason + ")"
			}
			add(session.Event{Time: t, Source: session.SourceFIS, Kind: session.EventExperimentState, Subject: st.ID, Message: msg, Observed: observed})
		}
		prev := map[string]session.ActionRun{}
		for _, a := range r.Actions {
			prev[a.Name] = a
		}
		for _, a := range st.Actions {
			p := prev[a.Name]
			if a.State == p.State {
				continue
			}
			t, observed := now, true
			switch {
			case (a.State == "running" || a.State == "initiating") && a.StartTime != nil:
				t, observed = a.StartTime.UTC(), false
			case a.EndTime != nil && (a.State == "completed" || a.State == "stopped" || a.State == "failed" || a.State == "cancelled" || a.State == "skipped"):
				t, observed = a.EndTime.UTC(), false
			}
			from := p.State
			if from == "" {
				from = "—"
			}
			msg := fmt.Sprintf("action %s (%s): %s → %s", a.Name, a.ActionID, from, a.State)
			if a.Reason != "" {
				msg += " (" + a.Reason + ")"
			}
			add(session.Event{Time: t, Source: session.SourceFISAction, Kind: session.EventActionState, Subject: a.Name, Message: msg, Observed: observed})
		}
		r.State, r.Reason = st.State, st.Reason
		if st.StartTime != nil {
			r.StartTime = st.StartTime
		}
		if st.EndTime != nil {
			r.EndTime = st.EndTime
		}
		r.Actions = st.Actions
		if st.Report != nil { // FIS's own experiment report (fisreport.go)
			rep := *st.Report
			rep.ReadAt = now
			r.ExperimentReport = &rep
		}
		r.LastPolledAt = now
		if experiment.IsTerminal(st.State) && s.State == session.StateRunning {
			if r.EndTime == nil {
				end := now
				r.EndTime = &end
			}
			if err := s.Transition(session.StateEnded); err != nil {
				return err
			}
		}
		return nil
	})
	return sess, added, err
}

// SampleLiveState rechecks the affected resources and the stop-condition alarms and
// records every status change in the timeline; a failure is recorded as a fis-mcp note.
// final forces a sample after the observation window (finalize_report's last look).
func (e *Engine) SampleLiveState(ctx context.Context, sess *session.Session, final bool) (*session.Session, []session.Event) {
	sess, added, notes := e.SampleLiveStateNotes(ctx, sess, final)
	sess, noted := e.RecordNotes(sess, notes)
	return sess, append(added, noted...)
}

// SampleLiveStateNotes is SampleLiveState returning its failures as notes, unrecorded.
func (e *Engine) SampleLiveStateNotes(ctx context.Context, sess *session.Session, final bool) (*session.Session, []session.Event, []string) {
	return e.sampleLiveStateNotes(ctx, sess, final, "")
}

// sampleLiveStateNotes is SampleLiveStateNotes marking each event as recorded by by.
func (e *Engine) sampleLiveStateNotes(ctx context.Context, sess *session.Session, final bool, by string) (*session.Session, []session.Event, []string) {
	if sess.Health == nil || sess.Run == nil || sess.Run.DryRun {
		return sess, nil, nil
	}
	if !final && sess.State != session.StateRunning && sess.Run.EndTime != nil && e.Clock.Now().Sub(*sess.Run.EndTime) > e.Config.Baseline {
		return sess, nil, nil
	}
	env, err := e.HealthEnv(sess)
	if err != nil {
		return sess, nil, []string{"resource and alarm states not sampled: " + err.Error()}
	}
	live := e.RecheckHealth(ctx, sess, env, sess.Health.Resources)
	alarms := health.CheckAlarms(ctx, env.Clients, sess.Experiment.Template.StopConditions)
	var added []session.Event
	updated, err := e.Store.Update(sess.ID, func(s *session.Session) error {
		added = nil
		now := e.Clock.Now().UTC()
		if s.Run == nil {
			return errors.New("the session has no experiment run")
		}
		if s.Run.ResourceStates == nil {
			s.Run.ResourceStates = map[string]string{}
		}
		if s.Run.ResourceHealthy == nil {
			s.Run.ResourceHealthy = map[string]bool{}
		}
		for _, r := range live {
			s.Run.ResourceHealthy[r.ID] = r.Healthy
			old, seen := s.Run.ResourceStates[r.ID]
			if seen && old == r.Status {
				continue
			}
			s.Run.ResourceStates[r.ID] = r.Status
			if !seen {
				continue // first sample: the baseline
			}
			e := session.Event{Time: now, Source: session.SourceResource, Kind: session.EventResourceState, Subject: r.ID,
				Message: fmt.Sprintf("%s %s: %s → %s", r.Type, r.ID, old, r.Status), Observed: true}
			if r.Detail != "" {
				e.Message += " (" + r.Detail + ")"
			}
			e.RecordedBy = by
			s.AddEvent(e)
			added = append(added, e)
		}
		if s.Run.AlarmStates == nil {
			s.Run.AlarmStates = map[string][]string{}
		}
		for _, a := range alarms {
			hist := s.Run.AlarmStates[a.Name]
			if len(hist) > 0 && hist[len(hist)-1] == a.State {
				continue
			}
			s.Run.AlarmStates[a.Name] = append(hist, a.State)
			if len(hist) > 0 {
				e := session.Event{Time: now, Source: session.SourceAlarm, Kind: session.EventAlarmState, Subject: a.Name,
					Message: fmt.Sprintf("stop-condition alarm %s: %s → %s", a.Name, hist[len(hist)-1], a.State), Observed: true, RecordedBy: by}
				s.AddEvent(e)
				added = append(added, e)
			}
		}
		return nil
	})
	if err != nil {
		return sess, nil, []string{"resource and alarm states sampled but not saved: " + err.Error()}
	}
	return updated, added, nil
}

// RecordNotes adds each note to the timeline as a visible fis-mcp note, once per distinct
// message (a failure repeated poll after poll is recorded when first seen; every poll
// still returns it in its notes), and returns the events added.
func (e *Engine) RecordNotes(sess *session.Session, notes []string) (*session.Session, []session.Event) {
	return e.recordNotes(sess, notes, "")
}

// recordNotes is RecordNotes marking each event as recorded by by.
func (e *Engine) recordNotes(sess *session.Session, notes []string, by string) (*session.Session, []session.Event) {
	if len(notes) == 0 {
		return sess, nil
	}
	var added []session.Event
	// A failed write is logged by Record; the notes still reach the user in the poll result.
	updated, err := e.Store.Record(e.Log, sess.ID, "notes", func(s *session.Session) error {
		added = nil
		now := e.Clock.Now().UTC()
		for _, n := range notes {
			if hasNote(s.Timeline, n) {
				continue
			}
			e := session.Event{Time: now, Source: session.SourceFISMCP, Kind: session.EventNote, Message: n, Observed: true, RecordedBy: by}
			s.AddEvent(e)
			added = append(added, e)
		}
		return nil
	})
	if err != nil {
		return sess, nil
	}
	return updated, added
}

func hasNote(timeline []session.Event, msg string) bool {
	for _, e := range timeline {
		if e.Source == session.SourceFISMCP && e.Kind == session.EventNote && e.Message == msg {
			return true
		}
	}
	return false
}

// CompareResolvedTargets reads FIS's own resolved targets of a dry run and flags every
// difference from the health check's list.
func (e *Engine) CompareResolvedTargets(ctx context.Context, sess *session.Session) (*session.Session, []session.Event, []string) {
	return e.compareResolvedTargets(ctx, sess, "")
}

// compareResolvedTargets is CompareResolvedTargets marking each event as recorded by by.
func (e *Engine) compareResolvedTargets(ctx context.Context, sess *session.Session, by string) (*session.Session, []session.Event, []string) {
	clients, err := e.AWS(sess.Experiment.Region)
	if err != nil {
		return sess, nil, []string{"the dry run's resolved targets were not read: " + err.Error()}
	}
	resolved, err := experiment.ResolvedTargets(ctx, clients.FIS, sess.Run.ExperimentID)
	now := e.Clock.Now().UTC()
	var events []session.Event
	if err != nil {
		events = append(events, session.Event{Time: now, Source: session.SourceFISMCP, Kind: session.EventDryRun, Message: "could not read the dry run's resolved targets: " + err.Error(), Observed: true})
	} else {
		for _, diff := range diffTargets(sess.Health, resolved) {
			events = append(events, session.Event{Time: now, Source: session.SourceFISMCP, Kind: session.EventDryRunDifference, Message: diff, Observed: true})
		}
		if len(events) == 0 {
			events = append(events, session.Event{Time: now, Source: session.SourceFISMCP, Kind: session.EventDryRun, Message: fmt.Sprintf("dry run: FIS resolved %d targets, the same as the health check", len(resolved)), Observed: true})
		}
	}
	for i := range events {
		events[i].RecordedBy = by
	}
	updated, uerr := e.Store.Update(sess.ID, func(s *session.Session) error {
		s.Run.ResolvedTargets = nonNilSlice(resolved)
		for _, e := range events {
			s.AddEvent(e)
		}
		return nil
	})
	if uerr != nil {
		return sess, events, []string{"the dry run's resolved targets were read but not saved: " + uerr.Error()}
	}
	return updated, events, nil
}

// diffTargets lists resources FIS resolved that the health check did not check, and the reverse.
// An aws:eks:pod target is compared per target: FIS resolves it to the pods it selected, the
// health check lists one entry per pod selector (cluster/namespace/selectorType=selectorValue,
// see health.PodTargetID), so they match by target name.
func diffTargets(h *session.HealthResult, resolved []session.ResolvedTarget) []string {
	checked := map[string]bool{}
	podTargets := map[string]bool{} // target names the health check listed pod selectors for
	if h != nil {
		for _, r := range h.Resources {
			if r.Type == health.TypeEKSPod {
				podTargets[r.Target] = true
				continue
			}
			checked[r.ID] = true
			if r.ARN != "" {
				checked[r.ARN] = true
			}
		}
	}
	seen := map[string]bool{}
	podsResolved := map[string]int{} // target name → pods FIS resolved
	var out []string
	for _, t := range resolved {
		id := t.Identifier
		if t.ResourceType == health.TypeEKSPod {
			podsResolved[t.TargetName]++
			if !podTargets[t.TargetName] {
				out = append(out, fmt.Sprintf("dry run: FIS resolved pod %s (target %s) which the health check did not check", id, t.TargetName))
			}
			continue
		}
		short := id[strings.LastIndexAny(id, "/:")+1:] // the resource ID at the end of an ARN
		seen[id], seen[short] = true, true
		if !checked[id] && !checked[short] {
			out = append(out, fmt.Sprintf("dry run: FIS resolved %s (%s, target %s) which the health check did not check", id, t.ResourceType, t.TargetName))
		}
	}
	if h != nil {
		for _, r := range h.Resources {
			if r.Type == health.TypeEKSPod {
				if podsResolved[r.Target] == 0 && r.Status != health.StatusNoTargetsResolved {
					out = append(out, fmt.Sprintf("dry run: the health check listed pods %s (target %s) but FIS resolved no pods for that target", r.ID, r.Target))
				}
				continue
			}
			if !seen[r.ID] && !seen[r.ARN] {
				out = append(out, fmt.Sprintf("dry run: the health check listed %s (%s) but FIS did not resolve it", r.ID, r.Type))
			}
		}
	}
	return out
}

// ReadLiveAWSEvents merges the affected resources' AWS event records (RDS/ElastiCache
// events, instance transitions, ...) into the timeline, for the live view. Each event
// stream is read from the watermark the previous poll left (one query per service and
// source type, whatever the number of nodes); failed reads come back as notes.
func (e *Engine) ReadLiveAWSEvents(ctx context.Context, sess *session.Session) (*session.Session, []session.Event, []string) {
	return e.readLiveAWSEvents(ctx, sess, "")
}

// readLiveAWSEvents is ReadLiveAWSEvents marking each event as recorded by by.
func (e *Engine) readLiveAWSEvents(ctx context.Context, sess *session.Session, by string) (*session.Session, []session.Event, []string) {
	if sess.Run == nil || sess.Run.DryRun || sess.Health == nil || sess.State != session.StateRunning && sess.State != session.StateEnded {
		return sess, nil, nil
	}
	clients, err := e.AWS(sess.Experiment.Region)
	if err != nil {
		return sess, nil, []string{"AWS events not read: " + err.Error()}
	}
	res := events.Read(ctx, clients, sess.Health.Resources, events.Window{
		Start: sess.Run.RequestedAt.Add(-5 * time.Minute), End: e.Clock.Now(), Watermarks: sess.Run.EventWatermarks,
	})
	var notes []string
	for _, err := range res.Errors {
		notes = append(notes, "AWS events not read (this poll's timeline may miss them; fix the cause and poll again): "+err.Error())
	}
	var added []session.Event
	updated, err := e.Store.Update(sess.ID, func(s *session.Session) error {
		added = nil
		for _, e := range res.Events {
			if e.Observed && hasObserved(s.Timeline, e) {
				continue // a state seen now, already recorded when first seen
			}
			e.RecordedBy = by
			if s.AddEventOnce(e) {
				added = append(added, e)
			}
		}
		if s.Run != nil {
			s.Run.EventWatermarks = res.Watermarks
		}
		return nil
	})
	if err != nil {
		return sess, nil, append(notes, "AWS events read but not saved: "+err.Error())
	}
	return updated, added, notes
}

// hasObserved reports whether the timeline already holds e's observation (same source,
// subject and message, at any time): a state with no AWS timestamp is stamped when seen,
// so each poll would otherwise record it again.
func hasObserved(timeline []session.Event, e session.Event) bool {
	for _, x := range timeline {
		if x.Observed && x.Source == e.Source && x.Subject == e.Subject && x.Message == e.Message {
			return true
		}
	}
	return false
}

// nonNilSlice returns s, or an empty slice for nil (JSON [] rather than null).
func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// BeginStart marks the session's StartExperiment call as in flight in this process until
// the returned func is called.
func (e *Engine) BeginStart(id string) (done func()) {
	e.starting.Store(id, true)
	return func() { e.starting.Delete(id) }
}

// StartInFlight reports whether a StartExperiment call for the session is in flight in
// this process (its answer, and so the experiment ID, may still come).
func (e *Engine) StartInFlight(id string) bool {
	_, ok := e.starting.Load(id)
	return ok
}

// MarkVanished ends a run whose experiment FIS no longer knows (wrong account or region,
// expired record), so the session can still be reported: it is ended with run state
// unknown, and the returned error says so and what to check.
func (e *Engine) MarkVanished(sess *session.Session, cause error) (*session.Session, error) {
	now := e.Clock.Now().UTC()
	updated, err := e.Store.Update(sess.ID, func(s *session.Session) error {
		if s.Run == nil || s.Terminal() {
			return nil
		}
		s.Run.State, s.Run.Reason = "unknown", "experiment not found in FIS: "+cause.Error()
		s.Run.EndTime = &now
		s.AddEvent(session.Event{Time: now, Source: session.SourceFIS, Kind: session.EventExperimentNotFound, Subject: s.Run.ExperimentID, Message: s.Run.Reason})
		return s.Transition(session.StateEnded)
	})
	if err != nil {
		return sess, err
	}
	return updated, fmt.Errorf("FIS does not know experiment %s (%v): the session is ended with state unknown; check the FIS console of account/region %s, then finalize_report", sess.Run.ExperimentID, cause, sess.Experiment.Region)
}
