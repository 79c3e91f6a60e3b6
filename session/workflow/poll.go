package workflow

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/experiment"
	"github.com/fis-mcp/fis-mcp/session"
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
	// NewEvents are the timeline events this poll recorded (never nil).
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

// Poll reads the experiment's and each action's state and records every transition with
// FIS's timestamps (step 5), blocking up to in.Wait for a change; it then compares a
// finished dry run's resolved targets, samples the affected resources and stop-condition
// alarms, reads AWS's event records since the last poll, records the failed reads as notes
// and summarises the application logs since the last poll. A start whose experiment ID
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
	clients, err := e.AWS(sess.Experiment.Region)
	if err != nil {
		return sess, res, err
	}
	sess = e.EnsureLogs(ctx, sess)
	if sess.Run.ExperimentID == "" {
		recovered, found, err := e.RecoverStart(ctx, sess)
		if err != nil {
			return sess, res, err
		}
		if !found {
			if e.StartInFlight(sess.ID) {
				return sess, res, errors.New("StartExperiment is still in flight for this session: poll again in a few seconds")
			}
			return sess, res, fmt.Errorf("a start was requested at %s but FIS has no experiment tagged %s=%s: it was most likely not started; stop_experiment aborts the session",
				sess.Run.RequestedAt.Format(time.RFC3339), experiment.SessionTag, sess.ID)
		}
		sess = recovered
	}
	wait := min(max(in.Wait, 0), MaxPollWait)
	deadline := e.Clock.Now().Add(wait)
	var newEvents []session.Event
	var st experiment.Status
	for {
		st, err = experiment.Get(ctx, clients.FIS, sess.Run.ExperimentID)
		if err != nil && awsapi.IsNotFound(err) {
			sess, err = e.MarkVanished(sess, err)
			return sess, res, err
		}
		if err != nil {
			// A network outage or throttling beyond retries must not lose the session.
			return sess, res, fmt.Errorf("read experiment %s (the session is kept; poll again): %w", sess.Run.ExperimentID, err)
		}
		recorded, added, err := e.RecordStatus(sess.ID, st)
		if err != nil {
			return sess, res, err
		}
		sess, newEvents = recorded, added
		if len(newEvents) > 0 || experiment.IsTerminal(st.State) || !e.Clock.Now().Before(deadline) {
			break
		}
		remaining := deadline.Sub(e.Clock.Now())
		if progress != nil {
			progress(wait.Seconds()-remaining.Seconds(), wait.Seconds(), fmt.Sprintf("experiment %s %s; waiting for a change (%ds left)", st.ID, st.State, int(remaining.Seconds())))
		}
		if err := e.Clock.Sleep(ctx, min(e.Config.PollWaitStep, remaining)); err != nil {
			break
		}
	}
	var notes []string
	if sess.Run.DryRun && experiment.IsTerminal(st.State) && sess.Run.ResolvedTargets == nil {
		var dryEvents []session.Event
		var dryNotes []string
		sess, dryEvents, dryNotes = e.CompareResolvedTargets(ctx, sess)
		newEvents = append(newEvents, dryEvents...)
		notes = append(notes, dryNotes...)
	}
	// Live resource and alarm sampling while the experiment runs (and once at its end),
	// and AWS's own event records of the affected resources since the last poll.
	var sampleEvents []session.Event
	var sampleNotes []string
	sess, sampleEvents, sampleNotes = e.SampleLiveStateNotes(ctx, sess, false)
	newEvents = append(newEvents, sampleEvents...)
	notes = append(notes, sampleNotes...)
	sess, sampleEvents, sampleNotes = e.ReadLiveAWSEvents(ctx, sess)
	newEvents = append(newEvents, sampleEvents...)
	notes = append(notes, sampleNotes...)
	sess, sampleEvents = e.RecordNotes(sess, notes)
	newEvents = append(newEvents, sampleEvents...)

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
