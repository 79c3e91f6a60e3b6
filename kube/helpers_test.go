package kube

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	corev1 "k8s.io/api/core/v1"

	"github.com/fis-mcp/fis-mcp/kube/kubetest"
	"github.com/fis-mcp/fis-mcp/session/logline"
)

var t0 = time.Date(2026, 4, 11, 10, 0, 0, 0, time.UTC)

func testAWSConfig() aws.Config {
	return aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "test-secret-key", "")}
}

// newTestCluster starts a fake API server that only accepts EKS-shaped tokens and
// a real clientset for it, authenticated through the TokenSource.
func newTestCluster(t testing.TB, opts ...kubetest.Option) (*kubetest.Server, Interface) {
	t.Helper()
	srv := kubetest.New(opts...)
	t.Cleanup(srv.Close)
	srv.RequireToken(func(tok string) bool { return strings.HasPrefix(tok, TokenPrefix) && len(tok) > 100 })
	ts := NewTokenSource(testAWSConfig())
	cfg := RESTConfig(Cluster{Name: "c1", Endpoint: srv.URL, CAData: srv.CAData(), Region: "us-east-1"}, ts)
	cfg.QPS = -1
	cs, err := NewClientset(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return srv, cs
}

func podSpec(containers ...string) corev1.PodSpec {
	var s corev1.PodSpec
	for _, c := range containers {
		s.Containers = append(s.Containers, corev1.Container{Name: c, Image: "example/" + c + ":1"})
	}
	return s
}

// readLines parses a collected file.
func readLines(t testing.TB, path string) []logline.Line {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []logline.Line
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 256<<10), 1<<20)
	for sc.Scan() {
		l, err := logline.Parse(sc.Bytes())
		if err != nil {
			t.Fatalf("malformed line %q: %v", sc.Text(), err)
		}
		l.Message = append([]byte(nil), l.Message...)
		out = append(out, l)
	}
	return out
}

// waitFor polls cond (flushing via fn first) until it holds or the deadline passes.
func waitFor(t testing.TB, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: t0} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func filePath(dir, svc, ns, workload string) string {
	return filepath.Join(dir, svc, ns+"_"+workload+".log")
}
