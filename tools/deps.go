// Package tools defines fis-mcp's MCP tools: one file per tool with its schema,
// annotations and a thin handler that calls the domain packages (aws, kube, session).
package tools

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
	if c.ManagedLogsMaxEvents == 0 {
		c.ManagedLogsMaxEvents = 50000
	}
	return c
}

// Clock tells time and waits; tests drive a fake one.
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

// Deps are what the tools use. Build with NewDeps.
type Deps struct {
	Store  *session.Store
	Config Config
	Clock  Clock
	Log    zerolog.Logger
	Health health.Registry

	baseAWS awssdk.Config
	mu      sync.Mutex
	clients map[string]*awsapi.Clients
	logs    *collectors
	kube    *kubeClients
	// launching marks sessions whose StartExperiment call is in flight in this process.
	launching sync.Map
	// bg is the server's lifetime context: background work (log collection) runs under it.
	bg     context.Context
	cancel context.CancelFunc
}

// NewDeps wires the tools' dependencies. base is the AWS configuration from
// awsapi.LoadConfig; each experiment's region gets its own clients.
func NewDeps(store *session.Store, base awssdk.Config, cfg Config, clock Clock, log zerolog.Logger) *Deps {
	if clock == nil {
		clock = RealClock{}
	}
	bg, cancel := context.WithCancel(context.Background())
	return &Deps{
		Store: store, Config: cfg.WithDefaults(), Clock: clock, Log: log,
		Health:  health.DefaultRegistry(),
		baseAWS: base, clients: map[string]*awsapi.Clients{}, logs: newCollectors(), kube: newKubeClients(),
		bg: bg, cancel: cancel,
	}
}

// AWS returns the clients for region.
func (d *Deps) AWS(region string) (*awsapi.Clients, error) {
	if region == "" {
		return nil, fmt.Errorf("no AWS region: set Region in the experiment README or configure the server's --region")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if c, ok := d.clients[region]; ok {
		return c, nil
	}
	c := awsapi.NewClients(awsapi.ForRegion(d.baseAWS, region))
	d.clients[region] = c
	return c, nil
}

// Close stops background work (log collectors).
func (d *Deps) Close() {
	d.logs.stopAll()
	d.cancel()
}
