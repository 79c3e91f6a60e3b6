package workflow_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/cmd/fis-mcp/sim"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/workflow"
)

// newDiscoverSim is an engine over the simulated account (fake AWS + fake EKS API with the
// shop apps) and a session of its sample experiment, resolved but not yet health-checked.
func newDiscoverSim(t *testing.T) (*workflow.Engine, *sim.Account, string) {
	t.Helper()
	acct, err := sim.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(acct.Close)
	e := newEngine(t, acct.AWS)
	t.Cleanup(e.Close)
	res, err := e.Resolve(context.Background(), workflow.ResolveRequest{TemplateID: sim.TemplateID})
	if err != nil {
		t.Fatal(err)
	}
	return e, acct, res.Session.ID
}

// healthCheckSim health-checks the session of newDiscoverSim (healthy).
func healthCheckSim(t *testing.T, e *workflow.Engine, id string) {
	t.Helper()
	_, hr, err := e.HealthCheck(context.Background(), workflow.HealthRequest{SessionID: id}, nil)
	if err != nil || hr.Verdict != session.VerdictHealthy {
		t.Fatalf("health check: verdict %q, %v", hr.Verdict, err)
	}
}

func findApp(apps []session.App, workload string) *session.App {
	for i := range apps {
		if apps[i].Workload == workload {
			return &apps[i]
		}
	}
	return nil
}

// Discovery needs the health check's resolved targets: it is refused before, and stores
// nothing.
func TestEngineDiscoverRefusedBeforeHealthCheck(t *testing.T) {
	e, _, id := newDiscoverSim(t)
	sess, disc, err := e.DiscoverApps(context.Background(), workflow.DiscoverRequest{SessionID: id}, nil)
	var te *session.TransitionError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "run health_check first") || !strings.Contains(err.Error(), "allowed in: health_checked, logs_started, awaiting_confirmation") {
		t.Fatalf("discovery in state resolved: %v", err)
	}
	if sess == nil || sess.ID != id || disc != nil {
		t.Fatalf("refused discovery returned session %v, discovery %v", sess, disc)
	}
	if got, err := e.Get(id); err != nil || got.Discovery != nil || got.State != session.StateResolved {
		t.Fatalf("session after a refused discovery: %+v, %v", got, err)
	}
	if sess, _, err := e.DiscoverApps(context.Background(), workflow.DiscoverRequest{SessionID: "no-such-session"}, nil); err == nil || sess != nil {
		t.Fatalf("unknown session: %v, %v", sess, err)
	}
}

// The happy path over the simulated account: the apps referencing Aurora's endpoint or
// Redis are confirmed, the front end calling orders-api is indirect, a named cluster that
// does not exist is skipped with its error, each cluster scanned is reported as progress,
// the isolated kubeconfig lands in the session directory, and the discovery is stored with
// its event.
func TestEngineDiscoverApps(t *testing.T) {
	e, _, id := newDiscoverSim(t)
	healthCheckSim(t, e, id)
	var mu sync.Mutex
	var steps []string
	sess, disc, err := e.DiscoverApps(context.Background(), workflow.DiscoverRequest{SessionID: id, Clusters: []string{sim.Cluster, "no-such-cluster"}, WriteKubeconfig: true},
		func(done, total float64, msg string) {
			mu.Lock()
			defer mu.Unlock()
			if total != 2 {
				t.Errorf("progress total %v, want 2", total)
			}
			steps = append(steps, msg)
		})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct{ workload, confidence string }{
		{"orders-api", session.ConfidenceConfirmed},
		{"cart-service", session.ConfidenceConfirmed},
		{"storefront-web", session.ConfidenceIndirect},
	} {
		a := findApp(disc.Apps, want.workload)
		if a == nil || a.Confidence != want.confidence || a.Cluster != sim.Cluster || a.Namespace != sim.Namespace {
			t.Errorf("app %s: %+v, want confidence %s", want.workload, a, want.confidence)
		}
	}
	if len(disc.Clusters) != 2 || disc.Clusters[0].Name != sim.Cluster || !disc.Clusters[0].Reachable ||
		disc.Clusters[1].Name != "no-such-cluster" || disc.Clusters[1].Reachable || disc.Clusters[1].Error == "" {
		t.Fatalf("clusters: %+v", disc.Clusters)
	}
	kc := disc.Clusters[0].KubeconfigPath
	if filepath.Dir(kc) != e.Store.SessionDir(id) || filepath.Base(kc) != "kubeconfig-"+sim.Cluster {
		t.Errorf("kubeconfig path %q, want kubeconfig-%s in %s", kc, sim.Cluster, e.Store.SessionDir(id))
	} else if fi, err := os.Stat(kc); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("kubeconfig %s: %v %v", kc, fi, err)
	}
	if len(steps) != 2 || !strings.Contains(strings.Join(steps, "\n"), sim.Cluster) {
		t.Errorf("progress: %q", steps)
	}
	var aurora bool
	for _, ep := range disc.Endpoints {
		aurora = aurora || strings.HasPrefix(ep.Value, sim.Aurora+".cluster-")
	}
	if !aurora {
		t.Errorf("Aurora's endpoint was not searched for: %+v", disc.Endpoints)
	}
	if len(disc.ManagedLogGroups) == 0 {
		t.Errorf("no managed log groups: %+v", disc)
	}
	if sess.Discovery == nil || len(sess.Discovery.Apps) != len(disc.Apps) || sess.State != session.StateHealthChecked {
		t.Fatalf("stored session: state %s discovery %+v", sess.State, sess.Discovery)
	}
	last := sess.Timeline[len(sess.Timeline)-1]
	if last.Kind != session.EventDiscovery || last.Source != session.SourceFISMCP || !strings.HasPrefix(last.Message, "discovered ") {
		t.Errorf("last event: %+v", last)
	}
}

// Affected is the health check's resolved resources, without the targets that resolved
// nothing or could not be resolved.
func TestAffected(t *testing.T) {
	if got := workflow.Affected(&session.Session{}); got != nil {
		t.Errorf("no health check: %v", got)
	}
	s := &session.Session{Health: &session.HealthResult{Resources: []session.ResourceHealth{
		{ID: "demo-aurora", ARN: "arn:aws:rds:us-east-1:123456789012:cluster:demo-aurora", Type: "aws:rds:cluster", Target: "Cluster", Status: "available", Healthy: true},
		{ID: "", Type: "aws:ec2:instance", Target: "Empty", Status: health.StatusNoTargetsResolved},
		{ID: "x", Type: "aws:ec2:instance", Target: "Bad", Status: health.StatusUnresolved},
		{ID: "i-1", Type: "aws:ec2:instance", Target: "Nodes", Status: "stopped"},
	}}}
	got := workflow.Affected(s)
	want := []health.Resource{
		{ID: "demo-aurora", ARN: "arn:aws:rds:us-east-1:123456789012:cluster:demo-aurora", Type: "aws:rds:cluster", Target: "Cluster"},
		{ID: "i-1", Type: "aws:ec2:instance", Target: "Nodes"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Affected = %+v, want %+v", got, want)
	}
}
