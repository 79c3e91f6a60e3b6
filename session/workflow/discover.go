package workflow

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/clusters"
	"github.com/fis-mcp/fis-mcp/aws/endpoints"
	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/aws/managedlogs"
	"github.com/fis-mcp/fis-mcp/kube"
	"github.com/fis-mcp/fis-mcp/session"
)

// DiscoverStates are the session states app discovery may run in.
var DiscoverStates = []session.State{session.StateHealthChecked, session.StateLogsStarted, session.StateAwaitingConfirmation}

// DiscoverRequest asks for step 3: find the EKS apps that depend on the session's affected
// resources. Clusters limits the scan (default: every EKS cluster of the region);
// WriteKubeconfig also writes an isolated kubeconfig per cluster under the session's directory.
type DiscoverRequest struct {
	SessionID       string
	Clusters        []string
	WriteKubeconfig bool
}

// Affected returns the session's resolved target resources (the health check's list).
func Affected(s *session.Session) []health.Resource {
	var out []health.Resource
	if s.Health == nil {
		return nil
	}
	for _, r := range s.Health.Resources {
		if r.ID == "" || r.Status == health.StatusNoTargetsResolved || r.Status == health.StatusUnresolved {
			continue
		}
		out = append(out, health.Resource{ID: r.ID, ARN: r.ARN, Type: r.Type, Target: r.Target})
	}
	return out
}

// DiscoverApps reads the endpoints and identifiers of the session's affected resources and
// the managed services' CloudWatch logging, scans every EKS cluster of the region (in
// parallel) for the apps that reference them and the apps that call those, and records the
// discovery (step 3). progress, when not nil, hears of each cluster scanned.
func (e *Engine) DiscoverApps(ctx context.Context, in DiscoverRequest, progress Progress) (*session.Session, *session.Discovery, error) {
	sess, err := e.Store.Get(in.SessionID)
	if err != nil {
		return nil, nil, err
	}
	if err := sess.Require("discover apps (run health_check first: discovery uses its resolved targets)", DiscoverStates...); err != nil {
		return sess, nil, err
	}
	clients, err := e.AWS(sess.Experiment.Region)
	if err != nil {
		return sess, nil, err
	}
	res := Affected(sess)
	disc := &session.Discovery{At: e.Clock.Now().UTC(), Apps: []session.App{}, Clusters: []session.ClusterAccess{}}
	discoverEndpoints(ctx, clients, sess, res, disc)
	discoverManagedLogs(ctx, clients, res, disc)
	// Every EKS cluster of the region, scanned in parallel.
	kclients, list, err := e.ClusterClients(ctx, clients, in.Clusters)
	if err != nil {
		return sess, nil, fmt.Errorf("list EKS clusters in %s: %w", sess.Experiment.Region, err)
	}
	e.scanClusters(ctx, sess, in.WriteKubeconfig, kclients, list, disc, progress)
	if len(list) == 0 {
		disc.Recommendations = append(disc.Recommendations, fmt.Sprintf("no EKS clusters found in %s: application log analysis will be skipped", sess.Experiment.Region))
	} else if len(disc.Apps) == 0 {
		disc.Recommendations = append(disc.Recommendations, "no EKS apps reference the affected services' endpoints: ask the human for the namespace/workload pairs to watch and pass them to start_logs as apps [\"cluster/namespace/workload\"]")
	}
	updated, err := e.Store.Update(sess.ID, func(s *session.Session) error {
		if err := s.Require("discover apps", DiscoverStates...); err != nil {
			return err
		}
		s.Discovery = disc
		s.InvalidateConfirmation()
		s.AddEvent(session.Event{Time: disc.At, Source: session.SourceFISMCP, Kind: session.EventDiscovery,
			Message: fmt.Sprintf("discovered %d app(s) in %d cluster(s); %d managed log source(s)", len(disc.Apps), len(disc.Clusters), len(disc.ManagedLogGroups))})
		return nil
	})
	if err != nil {
		return sess, nil, err
	}
	return updated, disc, nil
}

// discoverEndpoints adds to disc the endpoints and identifiers of every affected resource,
// plus the README's identifiers; an endpoint that cannot be read becomes a recommendation.
func discoverEndpoints(ctx context.Context, clients *awsapi.Clients, sess *session.Session, res []health.Resource, disc *session.Discovery) {
	lookups := endpoints.DefaultLookups()
	seen := map[string]bool{}
	addEP := func(ep session.ResourceEndpoint) {
		k := ep.Identifier + "|" + ep.Value
		if ep.Value == "" || seen[k] {
			return
		}
		seen[k] = true
		disc.Endpoints = append(disc.Endpoints, ep)
	}
	for _, r := range res {
		addEP(session.ResourceEndpoint{Service: r.Type, Identifier: r.ID, Kind: "identifier", Value: r.ID})
		if lk, ok := lookups[r.Type]; ok {
			eps, err := lk(ctx, clients, r)
			if err != nil {
				disc.Recommendations = append(disc.Recommendations, fmt.Sprintf("endpoints of %s %s could not be read (%v): apps reaching it by DNS name may be missed", r.Type, r.ID, err))
			}
			for _, ep := range eps {
				addEP(ep)
			}
		}
	}
	for _, a := range sess.Experiment.AffectedResources {
		if id := strings.TrimSpace(a.Identifier); id != "" && !strings.ContainsAny(id, " :=") {
			addEP(session.ResourceEndpoint{Service: a.Type, Identifier: id, Kind: "identifier", Value: id})
		}
	}
}

// discoverManagedLogs adds to disc the CloudWatch logging of the affected managed services
// (each service and identifier once); logging that is off comes with its recommendation.
func discoverManagedLogs(ctx context.Context, clients *awsapi.Clients, res []health.Resource, disc *session.Discovery) {
	detectors := managedlogs.DefaultDetectors()
	for _, r := range res {
		det, ok := detectors[r.Type]
		if !ok {
			continue
		}
		m, err := det(ctx, clients, r)
		if err != nil {
			disc.Recommendations = append(disc.Recommendations, fmt.Sprintf("CloudWatch logging of %s %s could not be read: %v", r.Type, r.ID, err))
			continue
		}
		if !containsLogGroup(disc.ManagedLogGroups, m) {
			disc.ManagedLogGroups = append(disc.ManagedLogGroups, m)
		}
		if !m.Enabled && m.Recommendation != "" {
			disc.Recommendations = append(disc.Recommendations, m.Recommendation)
		}
	}
}

func containsLogGroup(list []session.ManagedLogGroup, m session.ManagedLogGroup) bool {
	for _, x := range list {
		if x.Service == m.Service && x.Identifier == m.Identifier {
			return true
		}
	}
	return false
}

// scanClusters probes and scans each cluster of list in parallel, adding its access and
// apps to disc (sorted by cluster name, and by app key and service).
func (e *Engine) scanClusters(ctx context.Context, sess *session.Session, writeKubeconfig bool, kclients map[string]kube.Interface,
	list []clusters.Cluster, disc *session.Discovery, progress Progress) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	done := 0
	add := func(access session.ClusterAccess, apps []session.App) {
		mu.Lock()
		defer mu.Unlock()
		disc.Clusters = append(disc.Clusters, access)
		disc.Apps = append(disc.Apps, apps...)
		done++
		if progress != nil {
			progress(float64(done), float64(len(list)), fmt.Sprintf("EKS cluster %s scanned (%d/%d)", access.Name, done, len(list)))
		}
	}
	for _, cl := range list {
		cs, ok := kclients[cl.Name]
		if !ok {
			msg := cl.Error
			if msg == "" {
				msg = "no client could be built"
			}
			add(session.ClusterAccess{Name: cl.Name, Endpoint: cl.Endpoint, Error: msg}, nil)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			kc := kube.Cluster{Name: cl.Name, Endpoint: cl.Endpoint, CAData: cl.CAData, Region: sess.Experiment.Region}
			probe := kube.Probe(ctx, cs)
			kubeconfig := ""
			if writeKubeconfig {
				p := filepath.Join(e.Store.SessionDir(sess.ID), "kubeconfig-"+SafeName(cl.Name))
				if err := kube.WriteKubeconfig(p, kc); err == nil {
					kubeconfig = p
				}
			}
			access := kube.Access(kc, probe, kubeconfig)
			var apps []session.App
			if probe.OK() {
				found, err := kube.Scan(ctx, cs, cl.Name, disc.Endpoints)
				if err != nil {
					access.Error = "scan incomplete: " + err.Error()
				}
				apps = found
				// Callers of those apps may fail too without touching the resources.
				indirect, err := kube.IndirectApps(ctx, cs, cl.Name, found)
				if err != nil && access.Error == "" {
					access.Error = "indirect dependency scan incomplete: " + err.Error()
				}
				apps = append(apps, indirect...)
			}
			add(access, apps)
		}()
	}
	wg.Wait()
	sort.Slice(disc.Clusters, func(i, j int) bool { return disc.Clusters[i].Name < disc.Clusters[j].Name })
	sort.SliceStable(disc.Apps, func(i, j int) bool {
		return disc.Apps[i].Key()+disc.Apps[i].Service < disc.Apps[j].Key()+disc.Apps[j].Service
	})
}
