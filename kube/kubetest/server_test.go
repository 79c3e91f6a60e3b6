package kubetest_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fis-mcp/fis-mcp/kube"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/rest"

	"github.com/fis-mcp/fis-mcp/kube/kubetest"
)

var t0 = time.Date(2026, 4, 11, 10, 0, 0, 0, time.UTC)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func setup(t *testing.T, token string, opts ...kubetest.Option) (*kubetest.Server, kube.Interface) {
	t.Helper()
	srv := kubetest.New(opts...)
	t.Cleanup(srv.Close)
	cs, err := kube.NewClientset(&rest.Config{Host: srv.URL, BearerToken: token, QPS: -1, TLSClientConfig: rest.TLSClientConfig{CAData: srv.CAData()}})
	if err != nil {
		t.Fatal(err)
	}
	return srv, cs
}

func spec(names ...string) corev1.PodSpec {
	var s corev1.PodSpec
	for _, n := range names {
		s.Containers = append(s.Containers, corev1.Container{Name: n, Image: "img"})
	}
	return s
}

func TestDiscoveryAndErrors(t *testing.T) {
	srv, cs := setup(t, "good")
	ctx := context.Background()
	v, err := cs.Discovery().ServerVersion()
	if err != nil || v.Major != "1" {
		t.Fatalf("version %+v %v", v, err)
	}
	groups, err := cs.Discovery().ServerGroups()
	if err != nil || len(groups.Groups) < 2 {
		t.Fatalf("groups %+v %v", groups, err)
	}
	_, err = cs.CoreV1().Pods("default").Get(ctx, "nope", metav1.GetOptions{})
	if !apierrors.IsNotFound(err) {
		t.Fatalf("get missing pod: %v", err)
	}
	srv.Forbid("shop/secrets")
	_, err = cs.CoreV1().Secrets("shop").List(ctx, metav1.ListOptions{})
	if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), `cannot list resource "secrets"`) {
		t.Fatalf("forbidden: %v", err)
	}
	if _, err := cs.CoreV1().Secrets("other").List(ctx, metav1.ListOptions{}); err != nil {
		t.Fatalf("other namespace: %v", err)
	}
	srv.RequireToken(func(tok string) bool { return tok == "other" })
	_, err = cs.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
	if !apierrors.IsUnauthorized(err) {
		t.Fatalf("bad token: %v", err)
	}
	for _, r := range srv.Requests() {
		if strings.Contains(r.Query, "good") {
			t.Fatal("token recorded")
		}
	}
	if reqs := srv.Requests(); reqs[len(reqs)-1].Status != 401 || reqs[len(reqs)-1].Path != "/api/v1/namespaces" {
		t.Fatalf("last request %+v", reqs[len(reqs)-1])
	}
}

func TestListSelectorsPagination(t *testing.T) {
	srv, cs := setup(t, "")
	ctx := context.Background()
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		srv.AddConfigMap("shop", "cm-"+n, map[string]string{"k": n})
	}
	var all []string
	opts := metav1.ListOptions{Limit: 2}
	pages := 0
	for {
		l, err := cs.CoreV1().ConfigMaps("shop").List(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, cm := range l.Items {
			all = append(all, cm.Name+"="+cm.Data["k"])
		}
		if l.Continue == "" {
			break
		}
		opts.Continue = l.Continue
	}
	if pages != 3 || strings.Join(all, ",") != "cm-a=a,cm-b=b,cm-c=c,cm-d=d,cm-e=e" {
		t.Fatalf("pages %d: %v", pages, all)
	}
	pods := srv.AddDeployment("shop", "api", map[string]string{"app": "api"}, spec("api"), 3)
	srv.AddDeployment("shop", "web", map[string]string{"app": "web"}, spec("web"), 1)
	l, err := cs.CoreV1().Pods("shop").List(ctx, metav1.ListOptions{LabelSelector: "app=api"})
	if err != nil || len(l.Items) != 3 {
		t.Fatalf("label selector: %d %v", len(l.Items), err)
	}
	p := l.Items[0]
	if len(p.OwnerReferences) != 1 || p.OwnerReferences[0].Kind != "ReplicaSet" || p.Status.Phase != corev1.PodRunning ||
		p.Status.ContainerStatuses[0].ContainerID == "" || p.Labels["pod-template-hash"] == "" {
		t.Fatalf("pod %+v", p)
	}
	rs, err := cs.AppsV1().ReplicaSets("shop").Get(ctx, p.OwnerReferences[0].Name, metav1.GetOptions{})
	if err != nil || rs.OwnerReferences[0].Kind != "Deployment" || rs.OwnerReferences[0].Name != "api" {
		t.Fatalf("replicaset %+v %v", rs, err)
	}
	l, err = cs.CoreV1().Pods("").List(ctx, metav1.ListOptions{FieldSelector: "metadata.name=" + pods[1]})
	if err != nil || len(l.Items) != 1 || l.Items[0].Name != pods[1] {
		t.Fatalf("field selector: %v", err)
	}
	if _, err := cs.BatchV1().CronJobs("shop").List(ctx, metav1.ListOptions{}); err != nil {
		t.Fatal(err)
	}
	ns, err := cs.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
	if err != nil || len(ns.Items) != 2 {
		t.Fatalf("namespaces %d %v", len(ns.Items), err)
	}
}

func TestWatchEvents(t *testing.T) {
	c := &clock{t: t0}
	srv, cs := setup(t, "", kubetest.WithClock(c))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pods := srv.AddDeployment("shop", "api", map[string]string{"app": "api"}, spec("api"), 1)
	l, err := cs.CoreV1().Pods("shop").List(ctx, metav1.ListOptions{LabelSelector: "app=api"})
	if err != nil {
		t.Fatal(err)
	}
	w, err := cs.CoreV1().Pods("shop").Watch(ctx, metav1.ListOptions{LabelSelector: "app=api", ResourceVersion: l.ResourceVersion})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	srv.AddDeployment("shop", "web", map[string]string{"app": "web"}, spec("web"), 1) // not selected
	srv.AddPodLater(t0.Add(time.Second), &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "late", Labels: map[string]string{"app": "api"}}, Spec: spec("api")})
	c.Advance(time.Second)
	next := func() watch.Event {
		select {
		case ev := <-w.ResultChan():
			return ev
		case <-ctx.Done():
			t.Fatal("no watch event")
		}
		return watch.Event{}
	}
	if ev := next(); ev.Type != watch.Added || ev.Object.(*corev1.Pod).Name != "late" {
		t.Fatalf("event %v %v", ev.Type, ev.Object)
	}
	if err := srv.RestartContainer("shop", pods[0], "api"); err != nil {
		t.Fatal(err)
	}
	ev := next()
	st := ev.Object.(*corev1.Pod).Status.ContainerStatuses[0]
	if ev.Type != watch.Modified || st.RestartCount != 1 || st.LastTerminationState.Terminated == nil || st.ContainerID == st.LastTerminationState.Terminated.ContainerID {
		t.Fatalf("restart event %v %+v", ev.Type, st)
	}
	if err := srv.DeletePod("shop", "late"); err != nil {
		t.Fatal(err)
	}
	if ev := next(); ev.Type != watch.Deleted || ev.Object.(*corev1.Pod).Name != "late" {
		t.Fatalf("event %v", ev.Type)
	}
}

func readAll(t *testing.T, rc io.ReadCloser) []string {
	t.Helper()
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.TrimSuffix(string(b), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func TestLogs(t *testing.T) {
	c := &clock{t: t0}
	srv, cs := setup(t, "", kubetest.WithClock(c))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pods := srv.AddDeployment("shop", "api", map[string]string{"app": "api"}, spec("api", "side"), 1)
	p := pods[0]
	if err := srv.SetLogs("shop", p, "api", kubetest.Counter(t0, 100*time.Millisecond, "line")); err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Second + 50*time.Millisecond)
	get := func(o *corev1.PodLogOptions) ([]string, error) {
		rc, err := cs.CoreV1().Pods("shop").GetLogs(p, o).Stream(ctx)
		if err != nil {
			return nil, err
		}
		return readAll(t, rc), nil
	}
	lines, err := get(&corev1.PodLogOptions{Container: "api", Timestamps: true})
	if err != nil || len(lines) != 11 || lines[0] != "2026-04-11T10:00:00Z line 0" || lines[10] != "2026-04-11T10:00:01Z line 10" {
		t.Fatalf("logs %v %v", lines, err)
	}
	lines, _ = get(&corev1.PodLogOptions{Container: "api"})
	if lines[3] != "line 3" {
		t.Fatalf("without timestamps: %q", lines[3])
	}
	since := metav1.NewTime(t0.Add(time.Second))
	lines, _ = get(&corev1.PodLogOptions{Container: "api", SinceTime: &since})
	if len(lines) != 1 || lines[0] != "line 10" {
		t.Fatalf("sinceTime: %v", lines)
	}
	if _, err := get(&corev1.PodLogOptions{Container: "api", Previous: true}); !apierrors.IsBadRequest(err) {
		t.Fatalf("previous without restart: %v", err)
	}
	if _, err := get(&corev1.PodLogOptions{}); !apierrors.IsBadRequest(err) {
		t.Fatalf("no container in a two-container pod: %v", err)
	}
	if err := srv.RestartContainer("shop", p, "api"); err != nil {
		t.Fatal(err)
	}
	c.Advance(500 * time.Millisecond)
	prev, _ := get(&corev1.PodLogOptions{Container: "api", Previous: true})
	cur, _ := get(&corev1.PodLogOptions{Container: "api"})
	if len(prev) != 11 || len(cur) != 5 || cur[0] != "line 11" {
		t.Fatalf("previous %v current %v", prev, cur)
	}

	// Follow: lines arrive as the clock moves; a deleted pod ends the stream.
	rc, err := cs.CoreV1().Pods("shop").GetLogs(p, &corev1.PodLogOptions{Container: "api", Follow: true}).Stream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(rc)
	for want := 11; want < 20; want++ {
		if want == 16 {
			c.Advance(time.Second)
		}
		l, err := br.ReadString('\n')
		if err != nil || l != "line "+itoa(want)+"\n" {
			t.Fatalf("follow line %q %v, want %d", l, err, want)
		}
	}
	if err := srv.DeletePod("shop", p); err != nil {
		t.Fatal(err)
	}
	rest, err := io.ReadAll(br)
	if err != nil || strings.Count(string(rest), "\n") != 6 {
		t.Fatalf("after delete: %q %v", rest, err)
	}
	rc.Close()
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestBreakStreams(t *testing.T) {
	c := &clock{t: t0}
	srv, cs := setup(t, "", kubetest.WithClock(c))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pods := srv.AddDeployment("shop", "api", map[string]string{"app": "api"}, spec("api"), 1)
	_ = srv.SetLogs("shop", pods[0], "api", kubetest.Counter(t0, 100*time.Millisecond, "line"))
	c.Advance(time.Second)
	_ = srv.BreakStreams("shop", pods[0], "api", 2)
	for i, wantErr := range []bool{false, true} {
		rc, err := cs.CoreV1().Pods("shop").GetLogs(pods[0], &corev1.PodLogOptions{Container: "api", Follow: true}).Stream(ctx)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if (err != nil) != wantErr {
			t.Fatalf("stream %d: err %v, want error %v", i, err, wantErr)
		}
		s := string(b)
		if !strings.HasPrefix(s, "line 0\n") || strings.HasSuffix(s, "\n") {
			t.Fatalf("stream %d not cut mid-line: %q", i, s)
		}
	}
	if got := srv.BrokenStreams("shop", pods[0], "api"); got != 2 {
		t.Fatalf("broken %d", got)
	}
	// The next stream is whole.
	rc, _ := cs.CoreV1().Pods("shop").GetLogs(pods[0], &corev1.PodLogOptions{Container: "api"}).Stream(ctx)
	if lines := readAll(t, rc); len(lines) != 10 {
		t.Fatalf("after breaks: %v", lines)
	}
}

// TestManyConcurrentLogStreams: like kube-apiserver, the server allows 100 HTTP/2
// streams per connection; client-go (x/net/http2 with StrictMaxConcurrentStreams
// off) then opens more connections instead of queueing requests, so every
// follow stream gets its lines.
func TestManyConcurrentLogStreams(t *testing.T) {
	tests := []struct {
		name       string
		maxStreams int
		streams    int
		wantProto  string
		minConns   int
	}{
		{name: "HTTP/2, 100 streams per connection", maxStreams: kubetest.DefaultMaxConcurrentStreams, streams: 250, wantProto: "HTTP/2.0", minConns: 3},
		{name: "HTTP/1.1", maxStreams: 0, streams: 120, wantProto: "HTTP/1.1", minConns: 120},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := &clock{t: t0}
			srv, cs := setup(t, "good", kubetest.WithClock(clk), kubetest.WithMaxConcurrentStreams(tt.maxStreams))
			names := srv.AddDeployment("shop", "api", map[string]string{"app": "api"}, spec("api"), tt.streams)
			for _, n := range names {
				if err := srv.SetLogs("shop", n, "api", kubetest.Counter(t0, time.Second, "line")); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var wg sync.WaitGroup
			errs := make(chan error, len(names))
			opened := make(chan struct{}, len(names))
			for _, n := range names {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rc, err := cs.CoreV1().Pods("shop").GetLogs(n, &corev1.PodLogOptions{Container: "api", Follow: true}).Stream(ctx)
					if err != nil {
						errs <- err
						return
					}
					defer rc.Close()
					opened <- struct{}{}
					l, err := bufio.NewReader(rc).ReadString('\n')
					if err != nil || l != "line 0\n" {
						errs <- fmt.Errorf("%s: first line %q, %v", n, l, err)
					}
				}()
			}
			// Every stream is open at once before any line exists: none waits for another to end.
			for range names {
				select {
				case <-opened:
				case err := <-errs:
					t.Fatal(err)
				case <-ctx.Done():
					t.Fatal("not every stream opened")
				}
			}
			clk.Advance(time.Second)
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			if got := srv.Connections(); got < tt.minConns {
				t.Fatalf("%d connections, want at least %d", got, tt.minConns)
			}
			for _, r := range srv.Requests() {
				if strings.HasSuffix(r.Path, "/log") && r.Proto != tt.wantProto {
					t.Fatalf("log request over %s, want %s", r.Proto, tt.wantProto)
				}
			}
		})
	}
}
