// Package workflow is the experiment protocol under the transports: an Engine owns the
// session store, the clock, the per-region AWS clients and the health registry, and has
// one method per step of the workflow. It never imports mcp-go: the MCP tools (package
// tools) bind arguments, call a step and render its typed result; a CLI or another
// transport can do the same.
package workflow

import (
	"context"
	"fmt"
	"sync"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/rs/zerolog"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/audit"
)

// Config are the operator settings and workflow timings.
type Config struct {
	// ExperimentsDir is the default search root for template IDs ("" = working directory).
	ExperimentsDir string
	// DefaultRegion is the AWS config region, used only when a README has none (with a warning).
	DefaultRegion string
	// ReadOnly forbids StartExperiment (stop, reports and everything read-only still work).
	ReadOnly bool
	// Simulated marks a server backed by the simulated account (shown in every result).
	Simulated bool

	ConfirmationTTL    time.Duration // 10 min
	Baseline           time.Duration // post-experiment baseline, 3 min
	HealthWaitInterval time.Duration // 60 s
	HealthWaitMax      time.Duration // 10 min
	PollFast           time.Duration // 30 s for the first PollFastFor
	PollFastFor        time.Duration // 5 min
	PollSlow           time.Duration // 60 s
	// PollWaitStep is how often a blocking poll re-reads the experiment.
	PollWaitStep time.Duration // 5 s
	// ManagedLogsMaxEvents bounds the managed-service log events fetched per group.
	ManagedLogsMaxEvents int
	// MaxLogStreams bounds the pod log streams followed per session (0: kube.DefaultMaxStreams).
	MaxLogStreams int
	// AccountRoles are the roles to assume per target account of multi-account templates (--account-roles).
	AccountRoles map[string]string
	// Supervise runs the run supervisor: the server samples every running experiment of
	// its state directory in the background and finalizes unattended reports (the server
	// sets it; engines of tests that drive time by hand leave it off).
	Supervise bool
	// FinalizeGrace is how long after the post-experiment baseline the run supervisor waits
	// for a finalize_report before writing the report itself (--finalize-grace, 2 min).
	FinalizeGrace time.Duration
	// StopIfUnattended is the dead-man's switch (--stop-if-unattended): a running
	// experiment with no tool call for its session for this long is stopped (0 = off).
	StopIfUnattended time.Duration
}

// WithDefaults fills unset timings with the production values.
func (c Config) WithDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.ConfirmationTTL, 10*time.Minute)
	def(&c.Baseline, 3*time.Minute)
	def(&c.HealthWaitInterval, 60*time.Second)
	def(&c.HealthWaitMax, 10*time.Minute)
	def(&c.PollFast, 30*time.Second)
	def(&c.PollFastFor, 5*time.Minute)
	def(&c.PollSlow, 60*time.Second)
	def(&c.PollWaitStep, 5*time.Second)
	def(&c.FinalizeGrace, 2*time.Minute)
	if c.ManagedLogsMaxEvents == 0 {
		c.ManagedLogsMaxEvents = 50000
	}
	return c
}

// Clock tells time and waits; tests drive a fake one (awstest.SteppingClock).
type Clock interface {
	Now() time.Time
	// Sleep waits d or until ctx is done.
	Sleep(ctx context.Context, d time.Duration) error
}

// RealClock is the wall clock.
type RealClock struct{}

// Now returns time.Now().
func (RealClock) Now() time.Time { return time.Now() }

// Sleep waits d or until ctx is done.
func (RealClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Engine runs the workflow's steps. Build it with New; it is safe for concurrent use.
type Engine struct {
	Store  *session.Store
	Config Config
	Clock  Clock
	Log    zerolog.Logger
	Health health.Registry
	// Pods lists the pods of aws:eks:pod targets through a region's clients (New sets the
	// engine's own EKS access); nil leaves pod targets unchecked.
	Pods func(*awsapi.Clients) health.PodLister

	baseAWS awssdk.Config
	mu      sync.Mutex
	clients map[string]*awsapi.Clients
	// logs are the running pod log collections of this process; kube caches EKS token
	// sources and clientsets.
	logs *collectors
	kube *kubeClients
	// bg is the engine's lifetime context: background work (log collection) runs under it
	// until Close.
	bg     context.Context
	cancel context.CancelFunc
	// starting marks sessions whose StartExperiment call is in flight in this process.
	starting sync.Map
	// supervisor runs the background sampling of this process's supervised sessions.
	supervisor *supervisor
}

// New builds an engine. base is the AWS configuration from awsapi.LoadConfig; each
// experiment's region gets its own clients. A nil clock is the wall clock.
func New(store *session.Store, base awssdk.Config, cfg Config, clock Clock, log zerolog.Logger) *Engine {
	if clock == nil {
		clock = RealClock{}
	}
	bg, cancel := context.WithCancel(context.Background())
	e := &Engine{
		bg: bg, cancel: cancel,
		Store: store, Config: cfg.WithDefaults(), Clock: clock, Log: log,
		Health:  health.DefaultRegistry(),
		baseAWS: base, clients: map[string]*awsapi.Clients{},
		logs: newCollectors(), kube: newKubeClients(), supervisor: newSupervisor(),
	}
	e.Pods = e.podLister // aws:eks:pod targets are listed through the engine's Kubernetes clients
	return e
}

// BaseAWS is the AWS configuration the engine's clients derive from.
func (e *Engine) BaseAWS() awssdk.Config { return e.baseAWS }

// AWS returns the clients for region.
func (e *Engine) AWS(region string) (*awsapi.Clients, error) {
	if region == "" {
		return nil, fmt.Errorf("no AWS region: set Region in the experiment README or configure the server's --region")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if c, ok := e.clients[region]; ok {
		return c, nil
	}
	c := awsapi.NewClients(awsapi.ForRegion(e.baseAWS, region))
	e.clients[region] = c
	return c, nil
}

// List returns the stored sessions, newest first (never nil).
func (e *Engine) List() ([]session.Summary, error) {
	list, err := e.Store.List()
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	if list == nil {
		list = []session.Summary{}
	}
	return list, nil
}

// Get returns one stored session.
func (e *Engine) Get(id string) (*session.Session, error) {
	return e.Store.Get(id)
}

// UnsavedNote tells the user that a change could not be saved (Store.Record has logged it).
func UnsavedNote(what string, err error) string {
	return fmt.Sprintf("WARNING: the session could not be saved, so the %s is not recorded: %v", what, err)
}

// WithUnsaved adds UnsavedNote to a refusal when the change recording it failed (uerr).
func WithUnsaved(err error, what string, uerr error) error {
	if uerr == nil {
		return err
	}
	return fmt.Errorf("%w\n%s", err, UnsavedNote(what, uerr))
}

// SaveAPICalls appends the API calls the context's audit recorder holds since the last
// save to the session's trail (a step calls it before rendering a report, so the report's
// audit appendix is complete; the transport calls it when the step returns). A failed
// write is logged; with no session ID the calls are only shown, not saved.
func (e *Engine) SaveAPICalls(ctx context.Context, sessionID string) {
	calls := audit.From(ctx).TakeUnsaved()
	if len(calls) == 0 || sessionID == "" {
		return
	}
	// Record logs a failed write.
	_, _ = e.Store.Record(e.Log, sessionID, fmt.Sprintf("%d API calls", len(calls)), func(s *session.Session) error {
		s.AddAPICalls(calls...)
		return nil
	})
}
