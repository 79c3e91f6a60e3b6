// Package audit collects the AWS and Kubernetes API calls made on behalf of one tool
// call, so they can be shown in its result and appended to the session's trail.
//
// A Recorder travels in the context: the AWS SDK middleware (package aws) and the
// Kubernetes transport wrapper (package kube) call Record with the context of the
// request. Nothing is recorded when the context carries no recorder.
package audit

import (
	"context"
	"sync"

	"github.com/fis-mcp/fis-mcp/session"
)

// Recorder accumulates API calls; safe for concurrent use.
type Recorder struct {
	tool  string
	mu    sync.Mutex
	calls []session.APICall
	// taken is how many of calls TakeUnsaved has handed out.
	taken int
}

// NewRecorder returns a recorder that tags every call with the tool name.
func NewRecorder(tool string) *Recorder { return &Recorder{tool: tool} }

// Add records one call.
func (r *Recorder) Add(c session.APICall) {
	if r == nil {
		return
	}
	if c.Tool == "" {
		c.Tool = r.tool
	}
	r.mu.Lock()
	r.calls = append(r.calls, c)
	r.mu.Unlock()
}

// Calls returns a copy of the calls recorded so far.
func (r *Recorder) Calls() []session.APICall {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]session.APICall(nil), r.calls...)
}

// TakeUnsaved returns the calls recorded since its previous call (those not yet
// appended to a session's trail); Calls still returns every call.
func (r *Recorder) TakeUnsaved() []session.APICall {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	out := append([]session.APICall(nil), r.calls[r.taken:]...)
	r.taken = len(r.calls)
	return out
}

type ctxKey struct{}

// With returns a context carrying r.
func With(ctx context.Context, r *Recorder) context.Context {
	return context.WithValue(ctx, ctxKey{}, r)
}

// From returns the recorder in ctx, or nil.
func From(ctx context.Context) *Recorder {
	r, _ := ctx.Value(ctxKey{}).(*Recorder)
	return r
}

// Record adds c to the recorder in ctx, if any.
func Record(ctx context.Context, c session.APICall) { From(ctx).Add(c) }
