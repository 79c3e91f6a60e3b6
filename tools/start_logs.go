package tools

import (
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/fis-mcp/fis-mcp/kube"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/workflow"
)

// StartLogsInput selects the session and the apps to follow.
type StartLogsInput struct {
	SessionID string   `json:"session_id" jsonschema:"the session from resolve_experiment"`
	Apps      []string `json:"apps,omitempty" jsonschema:"apps to follow as cluster/namespace/workload (default: every confirmed and indirect app from discover_apps); workloads not found by discovery are looked up by name"`
}

// StartLogsOutput says where logs go and which streams follow.
type StartLogsOutput struct {
	SessionID string              `json:"session_id"`
	LogDir    string              `json:"log_dir"`
	Apps      []session.App       `json:"apps"`
	Streams   []session.LogStream `json:"streams"`
	// MaxStreams and NotFollowed: see LogStreamsSummary.
	MaxStreams  int      `json:"max_streams" jsonschema:"how many streams are followed at most (--max-log-streams, FIS_MCP_MAX_LOG_STREAMS)"`
	NotFollowed []string `json:"not_followed" jsonschema:"namespace/pod/container of each stream not followed because the limit is reached; each waits, queued, for a followed pod to go away"`
	Skipped     string   `json:"skipped,omitempty" jsonschema:"why no logs are collected, when none are"`
	Common
}

// LogStreamsSummary is the log collection's stream count in poll results: every
// stream not followed is named.
type LogStreamsSummary struct {
	Streams     int      `json:"streams" jsonschema:"(pod, container) streams selected"`
	Following   int      `json:"following" jsonschema:"streams being followed: following, starting, resuming, or waiting for their container to start"`
	MaxStreams  int      `json:"max_streams" jsonschema:"how many streams are followed at most (--max-log-streams, FIS_MCP_MAX_LOG_STREAMS)"`
	NotFollowed []string `json:"not_followed" jsonschema:"namespace/pod/container of each stream not followed because the limit is reached"`
	Summary     string   `json:"summary,omitempty" jsonschema:"'N streams not followed: …' with the remedy, when any is not followed"`
}

// logStreamsSummary summarises the session's log streams (nil when logs are not collected).
func logStreamsSummary(lc *session.LogCollection) *LogStreamsSummary {
	if lc == nil || lc.Skipped != "" {
		return nil
	}
	sum := &LogStreamsSummary{Streams: len(lc.Streams), MaxStreams: lc.MaxStreams, NotFollowed: nonNil(lc.NotFollowed)}
	for _, st := range lc.Streams {
		switch {
		case st.Status == kube.StatusQueued, st.Status == kube.StatusNotFollowed, st.Status == kube.StatusEnded, strings.HasPrefix(st.Status, "error"):
		default:
			sum.Following++
		}
	}
	sum.Summary = kube.NotFollowedLine(lc.NotFollowed, lc.MaxStreams)
	return sum
}

// StartLogs is the start_logs tool.
func StartLogs(d *Deps) server.ServerTool {
	tool := mcp.NewTool("start_logs",
		mcp.WithDescription("Step 3b (before the start): follow the pod logs of the confirmed apps (new and restarted pods included) into files under the session's log directory, through the run and the {baseline-adj} post-experiment baseline. Collection resumes after a server restart and stops with stop_experiment or finalize_report. Reads logs only."),
		mcp.WithTitleAnnotation("Apps: start log collection"),
		mcp.WithReadOnlyHintAnnotation(true),
		mcp.WithDestructiveHintAnnotation(false),
		mcp.WithIdempotentHintAnnotation(true),
		mcp.WithOpenWorldHintAnnotation(true),
		mcp.WithInputSchema[StartLogsInput](),
		mcp.WithOutputSchema[StartLogsOutput](),
		withTimings(d.Config),
	)
	return server.ServerTool{Tool: tool, Handler: handle(d, "start_logs", (*Deps).startLogs)}
}

var logStates = []session.State{session.StateHealthChecked, session.StateLogsStarted, session.StateAwaitingConfirmation}

func (d *Deps) startLogs(c *call, in StartLogsInput) (*mcp.CallToolResult, error) {
	sess, err := d.Store.Get(in.SessionID)
	if err != nil {
		return c.fail("", err)
	}
	if err := sess.Require("start log collection", logStates...); err != nil {
		return c.fail(sess.ID, err)
	}
	clients, err := d.AWS(sess.Experiment.Region)
	if err != nil {
		return c.fail(sess.ID, err)
	}
	apps, err := d.selectApps(c, sess, in.Apps)
	if err != nil {
		return c.fail(sess.ID, err)
	}
	logDir := d.Store.LogDir(sess.ID)
	now := d.Clock.Now().UTC()
	skipped := ""
	var streams []session.LogStream
	maxStreams := d.MaxLogStreams()
	if len(apps) == 0 {
		skipped = "no apps to follow: discover_apps found none and none were given; application log analysis will be skipped"
	} else {
		names := workflow.ClusterNames(apps)
		kclients, err := d.LogClusterClients(c.ctx, clients, names)
		if err != nil {
			return c.fail(sess.ID, err)
		}
		coll, err := d.RunCollector(sess.ID, logDir, kclients, apps)
		if err != nil {
			return c.fail(sess.ID, err)
		}
		streams = coll.Streams()
	}
	updated, err := d.Store.Update(sess.ID, func(s *session.Session) error {
		if err := s.Require("start log collection", logStates...); err != nil {
			return err
		}
		s.Logs = &session.LogCollection{Dir: logDir, StartedAt: now, Apps: apps, Streams: nonNil(streams), Skipped: skipped,
			MaxStreams: maxStreams, NotFollowed: kube.NotFollowed(streams)}
		s.InvalidateConfirmation()
		if s.State != session.StateLogsStarted {
			if err := s.Transition(session.StateLogsStarted); err != nil {
				return err
			}
		}
		msg := fmt.Sprintf("log collection started for %d app(s), %d stream(s), into %s", len(apps), len(streams), logDir)
		if line := kube.NotFollowedLine(kube.NotFollowed(streams), maxStreams); line != "" {
			msg += "; " + line
		}
		if skipped != "" {
			msg = "log collection skipped: " + skipped
		}
		s.AddEvent(session.Event{Time: now, Source: session.SourceFISMCP, Kind: session.EventLogsStarted, Message: msg})
		return nil
	})
	if err != nil {
		d.StopLogs(sess.ID)
		return c.fail(sess.ID, err)
	}
	notFollowed := kube.NotFollowed(streams)
	out := StartLogsOutput{SessionID: updated.ID, LogDir: logDir, Apps: nonNil(apps), Streams: nonNil(streams), Skipped: skipped,
		MaxStreams: maxStreams, NotFollowed: nonNil(notFollowed)}
	var b strings.Builder
	if skipped != "" {
		fmt.Fprintf(&b, "Log collection SKIPPED: %s\n", skipped)
	} else {
		fmt.Fprintf(&b, "Following %d app(s) into %s:\n", len(apps), logDir)
		for _, a := range apps {
			fmt.Fprintf(&b, "  - %s → %s\n", a.Key(), kube.FilePath(logDir, a))
		}
		for _, st := range streams {
			if st.Status == kube.StatusQueued {
				fmt.Fprintf(&b, "    %s/%s: %s — NOT FOLLOWED (stream limit reached)\n", st.Pod, st.Container, st.Status)
				continue
			}
			fmt.Fprintf(&b, "    %s/%s: %s\n", st.Pod, st.Container, st.Status)
		}
		if line := kube.NotFollowedLine(notFollowed, maxStreams); line != "" {
			fmt.Fprintf(&b, "WARNING: %s.\nA queued stream is %s.\n", line, kube.QueuedReason(maxStreams))
		}
	}
	b.WriteString("Next: start_experiment (it shows the impact warning and asks for confirmation).\n")
	return c.finish(updated.ID, &out, &out.Common, b.String())
}

// selectApps picks the apps to follow: the given keys (from discovery, or looked up by
// name), or every confirmed app from discovery.
func (d *Deps) selectApps(c *call, sess *session.Session, keys []string) ([]session.App, error) {
	var discovered []session.App
	if sess.Discovery != nil {
		discovered = sess.Discovery.Apps
	}
	if len(keys) == 0 {
		var out []session.App
		for _, a := range discovered {
			if a.Confidence == session.ConfidenceConfirmed || a.Confidence == session.ConfidenceIndirect {
				out = append(out, a)
			}
		}
		return out, nil
	}
	var out []session.App
	for _, k := range keys {
		parts := strings.Split(strings.TrimSpace(k), "/")
		if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
			return nil, fmt.Errorf("app %q: expected cluster/namespace/workload", k)
		}
		found := false
		for _, a := range discovered {
			if a.Key() == k {
				out = append(out, a)
				found = true
			}
		}
		if found {
			continue
		}
		clients, err := d.AWS(sess.Experiment.Region)
		if err != nil {
			return nil, err
		}
		kclients, _, err := d.ClusterClients(c.ctx, clients, []string{parts[0]})
		if err != nil {
			return nil, err
		}
		cs, ok := kclients[parts[0]]
		if !ok {
			return nil, fmt.Errorf("app %q: EKS cluster %s is not reachable", k, parts[0])
		}
		app, err := kube.LookupWorkload(c.ctx, cs, parts[0], parts[1], parts[2])
		if err != nil {
			return nil, fmt.Errorf("app %q: %w", k, err)
		}
		app.Evidence = append(app.Evidence, "named by the human (start_logs apps)")
		out = append(out, app)
	}
	return out, nil
}
