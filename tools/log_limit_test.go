package tools_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/cmd/fis-mcp/sim"
	"github.com/fis-mcp/fis-mcp/kube"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/tools"
)

// TestLogStreamLimitNamesStreamsNotFollowed: with a stream limit below the
// selected containers, start_logs and every poll name (namespace/pod/container)
// each stream not followed, in the text and the structured result, and the
// session keeps them for the report.
func TestLogStreamLimitNamesStreamsNotFollowed(t *testing.T) {
	const limit = 3
	acct, err := sim.New(sim.WithTiming(sim.Timing{Initiating: 300 * time.Millisecond, Fault: 2 * time.Second, Failover: time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(acct.Close)
	tmp := t.TempDir()
	expRoot := filepath.Join(tmp, "experiments")
	if err := os.MkdirAll(expRoot, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := sim.WriteExperiment(expRoot); err != nil {
		t.Fatal(err)
	}
	store, err := session.Open(filepath.Join(tmp, "state"), zerolog.Nop(), nil)
	if err != nil {
		t.Fatal(err)
	}
	base, err := awsapi.LoadConfig(context.Background(), awsapi.Options{Endpoint: acct.AWS.URL, Region: acct.Region(), MaxBackoff: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	cfg := tools.Config{Simulated: true, ExperimentsDir: expRoot, Baseline: 1500 * time.Millisecond, HealthWaitInterval: 100 * time.Millisecond,
		HealthWaitMax: time.Second, PollFast: time.Second, PollFastFor: time.Minute, PollSlow: 2 * time.Second, PollWaitStep: 100 * time.Millisecond,
		MaxLogStreams: limit}
	deps := tools.NewDeps(store, base, cfg, nil, zerolog.Nop())
	t.Cleanup(deps.Close)
	cl := connectClient(t, tools.NewServer(deps, "test"), nil, nil)
	t.Cleanup(func() { _ = cl.Close() })
	step := func(name string, args map[string]any) result {
		t.Helper()
		r := callTool(t, cl, name, args)
		if r.isError {
			t.Fatalf("%s failed:\n%s", name, r.text)
		}
		return r
	}

	id := output[tools.ResolveExperimentOutput](t, step("resolve_experiment", map[string]any{"template_id": sim.TemplateID})).SessionID
	step("health_check", map[string]any{"session_id": id})
	step("discover_apps", map[string]any{"session_id": id})
	logs := step("start_logs", map[string]any{"session_id": id})
	out := output[tools.StartLogsOutput](t, logs)
	if len(out.Streams) <= limit {
		t.Fatalf("the simulated account has %d streams, need more than %d:\n%s", len(out.Streams), limit, logs.text)
	}
	var want []string
	for _, st := range out.Streams {
		if st.Status == kube.StatusQueued {
			want = append(want, sim.Namespace+"/"+st.Pod+"/"+st.Container)
		}
	}
	if len(want) != len(out.Streams)-limit {
		t.Fatalf("%d of %d streams queued with a limit of %d:\n%s", len(want), len(out.Streams), limit, logs.text)
	}
	sort.Strings(want)
	if strings.Join(out.NotFollowed, ",") != strings.Join(want, ",") || out.MaxStreams != limit {
		t.Fatalf("start_logs not_followed = %v (max %d), want %v (max %d)", out.NotFollowed, out.MaxStreams, want, limit)
	}
	summary := fmt.Sprintf("%d streams not followed: %s", len(want), strings.Join(want, ", "))
	for _, w := range []string{summary, "--max-log-streams", "FIS_MCP_MAX_LOG_STREAMS", "queued — NOT FOLLOWED", "not followed: all 3 log stream slots are taken"} {
		if !strings.Contains(logs.text, w) {
			t.Errorf("start_logs text lacks %q:\n%s", w, logs.text)
		}
	}
	if sess, err := store.Get(id); err != nil || strings.Join(sess.Logs.NotFollowed, ",") != strings.Join(want, ",") || sess.Logs.MaxStreams != limit {
		t.Fatalf("session log collection: %+v, %v", sess.Logs, err)
	}

	conf := step("start_experiment", map[string]any{"session_id": id})
	step("start_experiment", map[string]any{"session_id": id, "confirmation_token": output[tools.StartExperimentOutput](t, conf).ConfirmationToken})
	polls := 0
	for i := 0; ; i++ {
		if i == 100 {
			t.Fatal("the simulated experiment did not end")
		}
		p := step("poll", map[string]any{"session_id": id, "wait_seconds": 2})
		polls++
		po := output[tools.PollOutput](t, p)
		if po.LogStreams == nil || strings.Join(po.LogStreams.NotFollowed, ",") != strings.Join(want, ",") ||
			po.LogStreams.MaxStreams != limit || po.LogStreams.Streams != len(out.Streams) || po.LogStreams.Following > limit {
			t.Fatalf("poll %d log_streams = %+v, want %v not followed of %d", polls, po.LogStreams, want, len(out.Streams))
		}
		if !strings.Contains(p.text, summary) {
			t.Fatalf("poll %d text lacks %q:\n%s", polls, summary, p.text)
		}
		if po.Terminal {
			break
		}
	}
	fin := step("finalize_report", map[string]any{"session_id": id, "wait": true})
	md, err := os.ReadFile(output[tools.FinalizeReportOutput](t, fin).ReportPath)
	if err != nil {
		t.Fatalf("report: %v\n%s", err, fin.text)
	}
	if !strings.Contains(string(md), summary) {
		t.Fatalf("report lacks %q", summary)
	}
}
