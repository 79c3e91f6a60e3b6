package tools

import (
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/untrusted"
	"github.com/fis-mcp/fis-mcp/session/workflow"
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
		inputSchema[DiscoverAppsInput](),
		mcp.WithOutputSchema[DiscoverAppsOutput](),
	)
	return server.ServerTool{Tool: tool, Handler: handle(d, "discover_apps", (*Deps).discoverApps)}
}

func (d *Deps) discoverApps(c *call, in DiscoverAppsInput) (*mcp.CallToolResult, error) {
	updated, disc, err := d.DiscoverApps(c.ctx, workflow.DiscoverRequest{SessionID: in.SessionID, Clusters: in.Clusters,
		WriteKubeconfig: in.WriteKubeconfig}, c.progress)
	if err != nil {
		id := ""
		if updated != nil {
			id = updated.ID
		}
		return c.fail(id, err)
	}
	out := DiscoverAppsOutput{SessionID: updated.ID, Apps: cleanEvidence(nonNil(disc.Apps)), Clusters: nonNil(disc.Clusters), Endpoints: nonNil(disc.Endpoints),
		ManagedLogGroups: nonNil(disc.ManagedLogGroups), Recommendations: nonNil(disc.Recommendations)}
	return c.finish(updated.ID, &out, &out.Common, discoverText(disc))
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
			fmt.Fprintf(&b, "  - %s: SKIPPED (%s)\n", c.Name, untrusted.Clean(c.Error, untrusted.MaxLine))
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
		// Evidence quotes Kubernetes object fields (env and key names): data, fenced.
		ev := a.Evidence[:min(len(a.Evidence), 3)]
		b.WriteString(untrusted.Quote("Evidence for "+a.Key()+", from its Kubernetes objects", ev))
		if len(a.Evidence) > 3 {
			fmt.Fprintf(&b, "      … %d more evidence lines in the structured result\n", len(a.Evidence)-3)
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

// cleanEvidence returns a copy of apps whose evidence (it quotes Kubernetes object
// fields: env and key names) is cleaned of escapes and control characters and cut.
func cleanEvidence(apps []session.App) []session.App {
	out := make([]session.App, len(apps))
	for i, a := range apps {
		if a.Evidence != nil {
			a.Evidence = untrusted.Lines(a.Evidence, untrusted.MaxLine)
		}
		out[i] = a
	}
	return out
}
