package workflow

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/experiment"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/humandur"
	"github.com/fis-mcp/fis-mcp/session/report"
)

// MaxPollWait bounds how long one poll blocks waiting for a change.
const MaxPollWait = 300 * time.Second

// PollRequest asks for step 5. Wait blocks (clamped to 0..MaxPollWait, re-reading the
// experiment every Config.PollWaitStep) until the experiment or an action changes state.
type PollRequest struct {
	SessionID string
	Wait      time.Duration
}

// PollResult is one poll: the experiment as FIS reports it, what changed, the live states
// and the log insights since the previous poll.
type PollResult struct {
	// Status is the experiment's last GetExperiment status (ID, state, reason, actions, times).
	Status experiment.Status
	// Terminal is true once the experiment has ended.
	Terminal bool
	// NewEvents are the timeline events recorded since the previous poll (never nil), ordered
	// by their own time (ties keep the recorded order); the session's timeline keeps the
	// recorded order.
	NewEvents []session.Event
	// ResourceStates is the live status of each affected resource (never nil).
	ResourceStates map[string]string
	// AlarmStates is the last state of each stop-condition alarm (never nil).
	AlarmStates map[string]string
	// Insights are, per followed app, the log errors and warnings since the last poll (never nil).
	Insights []report.AppInsight
	// Notes are the reads that failed this poll, and writes that could not be saved.
	Notes []string
	// Elapsed is the time since the experiment started (since the start request before FIS gives a start time).
	Elapsed time.Duration
	// NextPoll says when to poll next; 0 once the experiment has ended.
	NextPoll time.Duration
}

// Poll returns what the run's sampling recorded since the caller's previous poll (step 5):
// the supervisor samples a running experiment in the background, so polling more or less
// often changes nothing in the timeline. Unless the supervisor sampled less than
// Config.PollWaitStep ago (and in.Wait is 0), or when in.Wait asks to block until the experiment or an action changes
// state, up to in.Wait) Poll samples first itself: it reads the experiment's and each
// action's state and records every transition with FIS's timestamps, compares a finished
// dry run's resolved targets, samples the affected resources and stop-condition alarms,
// reads AWS's event records since the last sample and records the failed reads as notes.
// It then summarises the application logs since the last poll. A start whose experiment ID
// was not saved is recovered by its session tag first. The returned session is nil only
// when it could not be read.
func (e *Engine) Poll(ctx context.Context, in PollRequest, progress Progress) (*session.Session, PollResult, error) {
	var res PollResult
	sess, err := e.Store.Get(in.SessionID)
	if err != nil {
		return nil, res, err
	}
	if sess.Run == nil {
		return sess, res, &session.TransitionError{SessionID: sess.ID, State: sess.State, Want: "be polled (no experiment was started)"}
	}
	e.NoteToolCall(sess.ID) // a long blocking poll is attended from its start (dead-man's switch)
	if _, err := e.AWS(sess.Experiment.Region); err != nil {
		return sess, res, err
	}
	sess = e.EnsureLogs(ctx, sess)
	if sess, err = e.ensureExperimentID(ctx, sess); err != nil {
		return sess, res, err
	}
	e.Supervise(sess.ID) // a run started before this process (or its supervisor) gets one
	cursor := sess.Run.PolledThrough
	wait := min(max(in.Wait, 0), MaxPollWait)
	var st experiment.Status
	var notes []string
	if wait > 0 || e.Clock.Now().Sub(sess.Run.SupervisedAt) >= e.Config.PollWaitStep {
		deadline := e.Clock.Now().Add(wait)
		for {
			sess, st, err = e.readStatus(ctx, sess, session.RecordedByPoll)
			if err != nil {
				return sess, res, err
			}
			if stateChangedSince(sess, cursor) || experiment.IsTerminal(st.State) || !e.Clock.Now().Before(deadline) {
				break
			}
			remaining := deadline.Sub(e.Clock.Now())
			if progress != nil {
				progress(wait.Seconds()-remaining.Seconds(), wait.Seconds(), fmt.Sprintf("experiment %s %s; waiting for a change (%s left)", st.ID, st.State, humandur.Format("en", remaining.Round(time.Second))))
			}
			if err := e.Clock.Sleep(ctx, min(e.Config.PollWaitStep, remaining)); err != nil {
				break
			}
			if fresh, err := e.Store.Get(sess.ID); err == nil {
				sess = fresh // the supervisor may have recorded a change meanwhile
			}
		}
		sess, notes = e.sampleRest(ctx, sess, st, session.RecordedByPoll)
	} else {
		// The supervisor sampled moments ago: its record stands.
		st, notes = storedStatus(sess.Run), append([]string(nil), sess.Run.SupervisorNotes...)
	}
	sess, newEvents := e.takePolled(sess)
	newEvents = byEventTime(newEvents)

	now := e.Clock.Now()
	insights, note := e.pollInsights(sess, now)
	if note != "" {
		notes = append(notes, note)
	}
	res = PollResult{
		Status: st, Terminal: experiment.IsTerminal(st.State), NewEvents: nonNilSlice(newEvents),
		ResourceStates: nonNilMap(sess.Run.ResourceStates), AlarmStates: lastAlarmStates(sess.Run),
		Insights: nonNilSlice(insights), Notes: notes,
	}
	if st.StartTime != nil {
		res.Elapsed = now.Sub(*st.StartTime)
	} else {
		res.Elapsed = now.Sub(sess.Run.RequestedAt)
	}
	if !res.Terminal {
		res.NextPoll = e.Config.PollFast
		// Whole seconds of elapsed time, as the poll result states them.
		if time.Duration(res.Elapsed.Seconds())*time.Second > e.Config.PollFastFor {
			res.NextPoll = e.Config.PollSlow
		}
	}
	return sess, res, nil
}

// ensureExperimentID recovers, by its session tag, the experiment of a start whose ID was
// not saved; it fails when FIS has none (or the start is still in flight).
func (e *Engine) ensureExperimentID(ctx context.Context, sess *session.Session) (*session.Session, error) {
	if sess.Run == nil || sess.Run.ExperimentID != "" {
		return sess, nil
	}
	recovered, found, err := e.RecoverStart(ctx, sess)
	if err != nil {
		return sess, err
	}
	if !found {
		if e.StartInFlight(sess.ID) {
			return sess, errors.New("StartExperiment is still in flight for this session: poll again in a few seconds")
		}
		return sess, fmt.Errorf("a start was requested at %s but FIS has no experiment tagged %s=%s: it was most likely not started; stop_experiment aborts the session",
			sess.Run.RequestedAt.Format(time.RFC3339), experiment.SessionTag, sess.ID)
	}
	return recovered, nil
}

// readStatus reads the experiment from FIS and records its and its actions' transitions
// (marked as recorded by by). An experiment FIS no longer knows ends the session.
func (e *Engine) readStatus(ctx context.Context, sess *session.Session, by string) (*session.Session, experiment.Status, error) {
	var st experiment.Status
	clients, err := e.AWS(sess.Experiment.Region)
	if err != nil {
		return sess, st, err
	}
	st, err = experiment.Get(ctx, clients.FIS, sess.Run.ExperimentID)
	if err != nil && awsapi.IsNotFound(err) {
		sess, err = e.MarkVanished(sess, err)
		return sess, st, err
	}
	if err != nil {
		// A network outage or throttling beyond retries must not lose the session.
		return sess, st, fmt.Errorf("read experiment %s (the session is kept; poll again): %w", sess.Run.ExperimentID, err)
	}
	recorded, _, err := e.recordStatus(sess.ID, st, by)
	if err != nil {
		return sess, st, err
	}
	return recorded, st, nil
}

// sampleRest is the rest of a sample after the experiment's status: a finished dry run's
// resolved targets, the live resource and alarm states (while the experiment runs and
// through its baseline), AWS's own event records since the last sample, and the failed
// reads as notes (returned, and recorded once each). Every event is marked as recorded by by.
func (e *Engine) sampleRest(ctx context.Context, sess *session.Session, st experiment.Status, by string) (*session.Session, []string) {
	var notes []string
	if sess.Run.DryRun && experiment.IsTerminal(st.State) && sess.Run.ResolvedTargets == nil {
		var dryNotes []string
		sess, _, dryNotes = e.compareResolvedTargets(ctx, sess, by)
		notes = append(notes, dryNotes...)
	}
	var sampleNotes []string
	sess, _, sampleNotes = e.sampleLiveStateNotes(ctx, sess, false, by)
	notes = append(notes, sampleNotes...)
	sess, _, sampleNotes = e.readLiveAWSEvents(ctx, sess, by)
	notes = append(notes, sampleNotes...)
	sess, _ = e.recordNotes(sess, notes, by)
	return sess, notes
}

// takePolled returns the sampled events recorded since the previous poll and moves the
// session's poll cursor past them (atomically, so two polls never return one event twice).
// When the cursor cannot be saved the events are still returned (the next poll repeats them).
func (e *Engine) takePolled(sess *session.Session) (*session.Session, []session.Event) {
	var out []session.Event
	updated, err := e.Store.Record(e.Log, sess.ID, "poll cursor", func(s *session.Session) error {
		if s.Run != nil {
			out = sampledSince(s, s.Run.PolledThrough)
			s.Run.PolledThrough = len(s.Timeline)
		}
		return nil
	})
	if err != nil {
		return sess, sampledSince(sess, sess.Run.PolledThrough)
	}
	return updated, out
}

// sampledSince lists the timeline's sampled events (those with RecordedBy) from index from on.
func sampledSince(s *session.Session, from int) []session.Event {
	if s.Run == nil {
		return nil
	}
	var out []session.Event
	for _, ev := range s.Timeline[min(max(from, 0), len(s.Timeline)):] {
		if ev.RecordedBy != "" {
			out = append(out, ev)
		}
	}
	return out
}

// byEventTime returns a copy of evs ordered by each event's own time, stable for ties: a
// batch read from AWS after a transition was recorded may hold earlier events.
func byEventTime(evs []session.Event) []session.Event {
	out := append([]session.Event(nil), evs...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out
}

// stateChangedSince reports whether an experiment or action transition was sampled after
// the timeline's first from events.
func stateChangedSince(s *session.Session, from int) bool {
	for _, ev := range sampledSince(s, from) {
		if ev.Source == session.SourceFIS || ev.Source == session.SourceFISAction {
			return true
		}
	}
	return false
}

// storedStatus is the experiment's status as last recorded in the run.
func storedStatus(r *session.Run) experiment.Status {
	return experiment.Status{ID: r.ExperimentID, State: r.State, Reason: r.Reason, StartTime: r.StartTime, EndTime: r.EndTime, Actions: r.Actions}
}

// pollInsights summarises the session's application logs since the previous poll (or
// the start of log collection) and marks now as the previous poll; a mark that could not
// be saved comes back as a note.
func (e *Engine) pollInsights(sess *session.Session, now time.Time) ([]report.AppInsight, string) {
	if sess.Logs == nil {
		return nil, ""
	}
	since := sess.Logs.LastInsights
	if since.IsZero() {
		since = sess.Logs.StartedAt
	}
	insights := report.Insights(sess, since, now)
	if _, err := e.Store.Record(e.Log, sess.ID, "log-insights mark", func(s *session.Session) error {
		if s.Logs != nil {
			s.Logs.LastInsights = now.UTC()
		}
		return nil
	}); err != nil {
		return insights, UnsavedNote("log-insights mark (the next poll repeats these insights)", err)
	}
	return insights, ""
}

// nonNilMap returns m, or an empty map for nil (JSON {} rather than null).
func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// lastAlarmStates is the last recorded state of each stop-condition alarm.
func lastAlarmStates(r *session.Run) map[string]string {
	out := map[string]string{}
	for name, hist := range r.AlarmStates {
		if len(hist) > 0 {
			out[name] = hist[len(hist)-1]
		}
	}
	return out
}
