package kube

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"k8s.io/client-go/rest"

	"github.com/fis-mcp/fis-mcp/kube/kubetest"
)

// accessKey names a check as "verb resource[/sub]".
func accessKey(c AccessCheck) string {
	k := c.Verb + " " + c.Resource
	if c.Subresource != "" {
		k += "/" + c.Subresource
	}
	return k
}

func TestCheckAccess(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(*kubetest.Server)
		config func(*kubetest.Server) *rest.Config
		// denied lists the checks expected not allowed; every other one must be allowed.
		denied     []string
		reasonHas  string // in the reason of every denied check
		wantAllOut bool   // every check not allowed
	}{
		{name: "everything allowed", setup: func(*kubetest.Server) {}},
		{
			name:      "pods/log denied",
			setup:     func(s *kubetest.Server) { s.Deny("get", "pods", "log") },
			denied:    []string{"get pods/log"},
			reasonHas: "not allowed",
		},
		{
			name: "secrets (optional) and jobs denied",
			setup: func(s *kubetest.Server) {
				s.Deny("list", "secrets", "")
				s.Deny("list", "jobs", "")
			},
			denied:    []string{"list secrets", "list jobs"},
			reasonHas: "denied",
		},
		{
			name:      "a forbidden resource is denied in reviews too",
			setup:     func(s *kubetest.Server) { s.Forbid("configmaps") },
			denied:    []string{"list configmaps"},
			reasonHas: "not allowed",
		},
		{
			name:       "the review itself is forbidden",
			setup:      func(s *kubetest.Server) { s.Forbid("selfsubjectaccessreviews") },
			reasonHas:  "403 Forbidden",
			wantAllOut: true,
		},
		{
			name:       "bad credentials",
			setup:      func(s *kubetest.Server) { s.RequireToken(func(string) bool { return false }) },
			reasonHas:  "401 Unauthorized",
			wantAllOut: true,
		},
		{
			name:  "server unreachable",
			setup: func(*kubetest.Server) {},
			config: func(s *kubetest.Server) *rest.Config {
				return &rest.Config{Host: "https://127.0.0.1:1", TLSClientConfig: rest.TLSClientConfig{CAData: s.CAData()}, QPS: -1}
			},
			reasonHas:  "cannot reach the API server",
			wantAllOut: true,
		},
		{
			name:  "no token (a transport error, not an API answer)",
			setup: func(*kubetest.Server) {},
			config: func(s *kubetest.Server) *rest.Config {
				cfg := &rest.Config{Host: s.URL, TLSClientConfig: rest.TLSClientConfig{CAData: s.CAData()}, QPS: -1}
				cfg.WrapTransport = func(http.RoundTripper) http.RoundTripper {
					return roundTripFunc(func(*http.Request) (*http.Response, error) {
						return nil, errors.New("get EKS token: no AWS credentials")
					})
				}
				return cfg
			},
			reasonHas:  "could not be sent",
			wantAllOut: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := kubetest.New()
			t.Cleanup(srv.Close)
			tt.setup(srv)
			cfg := &rest.Config{Host: srv.URL, TLSClientConfig: rest.TLSClientConfig{CAData: srv.CAData()}, QPS: -1}
			if tt.config != nil {
				cfg = tt.config(srv)
			}
			got := CheckAccess(context.Background(), cfg)
			if tt.wantAllOut && tt.config == nil {
				// A failure that would repeat (bad credentials, no review allowed) is asked once, not per permission.
				if n := len(srv.Requests()); n != 1 {
					t.Errorf("%d requests after a failure that repeats, want 1", n)
				}
			}
			if len(got) != len(accessNeeds) {
				t.Fatalf("got %d checks, want %d", len(got), len(accessNeeds))
			}
			want := map[string]bool{}
			for _, d := range tt.denied {
				want[d] = true
			}
			for _, c := range got {
				k := accessKey(c)
				shouldDeny := tt.wantAllOut || want[k]
				if c.Allowed == shouldDeny {
					t.Errorf("%s: Allowed=%v, want %v (reason %q)", k, c.Allowed, !shouldDeny, c.Reason)
				}
				if c.Reason == "" {
					t.Errorf("%s: empty reason", k)
				}
				if shouldDeny && !strings.Contains(c.Reason, tt.reasonHas) {
					t.Errorf("%s: reason %q does not contain %q", k, c.Reason, tt.reasonHas)
				}
				for _, internal := range []string{"*url.Error", "*errors.", "Go struct", "json: cannot"} {
					if strings.Contains(c.Reason, internal) {
						t.Errorf("%s: reason shows Go internals: %q", k, c.Reason)
					}
				}
			}
		})
	}
}

// TestCheckAccessAsks checks the reviews sent: one POST per permission, with the
// API group fis-mcp uses, cluster-wide, and only secrets optional.
func TestCheckAccessAsks(t *testing.T) {
	srv := kubetest.New()
	t.Cleanup(srv.Close)
	cfg := &rest.Config{Host: srv.URL, TLSClientConfig: rest.TLSClientConfig{CAData: srv.CAData()}, QPS: -1}
	got := CheckAccess(context.Background(), cfg)
	keys := map[string]AccessCheck{}
	for _, c := range got {
		keys[accessKey(c)] = c
	}
	for _, want := range []string{"list pods", "get pods/log", "list configmaps", "list services", "list replicasets",
		"list deployments", "list statefulsets", "list daemonsets", "list jobs", "list secrets"} {
		c, ok := keys[want]
		if !ok {
			t.Errorf("no check for %s", want)
			continue
		}
		if c.Optional != (want == "list secrets") {
			t.Errorf("%s: Optional=%v", want, c.Optional)
		}
	}
	posts := 0
	for _, r := range srv.Requests() {
		if r.Method == http.MethodPost && strings.HasSuffix(r.Path, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews") {
			posts++
			if r.Status != http.StatusCreated {
				t.Errorf("review answered %d", r.Status)
			}
		}
	}
	if posts != len(got) {
		t.Errorf("%d reviews sent for %d checks", posts, len(got))
	}
}

// TestAccessNeedsGroups checks that each resource is reviewed in its own API
// group (RBAC rules name it: a review in the wrong group matches no rule).
func TestAccessNeedsGroups(t *testing.T) {
	groups := map[string]string{"replicasets": "apps", "deployments": "apps", "statefulsets": "apps", "daemonsets": "apps",
		"jobs": "batch", "cronjobs": "batch", "pods": "", "configmaps": "", "services": "", "secrets": "", "namespaces": ""}
	for _, n := range accessNeeds {
		g, ok := groups[n.resource]
		if !ok {
			t.Errorf("unexpected resource %s", n.resource)
			continue
		}
		if n.group != g {
			t.Errorf("%s: group %q, want %q", n.resource, n.group, g)
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
