package endpoints

import (
	"context"
	"reflect"
	"testing"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/aws/health"
)

func TestCacheLookups(t *testing.T) {
	srv, c := dataStoreFake(t)
	srv.AddReplicationGroup(awstest.ReplicationGroup{ID: "sessions", NodeGroups: []awstest.CacheNodeGroup{{Members: []awstest.CacheNodeGroupMember{
		{CacheClusterID: "sessions-001", Role: "primary"}, {CacheClusterID: "sessions-002", Role: "replica"}}}}})
	srv.AddReplicationGroup(awstest.ReplicationGroup{ID: "carts", ClusterEnabled: true, NodeGroups: []awstest.CacheNodeGroup{{Members: []awstest.CacheNodeGroupMember{
		{CacheClusterID: "carts-0001-001"}}}}})
	srv.AddMemoryDBCluster(awstest.MemoryDBCluster{Name: "ledger", Shards: []awstest.MemoryDBShard{{Nodes: []awstest.MemoryDBNode{{}}}}})
	srv.AddMultiRegionCluster(awstest.MultiRegionCluster{Name: "mr", Clusters: []awstest.RegionalCluster{{ClusterName: "ledger", Region: "us-east-1"}, {ClusterName: "ledger-w", Region: "us-west-2"}}})
	lookups := DefaultLookups()
	tests := []struct {
		typ, id string
		want    [][2]string
	}{
		{"aws:elasticache:replicationgroup", "sessions", [][2]string{
			{KindPrimaryEndpoint, "master.sessions.abc123.use1.cache.amazonaws.com"},
			{KindReaderEndpoint, "replica.sessions.abc123.use1.cache.amazonaws.com"},
			{KindNodeEndpoint, "sessions-001.sessions.abc123.use1.cache.amazonaws.com"},
			{KindNodeEndpoint, "sessions-002.sessions.abc123.use1.cache.amazonaws.com"},
		}},
		{"aws:elasticache:replicationgroup", "carts", [][2]string{
			{KindConfigurationEndpoint, "clustercfg.carts.abc123.use1.cache.amazonaws.com"},
			{KindNodeEndpoint, "carts-0001-001.carts.abc123.use1.cache.amazonaws.com"},
		}},
		{"aws:memorydb:cluster", "ledger", [][2]string{
			{KindClusterEndpoint, "clustercfg.ledger.xxxxxx.memorydb.us-east-1.amazonaws.com"},
			{KindNodeEndpoint, "ledger-0001-001.ledger.xxxxxx.memorydb.us-east-1.amazonaws.com"},
		}},
		{"aws:memorydb:multi-region-cluster", "mr", [][2]string{
			{KindClusterEndpoint, "clustercfg.ledger.xxxxxx.memorydb.us-east-1.amazonaws.com"},
			{KindNodeEndpoint, "ledger-0001-001.ledger.xxxxxx.memorydb.us-east-1.amazonaws.com"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			eps, err := lookups[tc.typ](context.Background(), c, health.Resource{ID: tc.id, Type: tc.typ})
			if err != nil {
				t.Fatal(err)
			}
			if got := kindsValues(eps); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("endpoints = %v, want %v", got, tc.want)
			}
		})
	}
	srv.InjectFault(awstest.Fault{Service: "elasticache", Status: 403, Code: "AccessDenied", Message: "denied"})
	if _, err := lookups["aws:elasticache:replicationgroup"](context.Background(), c, health.Resource{ID: "sessions"}); err == nil {
		t.Error("access denied: no error")
	}
}
