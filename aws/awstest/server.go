// Package awstest is a wire-level fake AWS account. The real AWS SDK for Go v2
// talks to it over HTTP (point it at Server.URL with AWS_ENDPOINT_URL or
// BaseEndpoint); each service speaks its real protocol (awsQuery, ec2Query,
// awsJson1.0/1.1, restJson1, restXml, Smithy RPC v2 CBOR) including its error shapes.
//
// The account is a simulation: state per service, a clock the tests drive, changes
// scheduled at clock times (applied lazily when a request arrives), hooks that run
// when an experiment starts, injected faults (throttling, 5xx, access denied), and a
// record of every call so tests can assert what was (and was not) sent.
package awstest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Default account facts.
const (
	DefaultRegion    = "us-east-1"
	DefaultAccountID = "123456789012"
)

// Call is one request the fake received.
type Call struct {
	Time      time.Time
	Service   string // signing name, e.g. "fis", "monitoring", "rds"
	Operation string
	Params    map[string]string // path parameters (REST) or selected form/JSON fields
	Body      []byte
	Status    int
	// Attempt is the SDK's attempt number from the amz-sdk-request header (1 for a
	// first try, 2+ for its retries; 0 when the client did not say).
	Attempt int
}

// Fault makes matching requests fail.
type Fault struct {
	Service   string // signing name; "" matches any
	Operation string // "" matches any operation of the service
	Status    int    // HTTP status, e.g. 400, 429, 500, 503
	Code      string // e.g. "ThrottlingException", "AccessDeniedException", "InternalFailure"
	Message   string
	Times     int // how many requests fail; <= 0 means until cleared
}

type scheduled struct {
	at  time.Time
	seq int
	fn  func()
}

// Server is a fake AWS account served over HTTP.
type Server struct {
	URL       string
	Region    string
	AccountID string

	http  *httptest.Server
	clock Clock

	mu       sync.Mutex
	calls    []Call
	faults   []*Fault
	pending  []scheduled
	seq      int
	onStart  []func(experimentID string, start time.Time)
	latency  time.Duration
	services map[string]*service

	// Per-service state; each lives in its service's file.
	cfn           cfnState
	fis           fisState
	iam           iamState
	ec2           ec2State
	autoscaling   autoscalingState
	rds           rdsState
	elasticache   elasticacheState
	memorydb      memorydbState
	eks           eksState
	kafka         kafkaState
	opensearch    opensearchState
	lambda        lambdaState
	ecs           ecsState
	dynamodb      dynamodbState
	s3            s3State
	tagging       taggingState
	cloudwatch    cloudwatchState
	logs          logsState
	arc           arcState
	dsql          dsqlState
	kinesis       kinesisState
	directconnect directconnectState
	vpce          vpceState
	accounts      accountsState // linked accounts and assumed-role keys (accounts.go)
}

// Option configures a Server.
type Option func(*Server)

// WithClock sets the simulation clock (default: the real clock).
func WithClock(c Clock) Option { return func(s *Server) { s.clock = c } }

// WithRegion sets the account's region (default us-east-1).
func WithRegion(r string) Option { return func(s *Server) { s.Region = r } }

// WithLatency delays every response (for latency-sensitive tests and benchmarks).
func WithLatency(d time.Duration) Option { return func(s *Server) { s.latency = d } }

// New starts a fake account on a loopback port. Close it when done.
func New(opts ...Option) *Server {
	s := NewUnstarted(opts...)
	s.http = httptest.NewServer(s)
	s.URL = s.http.URL
	return s
}

// NewUnstarted returns a fake account that is an http.Handler only (no listener).
func NewUnstarted(opts ...Option) *Server {
	s := &Server{Region: DefaultRegion, AccountID: DefaultAccountID, clock: RealClock{}}
	for _, o := range opts {
		o(s)
	}
	s.services = s.allServices()
	return s
}

// Close stops the listener.
func (s *Server) Close() {
	if s.http != nil {
		s.http.Close()
	}
}

// Clock returns the simulation clock.
func (s *Server) Clock() Clock { return s.clock }

// Now is the simulation time.
func (s *Server) Now() time.Time { return s.clock.Now() }

// Config returns an AWS config that sends every service to this fake with static credentials.
func (s *Server) Config() awssdk.Config {
	return awssdk.Config{
		Region:           s.Region,
		BaseEndpoint:     awssdk.String(s.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDFAKE", "fake-secret", ""),
		RetryMaxAttempts: 5,
		RetryMode:        awssdk.RetryModeStandard,
	}
}

// Env returns environment variables that point the AWS SDK (and so the fis-mcp binary) at this fake.
func (s *Server) Env() []string {
	return []string{
		"AWS_ENDPOINT_URL=" + s.URL,
		"AWS_ACCESS_KEY_ID=AKIDFAKE",
		"AWS_SECRET_ACCESS_KEY=fake-secret",
		"AWS_REGION=" + s.Region,
		"AWS_EC2_METADATA_DISABLED=true",
	}
}

// InjectFault adds a fault; it applies to requests in the order faults were added.
func (s *Server) InjectFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ff := f
	s.faults = append(s.faults, &ff)
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// Calls returns the requests received so far (service/operation filters optional).
//
// A retry the SDK sent only because it lost an answer the fake had already given
// successfully (the transport can drop a connection while it reads a reply on a
// loaded machine) is left out: it is the same call, answered twice. Retries of
// failed attempts (throttling, 5xx, injected faults) are kept.
func (s *Server) Calls(service, operation string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for i, c := range s.calls {
		if (service == "" || c.Service == service) && (operation == "" || c.Operation == operation) && !s.repeatOfSuccess(i) {
			out = append(out, c)
		}
	}
	return out
}

// AllCalls returns every request received, SDK retries of answered requests included
// (what went over the wire).
func (s *Server) AllCalls(service, operation string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if (service == "" || c.Service == service) && (operation == "" || c.Operation == operation) {
			out = append(out, c)
		}
	}
	return out
}

// repeatOfSuccess reports whether call i is an SDK retry of a request whose previous
// attempt was answered with a 2xx. Lock held.
func (s *Server) repeatOfSuccess(i int) bool {
	c := s.calls[i]
	if c.Attempt <= 1 {
		return false
	}
	for j := i - 1; j >= 0; j-- {
		p := s.calls[j]
		if p.Service == c.Service && p.Operation == c.Operation && p.Attempt == c.Attempt-1 &&
			bytes.Equal(p.Body, c.Body) && maps.Equal(p.Params, c.Params) {
			return p.Status >= 200 && p.Status < 300
		}
	}
	return false
}

// CallCount counts received requests of service/operation.
func (s *Server) CallCount(service, operation string) int { return len(s.Calls(service, operation)) }

// At schedules fn (run with the server's lock held, so it may change any state) at simulation time t.
// Changes are applied when the first request at or after t arrives.
func (s *Server) At(t time.Time, fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.schedule(t, fn)
}

// change applies a state change now: fn runs with the lock held and is given the
// current simulation time. Setters are one-liners over change and changeAt.
func (s *Server) change(fn func(at time.Time)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(s.clock.Now())
}

// changeAt schedules a state change at simulation time t (see At): fn runs with the
// lock held when the first request at or after t arrives, and is given t (the time
// AWS records for the change), not that request's time.
func (s *Server) changeAt(t time.Time, fn func(at time.Time)) {
	s.At(t, func() { fn(t) })
}

func (s *Server) schedule(t time.Time, fn func()) {
	s.seq++
	s.pending = append(s.pending, scheduled{at: t, seq: s.seq, fn: fn})
}

// OnExperimentStart registers a hook run (with the lock held) when an experiment starts;
// scenarios use it to schedule resource changes relative to the start.
func (s *Server) OnExperimentStart(fn func(experimentID string, start time.Time)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onStart = append(s.onStart, fn)
}

// fireExperimentStart is called by the FIS fake with the lock held.
func (s *Server) fireExperimentStart(id string, start time.Time) {
	for _, fn := range s.onStart {
		fn(id, start)
	}
}

// Do runs fn with the lock held (to seed or change state from a test).
func (s *Server) Do(fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn()
}

// applyDue runs the scheduled changes that are due; lock held.
func (s *Server) applyDue(now time.Time) {
	if len(s.pending) == 0 {
		return
	}
	sort.Slice(s.pending, func(i, j int) bool {
		if !s.pending[i].at.Equal(s.pending[j].at) {
			return s.pending[i].at.Before(s.pending[j].at)
		}
		return s.pending[i].seq < s.pending[j].seq
	})
	n := 0
	for n < len(s.pending) && !s.pending[n].at.After(now) {
		n++
	}
	due := s.pending[:n]
	s.pending = append([]scheduled(nil), s.pending[n:]...)
	for _, d := range due {
		d.fn()
	}
}

var credentialScope = regexp.MustCompile(`Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request`)

// signingService returns the SigV4 service of the request ("" when unsigned).
func signingService(r *http.Request) (region, service string) {
	m := credentialScope.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		return "", ""
	}
	if m[2] == "arc-zonal-shift" {
		// The SDK signs ARC zonal shift as arc-zonal-shift with a custom endpoint and as
		// percdataplane with the resolved one (its endpoints.go): one fake, one name.
		return m[1], "percdataplane"
	}
	return m[1], m[2]
}

// ServeHTTP dispatches a signed request to its service.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if o := s.accountFor(r); o != nil { // signed with assumed-role credentials of a linked account
		o.ServeHTTP(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	_ = r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	_, name := signingService(r)
	svc := s.services[name]
	if svc == nil {
		http.Error(w, fmt.Sprintf("awstest: no fake for service %q (Authorization %q)", name, r.Header.Get("Authorization")), http.StatusNotImplemented)
		return
	}
	if s.latency > 0 {
		select {
		case <-time.After(s.latency):
		case <-r.Context().Done():
			return
		}
	}
	// Replies are buffered and sent with a Content-Length, as AWS does: a chunked reply
	// whose last chunk the SDK never reads makes the transport drop the connection.
	bw := &bufferedWriter{header: http.Header{}, status: http.StatusOK}
	defer bw.flushTo(w)
	c := &call{w: bw, r: r, body: body, svc: svc, server: s, service: name, status: http.StatusOK}
	if err := c.parse(); err != nil {
		c.fail(http.StatusBadRequest, svc.protocol.badRequestCode(), err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	s.applyDue(now)
	c.now = now
	rec := Call{Time: now, Service: name, Operation: c.op, Params: c.params, Body: body, Attempt: sdkAttempt(r)}
	if f := s.matchFault(name, c.op); f != nil {
		msg := f.Message
		if msg == "" {
			msg = "injected fault: " + f.Code
		}
		c.fail(f.Status, f.Code, msg)
		rec.Status = c.status
		s.calls = append(s.calls, rec)
		return
	}
	if c.op == "" {
		c.fail(http.StatusNotFound, "UnknownOperationException", fmt.Sprintf("awstest: no route for %s %s", r.Method, r.URL.Path))
	} else {
		svc.handle(s, c)
	}
	rec.Status = c.status
	s.calls = append(s.calls, rec)
}

func (s *Server) matchFault(service, op string) *Fault {
	for i, f := range s.faults {
		if (f.Service == "" || f.Service == service) && (f.Operation == "" || f.Operation == op) {
			if f.Times > 0 {
				f.Times--
				if f.Times == 0 {
					s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
				}
			}
			return f
		}
	}
	return nil
}

// service is one fake AWS service.
type service struct {
	protocol protocol
	// xmlns is the namespace of awsQuery/ec2Query replies.
	xmlns string
	// route maps a REST request to an operation and its path parameters (rest protocols only).
	route func(method, path string) (op string, params map[string]string)
	// handle answers the call (lock held): write with c.reply / c.fail.
	handle func(s *Server, c *call)
}

// allServices lists every fake service by SigV4 signing name.
func (s *Server) allServices() map[string]*service {
	return map[string]*service{
		"cloudformation": cloudformationService(),
		"fis":            fisService(),
		"iam":            iamService(),
		"sts":            stsService(),
		"ec2":            ec2Service(),
		"autoscaling":    autoscalingService(),
		"rds":            rdsService(), // RDS, Aurora and DocumentDB share the RDS API
		"elasticache":    elasticacheService(),
		"memorydb":       memorydbService(),
		"eks":            eksService(),
		"kafka":          kafkaService(),
		"es":             opensearchService(),
		"lambda":         lambdaService(),
		"ecs":            ecsService(),
		"dynamodb":       dynamodbService(),
		"s3":             s3Service(),
		"tagging":        taggingService(),
		"monitoring":     cloudwatchService(),
		"logs":           logsService(),
		"percdataplane":  arcService(), // ARC zonal shift signs as percdataplane
		"dsql":           dsqlService(),
		"kinesis":        kinesisService(),
		"directconnect":  directconnectService(),
	}
}

// call is one request being answered.
type call struct {
	w       http.ResponseWriter
	r       *http.Request
	body    []byte
	svc     *service
	server  *Server
	service string
	now     time.Time
	op      string
	params  map[string]string
	form    url.Values
	status  int
}

// Form returns a form value (awsQuery / ec2Query).
func (c *call) Form(key string) string { return c.form.Get(key) }

// FormList returns the members of a query list: prefix.member.1, prefix.member.2, ...
// (awsQuery) or prefix.1, prefix.2 (ec2Query), in order.
func (c *call) FormList(prefix string) []string {
	var out []string
	for _, p := range []string{prefix + ".member.", prefix + "."} {
		for i := 1; ; i++ {
			v, ok := c.form[p+fmt.Sprint(i)]
			if !ok {
				break
			}
			out = append(out, v[0])
		}
		if len(out) > 0 {
			return out
		}
	}
	return out
}

// Param returns a REST path parameter.
func (c *call) Param(key string) string { return c.params[key] }

// Query returns a URL query value.
func (c *call) Query(key string) string { return c.r.URL.Query().Get(key) }

// Ctx is the request context.
func (c *call) Ctx() context.Context { return c.r.Context() }

func (c *call) parse() error {
	switch c.svc.protocol {
	case protoQuery, protoEC2Query:
		form, err := url.ParseQuery(string(c.body))
		if err != nil {
			return fmt.Errorf("parse form body: %w", err)
		}
		c.form = form
		c.op = form.Get("Action")
	case protoJSON10, protoJSON11:
		target := c.r.Header.Get("X-Amz-Target")
		if i := strings.LastIndexByte(target, '.'); i >= 0 {
			c.op = target[i+1:]
		}
	case protoCBOR:
		// /service/{ServiceName}/operation/{Operation}
		parts := strings.Split(strings.Trim(c.r.URL.Path, "/"), "/")
		if len(parts) == 4 && parts[0] == "service" && parts[2] == "operation" {
			c.op = parts[3]
		}
	case protoRestJSON, protoRestXML:
		if c.svc.route != nil {
			c.op, c.params = c.svc.route(c.r.Method, c.r.URL.EscapedPath())
		}
	}
	return nil
}

// bufferedWriter collects a reply so it can be sent with a Content-Length.
type bufferedWriter struct {
	header      http.Header
	status      int
	wroteHeader bool
	body        bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header { return b.header }

func (b *bufferedWriter) WriteHeader(status int) {
	if !b.wroteHeader {
		b.status, b.wroteHeader = status, true
	}
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	return b.body.Write(p)
}

func (b *bufferedWriter) flushTo(w http.ResponseWriter) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", fmt.Sprint(b.body.Len()))
	w.WriteHeader(b.status)
	_, _ = w.Write(b.body.Bytes()) // a client that hung up is not the fake's problem
}

// sdkAttempt reads the attempt number the AWS SDK sends in "amz-sdk-request: attempt=N; max=M".
func sdkAttempt(r *http.Request) int {
	for _, part := range strings.Split(r.Header.Get("Amz-Sdk-Request"), ";") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "attempt="); ok {
			n := 0
			for _, ch := range v {
				if ch < '0' || ch > '9' {
					return 0
				}
				n = n*10 + int(ch-'0')
			}
			return n
		}
	}
	return 0
}
