package workflow

import (
	"sync"

	"github.com/fis-mcp/fis-mcp/session"
)

// LogCollector is a running pod log collection (kube.Collector).
type LogCollector interface {
	Streams() []session.LogStream
	Stop()
}

// collectors holds the running log collections of this process, by session ID.
// The session file records what is collected; after a restart, collection is
// resumed from the files on disk by the next tool call that needs it.
type collectors struct {
	mu       sync.Mutex
	m        map[string]LogCollector
	resuming map[string]bool
}

func newCollectors() *collectors {
	return &collectors{m: map[string]LogCollector{}, resuming: map[string]bool{}}
}

// claimResume reports whether the caller may resume the session's collection: none
// runs and no other caller is resuming it. release must be called after.
func (c *collectors) claimResume(id string) (ok bool, release func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m[id] != nil || c.resuming[id] {
		return false, func() {}
	}
	c.resuming[id] = true
	return true, func() {
		c.mu.Lock()
		delete(c.resuming, id)
		c.mu.Unlock()
	}
}

func (c *collectors) get(id string) LogCollector {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[id]
}

func (c *collectors) set(id string, lc LogCollector) {
	c.mu.Lock()
	old := c.m[id]
	c.m[id] = lc
	c.mu.Unlock()
	if old != nil && old != lc {
		old.Stop()
	}
}

// stop stops and forgets the session's collection; it reports whether one was running.
func (c *collectors) stop(id string) bool {
	c.mu.Lock()
	lc := c.m[id]
	delete(c.m, id)
	c.mu.Unlock()
	if lc != nil {
		lc.Stop()
		return true
	}
	return false
}

func (c *collectors) stopAll() {
	c.mu.Lock()
	all := c.m
	c.m = map[string]LogCollector{}
	c.mu.Unlock()
	for _, lc := range all {
		lc.Stop()
	}
}

// SetCollector records the session's running log collection (stopping one it replaces).
func (e *Engine) SetCollector(id string, lc LogCollector) { e.logs.set(id, lc) }

// Collector is the session's running log collection in this process (nil when none).
func (e *Engine) Collector(id string) LogCollector { return e.logs.get(id) }

// ClaimResume reports whether the caller may resume the session's log collection: none
// runs and no other caller is resuming it. release must be called after.
func (e *Engine) ClaimResume(id string) (ok bool, release func()) { return e.logs.claimResume(id) }

// StopLogs stops and forgets the session's log collection; it reports whether one ran.
func (e *Engine) StopLogs(id string) bool { return e.logs.stop(id) }

// Close stops every log collection of this process and the engine's background work.
func (e *Engine) Close() {
	e.logs.stopAll()
	e.cancel()
}
