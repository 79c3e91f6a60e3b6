// Package kubetest is a fake Kubernetes API server for tests: an httptest TLS
// server speaking the real REST API (JSON) well enough for client-go — discovery,
// list/get with label and field selectors and pagination, watch with resource
// versions, and pod logs (follow, timestamps, sinceTime, previous) generated from
// scripted, time-driven generators. Faults: bad tokens (401), forbidden resources
// (403), log streams cut mid-line.
package kubetest

import (
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/version"
)

// Clock tells the simulation time (awstest.FakeClock fits).
type Clock interface{ Now() time.Time }

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// Option configures a Server.
type Option func(*Server)

// WithClock sets the simulation clock: log lines become visible as it advances.
func WithClock(c Clock) Option { return func(s *Server) { s.clock = c } }

// DefaultMaxConcurrentStreams is the HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS the
// server announces: kube-apiserver's default since the HTTP/2 rapid-reset fix
// (https://github.com/kubernetes/kubernetes/pull/121120: "The Kube API server now
// uses a max stream of 100 instead of 250"), so more concurrent log streams than
// that need more than one connection.
const DefaultMaxConcurrentStreams = 100

// WithMaxConcurrentStreams sets the HTTP/2 stream limit per connection (0: HTTP/1.1 only).
func WithMaxConcurrentStreams(n int) Option { return func(s *Server) { s.maxStreams = n } }

// WithTick sets how often time-driven work (scheduled changes, followed log
// streams) re-reads the clock; default 2ms.
func WithTick(d time.Duration) Option { return func(s *Server) { s.tick = d } }

// Request is one request the server received (the Authorization header is never kept).
type Request struct {
	Method string
	Path   string
	Query  string
	Status int
	// Proto is the HTTP version the request came over ("HTTP/2.0").
	Proto string
}

// object is any stored Kubernetes object.
type object interface {
	metav1.Object
	runtime.Object
}

type event struct {
	rv       int64
	typ      string
	resource string
	obj      object
}

type scheduled struct {
	at time.Time
	fn func()
}

// Server is the fake API server. Seed it with the Add* methods; they are safe to
// call while clients are connected.
type Server struct {
	// URL is the https base URL of the server.
	URL string

	srv        *httptest.Server
	clock      Clock
	tick       time.Duration
	maxStreams int
	conns      atomic.Int64

	mu           sync.Mutex
	rv           int64
	seq          int
	objects      map[string]map[string]object
	events       []event
	changed      chan struct{}
	logs         map[string]*containerLogs
	schedule     []scheduled
	requireToken func(string) bool
	forbidden    map[string]bool
	denied       map[string]bool // access reviews answered "not allowed" (access.go)
	requests     []Request
	closed       chan struct{}
	closeOnce    sync.Once
	// compactedRV: watches from an older resource version get 410 Expired.
	compactedRV int64
	// dropWatches is closed (and replaced) to end every open watch.
	dropWatches chan struct{}
	done        sync.WaitGroup
}

// New starts a fake API server with TLS.
func New(opts ...Option) *Server {
	s := &Server{
		clock:       realClock{},
		tick:        2 * time.Millisecond,
		objects:     map[string]map[string]object{},
		changed:     make(chan struct{}),
		logs:        map[string]*containerLogs{},
		forbidden:   map[string]bool{},
		closed:      make(chan struct{}),
		dropWatches: make(chan struct{}),
		maxStreams:  DefaultMaxConcurrentStreams,
	}
	for _, o := range opts {
		o(s)
	}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	// The API server speaks HTTP/2 (client-go negotiates it over TLS), with a
	// stream limit per connection.
	if s.maxStreams > 0 {
		s.srv.EnableHTTP2 = true
		s.srv.Config.HTTP2 = &http.HTTP2Config{MaxConcurrentStreams: s.maxStreams}
	}
	s.srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.srv.StartTLS()
	s.URL = s.srv.URL
	s.ensureNamespace("default")
	s.done.Add(1)
	go s.ticker()
	return s
}

// CAData is the PEM certificate clients must trust.
func (s *Server) CAData() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.srv.Certificate().Raw})
}

// Close ends every stream and stops the server.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closed)
		s.done.Wait()
		s.srv.CloseClientConnections()
		s.srv.Close()
	})
}

// Connections is how many client connections the server accepted so far.
func (s *Server) Connections() int { return int(s.conns.Load()) }

// Now is the server's simulation time.
func (s *Server) Now() time.Time { return s.clock.Now() }

// At runs fn once the clock reaches t (checked every tick). fn runs without the
// server lock, so it may call the Add*/Delete* methods.
func (s *Server) At(t time.Time, fn func()) {
	s.mu.Lock()
	s.schedule = append(s.schedule, scheduled{at: t, fn: fn})
	s.mu.Unlock()
}

// RequireToken rejects requests whose bearer token check refuses with 401.
func (s *Server) RequireToken(check func(token string) bool) {
	s.mu.Lock()
	s.requireToken = check
	s.mu.Unlock()
}

// Forbid answers 403 for a resource: "namespace/resource" ("team-a/secrets",
// "team-a/pods/log"), "*/resource" or "resource" for every namespace, and
// "namespaces" for the cluster-scoped namespace list.
func (s *Server) Forbid(spec string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !strings.Contains(spec, "/") || isResourceSpec(spec) {
		spec = "*/" + spec
	}
	s.forbidden[spec] = true
}

func isResourceSpec(spec string) bool {
	_, ok := resources[strings.SplitN(spec, "/", 2)[0]]
	return ok
}

// CompactHistory forgets the watch history, as etcd compaction does: a watch from
// an older resource version then gets a 410 Expired error event.
func (s *Server) CompactHistory() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.compactedRV = s.rv
	s.events = nil
}

// CloseWatches ends every open watch (an API server restart or load balancer timeout).
func (s *Server) CloseWatches() {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.dropWatches)
	s.dropWatches = make(chan struct{})
}

// Requests returns a copy of the request log.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

func (s *Server) ticker() {
	defer s.done.Done()
	t := time.NewTicker(s.tick)
	defer t.Stop()
	for {
		select {
		case <-s.closed:
			return
		case <-t.C:
		}
		now := s.clock.Now()
		s.mu.Lock()
		var due []func()
		rest := s.schedule[:0]
		for _, sc := range s.schedule {
			if !now.Before(sc.at) {
				due = append(due, sc.fn)
			} else {
				rest = append(rest, sc)
			}
		}
		s.schedule = rest
		s.mu.Unlock()
		for _, fn := range due {
			fn()
		}
		s.mu.Lock()
		s.broadcastLocked()
		s.mu.Unlock()
	}
}

// broadcastLocked wakes every waiting stream.
func (s *Server) broadcastLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// waitChange returns a channel closed at the next change or tick.
func (s *Server) waitChange() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}

// resource describes one served resource type.
type resource struct {
	group, version, kind string
	namespaced           bool
}

var resources = map[string]resource{
	"namespaces":   {"", "v1", "Namespace", false},
	"pods":         {"", "v1", "Pod", true},
	"configmaps":   {"", "v1", "ConfigMap", true},
	"secrets":      {"", "v1", "Secret", true},
	"services":     {"", "v1", "Service", true},
	"replicasets":  {"apps", "v1", "ReplicaSet", true},
	"deployments":  {"apps", "v1", "Deployment", true},
	"statefulsets": {"apps", "v1", "StatefulSet", true},
	"daemonsets":   {"apps", "v1", "DaemonSet", true},
	"jobs":         {"batch", "v1", "Job", true},
	"cronjobs":     {"batch", "v1", "CronJob", true},
}

func (r resource) apiVersion() string {
	if r.group == "" {
		return r.version
	}
	return r.group + "/" + r.version
}

// statusWriter records the request once its status is known.
type statusWriter struct {
	http.ResponseWriter
	s      *Server
	req    Request
	logged bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.logged {
		w.logged = true
		w.req.Status = code
		w.s.mu.Lock()
		w.s.requests = append(w.s.requests, w.req)
		w.s.mu.Unlock()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.logged {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (s *Server) serveHTTP(rw http.ResponseWriter, r *http.Request) {
	w := &statusWriter{ResponseWriter: rw, s: s, req: Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Proto: r.Proto}}
	defer func() {
		if !w.logged {
			w.logged = true
			s.mu.Lock()
			s.requests = append(s.requests, w.req)
			s.mu.Unlock()
		}
	}()
	s.mu.Lock()
	check := s.requireToken
	s.mu.Unlock()
	if check != nil {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || !check(tok) {
			writeStatus(w, http.StatusUnauthorized, metav1.StatusReasonUnauthorized, "Unauthorized")
			return
		}
	}
	if r.Method == http.MethodPost && strings.Trim(r.URL.Path, "/") == accessReviewPath {
		s.serveAccessReview(w, r)
		return
	}
	if r.Method != http.MethodGet {
		writeStatus(w, http.StatusMethodNotAllowed, metav1.StatusReasonMethodNotAllowed, "the fake API server is read-only")
		return
	}
	path := strings.Trim(r.URL.Path, "/")
	switch path {
	case "version":
		writeJSON(w, http.StatusOK, version.Info{Major: "1", Minor: "33", GitVersion: "v1.33.0-eks-fake", Platform: "linux/amd64"})
		return
	case "api":
		writeJSON(w, http.StatusOK, metav1.APIVersions{TypeMeta: metav1.TypeMeta{Kind: "APIVersions"}, Versions: []string{"v1"}})
		return
	case "apis":
		writeJSON(w, http.StatusOK, apiGroups())
		return
	case "api/v1", "apis/apps/v1", "apis/batch/v1":
		writeJSON(w, http.StatusOK, resourceList(path))
		return
	}
	parts := strings.Split(path, "/")
	var gv string
	switch {
	case len(parts) >= 2 && parts[0] == "api" && parts[1] == "v1":
		gv, parts = "v1", parts[2:]
	case len(parts) >= 3 && parts[0] == "apis":
		gv, parts = parts[1]+"/"+parts[2], parts[3:]
	default:
		writeStatus(w, http.StatusNotFound, metav1.StatusReasonNotFound, "the server could not find the requested resource")
		return
	}
	var ns, res, name, sub string
	if len(parts) >= 3 && parts[0] == "namespaces" {
		ns, parts = parts[1], parts[2:]
	}
	if len(parts) > 0 {
		res = parts[0]
	}
	if len(parts) > 1 {
		name = parts[1]
	}
	if len(parts) > 2 {
		sub = strings.Join(parts[2:], "/")
	}
	info, ok := resources[res]
	if !ok || info.apiVersion() != gv || (ns != "" && !info.namespaced) {
		writeStatus(w, http.StatusNotFound, metav1.StatusReasonNotFound, "the server could not find the requested resource")
		return
	}
	fullRes := res
	if sub != "" {
		fullRes += "/" + sub
	}
	if s.isForbidden(ns, fullRes) {
		verb := "get"
		if name == "" {
			verb = "list"
			if isWatch(r) {
				verb = "watch"
			}
		}
		where := "at the cluster scope"
		if ns != "" {
			where = fmt.Sprintf("in the namespace %q", ns)
		}
		writeStatus(w, http.StatusForbidden, metav1.StatusReasonForbidden,
			fmt.Sprintf("%s is forbidden: User \"fis-mcp\" cannot %s resource %q in API group %q %s", fullRes, verb, fullRes, info.group, where))
		return
	}
	switch {
	case sub == "log" && res == "pods" && name != "":
		s.serveLogs(w, r, ns, name)
	case sub != "":
		writeStatus(w, http.StatusNotFound, metav1.StatusReasonNotFound, "the server could not find the requested resource")
	case name != "":
		s.serveGet(w, res, info, ns, name)
	case isWatch(r):
		s.serveWatch(w, r, res, info, ns)
	default:
		s.serveList(w, r, res, info, ns)
	}
}

func isWatch(r *http.Request) bool {
	v := r.URL.Query().Get("watch")
	return v == "true" || v == "1"
}

func (s *Server) isForbidden(ns, res string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.forbidden["*/"+res] || ns != "" && (s.forbidden[ns+"/"+res] || s.forbidden[ns+"/*"]) {
		return true
	}
	// Forbidding pods forbids their log subresource too.
	if base, _, ok := strings.Cut(res, "/"); ok {
		return s.forbidden["*/"+base] || ns != "" && s.forbidden[ns+"/"+base]
	}
	return false
}

func apiGroups() metav1.APIGroupList {
	mk := func(g string) metav1.APIGroup {
		v := metav1.GroupVersionForDiscovery{GroupVersion: g + "/v1", Version: "v1"}
		return metav1.APIGroup{Name: g, Versions: []metav1.GroupVersionForDiscovery{v}, PreferredVersion: v}
	}
	return metav1.APIGroupList{TypeMeta: metav1.TypeMeta{Kind: "APIGroupList", APIVersion: "v1"}, Groups: []metav1.APIGroup{mk("apps"), mk("batch")}}
}

func resourceList(path string) metav1.APIResourceList {
	gv := strings.TrimPrefix(strings.TrimPrefix(path, "apis/"), "api/")
	out := metav1.APIResourceList{TypeMeta: metav1.TypeMeta{Kind: "APIResourceList", APIVersion: "v1"}, GroupVersion: gv}
	names := make([]string, 0, len(resources))
	for n := range resources {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		r := resources[n]
		if r.apiVersion() != gv {
			continue
		}
		out.APIResources = append(out.APIResources, metav1.APIResource{Name: n, Namespaced: r.namespaced, Kind: r.kind, Verbs: metav1.Verbs{"get", "list", "watch"}})
		if n == "pods" {
			out.APIResources = append(out.APIResources, metav1.APIResource{Name: "pods/log", Namespaced: true, Kind: "Pod", Verbs: metav1.Verbs{"get"}})
		}
	}
	return out
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeStatus(w, http.StatusInternalServerError, metav1.StatusReasonInternalError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(b)
}

// writeStatus answers with a metav1.Status, the API server's error shape.
func writeStatus(w http.ResponseWriter, code int, reason metav1.StatusReason, msg string) {
	writeJSON(w, code, metav1.Status{
		TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"},
		Status:   metav1.StatusFailure, Message: msg, Reason: reason, Code: int32(code),
	})
}

func withKind(o object, res string) object {
	c := o.DeepCopyObject().(object)
	info := resources[res]
	c.GetObjectKind().SetGroupVersionKind(schema.GroupVersionKind{Group: info.group, Version: info.version, Kind: info.kind})
	return c
}

func (s *Server) serveGet(w http.ResponseWriter, res string, info resource, ns, name string) {
	s.mu.Lock()
	o := s.objects[res][key(ns, name)]
	var out object
	if o != nil {
		out = withKind(o, res)
	}
	s.mu.Unlock()
	if out == nil {
		writeStatus(w, http.StatusNotFound, metav1.StatusReasonNotFound, fmt.Sprintf("%s %q not found", res, name))
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func key(ns, name string) string { return ns + "/" + name }

// selectors parses labelSelector and fieldSelector.
func selectors(r *http.Request) (labels.Selector, fields.Selector, error) {
	q := r.URL.Query()
	ls, err := labels.Parse(q.Get("labelSelector"))
	if err != nil {
		return nil, nil, fmt.Errorf("labelSelector: %w", err)
	}
	fs, err := fields.ParseSelector(q.Get("fieldSelector"))
	if err != nil {
		return nil, nil, fmt.Errorf("fieldSelector: %w", err)
	}
	return ls, fs, nil
}

func matches(o object, ns string, ls labels.Selector, fs fields.Selector) bool {
	if ns != "" && o.GetNamespace() != ns {
		return false
	}
	if !ls.Matches(labels.Set(o.GetLabels())) {
		return false
	}
	f := fields.Set{"metadata.name": o.GetName(), "metadata.namespace": o.GetNamespace()}
	if p, ok := o.(*corev1.Pod); ok {
		f["spec.nodeName"] = p.Spec.NodeName
		f["status.phase"] = string(p.Status.Phase)
	}
	return fs.Matches(f)
}

type listJSON struct {
	Kind       string          `json:"kind"`
	APIVersion string          `json:"apiVersion"`
	Metadata   metav1.ListMeta `json:"metadata"`
	Items      []object        `json:"items"`
}

func (s *Server) serveList(w http.ResponseWriter, r *http.Request, res string, info resource, ns string) {
	ls, fs, err := selectors(r)
	if err != nil {
		writeStatus(w, http.StatusBadRequest, metav1.StatusReasonBadRequest, err.Error())
		return
	}
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	after := ""
	if c := q.Get("continue"); c != "" {
		b, err := base64.RawURLEncoding.DecodeString(c)
		if err != nil {
			writeStatus(w, http.StatusBadRequest, metav1.StatusReasonBadRequest, "invalid continue token")
			return
		}
		after = string(b)
	}
	s.mu.Lock()
	keys := make([]string, 0, len(s.objects[res]))
	for k, o := range s.objects[res] {
		if k > after && matches(o, ns, ls, fs) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	out := listJSON{Kind: info.kind + "List", APIVersion: info.apiVersion(), Items: []object{}}
	out.Metadata.ResourceVersion = strconv.FormatInt(s.rv, 10)
	for i, k := range keys {
		if limit > 0 && i == limit {
			out.Metadata.Continue = base64.RawURLEncoding.EncodeToString([]byte(keys[i-1]))
			break
		}
		out.Items = append(out.Items, s.objects[res][k].DeepCopyObject().(object))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

type watchEvent struct {
	Type   string `json:"type"`
	Object object `json:"object"`
}

func (s *Server) serveWatch(w http.ResponseWriter, r *http.Request, res string, info resource, ns string) {
	ls, fs, err := selectors(r)
	if err != nil {
		writeStatus(w, http.StatusBadRequest, metav1.StatusReasonBadRequest, err.Error())
		return
	}
	q := r.URL.Query()
	var cursor int64
	var initial []watchEvent
	s.mu.Lock()
	if rvs := q.Get("resourceVersion"); rvs == "" || rvs == "0" {
		keys := make([]string, 0)
		for k, o := range s.objects[res] {
			if matches(o, ns, ls, fs) {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			initial = append(initial, watchEvent{Type: "ADDED", Object: withKind(s.objects[res][k], res)})
		}
		cursor = s.rv
	} else {
		cursor, err = strconv.ParseInt(rvs, 10, 64)
		if err != nil {
			s.mu.Unlock()
			writeStatus(w, http.StatusBadRequest, metav1.StatusReasonBadRequest, "invalid resourceVersion")
			return
		}
	}
	compacted := s.compactedRV
	expired := cursor < compacted
	drop := s.dropWatches
	s.mu.Unlock()
	var deadline <-chan time.Time
	if ts, _ := strconv.Atoi(q.Get("timeoutSeconds")); ts > 0 {
		t := time.NewTimer(time.Duration(ts) * time.Second)
		defer t.Stop()
		deadline = t.C
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Transfer-Encoding", "chunked")
	w.WriteHeader(http.StatusOK)
	w.(http.Flusher).Flush()
	enc := json.NewEncoder(w)
	if expired {
		_ = json.NewEncoder(w).Encode(struct {
			Type   string        `json:"type"`
			Object metav1.Status `json:"object"`
		}{"ERROR", metav1.Status{
			TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}, Status: metav1.StatusFailure,
			Message: fmt.Sprintf("too old resource version: %d (%d)", cursor, compacted), Reason: metav1.StatusReasonExpired, Code: http.StatusGone,
		}})
		return
	}
	for _, ev := range initial {
		if enc.Encode(ev) != nil {
			return
		}
	}
	w.(http.Flusher).Flush()
	for {
		wait := s.waitChange()
		s.mu.Lock()
		i := sort.Search(len(s.events), func(i int) bool { return s.events[i].rv > cursor })
		var batch []watchEvent
		for ; i < len(s.events); i++ {
			ev := s.events[i]
			cursor = ev.rv
			if ev.resource == res && matches(ev.obj, ns, ls, fs) {
				batch = append(batch, watchEvent{Type: ev.typ, Object: withKind(ev.obj, res)})
			}
		}
		s.mu.Unlock()
		for _, ev := range batch {
			if enc.Encode(ev) != nil {
				return
			}
		}
		if len(batch) > 0 {
			w.(http.Flusher).Flush()
		}
		select {
		case <-wait:
		case <-r.Context().Done():
			return
		case <-s.closed:
			return
		case <-deadline:
			return
		case <-drop:
			return
		}
	}
}
