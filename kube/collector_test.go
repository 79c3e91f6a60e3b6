package kube

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fis-mcp/fis-mcp/kube/kubetest"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/logline"
)

func flushAll(c *Collector) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.sinks {
		_ = s.flush()
	}
}

func testCollector(dir string, clock Clock, maxStreams int) *Collector {
	return NewCollector(CollectorOptions{
		Dir: dir, Clock: clock, Since: -1, MaxStreams: maxStreams,
		FlushInterval: 20 * time.Millisecond, Backoff: 2 * time.Millisecond, MaxBackoff: 20 * time.Millisecond,
	})
}

func apiApp() session.App {
	return session.App{Cluster: "c1", Namespace: "shop", Workload: "api", Kind: "Deployment", Service: "db1", Selector: map[string]string{"app": "api"}}
}

// countBy counts collected lines per "pod/container message".
func countBy(lines []logline.Line) map[string]int {
	out := map[string]int{}
	for _, l := range lines {
		out[l.Pod+"/"+l.Container+" "+string(l.Message)]++
	}
	return out
}

// expectCounter checks that lines of pod/container are exactly "prefix i" for i in [from, to), once each, in order.
func expectCounter(t *testing.T, lines []logline.Line, pod, container, prefix string, from, to int) {
	t.Helper()
	next := from
	for _, l := range lines {
		if l.Pod != pod || l.Container != container {
			continue
		}
		want := prefix + " " + strconv.Itoa(next)
		if string(l.Message) != want {
			t.Fatalf("%s/%s: got %q, want %q (duplicate, gap or disorder)", pod, container, l.Message, want)
		}
		next++
	}
	if next != to {
		t.Fatalf("%s/%s: got lines %d..%d, want up to %d", pod, container, from, next-1, to-1)
	}
}

// advanceAndWait moves the clock in steps, waiting after each step until the file holds want(now) lines.
func advanceAndWait(t *testing.T, c *Collector, clock *fakeClock, path string, steps int, step time.Duration, want func(now time.Time) int) {
	t.Helper()
	for i := 0; i < steps; i++ {
		clock.Advance(step)
		n := want(clock.Now())
		waitFor(t, fmt.Sprintf("%d lines at %s", n, clock.Now().Format(time.RFC3339Nano)), 10*time.Second, func() bool {
			flushAll(c)
			return len(readLines(t, path)) >= n
		})
	}
}

// counterLines is how many lines Counter(start, every) has served by now (exclusive).
func counterLines(start, now time.Time, every time.Duration) int {
	if !now.After(start) {
		return 0
	}
	d := now.Sub(start)
	n := int(d / every)
	if time.Duration(n)*every < d {
		n++
	}
	return n
}

func logRequests(srv *kubetest.Server, pod, container string) []url.Values {
	var out []url.Values
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r.Path, "/pods/"+pod+"/log") {
			q, _ := url.ParseQuery(r.Query)
			if q.Get("container") == container {
				out = append(out, q)
			}
		}
	}
	return out
}

func TestCollectorFollowsNewPodsMidRun(t *testing.T) {
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
	if path != filePath(dir, "db1", "shop", "api") {
		t.Fatalf("file path %s", path)
	}
	// A new pod of the workload appears at t0+500ms, logging from its start.
	late := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "api-late", Labels: map[string]string{"app": "api"}}, Spec: podSpec("api")}
	lateStart := t0.Add(500 * time.Millisecond)
	srv.AddPodLater(lateStart, late)
	srv.At(lateStart, func() {
		_ = srv.SetLogs("shop", "api-late", "api", kubetest.Counter(lateStart, every, "late"))
	})
	// A pod of another workload never shows up.
	srv.AddDeployment("shop", "web", map[string]string{"app": "web"}, podSpec("web"), 1)

	advanceAndWait(t, c, clock, path, 10, 100*time.Millisecond, func(now time.Time) int {
		n := counterLines(t0, now, every)
		if now.After(lateStart) {
			// The late pod's lines are counted once its watch event arrived; be lenient here, exact below.
			n += 0
		}
		return n
	})
	end := clock.Now()
	want := counterLines(t0, end, every) + counterLines(lateStart, end, every)
	waitFor(t, "late pod lines", 10*time.Second, func() bool {
		flushAll(c)
		return len(readLines(t, path)) >= want
	})
	c.Stop()
	lines := readLines(t, path)
	if len(lines) != want {
		t.Fatalf("got %d lines, want %d", len(lines), want)
	}
	expectCounter(t, lines, pods[0], "api", "line", 0, counterLines(t0, end, every))
	expectCounter(t, lines, "api-late", "api", "late", 0, counterLines(lateStart, end, every))
	streams := c.Streams()
	if len(streams) != 2 {
		t.Fatalf("streams = %+v, want 2", streams)
	}
	for _, s := range streams {
		if s.App != "c1/shop/api" || s.File != path || s.Status != StatusEnded {
			t.Errorf("stream after Stop = %+v", s)
		}
	}
}

func TestCollectorContainerRestart(t *testing.T) {
	clock := newFakeClock()
	srv, cs := newTestCluster(t, kubetest.WithClock(clock))
	pods := srv.AddDeployment("shop", "api", map[string]string{"app": "api"}, podSpec("api", "sidecar"), 1)
	every := 10 * time.Millisecond
	_ = srv.SetLogs("shop", pods[0], "api", kubetest.Counter(t0, every, "line"))
	_ = srv.SetLogs("shop", pods[0], "sidecar", kubetest.Counter(t0, 50*time.Millisecond, "side"))
	dir := t.TempDir()
	c := testCollector(dir, clock, 0)
	defer c.Stop()
	if err := c.Start(context.Background(), map[string]Interface{"c1": cs}, []session.App{apiApp()}); err != nil {
		t.Fatal(err)
	}
	path := FilePath(dir, apiApp())
	both := func(now time.Time) int {
		return counterLines(t0, now, every) + counterLines(t0, now, 50*time.Millisecond)
	}
	advanceAndWait(t, c, clock, path, 5, 200*time.Millisecond, both)
	// The api container crashes at t0+1s and comes back.
	if err := srv.RestartContainer("shop", pods[0], "api"); err != nil {
		t.Fatal(err)
	}
	advanceAndWait(t, c, clock, path, 5, 200*time.Millisecond, both)
	c.Stop()
	lines := readLines(t, path)
	end := clock.Now()
	expectCounter(t, lines, pods[0], "api", "line", 0, counterLines(t0, end, every))
	expectCounter(t, lines, pods[0], "sidecar", "side", 0, counterLines(t0, end, 50*time.Millisecond))
	var previous int
	for _, q := range logRequests(srv, pods[0], "api") {
		if q.Get("follow") != "true" && q.Get("previous") != "true" {
			t.Errorf("log request without follow: %v", q)
		}
		if q.Get("timestamps") != "true" {
			t.Errorf("log request without timestamps: %v", q)
		}
		if q.Get("previous") == "true" {
			previous++
		}
	}
	if previous != 1 {
		t.Fatalf("previous=true requests = %d, want exactly 1", previous)
	}
	if got := srv.Pod("shop", pods[0]).Status.ContainerStatuses[0].RestartCount; got != 1 {
		t.Fatalf("restart count %d", got)
	}
}

// burstGenerator logs "n i" every 5ms; every 20th line is written three times
// with the same timestamp and text (a real log can repeat itself).
func burstGenerator(start time.Time) kubetest.Generator {
	every := 5 * time.Millisecond
	base := kubetest.Counter(start, every, "n")
	return kubetest.GeneratorFunc(func(from, to time.Time, yield func(time.Time, []byte) bool) {
		cont := true
		base.Lines(from, to, func(ts time.Time, msg []byte) bool {
			if !yield(ts, msg) {
				cont = false
				return false
			}
			i := ts.Sub(start) / every
			if i%20 == 0 {
				for k := 0; k < 2; k++ {
					if !yield(ts, msg) {
						cont = false
						return false
					}
				}
			}
			return cont
		})
	})
}

func TestCollectorBrokenStreamsEveryLineOnce(t *testing.T) {
	clock := newFakeClock()
	srv, cs := newTestCluster(t, kubetest.WithClock(clock))
	pods := srv.AddDeployment("shop", "api", map[string]string{"app": "api"}, podSpec("api"), 1)
	_ = srv.SetLogs("shop", pods[0], "api", burstGenerator(t0))
	const breaks = 8
	if err := srv.BreakStreams("shop", pods[0], "api", breaks); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	c := testCollector(dir, clock, 0)
	defer c.Stop()
	if err := c.Start(context.Background(), map[string]Interface{"c1": cs}, []session.App{apiApp()}); err != nil {
		t.Fatal(err)
	}
	path := FilePath(dir, apiApp())
	want := func(now time.Time) int {
		n := counterLines(t0, now, 5*time.Millisecond)
		return n + 2*((n+19)/20)
	}
	advanceAndWait(t, c, clock, path, 30, 77*time.Millisecond, want)
	c.Stop()
	if got := srv.BrokenStreams("shop", pods[0], "api"); got != breaks {
		t.Fatalf("broken streams = %d, want %d", got, breaks)
	}
	lines := readLines(t, path)
	n := counterLines(t0, clock.Now(), 5*time.Millisecond)
	if len(lines) != want(clock.Now()) {
		t.Fatalf("got %d lines, want %d", len(lines), want(clock.Now()))
	}
	counts := countBy(lines)
	for i := 0; i < n; i++ {
		k := fmt.Sprintf("%s/api n %d", pods[0], i)
		exp := 1
		if i%20 == 0 {
			exp = 3
		}
		if counts[k] != exp {
			t.Fatalf("line %q written %d times, want %d", k, counts[k], exp)
		}
	}
	// Resumed requests asked for the last second seen.
	resumed := 0
	for _, q := range logRequests(srv, pods[0], "api") {
		if q.Get("sinceTime") != "" {
			resumed++
		}
	}
	if resumed < breaks {
		t.Fatalf("resumed requests with sinceTime = %d, want >= %d", resumed, breaks)
	}
}

func TestCollectorResumesAfterRestartWithoutDuplicates(t *testing.T) {
	clock := newFakeClock()
	srv, cs := newTestCluster(t, kubetest.WithClock(clock))
	pods := srv.AddDeployment("shop", "api", map[string]string{"app": "api"}, podSpec("api"), 2)
	every := 10 * time.Millisecond
	for _, p := range pods {
		_ = srv.SetLogs("shop", p, "api", kubetest.Counter(t0, every, "line"))
	}
	dir := t.TempDir()
	clients := map[string]Interface{"c1": cs}
	path := FilePath(dir, apiApp())

	first := testCollector(dir, clock, 0)
	if err := first.Start(context.Background(), clients, []session.App{apiApp()}); err != nil {
		t.Fatal(err)
	}
	advanceAndWait(t, first, clock, path, 3, 250*time.Millisecond, func(now time.Time) int { return 2 * counterLines(t0, now, every) })
	first.Stop()
	before := len(readLines(t, path))

	// The server is down for 1.3 s; a new collector resumes the same files.
	clock.Advance(1300 * time.Millisecond)
	second := testCollector(dir, clock, 0)
	defer second.Stop()
	if err := second.Start(context.Background(), clients, []session.App{apiApp()}); err != nil {
		t.Fatal(err)
	}
	advanceAndWait(t, second, clock, path, 2, 100*time.Millisecond, func(now time.Time) int { return 2 * counterLines(t0, now, every) })
	second.Stop()
	lines := readLines(t, path)
	end := clock.Now()
	for _, p := range pods {
		expectCounter(t, lines, p, "api", "line", 0, counterLines(t0, end, every))
	}
	if len(lines) <= before {
		t.Fatalf("nothing collected after resume")
	}
	// The resumed request started at the second of the last line written.
	qs := logRequests(srv, pods[0], "api")
	last := qs[len(qs)-1]
	if got := last.Get("sinceTime"); got != "2026-04-11T10:00:00Z" {
		t.Fatalf("resumed sinceTime = %q", got)
	}
}

func TestCollectorMaxStreamsQueues(t *testing.T) {
	clock := newFakeClock()
	srv, cs := newTestCluster(t, kubetest.WithClock(clock))
	pods := srv.AddDeployment("shop", "api", map[string]string{"app": "api"}, podSpec("api"), 3)
	for _, p := range pods {
		_ = srv.SetLogs("shop", p, "api", kubetest.Counter(t0, 100*time.Millisecond, "line"))
	}
	dir := t.TempDir()
	c := testCollector(dir, clock, 2)
	defer c.Stop()
	if err := c.Start(context.Background(), map[string]Interface{"c1": cs}, []session.App{apiApp()}); err != nil {
		t.Fatal(err)
	}
	statusCount := func() map[string]int {
		out := map[string]int{}
		for _, s := range c.Streams() {
			out[s.Status]++
		}
		return out
	}
	waitFor(t, "2 following, 1 queued", 5*time.Second, func() bool {
		s := statusCount()
		return s[StatusFollowing] == 2 && s[StatusQueued] == 1
	})
	var following, queued string
	for _, s := range c.Streams() {
		if s.Status == StatusFollowing && following == "" {
			following = s.Pod
		}
		if s.Status == StatusQueued {
			queued = s.Pod
		}
	}
	if err := srv.DeletePod("shop", following); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "queued stream to start", 5*time.Second, func() bool {
		for _, s := range c.Streams() {
			if s.Pod == queued && s.Status == StatusFollowing {
				return true
			}
			if s.Pod == following && s.Status != StatusEnded {
				return false
			}
		}
		return false
	})
}

func TestCollectorIgnoresEphemeralContainersAndTruncates(t *testing.T) {
	clock := newFakeClock()
	srv, cs := newTestCluster(t, kubetest.WithClock(clock))
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "solo", Labels: map[string]string{"app": "solo"}},
		Spec:       podSpec("app"),
	}
	p.Spec.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "fis-chaos", Image: "fis"}}}
	srv.AddPod(p)
	long := strings.Repeat("x", 100<<10)
	_ = srv.SetLogs("shop", "solo", "app", kubetest.Static(
		kubetest.Line{Time: t0.Add(time.Millisecond), Text: "short"},
		kubetest.Line{Time: t0.Add(2 * time.Millisecond), Text: long},
		kubetest.Line{Time: t0.Add(3 * time.Millisecond), Text: "after"},
	))
	_ = srv.SetLogs("shop", "solo", "fis-chaos", kubetest.Counter(t0, time.Millisecond, "chaos"))
	dir := t.TempDir()
	c := testCollector(dir, clock, 0)
	defer c.Stop()
	app := session.App{Cluster: "c1", Namespace: "shop", Workload: "solo", Kind: "Pod"}
	if err := c.Start(context.Background(), map[string]Interface{"c1": cs}, []session.App{app}); err != nil {
		t.Fatal(err)
	}
	path := FilePath(dir, app)
	if !strings.Contains(path, "/indirect/shop_solo.log") {
		t.Fatalf("path %s", path)
	}
	clock.Advance(time.Second)
	waitFor(t, "3 lines", 5*time.Second, func() bool { flushAll(c); return len(readLines(t, path)) >= 3 })
	c.Stop()
	lines := readLines(t, path)
	if len(lines) != 3 {
		t.Fatalf("lines = %d", len(lines))
	}
	for _, l := range lines {
		if l.Container != "app" {
			t.Fatalf("followed container %q", l.Container)
		}
	}
	msg := string(lines[1].Message)
	if len(msg) > MaxLineBytes+100 || !strings.HasPrefix(msg, "xxxx") || !strings.Contains(msg, "line truncated") {
		t.Fatalf("long line not truncated: len %d, tail %q", len(msg), msg[len(msg)-60:])
	}
	if string(lines[2].Message) != "after" {
		t.Fatalf("line after the long one = %q", lines[2].Message)
	}
	for _, r := range srv.Requests() {
		if strings.Contains(r.Query, "fis-chaos") {
			t.Fatalf("ephemeral container requested: %+v", r)
		}
	}
	if s := c.Streams(); len(s) != 1 || s[0].Container != "app" {
		t.Fatalf("streams %+v", s)
	}
}

func TestCollectorErrors(t *testing.T) {
	clock := newFakeClock()
	srv, cs := newTestCluster(t, kubetest.WithClock(clock))
	srv.AddDeployment("shop", "api", map[string]string{"app": "api"}, podSpec("api"), 1)
	srv.AddDeployment("locked", "api", map[string]string{"app": "api"}, podSpec("api"), 1)
	srv.Forbid("shop/pods/log")
	srv.Forbid("locked/pods")
	dir := t.TempDir()
	c := testCollector(dir, clock, 0)
	defer c.Stop()
	locked := apiApp()
	locked.Namespace = "locked"
	noSel := apiApp()
	noSel.Workload, noSel.Selector = "nosel", nil
	err := c.Start(context.Background(), map[string]Interface{"c1": cs}, []session.App{apiApp(), locked, noSel, {Cluster: "c2", Namespace: "x", Workload: "y", Kind: "Pod"}})
	if err == nil {
		t.Fatal("Start: want error for the locked namespace, missing selector and unknown cluster")
	}
	for _, want := range []string{"locked", "no pod selector", "no client for cluster c2"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Start error %q lacks %q", err, want)
		}
	}
	waitFor(t, "forbidden stream", 5*time.Second, func() bool {
		for _, s := range c.Streams() {
			if s.App == "c1/shop/api" && strings.HasPrefix(s.Status, "error: ") && strings.Contains(s.Error, "forbidden") {
				return true
			}
		}
		return false
	})
	errs := 0
	for _, s := range c.Streams() {
		if strings.HasPrefix(s.Status, "error: ") {
			errs++
		}
	}
	if errs != 4 {
		t.Fatalf("error streams = %d, want 4: %+v", errs, c.Streams())
	}
}

func TestCollectorSinceFloor(t *testing.T) {
	clock := newFakeClock()
	srv, cs := newTestCluster(t, kubetest.WithClock(clock))
	pods := srv.AddDeployment("shop", "api", map[string]string{"app": "api"}, podSpec("api"), 1)
	_ = srv.SetLogs("shop", pods[0], "api", kubetest.Counter(t0, time.Second, "line"))
	clock.Advance(10 * time.Minute)
	dir := t.TempDir()
	c := NewCollector(CollectorOptions{Dir: dir, Clock: clock, FlushInterval: 10 * time.Millisecond})
	defer c.Stop()
	if err := c.Start(context.Background(), map[string]Interface{"c1": cs}, []session.App{apiApp()}); err != nil {
		t.Fatal(err)
	}
	path := FilePath(dir, apiApp())
	waitFor(t, "60 lines", 5*time.Second, func() bool { flushAll(c); return len(readLines(t, path)) >= 60 })
	c.Stop()
	lines := readLines(t, path)
	if len(lines) != 60 || string(lines[0].Message) != "line 540" {
		t.Fatalf("got %d lines from %q, want the last minute (60 from line 540)", len(lines), lines[0].Message)
	}
}

func TestCollectorRelistsAfterExpiredWatch(t *testing.T) {
	clock := newFakeClock()
	srv, cs := newTestCluster(t, kubetest.WithClock(clock))
	pods := srv.AddDeployment("shop", "api", map[string]string{"app": "api"}, podSpec("api"), 1)
	_ = srv.SetLogs("shop", pods[0], "api", kubetest.Counter(t0, 100*time.Millisecond, "line"))
	dir := t.TempDir()
	c := testCollector(dir, clock, 0)
	defer c.Stop()
	if err := c.Start(context.Background(), map[string]Interface{"c1": cs}, []session.App{apiApp()}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "first stream", 5*time.Second, func() bool { return len(c.Streams()) == 1 && c.Streams()[0].Status == StatusFollowing })
	// Other objects move the resource version past the one the pod watch saw, the
	// history is compacted and the watch drops: re-watching gets 410, so re-list.
	srv.AddConfigMap("shop", "unrelated", nil)
	srv.CompactHistory()
	srv.CloseWatches()
	waitFor(t, "re-list", 5*time.Second, func() bool {
		n := 0
		for _, r := range srv.Requests() {
			if r.Path == "/api/v1/namespaces/shop/pods" && !strings.Contains(r.Query, "watch=") {
				n++
			}
		}
		return n >= 2
	})
	srv.AddPod(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "api-new", Labels: map[string]string{"app": "api"}}, Spec: podSpec("api")})
	waitFor(t, "new pod followed", 5*time.Second, func() bool { return len(c.Streams()) == 2 })
	lists := 0
	for _, r := range srv.Requests() {
		if r.Path == "/api/v1/namespaces/shop/pods" && !strings.Contains(r.Query, "watch=") {
			lists++
		}
	}
	if lists < 2 {
		t.Fatalf("pod lists = %d, want a re-list after 410", lists)
	}
}

func TestCollectorNamesStreamsNotFollowed(t *testing.T) {
	tests := []struct {
		name       string
		limit      int
		pods       int
		containers []string
		// wantQueued counts the streams not followed: the last ones in list order.
		wantQueued int
	}{
		{name: "limit 3, 5 pods", limit: 3, pods: 5, containers: []string{"api"}, wantQueued: 2},
		{name: "limit 3, one pod with 5 containers", limit: 3, pods: 1, containers: []string{"a", "b", "c", "d", "e"}, wantQueued: 2},
		{name: "limit equals streams", limit: 5, pods: 5, containers: []string{"api"}, wantQueued: 0},
		{name: "default limit follows more than the old 50", limit: 0, pods: 60, containers: []string{"api"}, wantQueued: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			srv, cs := newTestCluster(t, kubetest.WithClock(clock))
			pods := srv.AddDeployment("shop", "api", map[string]string{"app": "api"}, podSpec(tt.containers...), tt.pods)
			var all []string
			for _, p := range pods {
				for _, ct := range tt.containers {
					_ = srv.SetLogs("shop", p, ct, kubetest.Counter(t0, 100*time.Millisecond, "line"))
					all = append(all, "shop/"+p+"/"+ct)
				}
			}
			sortStrings(all)
			c := testCollector(t.TempDir(), clock, tt.limit)
			defer c.Stop()
			if err := c.Start(context.Background(), map[string]Interface{"c1": cs}, []session.App{apiApp()}); err != nil {
				t.Fatal(err)
			}
			// Known as soon as Start returns: slots go in list order, not by goroutine timing.
			want := all[len(all)-tt.wantQueued:]
			if got := NotFollowed(c.Streams()); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Fatalf("not followed right after Start = %v, want %v", got, want)
			}
			following := len(all) - tt.wantQueued
			waitFor(t, fmt.Sprintf("%d following", following), 5*time.Second, func() bool {
				n := 0
				for _, s := range c.Streams() {
					if s.Status == StatusFollowing {
						n++
					}
				}
				return n == following
			})
			if got := NotFollowed(c.Streams()); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Fatalf("not followed while running = %v, want %v", got, want)
			}
			line := NotFollowedLine(NotFollowed(c.Streams()), c.MaxStreams())
			if tt.wantQueued == 0 {
				if line != "" {
					t.Fatalf("summary %q, want none", line)
				}
				return
			}
			prefix := fmt.Sprintf("%d streams not followed: %s (limit %d", tt.wantQueued, strings.Join(want, ", "), tt.limit)
			if !strings.HasPrefix(line, prefix) || !strings.Contains(line, "--max-log-streams") || !strings.Contains(line, "FIS_MCP_MAX_LOG_STREAMS") {
				t.Fatalf("summary %q, want prefix %q and the flag and env var", line, prefix)
			}
		})
	}
}

// TestCollectorQueueIsFirstComeFirstServed: the oldest queued stream takes the
// slot a deleted pod frees; a queued stream whose pod goes away leaves the queue
// and stays named as never followed, as do those still queued when collection stops.
func TestCollectorQueueIsFirstComeFirstServed(t *testing.T) {
	clock := newFakeClock()
	srv, cs := newTestCluster(t, kubetest.WithClock(clock))
	pods := srv.AddDeployment("shop", "api", map[string]string{"app": "api"}, podSpec("api"), 4)
	for _, p := range pods {
		_ = srv.SetLogs("shop", p, "api", kubetest.Counter(t0, 100*time.Millisecond, "line"))
	}
	sortStrings(pods)
	c := testCollector(t.TempDir(), clock, 1)
	defer c.Stop()
	if err := c.Start(context.Background(), map[string]Interface{"c1": cs}, []session.App{apiApp()}); err != nil {
		t.Fatal(err)
	}
	status := func(pod string) string {
		for _, s := range c.Streams() {
			if s.Pod == pod {
				return s.Status
			}
		}
		return ""
	}
	waitFor(t, "first pod followed", 5*time.Second, func() bool { return status(pods[0]) == StatusFollowing })
	// pods[2] leaves the queue; pods[1], queued first, gets the slot pods[0] frees.
	if err := srv.DeletePod("shop", pods[2]); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "deleted queued pod ended", 5*time.Second, func() bool { return status(pods[2]) == StatusNotFollowed })
	if err := srv.DeletePod("shop", pods[0]); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "oldest queued pod followed", 5*time.Second, func() bool { return status(pods[1]) == StatusFollowing })
	want := []string{"shop/" + pods[2] + "/api", "shop/" + pods[3] + "/api"}
	if got := NotFollowed(c.Streams()); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("not followed = %v, want %v", got, want)
	}
	c.Stop()
	if got := NotFollowed(c.Streams()); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("not followed after Stop = %v, want %v", got, want)
	}
	if got := status(pods[3]); got != StatusNotFollowed {
		t.Fatalf("stream queued at Stop: %q, want %q", got, StatusNotFollowed)
	}
}

func sortStrings(s []string) { sort.Strings(s) }

// TestCollectorFirstRoundUsesListedPod: a new stream starts from the pod its list
// showed, without a GET of the pod first, so opening many streams costs one
// request each through client-go's rate limiter.
func TestCollectorFirstRoundUsesListedPod(t *testing.T) {
	clock := newFakeClock()
	srv, cs := newTestCluster(t, kubetest.WithClock(clock))
	pods := srv.AddDeployment("shop", "api", map[string]string{"app": "api"}, podSpec("api"), 20)
	for _, p := range pods {
		_ = srv.SetLogs("shop", p, "api", kubetest.Counter(t0, 100*time.Millisecond, "line"))
	}
	c := testCollector(t.TempDir(), clock, 0)
	defer c.Stop()
	if err := c.Start(context.Background(), map[string]Interface{"c1": cs}, []session.App{apiApp()}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "20 following", 5*time.Second, func() bool {
		n := 0
		for _, s := range c.Streams() {
			if s.Status == StatusFollowing {
				n++
			}
		}
		return n == len(pods)
	})
	var logs, gets int
	count := func() {
		logs, gets = 0, 0
		for _, r := range srv.Requests() {
			switch {
			case strings.HasSuffix(r.Path, "/log"):
				logs++
			case strings.HasPrefix(r.Path, "/api/v1/namespaces/shop/pods/"):
				gets++
			}
		}
	}
	// "following" is set as the request leaves; the server logs it as it answers.
	waitFor(t, "20 log requests", 5*time.Second, func() bool { count(); return logs >= len(pods) })
	if logs != len(pods) || gets != 0 {
		t.Fatalf("%d log requests and %d pod GETs to open %d streams, want %d and 0", logs, gets, len(pods), len(pods))
	}
}
