package tools

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/events"
	"github.com/fis-mcp/fis-mcp/aws/experiment"
	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/report"
)

// PollInput selects the session and how long to wait for a change.
type PollInput struct {
	SessionID   string `json:"session_id" jsonschema:"the session with a running experiment"`
	WaitSeconds int    `json:"wait_seconds,omitempty" jsonschema:"block up to this many seconds (max 300) until the experiment or an action changes state"`
}

// PollOutput is the experiment's current state and what changed.
type PollOutput struct {
	SessionID       string              `json:"session_id"`
	ExperimentID    string              `json:"experiment_id"`
	State           string              `json:"state" jsonschema:"FIS experiment state: pending, initiating, running, completed, stopping, stopped, failed, cancelled"`
	Reason          string              `json:"reason,omitempty"`
	Terminal        bool                `json:"terminal"`
	Actions         []session.ActionRun `json:"actions"`
	NewEvents       []session.Event     `json:"new_events" jsonschema:"timeline events recorded by this poll"`
	ResourceStates  map[string]string   `json:"resource_states" jsonschema:"live status of each affected resource"`
	AlarmStates     map[string]string   `json:"alarm_states" jsonschema:"live state of each stop-condition alarm"`
	LogInsights     []report.AppInsight `json:"log_insights" jsonschema:"per app: errors and warnings since the last poll, last error lines, recovery signals"`
	LogStreams      *LogStreamsSummary  `json:"log_streams,omitempty" jsonschema:"pod log streams: how many are followed, and the name of every one not followed"`
	Elapsed         float64             `json:"elapsed" jsonschema:"seconds since the experiment started"`
	NextPollSeconds int                 `json:"next_poll_seconds" jsonschema:"when to poll next; 0 once the experiment has ended"`
	DashboardURL    string              `json:"dashboard_url,omitempty"`
	Notes           []string            `json:"notes,omitempty" jsonschema:"reads that failed this poll (AWS events, resource sampling, dry-run targets): what is missing from this poll and why"`
	Common
}

// Poll is the poll tool.
func Poll(d *Deps) server.ServerTool {
	tool := mcp.NewTool("poll",
		mcp.WithDescription("Step 5: read the experiment's and each action's state, record every transition with FIS's timestamps, sample the affected resources' live state and the stop-condition alarms, and summarise application log errors since the last poll. Poll every {poll-fast} for the first {poll-fast-for}, then every {poll-slow} (next_poll_seconds says when), or pass wait_seconds to block until something changes. When the experiment ends, call finalize_report. Read-only (stop_experiment stops the run)."),
		mcp.WithTitleAnnotation("Experiment: poll"),
		mcp.WithReadOnlyHintAnnotation(true),
		mcp.WithDestructiveHintAnnotation(false),
		mcp.WithIdempotentHintAnnotation(false),
		mcp.WithOpenWorldHintAnnotation(true),
		mcp.WithInputSchema[PollInput](),
		mcp.WithOutputSchema[PollOutput](),
		withTimings(d.Config),
	)
	return server.ServerTool{Tool: tool, Handler: handle(d, "poll", (*Deps).poll)}
}

func (d *Deps) poll(c *call, in PollInput) (*mcp.CallToolResult, error) {
	sess, err := d.Store.Get(in.SessionID)
	if err != nil {
		return c.fail("", err)
	}
	if sess.Run == nil {
		return c.fail(sess.ID, &session.TransitionError{SessionID: sess.ID, State: sess.State, Want: "be polled (no experiment was started)"})
	}
	clients, err := d.AWS(sess.Experiment.Region)
	if err != nil {
		return c.fail(sess.ID, err)
	}
	sess = d.ensureLogs(c.ctx, sess)
	if sess.Run.ExperimentID == "" {
		recovered, found, err := d.recoverStart(c, sess)
		if err != nil {
			return c.fail(in.SessionID, err)
		}
		if !found {
			if _, inFlight := d.launching.Load(sess.ID); inFlight {
				return c.fail(in.SessionID, errors.New("StartExperiment is still in flight for this session: poll again in a few seconds"))
			}
			return c.fail(in.SessionID, fmt.Errorf("a start was requested at %s but FIS has no experiment tagged %s=%s: it was most likely not started; stop_experiment aborts the session",
				sess.Run.RequestedAt.Format(time.RFC3339), experiment.SessionTag, sess.ID))
		}
		sess = recovered
	}
	wait := time.Duration(min(max(in.WaitSeconds, 0), 300)) * time.Second
	deadline := d.Clock.Now().Add(wait)
	var newEvents []session.Event
	var st experiment.Status
	for {
		st, err = experiment.Get(c.ctx, clients.FIS, sess.Run.ExperimentID)
		if err != nil && awsapi.IsNotFound(err) {
			return d.markVanished(c, sess, err)
		}
		if err != nil {
			// A network outage or throttling beyond retries must not lose the session.
			return c.fail(sess.ID, fmt.Errorf("read experiment %s (the session is kept; poll again): %w", sess.Run.ExperimentID, err))
		}
		sess, newEvents, err = d.recordStatus(sess.ID, st)
		if err != nil {
			return c.fail(sess.ID, err)
		}
		if len(newEvents) > 0 || experiment.IsTerminal(st.State) || !d.Clock.Now().Before(deadline) {
			break
		}
		remaining := deadline.Sub(d.Clock.Now())
		c.progress(wait.Seconds()-remaining.Seconds(), wait.Seconds(), fmt.Sprintf("experiment %s %s; waiting for a change (%ds left)", st.ID, st.State, int(remaining.Seconds())))
		if err := d.Clock.Sleep(c.ctx, min(d.Config.PollWaitStep, remaining)); err != nil {
			break
		}
	}
	var notes []string
	if sess.Run.DryRun && experiment.IsTerminal(st.State) && sess.Run.ResolvedTargets == nil {
		var dryEvents []session.Event
		var dryNotes []string
		sess, dryEvents, dryNotes = d.compareResolvedTargets(c, sess)
		newEvents = append(newEvents, dryEvents...)
		notes = append(notes, dryNotes...)
	}
	// Live resource and alarm sampling while the experiment runs (and once at its end),
	// and AWS's own event records of the affected resources since the last poll.
	var sampleEvents []session.Event
	var sampleNotes []string
	sess, sampleEvents, sampleNotes = d.sampleLiveStateNotes(c, sess, false)
	newEvents = append(newEvents, sampleEvents...)
	notes = append(notes, sampleNotes...)
	sess, sampleEvents, sampleNotes = d.readLiveAWSEvents(c, sess)
	newEvents = append(newEvents, sampleEvents...)
	notes = append(notes, sampleNotes...)
	sess, sampleEvents = d.recordNotes(sess, notes)
	newEvents = append(newEvents, sampleEvents...)

	now := d.Clock.Now()
	var insights []report.AppInsight
	if sess.Logs != nil {
		since := sess.Logs.LastInsights
		if since.IsZero() {
			since = sess.Logs.StartedAt
		}
		insights = report.Insights(sess, since, now)
		if _, err := d.Store.Record(d.Log, sess.ID, "log-insights mark", func(s *session.Session) error {
			if s.Logs != nil {
				s.Logs.LastInsights = now.UTC()
			}
			return nil
		}); err != nil {
			notes = append(notes, unsavedNote("log-insights mark (the next poll repeats these insights)", err))
		}
	}
	out := PollOutput{
		SessionID: sess.ID, ExperimentID: st.ID, State: st.State, Reason: st.Reason, Terminal: experiment.IsTerminal(st.State),
		Actions: nonNil(st.Actions), NewEvents: nonNil(newEvents), ResourceStates: nonNilMap(sess.Run.ResourceStates),
		AlarmStates: lastAlarmStates(sess.Run), LogInsights: nonNil(insights), DashboardURL: sess.Experiment.DashboardURL,
		LogStreams: logStreamsSummary(sess.Logs), Notes: notes,
	}
	if st.StartTime != nil {
		out.Elapsed = now.Sub(*st.StartTime).Seconds()
	} else {
		out.Elapsed = now.Sub(sess.Run.RequestedAt).Seconds()
	}
	if !out.Terminal {
		out.NextPollSeconds = int(d.Config.PollFast.Seconds())
		if time.Duration(out.Elapsed)*time.Second > d.Config.PollFastFor {
			out.NextPollSeconds = int(d.Config.PollSlow.Seconds())
		}
	}
	return c.finish(sess.ID, &out, &out.Common, pollText(sess, out, d))
}

// recoverStart looks up, by its session tag, the experiment of a start whose ID was
// not saved (a crash between StartExperiment and the write, or an unknown outcome).
// found is false, with a nil error, when FIS has no such experiment.
func (d *Deps) recoverStart(c *call, sess *session.Session) (*session.Session, bool, error) {
	clients, err := d.AWS(sess.Experiment.Region)
	if err != nil {
		return sess, false, err
	}
	id, err := experiment.FindBySessionTag(c.ctx, clients.FIS, sess.Experiment.TemplateID, sess.ID)
	if err != nil {
		return sess, false, fmt.Errorf("a start was requested at %s but its experiment ID was not saved, and looking it up by its %s tag failed: %w. Check by hand: aws fis list-experiments --region %s (tag %s=%s), then aws fis stop-experiment --id <id> --region %s",
			sess.Run.RequestedAt.Format(time.RFC3339), experiment.SessionTag, err, sess.Experiment.Region, experiment.SessionTag, sess.ID, sess.Experiment.Region)
	}
	if id == "" {
		return sess, false, nil
	}
	updated, err := d.Store.Update(sess.ID, func(s *session.Session) error {
		if s.Run == nil {
			s.Run = &session.Run{RequestedAt: sess.Run.RequestedAt, ClientToken: sess.Run.ClientToken, DryRun: sess.Run.DryRun, Actions: []session.ActionRun{}}
		}
		if s.Run.ExperimentID == "" {
			s.Run.ExperimentID = id
			s.Run.State = "pending"
			s.AddEvent(session.Event{Time: d.Clock.Now().UTC(), Source: session.SourceFISMCP, Kind: session.EventRecovered, Subject: id, Message: "experiment ID recovered by its " + experiment.SessionTag + " tag"})
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

// recordStatus merges a GetExperiment status into the session: every experiment and
// action transition becomes a timeline event, with FIS's timestamps where it gives them.
func (d *Deps) recordStatus(id string, st experiment.Status) (*session.Session, []session.Event, error) {
	var added []session.Event
	sess, err := d.Store.Update(id, func(s *session.Session) error {
		added = nil
		now := d.Clock.Now().UTC()
		r := s.Run
		if r == nil {
			return errors.New("the session has no experiment run")
		}
		add := func(e session.Event) {
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

// sampleLiveState rechecks the affected resources and the stop-condition alarms and
// records every status change in the timeline; a failure is recorded as a fis-mcp note.
// final forces a sample after the observation window (finalize_report's last look).
func (d *Deps) sampleLiveState(c *call, sess *session.Session, final bool) (*session.Session, []session.Event) {
	sess, added, notes := d.sampleLiveStateNotes(c, sess, final)
	sess, noted := d.recordNotes(sess, notes)
	return sess, append(added, noted...)
}

// sampleLiveStateNotes is sampleLiveState returning its failures as notes, unrecorded.
func (d *Deps) sampleLiveStateNotes(c *call, sess *session.Session, final bool) (*session.Session, []session.Event, []string) {
	if sess.Health == nil || sess.Run == nil || sess.Run.DryRun {
		return sess, nil, nil
	}
	if !final && sess.State != session.StateRunning && sess.Run.EndTime != nil && d.Clock.Now().Sub(*sess.Run.EndTime) > d.Config.Baseline {
		return sess, nil, nil
	}
	env, err := d.HealthEnv(sess)
	if err != nil {
		return sess, nil, []string{"resource and alarm states not sampled: " + err.Error()}
	}
	live := d.RecheckHealth(c.ctx, sess, env, sess.Health.Resources)
	alarms := health.CheckAlarms(c.ctx, env.Clients, sess.Experiment.Template.StopConditions)
	var added []session.Event
	updated, err := d.Store.Update(sess.ID, func(s *session.Session) error {
		added = nil
		now := d.Clock.Now().UTC()
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
					Message: fmt.Sprintf("stop-condition alarm %s: %s → %s", a.Name, hist[len(hist)-1], a.State), Observed: true}
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

// recordNotes adds each note to the timeline as a visible fis-mcp note, once per distinct
// message (a failure repeated poll after poll is recorded when first seen; every poll
// still returns it in its notes), and returns the events added.
func (d *Deps) recordNotes(sess *session.Session, notes []string) (*session.Session, []session.Event) {
	if len(notes) == 0 {
		return sess, nil
	}
	var added []session.Event
	// A failed write is logged by Record; the notes still reach the user in the poll result.
	updated, err := d.Store.Record(d.Log, sess.ID, "notes", func(s *session.Session) error {
		added = nil
		now := d.Clock.Now().UTC()
		for _, n := range notes {
			if hasNote(s.Timeline, n) {
				continue
			}
			e := session.Event{Time: now, Source: session.SourceFISMCP, Kind: session.EventNote, Message: n, Observed: true}
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

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func lastAlarmStates(r *session.Run) map[string]string {
	out := map[string]string{}
	for name, hist := range r.AlarmStates {
		if len(hist) > 0 {
			out[name] = hist[len(hist)-1]
		}
	}
	return out
}

func pollText(s *session.Session, out PollOutput, d *Deps) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Experiment %s: %s", out.ExperimentID, strings.ToUpper(out.State))
	if out.Reason != "" {
		fmt.Fprintf(&b, " (%s)", out.Reason)
	}
	fmt.Fprintf(&b, " — elapsed %s\n", (time.Duration(out.Elapsed) * time.Second).String())
	if !out.Terminal && (out.State == "pending" || out.State == "initiating") && out.Elapsed >= 120 {
		fmt.Fprintf(&b, "The experiment has been %s for %s; FIS normally starts the actions within a minute. Most likely the template's IAM role (%s) has not propagated yet or lacks permissions: keep polling, check the experiment's state reason in the FIS console, and stop_experiment if it does not move.\n",
			out.State, (time.Duration(out.Elapsed) * time.Second).String(), s.Experiment.Template.RoleArn)
	}
	for _, a := range out.Actions {
		fmt.Fprintf(&b, "  action %-28s %-10s %s\n", a.Name, a.State, a.ActionID)
	}
	if len(out.NewEvents) > 0 {
		b.WriteString("Changes:\n")
		for _, e := range out.NewEvents {
			fmt.Fprintf(&b, "  %s %s\n", e.Time.UTC().Format("15:04:05"), e.Message)
		}
	}
	if len(out.ResourceStates) > 0 {
		b.WriteString("Resources:")
		for _, r := range s.Health.Resources {
			if st, ok := out.ResourceStates[r.ID]; ok {
				fmt.Fprintf(&b, " %s=%s", r.ID, st)
			}
		}
		b.WriteString("\n")
	}
	for _, pair := range sortedPairs(out.AlarmStates) {
		name, st, _ := strings.Cut(pair, "=")
		fmt.Fprintf(&b, "Stop-condition alarm %s: %s\n", name, st)
	}
	for _, in := range out.LogInsights {
		b.WriteString(insightText(in))
	}
	for _, n := range out.Notes {
		fmt.Fprintf(&b, "NOTE: %s\n", n)
	}
	if ls := out.LogStreams; ls != nil && ls.Summary != "" {
		fmt.Fprintf(&b, "Log streams: %d of %d followed. WARNING: %s.\n", ls.Following, ls.Streams, ls.Summary)
	}
	if out.Terminal {
		fmt.Fprintf(&b, "The experiment has ended. Next: finalize_report (it waits out the %s post-experiment baseline, wait=true blocks through it).\n", spellDuration(d.Config.Baseline, durAdj))
	} else {
		fmt.Fprintf(&b, "Next poll in %ds.", out.NextPollSeconds)
		if out.DashboardURL != "" {
			fmt.Fprintf(&b, " Dashboard: %s", out.DashboardURL)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// compareResolvedTargets reads FIS's own resolved targets of a dry run and flags every
// difference from the health check's list.
func (d *Deps) compareResolvedTargets(c *call, sess *session.Session) (*session.Session, []session.Event, []string) {
	clients, err := d.AWS(sess.Experiment.Region)
	if err != nil {
		return sess, nil, []string{"the dry run's resolved targets were not read: " + err.Error()}
	}
	resolved, err := experiment.ResolvedTargets(c.ctx, clients.FIS, sess.Run.ExperimentID)
	now := d.Clock.Now().UTC()
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
	updated, uerr := d.Store.Update(sess.ID, func(s *session.Session) error {
		s.Run.ResolvedTargets = nonNil(resolved)
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

func insightText(in report.AppInsight) string {
	var b strings.Builder
	svc := in.Service
	if svc == "" {
		svc = "indirect"
	}
	fmt.Fprintf(&b, "App %s (%s): %d errors, %d warnings since %s (%.1f errors/10s now)\n",
		in.App, svc, in.Errors, in.Warnings, in.Since.UTC().Format("15:04:05"), in.ErrorsPer10s)
	for _, l := range in.LastErrors {
		fmt.Fprintf(&b, "    %s\n", l)
	}
	for _, r := range in.RecoverySignals {
		fmt.Fprintf(&b, "    recovery: %s\n", r)
	}
	for _, n := range in.Notes {
		fmt.Fprintf(&b, "    note: %s\n", n)
	}
	return b.String()
}

// readLiveAWSEvents merges the affected resources' AWS event records (RDS/ElastiCache
// events, instance transitions, ...) into the timeline, for the live view. Each event
// stream is read from the watermark the previous poll left (one query per service and
// source type, whatever the number of nodes); failed reads come back as notes.
func (d *Deps) readLiveAWSEvents(c *call, sess *session.Session) (*session.Session, []session.Event, []string) {
	if sess.Run == nil || sess.Run.DryRun || sess.Health == nil || sess.State != session.StateRunning && sess.State != session.StateEnded {
		return sess, nil, nil
	}
	clients, err := d.AWS(sess.Experiment.Region)
	if err != nil {
		return sess, nil, []string{"AWS events not read: " + err.Error()}
	}
	res := events.Read(c.ctx, clients, sess.Health.Resources, events.Window{
		Start: sess.Run.RequestedAt.Add(-5 * time.Minute), End: d.Clock.Now(), Watermarks: sess.Run.EventWatermarks,
	})
	var notes []string
	for _, err := range res.Errors {
		notes = append(notes, "AWS events not read (this poll's timeline may miss them; fix the cause and poll again): "+err.Error())
	}
	var added []session.Event
	updated, err := d.Store.Update(sess.ID, func(s *session.Session) error {
		added = nil
		for _, e := range res.Events {
			if e.Observed && hasObserved(s.Timeline, e) {
				continue // a state seen now, already recorded when first seen
			}
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
