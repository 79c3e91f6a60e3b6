package tools

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/experiment"
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
	sess = d.EnsureLogs(c.ctx, sess)
	if sess.Run.ExperimentID == "" {
		recovered, found, err := d.RecoverStart(c.ctx, sess)
		if err != nil {
			return c.fail(in.SessionID, err)
		}
		if !found {
			if d.StartInFlight(sess.ID) {
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
		sess, newEvents, err = d.RecordStatus(sess.ID, st)
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
		sess, dryEvents, dryNotes = d.CompareResolvedTargets(c.ctx, sess)
		newEvents = append(newEvents, dryEvents...)
		notes = append(notes, dryNotes...)
	}
	// Live resource and alarm sampling while the experiment runs (and once at its end),
	// and AWS's own event records of the affected resources since the last poll.
	var sampleEvents []session.Event
	var sampleNotes []string
	sess, sampleEvents, sampleNotes = d.SampleLiveStateNotes(c.ctx, sess, false)
	newEvents = append(newEvents, sampleEvents...)
	notes = append(notes, sampleNotes...)
	sess, sampleEvents, sampleNotes = d.ReadLiveAWSEvents(c.ctx, sess)
	newEvents = append(newEvents, sampleEvents...)
	notes = append(notes, sampleNotes...)
	sess, sampleEvents = d.RecordNotes(sess, notes)
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
