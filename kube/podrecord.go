package kube

import "time"

// podRecord is what a tail saw of its container's incarnation: when the current
// instance started and the container's restart count. Fault confirmation reads it from
// session.LogStream: a pod UID or a restart that appears after a FIS action started shows
// the pod was deleted or restarted.
type podRecord struct {
	startedAt time.Time
	restarts  int32
}

// observe records the container instance the pod's latest list or watch event showed.
func (t *tail) observe(in instance) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !in.StartedAt.IsZero() {
		t.rec.startedAt = in.StartedAt.UTC()
	}
	if in.RestartCount > t.rec.restarts {
		t.rec.restarts = in.RestartCount
	}
}

// record returns what observe recorded.
func (t *tail) record() podRecord {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.rec
}
