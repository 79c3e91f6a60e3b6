package workflow_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/fis-mcp/fis-mcp/cmd/fis-mcp/sim"
	"github.com/fis-mcp/fis-mcp/kube"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/workflow"
)

// Log collection is refused before the health check, and a named app must be
// cluster/namespace/workload: nothing starts and nothing is stored otherwise.
func TestEngineStartLogsRefusals(t *testing.T) {
	e, _, id := newDiscoverSim(t)
	ctx := context.Background()
	_, _, err := e.StartLogs(ctx, workflow.StartLogsRequest{SessionID: id})
	var te *session.TransitionError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "start log collection (allowed in: health_checked, logs_started, awaiting_confirmation)") {
		t.Fatalf("start_logs in state resolved: %v", err)
	}
	healthCheckSim(t, e, id)
	for key, want := range map[string]string{
		"a/b":                                `app "a/b": expected cluster/namespace/workload`,
		"a//c":                               `app "a//c": expected cluster/namespace/workload`,
		"no-such-cluster/shop/orders-api":    `app "no-such-cluster/shop/orders-api": EKS cluster no-such-cluster is not reachable`,
		sim.Cluster + "/shop/no-such-thing":  `app "` + sim.Cluster + `/shop/no-such-thing": `,
		sim.Cluster + "/shop/orders-api/x/y": `expected cluster/namespace/workload`,
	} {
		sess, res, err := e.StartLogs(ctx, workflow.StartLogsRequest{SessionID: id, Apps: []string{key}})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("apps [%q]: %v, want %q", key, err, want)
		}
		if sess == nil || sess.ID != id || res.LogDir != "" || len(res.Streams) != 0 {
			t.Errorf("apps [%q]: session %v result %+v", key, sess, res)
		}
	}
	if got, err := e.Get(id); err != nil || got.Logs != nil || got.State != session.StateHealthChecked || e.Collector(id) != nil {
		t.Fatalf("after refusals: logs %+v state %s collector %v (%v)", got.Logs, got.State, e.Collector(id), err)
	}
}

// With no discovery and no apps given, log collection is skipped (and says why); after
// discovery it follows every confirmed and indirect app, and a workload discovery did not
// list is looked up by name.
func TestEngineStartLogs(t *testing.T) {
	e, acct, id := newDiscoverSim(t)
	ctx := context.Background()
	healthCheckSim(t, e, id)

	sess, res, err := e.StartLogs(ctx, workflow.StartLogsRequest{SessionID: id})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(res.Skipped, "no apps to follow") || sess.State != session.StateLogsStarted || sess.Logs == nil || sess.Logs.Skipped != res.Skipped ||
		e.Collector(id) != nil || sess.Timeline[len(sess.Timeline)-1].Message != "log collection skipped: "+res.Skipped {
		t.Fatalf("skipped: %+v, session logs %+v", res, sess.Logs)
	}

	_, disc, err := e.DiscoverApps(ctx, workflow.DiscoverRequest{SessionID: id}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, a := range disc.Apps {
		if a.Confidence == session.ConfidenceConfirmed || a.Confidence == session.ConfidenceIndirect {
			want = append(want, a.Key())
		}
	}
	sess, res, err = e.StartLogs(ctx, workflow.StartLogsRequest{SessionID: id})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range res.Apps {
		got = append(got, a.Key())
	}
	if len(want) < 3 || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("apps followed %v, want the confirmed and indirect ones %v", got, want)
	}
	if res.Skipped != "" || len(res.Streams) < len(res.Apps) || res.MaxStreams != kube.DefaultMaxStreams || len(res.NotFollowed) != 0 ||
		res.LogDir != e.Store.LogDir(id) || e.Collector(id) == nil {
		t.Fatalf("result: %+v", res)
	}
	if sess.Logs == nil || sess.Logs.Dir != res.LogDir || len(sess.Logs.Apps) != len(res.Apps) || len(sess.Logs.Streams) != len(res.Streams) ||
		sess.Logs.MaxStreams != res.MaxStreams || sess.State != session.StateLogsStarted {
		t.Fatalf("stored log collection: %+v", sess.Logs)
	}
	last := sess.Timeline[len(sess.Timeline)-1]
	if last.Kind != session.EventLogsStarted || last.Source != session.SourceFISMCP || !strings.HasPrefix(last.Message, "log collection started for ") {
		t.Errorf("last event: %+v", last)
	}

	// Named apps: one from discovery is taken as discovered, one discovery never saw (it
	// references nothing) is looked up by name.
	acct.Kube.AddDeployment("monitoring", "prometheus", map[string]string{"app": "prometheus"},
		corev1.PodSpec{Containers: []corev1.Container{{Name: "prometheus", Image: "example.com/prometheus:1"}}}, 1)
	named := []string{sim.Cluster + "/" + sim.Namespace + "/payments-worker", sim.Cluster + "/monitoring/prometheus"}
	_, res, err = e.StartLogs(ctx, workflow.StartLogsRequest{SessionID: id, Apps: named})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Apps) != 2 || res.Apps[0].Key() != named[0] || res.Apps[1].Key() != named[1] {
		t.Fatalf("named apps: %+v", res.Apps)
	}
	if ev := res.Apps[0].Evidence; len(ev) == 0 || ev[len(ev)-1] == "named by the human (start_logs apps)" {
		t.Errorf("discovered app not taken from discovery: %q", ev)
	}
	if ev := res.Apps[1].Evidence; len(ev) == 0 || ev[len(ev)-1] != "named by the human (start_logs apps)" {
		t.Errorf("looked-up app evidence: %q", ev)
	}
}
