package tools

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/fis-mcp/fis-mcp/aws/endpoints"
	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/aws/managedlogs"
	"github.com/fis-mcp/fis-mcp/kube"
	"github.com/fis-mcp/fis-mcp/session"
)

// DiscoverAppsInput selects the session and, optionally, the clusters.
type DiscoverAppsInput struct {
	SessionID       string   `json:"session_id" jsonschema:"the session from resolve_experiment"`
	Clusters        []string `json:"clusters,omitempty" jsonschema:"EKS cluster names to scan (default: every cluster in the experiment's region)"`
	WriteKubeconfig bool     `json:"write_kubeconfig,omitempty" jsonschema:"also write an isolated kubeconfig per cluster under the session's directory (0600) for your own kubectl; ~/.kube/config is never touched"`
}

// DiscoverAppsOutput lists the apps that depend on the affected resources.
type DiscoverAppsOutput struct {
	SessionID        string                     `json:"session_id"`
	Apps             []session.App              `json:"apps"`
	Clusters         []session.ClusterAccess    `json:"clusters"`
	Endpoints        []session.ResourceEndpoint `json:"endpoints" jsonschema:"the endpoints and identifiers searched for"`
	ManagedLogGroups []session.ManagedLogGroup  `json:"managed_log_groups"`
	Recommendations  []string                   `json:"recommendations"`
	Common
}

// DiscoverApps is the discover_apps tool.
func DiscoverApps(d *Deps) server.ServerTool {
	tool := mcp.NewTool("discover_apps",
		mcp.WithDescription("Step 3 (before the start): find the EKS applications that depend on the affected AWS resources. Lists every EKS cluster of the region, connects with in-process EKS tokens (no kubectl, ~/.kube/config untouched), and scans container env values, envFrom and ConfigMaps, Secret key names (values are never read out), ExternalName Services and projected volumes for the resources' endpoints and identifiers; each app comes with its evidence and a confidence (confirmed / may_reference). Apps that call those apps' Kubernetes Services are listed too (confidence indirect): they can fail without touching the resources. Also reports which managed services have CloudWatch logging on. Show the list to the human to confirm, then start_logs. Read-only."),
		mcp.WithTitleAnnotation("Apps: discover dependencies"),
		mcp.WithReadOnlyHintAnnotation(true),
		mcp.WithDestructiveHintAnnotation(false),
		mcp.WithIdempotentHintAnnotation(true),
		mcp.WithOpenWorldHintAnnotation(true),
		mcp.WithInputSchema[DiscoverAppsInput](),
		mcp.WithOutputSchema[DiscoverAppsOutput](),
	)
	return server.ServerTool{Tool: tool, Handler: handle(d, "discover_apps", (*Deps).discoverApps)}
}

var discoverStates = []session.State{session.StateHealthChecked, session.StateLogsStarted, session.StateAwaitingConfirmation}

// affected returns the session's resolved target resources (the health check's list).
func affected(s *session.Session) []health.Resource {
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

func (d *Deps) discoverApps(c *call, in DiscoverAppsInput) (*mcp.CallToolResult, error) {
	sess, err := d.Store.Get(in.SessionID)
	if err != nil {
		return c.fail("", err)
	}
	if err := sess.Require("discover apps (run health_check first: discovery uses its resolved targets)", discoverStates...); err != nil {
		return c.fail(sess.ID, err)
	}
	clients, err := d.AWS(sess.Experiment.Region)
	if err != nil {
		return c.fail(sess.ID, err)
	}
	res := affected(sess)
	disc := &session.Discovery{At: d.Clock.Now().UTC(), Apps: []session.App{}, Clusters: []session.ClusterAccess{}}
	// Endpoints and identifiers of every affected resource, plus the README's identifiers.
	lookups := endpoints.DefaultLookups()
	seen := map[string]bool{}
	addEP := func(e session.ResourceEndpoint) {
		k := e.Identifier + "|" + e.Value
		if e.Value == "" || seen[k] {
			return
		}
		seen[k] = true
		disc.Endpoints = append(disc.Endpoints, e)
	}
	for _, r := range res {
		addEP(session.ResourceEndpoint{Service: r.Type, Identifier: r.ID, Kind: "identifier", Value: r.ID})
		if lk, ok := lookups[r.Type]; ok {
			eps, err := lk(c.ctx, clients, r)
			if err != nil {
				disc.Recommendations = append(disc.Recommendations, fmt.Sprintf("endpoints of %s %s could not be read (%v): apps reaching it by DNS name may be missed", r.Type, r.ID, err))
			}
			for _, e := range eps {
				addEP(e)
			}
		}
	}
	for _, a := range sess.Experiment.AffectedResources {
		if id := strings.TrimSpace(a.Identifier); id != "" && !strings.ContainsAny(id, " :=") {
			addEP(session.ResourceEndpoint{Service: a.Type, Identifier: id, Kind: "identifier", Value: id})
		}
	}
	// Managed-service CloudWatch logs.
	detectors := managedlogs.DefaultDetectors()
	for _, r := range res {
		det, ok := detectors[r.Type]
		if !ok {
			continue
		}
		m, err := det(c.ctx, clients, r)
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
	// Every EKS cluster of the region, scanned in parallel.
	kclients, list, err := d.ClusterClients(c.ctx, clients, in.Clusters)
	if err != nil {
		return c.fail(sess.ID, fmt.Errorf("list EKS clusters in %s: %w", sess.Experiment.Region, err))
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, cl := range list {
		cs, ok := kclients[cl.Name]
		if !ok {
			msg := cl.Error
			if msg == "" {
				msg = "no client could be built"
			}
			mu.Lock()
			disc.Clusters = append(disc.Clusters, session.ClusterAccess{Name: cl.Name, Endpoint: cl.Endpoint, Error: msg})
			mu.Unlock()
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			kc := kube.Cluster{Name: cl.Name, Endpoint: cl.Endpoint, CAData: cl.CAData, Region: sess.Experiment.Region}
			probe := kube.Probe(c.ctx, cs)
			kubeconfig := ""
			if in.WriteKubeconfig {
				p := filepath.Join(d.Store.SessionDir(sess.ID), "kubeconfig-"+safeName(cl.Name))
				if err := kube.WriteKubeconfig(p, kc); err == nil {
					kubeconfig = p
				}
			}
			access := kube.Access(kc, probe, kubeconfig)
			var apps []session.App
			if probe.OK() {
				found, err := kube.Scan(c.ctx, cs, cl.Name, disc.Endpoints)
				if err != nil {
					access.Error = "scan incomplete: " + err.Error()
				}
				apps = found
				// Callers of those apps may fail too without touching the resources.
				indirect, err := kube.IndirectApps(c.ctx, cs, cl.Name, found)
				if err != nil && access.Error == "" {
					access.Error = "indirect dependency scan incomplete: " + err.Error()
				}
				apps = append(apps, indirect...)
			}
			mu.Lock()
			disc.Clusters = append(disc.Clusters, access)
			disc.Apps = append(disc.Apps, apps...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	sort.Slice(disc.Clusters, func(i, j int) bool { return disc.Clusters[i].Name < disc.Clusters[j].Name })
	sort.SliceStable(disc.Apps, func(i, j int) bool {
		return disc.Apps[i].Key()+disc.Apps[i].Service < disc.Apps[j].Key()+disc.Apps[j].Service
	})
	if len(list) == 0 {
		disc.Recommendations = append(disc.Recommendations, fmt.Sprintf("no EKS clusters found in %s: application log analysis will be skipped", sess.Experiment.Region))
	} else if len(disc.Apps) == 0 {
		disc.Recommendations = append(disc.Recommendations, "no EKS apps reference the affected services' endpoints: ask the human for the namespace/workload pairs to watch and pass them to start_logs as apps [\"cluster/namespace/workload\"]")
	}
	updated, err := d.Store.Update(sess.ID, func(s *session.Session) error {
		if err := s.Require("discover apps", discoverStates...); err != nil {
			return err
		}
		s.Discovery = disc
		s.InvalidateConfirmation()
		s.AddEvent(session.Event{Time: disc.At, Source: session.SourceFISMCP, Kind: session.EventDiscovery,
			Message: fmt.Sprintf("discovered %d app(s) in %d cluster(s); %d managed log source(s)", len(disc.Apps), len(disc.Clusters), len(disc.ManagedLogGroups))})
		return nil
	})
	if err != nil {
		return c.fail(sess.ID, err)
	}
	out := DiscoverAppsOutput{SessionID: updated.ID, Apps: nonNil(disc.Apps), Clusters: nonNil(disc.Clusters), Endpoints: nonNil(disc.Endpoints),
		ManagedLogGroups: nonNil(disc.ManagedLogGroups), Recommendations: nonNil(disc.Recommendations)}
	return c.finish(updated.ID, &out, &out.Common, discoverText(disc))
}

func containsLogGroup(list []session.ManagedLogGroup, m session.ManagedLogGroup) bool {
	for _, x := range list {
		if x.Service == m.Service && x.Identifier == m.Identifier {
			return true
		}
	}
	return false
}

func discoverText(disc *session.Discovery) string {
	var b strings.Builder
	b.WriteString("EKS clusters:\n")
	if len(disc.Clusters) == 0 {
		b.WriteString("  none in this region\n")
	}
	for _, c := range disc.Clusters {
		if c.Reachable {
			fmt.Fprintf(&b, "  - %s: reachable\n", c.Name)
		} else {
			fmt.Fprintf(&b, "  - %s: SKIPPED (%s)\n", c.Name, c.Error)
		}
		if c.KubeconfigPath != "" {
			fmt.Fprintf(&b, "    isolated kubeconfig: %s\n", c.KubeconfigPath)
		}
	}
	fmt.Fprintf(&b, "Applications depending on the affected resources (%d):\n", len(disc.Apps))
	for _, a := range disc.Apps {
		target := a.Service
		if target == "" {
			target = "(indirect: calls a dependent app)"
		}
		fmt.Fprintf(&b, "  - %s (%s) → %s [%s]\n", a.Key(), a.Kind, target, a.Confidence)
		for i, e := range a.Evidence {
			if i == 3 {
				fmt.Fprintf(&b, "      … %d more\n", len(a.Evidence)-3)
				break
			}
			fmt.Fprintf(&b, "      %s\n", e)
		}
	}
	if len(disc.ManagedLogGroups) > 0 {
		b.WriteString("Managed-service CloudWatch logs:\n")
		for _, m := range disc.ManagedLogGroups {
			if m.Enabled {
				fmt.Fprintf(&b, "  - %s %s: %s\n", m.Service, m.Identifier, strings.Join(m.LogGroups, ", "))
			} else {
				fmt.Fprintf(&b, "  - %s %s: logging OFF\n", m.Service, m.Identifier)
			}
		}
	}
	for _, r := range disc.Recommendations {
		fmt.Fprintf(&b, "Recommendation: %s\n", r)
	}
	b.WriteString("Ask the human to confirm these apps, then start_logs (optionally with apps [\"cluster/namespace/workload\", ...]).\n")
	return b.String()
}
