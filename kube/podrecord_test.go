package kube

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fis-mcp/fis-mcp/kube/kubetest"
	"github.com/fis-mcp/fis-mcp/session"
)

// TestStreamsRecordPodIncarnations: each stream names its pod's UID, its container's start
// and restart count, so a pod that replaced a deleted one (new UID, started after the
// fault) and a restarted container can be told from the pods that ran through.
func TestStreamsRecordPodIncarnations(t *testing.T) {
	clock := newFakeClock()
	srv, cs := newTestCluster(t, kubetest.WithClock(clock))
	pods := srv.AddDeployment("shop", "api", map[string]string{"app": "api"}, podSpec("api"), 1)
	every := 10 * time.Millisecond
	if err := srv.SetLogs("shop", pods[0], "api", kubetest.Counter(t0, every, "line")); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	c := testCollector(dir, clock, 0)
	defer c.Stop()
	if err := c.Start(context.Background(), map[string]Interface{"c1": cs}, []session.App{apiApp()}); err != nil {
		t.Fatal(err)
	}
	path := FilePath(dir, apiApp())
	late := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "api-new", Labels: map[string]string{"app": "api"}}, Spec: podSpec("api")}
	lateStart := t0.Add(time.Second) // Kubernetes times have whole seconds
	srv.AddPodLater(lateStart, late)
	srv.At(lateStart, func() { _ = srv.SetLogs("shop", "api-new", "api", kubetest.Counter(lateStart, every, "new")) })
	advanceAndWait(t, c, clock, path, 15, 100*time.Millisecond, func(now time.Time) int { return counterLines(t0, now, every) })
	restartAt := clock.Now()
	if err := srv.RestartContainer("shop", pods[0], "api"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the restart and the new pod in the streams", 10*time.Second, func() bool {
		byPod := map[string]session.LogStream{}
		for _, s := range c.Streams() {
			byPod[s.Pod] = s
		}
		old, nw := byPod[pods[0]], byPod["api-new"]
		return old.Restarts == 1 && nw.PodUID != ""
	})
	byPod := map[string]session.LogStream{}
	for _, s := range c.Streams() {
		byPod[s.Pod] = s
	}
	old, nw := byPod[pods[0]], byPod["api-new"]
	if old.PodUID == "" || nw.PodUID == "" || old.PodUID == nw.PodUID {
		t.Errorf("pod UIDs: old %q, new %q (want two distinct UIDs)", old.PodUID, nw.PodUID)
	}
	if nw.StartedAt == nil || nw.StartedAt.Before(lateStart) || nw.Restarts != 0 {
		t.Errorf("new pod: started %v, restarts %d (want started at or after %s, no restart)", nw.StartedAt, nw.Restarts, lateStart)
	}
	if old.Restarts != 1 || old.StartedAt == nil || old.StartedAt.Before(restartAt.Truncate(time.Second)) {
		t.Errorf("restarted container: started %v, restarts %d (want restarted at or after %s, 1 restart)", old.StartedAt, old.Restarts, restartAt)
	}
}
