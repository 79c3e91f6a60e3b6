package tools

import (
	"sync"

	"github.com/fis-mcp/fis-mcp/session"
)

// logCollector is a running pod log collection (kube.Collector).
type logCollector interface {
	Streams() []session.LogStream
	Stop()
}

// collectors holds the running log collections of this process, by session ID.
// The session file records what is collected; after a restart, collection is
// resumed from the files on disk by the next tool call that needs it.
type collectors struct {
	mu       sync.Mutex
	m        map[string]logCollector
	resuming map[string]bool
}

func newCollectors() *collectors {
	return &collectors{m: map[string]logCollector{}, resuming: map[string]bool{}}
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

func (c *collectors) get(id string) logCollector {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[id]
}

func (c *collectors) set(id string, lc logCollector) {
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
	c.m = map[string]logCollector{}
	c.mu.Unlock()
	for _, lc := range all {
		lc.Stop()
	}
}
