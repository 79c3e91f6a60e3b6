package tools

import (
	"fmt"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/humandur"
	"github.com/fis-mcp/fis-mcp/session/report"
	"github.com/fis-mcp/fis-mcp/session/untrusted"
	"github.com/fis-mcp/fis-mcp/session/workflow"
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
	NewEvents       []session.Event     `json:"new_events" jsonschema:"timeline events recorded since the previous poll, each with recorded_by: supervisor (the server's own sampling) or poll"`
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
		mcp.WithDescription("Step 5: read the experiment's and each action's state, record every transition with FIS's timestamps, sample the affected resources' live state and the stop-condition alarms, and summarise application log errors since the last poll. The server also samples the run itself in the background, so this returns everything recorded since your previous poll (recorded_by says who sampled it) and missing a poll loses nothing. Poll every {poll-fast} for the first {poll-fast-for}, then every {poll-slow} (next_poll_seconds says when), or pass wait_seconds to block until something changes. When the experiment ends, call finalize_report. Read-only (stop_experiment stops the run)."),
		mcp.WithTitleAnnotation("Experiment: poll"),
		mcp.WithReadOnlyHintAnnotation(true),
		mcp.WithDestructiveHintAnnotation(false),
		mcp.WithIdempotentHintAnnotation(false),
		mcp.WithOpenWorldHintAnnotation(true),
		inputSchema[PollInput](),
		mcp.WithOutputSchema[PollOutput](),
		withTimings(d.Config),
	)
	return server.ServerTool{Tool: tool, Handler: handle(d, "poll", (*Deps).poll)}
}

func (d *Deps) poll(c *call, in PollInput) (*mcp.CallToolResult, error) {
	wait := time.Duration(min(max(in.WaitSeconds, 0), int(workflow.MaxPollWait/time.Second))) * time.Second
	sess, res, err := d.Poll(c.ctx, workflow.PollRequest{SessionID: in.SessionID, Wait: wait}, c.progress)
	if err != nil {
		id := ""
		if sess != nil {
			id = sess.ID
		}
		return c.fail(id, err)
	}
	st := res.Status
	out := PollOutput{
		SessionID: sess.ID, ExperimentID: st.ID, State: st.State, Reason: st.Reason, Terminal: res.Terminal,
		Actions: nonNil(st.Actions), NewEvents: nonNil(res.NewEvents), ResourceStates: res.ResourceStates,
		AlarmStates: res.AlarmStates, LogInsights: nonNil(res.Insights), DashboardURL: sess.Experiment.DashboardURL,
		LogStreams: logStreamsSummary(sess.Logs), Notes: res.Notes,
		Elapsed: res.Elapsed.Seconds(), NextPollSeconds: int(res.NextPoll.Seconds()),
	}
	return c.finish(sess.ID, &out, &out.Common, pollText(sess, out, d))
}

func pollText(s *session.Session, out PollOutput, d *Deps) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Experiment %s: %s", out.ExperimentID, strings.ToUpper(out.State))
	if out.Reason != "" {
		fmt.Fprintf(&b, " (%s)", out.Reason)
	}
	elapsed := humandur.Format("en", time.Duration(out.Elapsed*float64(time.Second)).Round(time.Second))
	fmt.Fprintf(&b, " — elapsed %s\n", elapsed)
	if !out.Terminal && (out.State == "pending" || out.State == "initiating") && out.Elapsed >= 120 {
		fmt.Fprintf(&b, "The experiment has been %s for %s; FIS normally starts the actions within a minute. Most likely the template's IAM role (%s) has not propagated yet or lacks permissions: keep polling, check the experiment's state reason in the FIS console, and stop_experiment if it does not move.\n",
			out.State, elapsed, s.Experiment.Template.RoleArn)
	}
	for _, a := range out.Actions {
		fmt.Fprintf(&b, "  action %-28s %-10s %s\n", a.Name, a.State, a.ActionID)
	}
	if len(out.NewEvents) > 0 {
		b.WriteString("Changes (by event time):\n")
		var quoted []string // AWS's own event texts: data, fenced below
		for _, e := range out.NewEvents {
			if report.UntrustedSource(e.Source) {
				quoted = append(quoted, fmt.Sprintf("%s %s %s: %s", e.Time.UTC().Format("15:04:05"), e.Source, e.Subject, e.Message))
				continue
			}
			fmt.Fprintf(&b, "  %s %s\n", e.Time.UTC().Format("15:04:05"), e.Message)
		}
		b.WriteString(untrusted.Quote("AWS event records", quoted))
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
		fmt.Fprintf(&b, "Next poll in %s.", humandur.Format("en", time.Duration(out.NextPollSeconds)*time.Second))
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
	b.WriteString(untrusted.Quote("Log excerpt from "+in.App+", last error lines", in.LastErrors))
	b.WriteString(untrusted.Quote("Log excerpt from "+in.App+", recovery signals", in.RecoverySignals))
	for _, n := range in.Notes {
		fmt.Fprintf(&b, "    note: %s\n", n)
	}
	return b.String()
}
