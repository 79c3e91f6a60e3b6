package kube

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/fis-mcp/fis-mcp/session"
)

// DefaultMaxStreams is how many (pod, container) log streams a collector follows
// at once unless the operator sets another limit (--max-log-streams,
// FIS_MCP_MAX_LOG_STREAMS). A followed stream costs one long-lived HTTP request
// (client-go opens another connection when the API server's HTTP/2
// SETTINGS_MAX_CONCURRENT_STREAMS, 100 on kube-apiserver, is reached), a
// goroutine and bounded buffers (a 32 KiB reader, one line of at most
// MaxLineBytes, the hashes of the last second's lines); 1,000 leaves room for the
// 500 streams the benchmark follows.
const DefaultMaxStreams = 1000

// streamLimiter hands out stream leases first come, first served. A lease is
// taken when the collector first sees a container and held until the container's
// pod is gone, so which streams are followed does not depend on goroutine
// scheduling, and a stream that did not get one waits, queued, for the oldest
// lease to free.
type streamLimiter struct {
	max int

	mu      sync.Mutex
	held    int
	queue   []*tail
	stopped bool
}

func newStreamLimiter(max int) *streamLimiter { return &streamLimiter{max: max} }

// admit gives t a lease or queues it; it reports whether t got one.
func (l *streamLimiter) admit(t *tail) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.stopped && l.held < l.max {
		l.held++
		t.grant()
		return true
	}
	l.queue = append(l.queue, t)
	return false
}

// leave returns t's lease (or takes t out of the queue) and grants freed leases
// to the queued tails, oldest first.
func (l *streamLimiter) leave(t *tail) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !t.granted() {
		for i, q := range l.queue {
			if q == t {
				l.queue = append(l.queue[:i], l.queue[i+1:]...)
				break
			}
		}
		return
	}
	l.held--
	for !l.stopped && l.held < l.max && len(l.queue) > 0 {
		next := l.queue[0]
		l.queue[0] = nil
		l.queue = l.queue[1:]
		l.held++
		next.grant()
	}
}

// stop grants no more slots: the collection is ending, and what is queued then
// was never followed.
func (l *streamLimiter) stop() {
	l.mu.Lock()
	l.stopped = true
	l.mu.Unlock()
}

// QueuedReason explains a stream the collector does not follow: limit is the
// collector's stream limit.
func QueuedReason(limit int) string {
	return fmt.Sprintf("not followed: all %d log stream slots are taken (raise --max-log-streams or FIS_MCP_MAX_LOG_STREAMS); "+
		"it waits, queued, and is read from its earlier lines (as far as the kubelet keeps them) once a followed pod goes away", limit)
}

// StreamName is how a stream is named to the operator: namespace/pod/container.
func StreamName(s session.LogStream) string {
	ns := ""
	if parts := strings.SplitN(s.App, "/", 3); len(parts) == 3 {
		ns = parts[1]
	}
	return ns + "/" + s.Pod + "/" + s.Container
}

// NotFollowed names, sorted, the streams that wait for a slot or ended without one.
func NotFollowed(streams []session.LogStream) []string {
	var out []string
	for _, s := range streams {
		if s.Status == StatusQueued || s.Status == StatusNotFollowed {
			out = append(out, StreamName(s))
		}
	}
	sort.Strings(out)
	return out
}

// NotFollowedLine is the one-line summary the tools and the report show:
// "N streams not followed: a, b, … (limit L; reason)"; "" when every stream is followed.
func NotFollowedLine(names []string, limit int) string {
	if len(names) == 0 {
		return ""
	}
	noun := "streams"
	if len(names) == 1 {
		noun = "stream"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s not followed: %s", len(names), noun, strings.Join(names, ", "))
	if limit > 0 {
		fmt.Fprintf(&b, " (limit %d: raise --max-log-streams or FIS_MCP_MAX_LOG_STREAMS; each waits, queued, for a followed pod to go away)", limit)
	}
	return b.String()
}
