// Package kube reaches EKS clusters with in-process IAM tokens, scans workloads for
// references to the affected resources, and follows pod logs to files (stern-like).
//
// Nothing here shells out to kubectl or touches ~/.kube/config.
package kube

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/audit"
)

// Cluster is an EKS cluster as DescribeCluster reports it.
type Cluster struct {
	Name     string
	Endpoint string
	// CAData is the PEM certificate authority (certificateAuthority.data, base64-decoded).
	CAData []byte
	Region string
}

// Limits pace a client's requests (client-go's token bucket: QPS sustained, Burst at once).
type Limits struct {
	QPS   float32
	Burst int
}

// Client-side limits: tool calls (discovery, health checks of pods) and log following have
// a limiter each, so opening hundreds of log streams never queues a tool call behind them.
// kube-apiserver applies its own priority and fairness on top
// (https://kubernetes.io/docs/concepts/cluster-administration/flow-control/).
var (
	ToolLimits = Limits{QPS: 20, Burst: 50}
	LogLimits  = Limits{QPS: 50, Burst: 100}
)

// RESTConfig builds an in-memory client configuration for the cluster with ToolLimits: its
// CA, and a transport that puts a fresh bearer token from ts on every request and records
// each call in the request context's audit recorder.
func RESTConfig(c Cluster, ts *TokenSource) *rest.Config { return RESTConfigWith(c, ts, ToolLimits) }

// RESTConfigWith is RESTConfig with the given request limits.
func RESTConfigWith(c Cluster, ts *TokenSource, l Limits) *rest.Config {
	cfg := &rest.Config{
		Host:            c.Endpoint,
		TLSClientConfig: rest.TLSClientConfig{CAData: c.CAData},
		UserAgent:       "fis-mcp",
		// Log streams are long-lived; the limiter only paces their start.
		QPS:   l.QPS,
		Burst: l.Burst,
		Dial:  ownDialer(),
	}
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
		return &authTransport{next: boundStreamBuffers(rt), cluster: c, tokens: ts}
	}
	return cfg
}

// Clientset returns a typed client for the cluster, with the given request limits.
func Clientset(c Cluster, ts *TokenSource, l Limits) (*Clients, error) {
	cs, err := NewClientset(RESTConfigWith(c, ts, l))
	if err != nil {
		return nil, fmt.Errorf("kubernetes client for cluster %s: %w", c.Name, err)
	}
	return cs, nil
}

type authTransport struct {
	next    http.RoundTripper
	cluster Cluster
	tokens  *TokenSource
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	start := time.Now()
	r := req.Clone(ctx)
	if t.tokens != nil {
		tok, err := t.tokens.Token(ctx, t.cluster)
		if err != nil {
			return nil, err
		}
		r.Header.Set("Authorization", "Bearer "+tok.Value)
	}
	resp, err := t.next.RoundTrip(r)
	if rec := audit.From(ctx); rec != nil {
		op, resource := describeRequest(req.Method, req.URL)
		result := "ok"
		switch {
		case err != nil:
			result = "error"
			if errors.Is(err, context.Canceled) {
				result = "canceled"
			}
		case resp.StatusCode >= 300:
			result = fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
		}
		rec.Add(session.APICall{
			Time:      start.UTC(),
			Service:   "kubernetes",
			Operation: op,
			Resource:  t.cluster.Name + "/" + resource,
			Result:    result,
			LatencyMS: time.Since(start).Milliseconds(),
		})
	}
	return resp, err
}

// describeRequest turns a REST path into an operation ("GET pods", "WATCH pods",
// "GET pods/log") and a resource ("namespace" or "namespace/name"). The query
// string is never recorded.
func describeRequest(method string, u *url.URL) (op, resource string) {
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	// Drop the group/version prefix: api/v1 or apis/{group}/{version}.
	switch {
	case len(parts) >= 2 && parts[0] == "api":
		parts = parts[2:]
	case len(parts) >= 3 && parts[0] == "apis":
		parts = parts[3:]
	}
	var ns, kind, name, sub string
	if len(parts) >= 2 && parts[0] == "namespaces" && len(parts) > 2 {
		ns = parts[1]
		parts = parts[2:]
	}
	if len(parts) > 0 {
		kind = parts[0]
	}
	if len(parts) > 1 {
		name = parts[1]
	}
	if len(parts) > 2 {
		sub = parts[2]
	}
	if kind == "" {
		kind = strings.Trim(u.Path, "/")
	}
	verb := method
	if u.Query().Get("watch") == "true" || u.Query().Get("watch") == "1" {
		verb = "WATCH"
	}
	op = verb + " " + kind
	if sub != "" {
		op += "/" + sub
	}
	resource = ns
	if name != "" {
		if kind == "namespaces" {
			resource = name
		} else {
			resource = ns + "/" + name
		}
	}
	return op, resource
}

// Reachability classifies a probe.
type Reachability string

// Probe outcomes.
const (
	Reachable    Reachability = "reachable"
	Unauthorized Reachability = "unauthorized"
	Forbidden    Reachability = "forbidden"
	Unreachable  Reachability = "unreachable"
)

// ProbeResult is the outcome of Probe; Message says what to do when not reachable.
type ProbeResult struct {
	Status  Reachability
	Message string
}

// OK reports whether the cluster answered and allowed the call.
func (p ProbeResult) OK() bool { return p.Status == Reachable }

// Probe makes one cheap call (list namespaces, limit 1) to tell whether the
// cluster can be reached with the current identity.
func Probe(ctx context.Context, cs Interface) ProbeResult {
	_, err := cs.CoreV1().Namespaces().List(ctx, metav1.ListOptions{Limit: 1})
	return classifyProbe(err)
}

func classifyProbe(err error) ProbeResult {
	switch {
	case err == nil:
		return ProbeResult{Status: Reachable, Message: "API server reachable, namespaces listable"}
	case apierrors.IsUnauthorized(err):
		return ProbeResult{Status: Unauthorized, Message: "the API server rejected the IAM token (401): the caller's IAM principal has no access entry (or aws-auth mapping) on this cluster; add an EKS access entry with a read-only policy such as AmazonEKSViewPolicy"}
	case apierrors.IsForbidden(err):
		return ProbeResult{Status: Forbidden, Message: "authenticated but not allowed to list namespaces (403): grant the IAM principal read access (EKS access policy AmazonEKSViewPolicy, cluster scope): " + err.Error()}
	}
	var netErr net.Error
	msg := err.Error()
	if errors.As(err, &netErr) || strings.Contains(msg, "dial tcp") || strings.Contains(msg, "no such host") || strings.Contains(msg, "x509") {
		return ProbeResult{Status: Unreachable, Message: "cannot reach the API server (private endpoint only? security group? VPN?): " + msg}
	}
	return ProbeResult{Status: Unreachable, Message: "API server call failed: " + msg}
}

// Access turns a probe into the session's record of the cluster.
func Access(c Cluster, p ProbeResult, kubeconfigPath string) session.ClusterAccess {
	a := session.ClusterAccess{Name: c.Name, Endpoint: c.Endpoint, Reachable: p.OK(), KubeconfigPath: kubeconfigPath}
	if !p.OK() {
		a.Error = string(p.Status) + ": " + p.Message
	}
	return a
}
