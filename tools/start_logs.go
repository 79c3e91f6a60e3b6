package tools

import (
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/fis-mcp/fis-mcp/kube"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/untrusted"
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
	Streams   []session.LogStream `json:"streams" jsonschema:"each (pod, container) stream and its status: starting, following, resuming, waiting (its container has not started yet; followed once it does), ended; queued: NOT followed yet because all max_streams slots are taken: it starts, from its earlier lines as far as the kubelet keeps them, as soon as a followed pod goes away; not followed: ended while queued; error: …"`
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
		inputSchema[StartLogsInput](),
		mcp.WithOutputSchema[StartLogsOutput](),
		withTimings(d.Config),
	)
	return server.ServerTool{Tool: tool, Handler: handle(d, "start_logs", (*Deps).startLogs)}
}

func (d *Deps) startLogs(c *call, in StartLogsInput) (*mcp.CallToolResult, error) {
	updated, res, err := d.StartLogs(c.ctx, workflow.StartLogsRequest{SessionID: in.SessionID, Apps: in.Apps})
	if err != nil {
		id := ""
		if updated != nil {
			id = updated.ID
		}
		return c.fail(id, err)
	}
	out := StartLogsOutput{SessionID: updated.ID, LogDir: res.LogDir, Apps: cleanEvidence(nonNil(res.Apps)), Streams: nonNil(res.Streams), Skipped: res.Skipped,
		MaxStreams: res.MaxStreams, NotFollowed: nonNil(res.NotFollowed)}
	return c.finish(updated.ID, &out, &out.Common, startLogsText(res))
}

// countStatus counts the streams in status st.
func countStatus(streams []session.LogStream, st string) int {
	n := 0
	for _, s := range streams {
		if s.Status == st {
			n++
		}
	}
	return n
}

func startLogsText(res workflow.StartLogsResult) string {
	var b strings.Builder
	if res.Skipped != "" {
		fmt.Fprintf(&b, "Log collection SKIPPED: %s\n", res.Skipped)
	} else {
		fmt.Fprintf(&b, "Following %d app(s) into %s:\n", len(res.Apps), res.LogDir)
		for _, a := range res.Apps {
			fmt.Fprintf(&b, "  - %s → %s\n", a.Key(), kube.FilePath(res.LogDir, a))
		}
		for _, st := range res.Streams {
			if st.Status == kube.StatusQueued {
				fmt.Fprintf(&b, "    %s/%s: %s — NOT FOLLOWED yet: all %d stream slots are taken; it starts when a followed pod goes away\n", st.Pod, st.Container, st.Status, res.MaxStreams)
				continue
			}
			fmt.Fprintf(&b, "    %s/%s: %s\n", st.Pod, st.Container, untrusted.Clean(st.Status, untrusted.MaxLine))
		}
		if line := kube.NotFollowedLine(res.NotFollowed, res.MaxStreams); line != "" {
			fmt.Fprintf(&b, "WARNING: %s.\nA queued stream is %s.\n", line, kube.QueuedReason(res.MaxStreams))
		}
		if waiting := countStatus(res.Streams, kube.StatusWaiting); waiting > 0 {
			fmt.Fprintf(&b, "%d stream(s) waiting: their containers have not started yet; each is followed as soon as it starts (it holds its slot).\n", waiting)
		}
	}
	b.WriteString("Next: start_experiment (it shows the impact warning and asks for confirmation).\n")
	return b.String()
}
