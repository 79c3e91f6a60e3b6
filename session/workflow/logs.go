package workflow

import (
	"context"
	"fmt"

	"github.com/fis-mcp/fis-mcp/kube"
	"github.com/fis-mcp/fis-mcp/session"
)

// MaxLogStreams is the operator's stream limit, or the collector's default.
func (e *Engine) MaxLogStreams() int {
	if e.Config.MaxLogStreams > 0 {
		return e.Config.MaxLogStreams
	}
	return kube.DefaultMaxStreams
}

// ClusterNames are the EKS clusters of apps, each once, in order.
func ClusterNames(apps []session.App) []string {
	seen := map[string]bool{}
	var out []string
	for _, a := range apps {
		if !seen[a.Cluster] {
			seen[a.Cluster] = true
			out = append(out, a.Cluster)
		}
	}
	return out
}

// RunCollector starts (or restarts, resuming from the files) the session's log collection.
func (e *Engine) RunCollector(id, dir string, clients map[string]kube.Interface, apps []session.App) (*kube.Collector, error) {
	coll := kube.NewCollector(kube.CollectorOptions{Dir: dir, MaxStreams: e.MaxLogStreams(), Logger: e.Log.With().Str("session", id).Logger()})
	if err := coll.Start(e.bg, clients, apps); err != nil {
		return nil, fmt.Errorf("start log collection: %w", err)
	}
	e.SetCollector(id, coll)
	return coll, nil
}

// EnsureLogs resumes the log collection of a session after a server restart (it
// continues from the last line on disk, without duplicates) and refreshes the
// session's stream list.
func (e *Engine) EnsureLogs(ctx context.Context, sess *session.Session) *session.Session {
	if sess.Logs == nil || sess.Logs.StoppedAt != nil || len(sess.Logs.Apps) == 0 {
		return sess
	}
	lc := e.Collector(sess.ID)
	if lc == nil {
		ok, release := e.ClaimResume(sess.ID)
		defer release()
		if !ok {
			return sess // another call is resuming it
		}
		if fresh, err := e.Store.Get(sess.ID); err != nil || fresh.Logs == nil || fresh.Logs.StoppedAt != nil {
			return sess // stopped meanwhile
		}
		clients, err := e.AWS(sess.Experiment.Region)
		if err != nil {
			return sess
		}
		kclients, err := e.LogClusterClients(ctx, clients, ClusterNames(sess.Logs.Apps))
		if err != nil {
			e.Log.Warn().Err(err).Str("session", sess.ID).Msg("could not resume log collection")
			return sess
		}
		coll, err := e.RunCollector(sess.ID, sess.Logs.Dir, kclients, sess.Logs.Apps)
		if err != nil {
			e.Log.Warn().Err(err).Str("session", sess.ID).Msg("could not resume log collection")
			return sess
		}
		lc = coll
		// A failed write is logged by RecordEvent; the collector runs on regardless.
		_, _ = e.Store.RecordEvent(e.Log, sess.ID, session.Event{Time: e.Clock.Now().UTC(), Source: session.SourceFISMCP, Kind: session.EventLogsResumed, Message: "log collection resumed after a server restart (from the last line on disk)"})
	}
	streams := lc.Streams()
	updated, err := e.Store.Update(sess.ID, func(s *session.Session) error {
		if s.Logs != nil {
			s.Logs.Streams = nonNilSlice(streams)
			s.Logs.MaxStreams = e.MaxLogStreams()
			s.Logs.NotFollowed = kube.NotFollowed(streams)
		}
		return nil
	})
	if err != nil {
		return sess
	}
	return updated
}

// ResumeLogCollection restarts, in the background, the log collection of every stored
// session that was collecting when the previous server process ended.
func (e *Engine) ResumeLogCollection() {
	list, err := e.Store.List()
	if err != nil {
		e.Log.Warn().Err(err).Msg("cannot list sessions to resume log collection")
		return
	}
	for _, sum := range list {
		switch sum.State {
		case session.StateLogsStarted, session.StateAwaitingConfirmation, session.StateRunning, session.StateEnded:
		default:
			continue
		}
		sess, err := e.Store.Get(sum.ID)
		if err != nil || sess.Logs == nil || sess.Logs.StoppedAt != nil {
			continue
		}
		go e.EnsureLogs(e.bg, sess)
	}
}
