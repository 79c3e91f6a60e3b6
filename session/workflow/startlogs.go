package workflow

import (
	"context"
	"fmt"
	"strings"

	"github.com/fis-mcp/fis-mcp/kube"
	"github.com/fis-mcp/fis-mcp/session"
)

// LogStates are the session states log collection may start in.
var LogStates = []session.State{session.StateHealthChecked, session.StateLogsStarted, session.StateAwaitingConfirmation}

// StartLogsRequest asks for step 3b: follow the pod logs of Apps (cluster/namespace/workload
// keys; default: every confirmed and indirect app of the discovery).
type StartLogsRequest struct {
	SessionID string
	Apps      []string
}

// StartLogsResult is the log collection started: where its files go, the apps and streams
// followed, and the streams not followed because MaxStreams is reached (queued).
type StartLogsResult struct {
	LogDir      string
	Apps        []session.App
	Streams     []session.LogStream
	MaxStreams  int
	NotFollowed []string // namespace/pod/container of each queued stream
	// Skipped says why no logs are collected, when none are.
	Skipped string
}

// StartLogs selects the apps to follow, starts their log collection (it runs in the
// background until StopLogs or Close) and records it (step 3b).
func (e *Engine) StartLogs(ctx context.Context, in StartLogsRequest) (*session.Session, StartLogsResult, error) {
	var res StartLogsResult
	sess, err := e.Store.Get(in.SessionID)
	if err != nil {
		return nil, res, err
	}
	if err := sess.Require("start log collection", LogStates...); err != nil {
		return sess, res, err
	}
	clients, err := e.AWS(sess.Experiment.Region)
	if err != nil {
		return sess, res, err
	}
	apps, err := e.selectApps(ctx, sess, in.Apps)
	if err != nil {
		return sess, res, err
	}
	res = StartLogsResult{LogDir: e.Store.LogDir(sess.ID), Apps: apps, MaxStreams: e.MaxLogStreams()}
	now := e.Clock.Now().UTC()
	if len(apps) == 0 {
		res.Skipped = "no apps to follow: discover_apps found none and none were given; application log analysis will be skipped"
	} else {
		kclients, err := e.LogClusterClients(ctx, clients, ClusterNames(apps))
		if err != nil {
			return sess, StartLogsResult{}, err
		}
		coll, err := e.RunCollector(sess.ID, res.LogDir, kclients, apps)
		if err != nil {
			return sess, StartLogsResult{}, err
		}
		res.Streams = coll.Streams()
	}
	res.NotFollowed = kube.NotFollowed(res.Streams)
	updated, err := e.Store.Update(sess.ID, func(s *session.Session) error {
		if err := s.Require("start log collection", LogStates...); err != nil {
			return err
		}
		s.Logs = &session.LogCollection{Dir: res.LogDir, StartedAt: now, Apps: apps, Streams: nonNilSlice(res.Streams), Skipped: res.Skipped,
			MaxStreams: res.MaxStreams, NotFollowed: res.NotFollowed}
		s.InvalidateConfirmation()
		if s.State != session.StateLogsStarted {
			if err := s.Transition(session.StateLogsStarted); err != nil {
				return err
			}
		}
		msg := fmt.Sprintf("log collection started for %d app(s), %d stream(s), into %s", len(apps), len(res.Streams), res.LogDir)
		if line := kube.NotFollowedLine(res.NotFollowed, res.MaxStreams); line != "" {
			msg += "; " + line
		}
		if res.Skipped != "" {
			msg = "log collection skipped: " + res.Skipped
		}
		s.AddEvent(session.Event{Time: now, Source: session.SourceFISMCP, Kind: session.EventLogsStarted, Message: msg})
		return nil
	})
	if err != nil {
		e.StopLogs(sess.ID)
		return sess, StartLogsResult{}, err
	}
	return updated, res, nil
}

// selectApps picks the apps to follow: the given keys (from discovery, or looked up by
// name), or every confirmed and indirect app from discovery.
func (e *Engine) selectApps(ctx context.Context, sess *session.Session, keys []string) ([]session.App, error) {
	var discovered []session.App
	if sess.Discovery != nil {
		discovered = sess.Discovery.Apps
	}
	if len(keys) == 0 {
		var out []session.App
		for _, a := range discovered {
			if a.Confidence == session.ConfidenceConfirmed || a.Confidence == session.ConfidenceIndirect {
				out = append(out, a)
			}
		}
		return out, nil
	}
	var out []session.App
	for _, k := range keys {
		parts := strings.Split(strings.TrimSpace(k), "/")
		if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
			return nil, fmt.Errorf("app %q: expected cluster/namespace/workload", k)
		}
		found := false
		for _, a := range discovered {
			if a.Key() == k {
				out = append(out, a)
				found = true
			}
		}
		if found {
			continue
		}
		app, err := e.lookupApp(ctx, sess, k, parts[0], parts[1], parts[2])
		if err != nil {
			return nil, err
		}
		out = append(out, app)
	}
	return out, nil
}

// lookupApp finds a workload the human named (key) that discovery did not list.
func (e *Engine) lookupApp(ctx context.Context, sess *session.Session, key, cluster, namespace, workload string) (session.App, error) {
	clients, err := e.AWS(sess.Experiment.Region)
	if err != nil {
		return session.App{}, err
	}
	kclients, _, err := e.ClusterClients(ctx, clients, []string{cluster})
	if err != nil {
		return session.App{}, err
	}
	cs, ok := kclients[cluster]
	if !ok {
		return session.App{}, fmt.Errorf("app %q: EKS cluster %s is not reachable", key, cluster)
	}
	app, err := kube.LookupWorkload(ctx, cs, cluster, namespace, workload)
	if err != nil {
		return session.App{}, fmt.Errorf("app %q: %w", key, err)
	}
	app.Evidence = append(app.Evidence, "named by the human (start_logs apps)")
	return app, nil
}
