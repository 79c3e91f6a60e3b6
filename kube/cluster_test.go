package kube

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/fis-mcp/fis-mcp/kube/kubetest"
	"github.com/fis-mcp/fis-mcp/session/audit"
)

func TestProbe(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(srv *kubetest.Server)
		closed  bool
		want    Reachability
		wantMsg string
	}{
		{name: "reachable", want: Reachable},
		{name: "token rejected", setup: func(s *kubetest.Server) { s.RequireToken(func(string) bool { return false }) }, want: Unauthorized, wantMsg: "access entry"},
		{name: "forbidden", setup: func(s *kubetest.Server) { s.Forbid("namespaces") }, want: Forbidden, wantMsg: "AmazonEKSViewPolicy"},
		{name: "unreachable", closed: true, want: Unreachable, wantMsg: "cannot reach"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, cs := newTestCluster(t)
			if tt.setup != nil {
				tt.setup(srv)
			}
			if tt.closed {
				srv.Close()
			}
			p := Probe(context.Background(), cs)
			if p.Status != tt.want || !strings.Contains(p.Message, tt.wantMsg) {
				t.Fatalf("probe = %+v, want %s with %q", p, tt.want, tt.wantMsg)
			}
			a := Access(Cluster{Name: "c1", Endpoint: srv.URL}, p, "/tmp/kc")
			if a.Reachable != (tt.want == Reachable) || (a.Error == "") == (tt.want != Reachable) {
				t.Fatalf("access = %+v", a)
			}
		})
	}
}

func TestTransportSendsTokenAndAudits(t *testing.T) {
	srv, cs := newTestCluster(t)
	srv.AddDeployment("shop", "api", map[string]string{"app": "api"}, podSpec("api"), 1)
	srv.Forbid("shop/secrets")
	rec := audit.NewRecorder("discover_apps")
	ctx := audit.With(context.Background(), rec)
	if _, err := cs.CoreV1().Pods("shop").List(ctx, metav1.ListOptions{LabelSelector: "app=api"}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CoreV1().Secrets("shop").List(ctx, metav1.ListOptions{}); err == nil {
		t.Fatal("secrets list should be forbidden")
	}
	if _, err := cs.CoreV1().Namespaces().Get(ctx, "shop", metav1.GetOptions{}); err != nil {
		t.Fatal(err)
	}
	calls := rec.Calls()
	want := []struct{ op, resource, result string }{
		{"GET pods", "c1/shop", "ok"},
		{"GET secrets", "c1/shop", "403 Forbidden"},
		{"GET namespaces", "c1/shop", "ok"},
	}
	if len(calls) != len(want) {
		t.Fatalf("calls = %+v", calls)
	}
	for i, w := range want {
		c := calls[i]
		if c.Service != "kubernetes" || c.Operation != w.op || c.Resource != w.resource || c.Result != w.result || c.Tool != "discover_apps" {
			t.Errorf("call %d = %+v, want %+v", i, c, w)
		}
		if strings.Contains(c.Resource+c.Operation, "k8s-aws") || strings.Contains(c.Operation, "labelSelector") {
			t.Errorf("call %d leaks query or token: %+v", i, c)
		}
	}
}

func TestDescribeRequest(t *testing.T) {
	tests := []struct {
		method, path, query, op, resource string
	}{
		{"GET", "/api/v1/namespaces/shop/pods", "labelSelector=app%3Dapi", "GET pods", "shop"},
		{"GET", "/api/v1/namespaces/shop/pods", "watch=true&resourceVersion=5", "WATCH pods", "shop"},
		{"GET", "/api/v1/namespaces/shop/pods/api-1/log", "follow=true", "GET pods/log", "shop/api-1"},
		{"GET", "/apis/apps/v1/namespaces/shop/deployments/api", "", "GET deployments", "shop/api"},
		{"GET", "/api/v1/namespaces", "limit=1", "GET namespaces", ""},
		{"GET", "/api/v1/namespaces/shop", "", "GET namespaces", "shop"},
		{"GET", "/version", "", "GET version", ""},
		{"GET", "/api/v1/pods", "", "GET pods", ""},
	}
	for _, tt := range tests {
		u := &url.URL{Path: tt.path, RawQuery: tt.query}
		op, res := describeRequest(tt.method, u)
		if op != tt.op || res != tt.resource {
			t.Errorf("%s %s: got (%q, %q), want (%q, %q)", tt.method, u, op, res, tt.op, tt.resource)
		}
	}
}

func TestClientsetBuildsFromCluster(t *testing.T) {
	srv := kubetest.New()
	defer srv.Close()
	cs, err := Clientset(Cluster{Name: "c1", Endpoint: srv.URL, CAData: srv.CAData()}, NewTokenSource(testAWSConfig()), ToolLimits)
	if err != nil {
		t.Fatal(err)
	}
	v, err := cs.Discovery().ServerVersion()
	if err != nil || v.GitVersion == "" {
		t.Fatalf("server version %+v, %v", v, err)
	}
	// A wrong CA must fail TLS verification.
	bad, _ := Clientset(Cluster{Name: "c1", Endpoint: srv.URL, CAData: []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")}, nil, ToolLimits)
	if bad != nil {
		if _, err := bad.Discovery().ServerVersion(); err == nil {
			t.Fatal("bad CA accepted")
		}
	}
	var _ Interface = cs
}

func TestWriteKubeconfig(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	c := Cluster{Name: "prod-eks", Endpoint: "https://ABC.gr7.us-east-1.eks.amazonaws.com", CAData: []byte("PEM"), Region: "us-east-1"}
	path := filepath.Join(home, "sessions", "s1", "kube", "prod-eks.kubeconfig")
	if err := WriteKubeconfig(path, c); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("file mode %v, %v", st.Mode(), err)
	}
	dst, _ := os.Stat(filepath.Dir(path))
	if dst.Mode().Perm() != 0o700 {
		t.Fatalf("dir mode %v", dst.Mode())
	}
	cfg, err := clientcmd.LoadFromFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ai := cfg.AuthInfos["prod-eks"]
	if cfg.CurrentContext != "prod-eks" || cfg.Clusters["prod-eks"].Server != c.Endpoint || string(cfg.Clusters["prod-eks"].CertificateAuthorityData) != "PEM" {
		t.Fatalf("config %+v", cfg)
	}
	if ai == nil || ai.Exec == nil || ai.Exec.Command != "aws" || strings.Join(ai.Exec.Args, " ") != "eks get-token --cluster-name prod-eks --region us-east-1" {
		t.Fatalf("exec %+v", ai)
	}
	if ai.Token != "" {
		t.Fatal("kubeconfig must not embed a token")
	}
	for _, bad := range []string{filepath.Join(home, ".kube", "config"), filepath.Join(home, ".kube", "..", ".kube", "config")} {
		if err := WriteKubeconfig(bad, c); err == nil || !strings.Contains(err.Error(), "refusing") {
			t.Errorf("WriteKubeconfig(%s) = %v, want refusal", bad, err)
		}
	}
	if _, err := os.Stat(filepath.Join(home, ".kube", "config")); err == nil {
		t.Fatal("~/.kube/config was written")
	}
	// A symlinked directory pointing at ~/.kube is refused too.
	if err := os.MkdirAll(filepath.Join(home, ".kube"), 0o700); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(home, "link")
	if err := os.Symlink(filepath.Join(home, ".kube"), link); err != nil {
		t.Fatal(err)
	}
	if err := WriteKubeconfig(filepath.Join(link, "config"), c); err == nil {
		t.Fatal("symlinked ~/.kube/config accepted")
	}
}

// Tool calls and log following are paced by limiters of their own.
func TestRESTConfigLimits(t *testing.T) {
	c := Cluster{Name: "c1", Endpoint: "https://127.0.0.1:1"}
	if cfg := RESTConfig(c, nil); cfg.QPS != ToolLimits.QPS || cfg.Burst != ToolLimits.Burst {
		t.Errorf("RESTConfig limits %v/%d, want %+v", cfg.QPS, cfg.Burst, ToolLimits)
	}
	if cfg := RESTConfigWith(c, nil, LogLimits); cfg.QPS != LogLimits.QPS || cfg.Burst != LogLimits.Burst {
		t.Errorf("log limits %v/%d, want %+v", cfg.QPS, cfg.Burst, LogLimits)
	}
	if ToolLimits == LogLimits {
		t.Error("tool calls and log following share one limit")
	}
}
