package workflow_test

import (
	"context"
	"testing"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/kube/kubetest"
)

// Log following gets its own Kubernetes client (and so its own request limiter): opening
// hundreds of log streams never queues a tool call behind them. Each is cached.
func TestLogClientsAreSeparate(t *testing.T) {
	srv := awstest.New()
	t.Cleanup(srv.Close)
	k := kubetest.New()
	t.Cleanup(k.Close)
	srv.AddEKSCluster(awstest.EKSCluster{Name: "demo-eks", Endpoint: k.URL, CAData: k.CAData()})
	e := newEngine(t, srv)
	clients, err := e.AWS(srv.Region)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tool, _, err := e.ClusterClients(ctx, clients, []string{"demo-eks"})
	if err != nil || tool["demo-eks"] == nil {
		t.Fatalf("ClusterClients: %v %v", tool, err)
	}
	logs, err := e.LogClusterClients(ctx, clients, []string{"demo-eks"})
	if err != nil || logs["demo-eks"] == nil {
		t.Fatalf("LogClusterClients: %v %v", logs, err)
	}
	if tool["demo-eks"] == logs["demo-eks"] {
		t.Error("log following shares the tool calls' client and limiter")
	}
	again, _, _ := e.ClusterClients(ctx, clients, []string{"demo-eks"})
	logsAgain, _ := e.LogClusterClients(ctx, clients, []string{"demo-eks"})
	if again["demo-eks"] != tool["demo-eks"] || logsAgain["demo-eks"] != logs["demo-eks"] {
		t.Error("clients are not cached per cluster and purpose")
	}
}
