package workflow

import (
	"context"
	"fmt"
	"sync"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/clusters"
	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/kube"
)

// kubeClients caches EKS token sources (per region) and clientsets (per cluster).
type kubeClients struct {
	mu      sync.Mutex
	tokens  map[string]*kube.TokenSource
	clients map[string]kube.Interface
}

func newKubeClients() *kubeClients {
	return &kubeClients{tokens: map[string]*kube.TokenSource{}, clients: map[string]kube.Interface{}}
}

// clientset returns a client for an EKS cluster, authenticated with in-process EKS tokens,
// paced by l (one client, so one limiter, per cluster and purpose).
func (e *Engine) clientset(aws *awsapi.Clients, c clusters.Cluster, l kube.Limits) (kube.Interface, kube.Cluster, error) {
	kc := kube.Cluster{Name: c.Name, Endpoint: c.Endpoint, CAData: c.CAData, Region: aws.Region}
	key := fmt.Sprintf("%s/%s/%s/%v", aws.Region, c.Name, c.Endpoint, l)
	e.kube.mu.Lock()
	defer e.kube.mu.Unlock()
	if cs, ok := e.kube.clients[key]; ok {
		return cs, kc, nil
	}
	ts, ok := e.kube.tokens[aws.Region]
	if !ok {
		ts = kube.NewTokenSource(aws.Config)
		e.kube.tokens[aws.Region] = ts
	}
	cs, err := kube.Clientset(kc, ts, l)
	if err != nil {
		return nil, kc, fmt.Errorf("kubernetes client for cluster %s: %w", c.Name, err)
	}
	e.kube.clients[key] = cs
	return cs, kc, nil
}

// ClusterClients returns clients for tool calls to the named clusters (all of the region
// when names is empty).
func (e *Engine) ClusterClients(ctx context.Context, aws *awsapi.Clients, names []string) (map[string]kube.Interface, []clusters.Cluster, error) {
	return e.clusterClients(ctx, aws, names, kube.ToolLimits)
}

// LogClusterClients returns clients for following pod logs in the named clusters: their own
// request limiter (kube.LogLimits), so starting many streams never delays a tool call.
func (e *Engine) LogClusterClients(ctx context.Context, aws *awsapi.Clients, names []string) (map[string]kube.Interface, error) {
	out, _, err := e.clusterClients(ctx, aws, names, kube.LogLimits)
	return out, err
}

func (e *Engine) clusterClients(ctx context.Context, aws *awsapi.Clients, names []string, l kube.Limits) (map[string]kube.Interface, []clusters.Cluster, error) {
	list, err := clusters.List(ctx, aws, names)
	if err != nil {
		return nil, nil, err
	}
	out := map[string]kube.Interface{}
	for _, c := range list {
		if c.Error != "" {
			continue
		}
		cs, _, err := e.clientset(aws, c, l)
		if err != nil {
			continue
		}
		out[c.Name] = cs
	}
	return out, list, nil
}

// eksPods lists the pods FIS aws:eks:pod targets select, for the health checks.
type eksPods struct {
	e   *Engine
	aws *awsapi.Clients
}

func (p eksPods) ListPods(ctx context.Context, cluster, namespace, selectorType, selectorValue string) ([]health.Pod, error) {
	clients, _, err := p.e.ClusterClients(ctx, p.aws, []string{cluster})
	if err != nil {
		return nil, err
	}
	cs, ok := clients[cluster]
	if !ok {
		return nil, fmt.Errorf("EKS cluster %s is not reachable", cluster)
	}
	pods, err := kube.ListPods(ctx, cs, namespace, selectorType, selectorValue)
	if err != nil {
		return nil, err
	}
	out := make([]health.Pod, 0, len(pods))
	for _, pi := range pods {
		out = append(out, health.Pod{Namespace: namespace, Name: pi.Name, Phase: pi.Phase, Ready: pi.Ready})
	}
	return out, nil
}

// podLister gives health checks of aws:eks:pod targets access to the clusters.
func (e *Engine) podLister(c *awsapi.Clients) health.PodLister { return eksPods{e: e, aws: c} }
