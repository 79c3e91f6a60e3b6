package health

import (
	"context"
	"testing"
	"time"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
)

func redisGroup(id string, ngs ...awstest.CacheNodeGroup) awstest.ReplicationGroup {
	return awstest.ReplicationGroup{ID: id, NodeGroups: ngs}
}

func twoNodeShard(prefix string) awstest.CacheNodeGroup {
	return awstest.CacheNodeGroup{Members: []awstest.CacheNodeGroupMember{
		{CacheClusterID: prefix + "-001", Role: "primary", AZ: "us-east-1a"},
		{CacheClusterID: prefix + "-002", Role: "replica", AZ: "us-east-1b"},
	}}
}

func TestReplicationGroupChecker(t *testing.T) {
	srv, _, env := infraTestEnv(t)
	srv.AddReplicationGroup(redisGroup("ok", twoNodeShard("ok")))
	srv.AddReplicationGroup(redisGroup("modifying", twoNodeShard("modifying")))
	srv.SetReplicationGroupStatus("modifying", "modifying", "modifying")
	srv.AddReplicationGroup(redisGroup("nonodes"))
	srv.AddReplicationGroup(redisGroup("noprimary", awstest.CacheNodeGroup{Members: []awstest.CacheNodeGroupMember{{CacheClusterID: "noprimary-001", Role: "replica"}}}))
	srv.AddReplicationGroup(awstest.ReplicationGroup{ID: "sharded", ClusterEnabled: true, NodeGroups: []awstest.CacheNodeGroup{
		{Members: []awstest.CacheNodeGroupMember{{CacheClusterID: "sharded-0001-001"}}}, {Members: []awstest.CacheNodeGroupMember{{CacheClusterID: "sharded-0002-001"}}}}})
	check := DefaultRegistry()["aws:elasticache:replicationgroup"]
	tests := []struct {
		name  string
		ids   []string
		fault *awstest.Fault
		want  []wantHealth
	}{
		{name: "healthy names primary", ids: []string{"ok", "sharded"}, want: []wantHealth{
			{"ok", "available", true, "primary ok-001 (us-east-1a)"},
			{"sharded", "available", true, "2 node group(s)"},
		}},
		{name: "unhealthy", ids: []string{"modifying", "nonodes", "noprimary"}, want: []wantHealth{
			{"modifying", "modifying", false, "node group 0001 is modifying"},
			{"nonodes", "available", false, "no node groups"},
			{"noprimary", "available", false, "no primary"},
		}},
		{name: "missing", ids: []string{"gone"}, want: []wantHealth{{"gone", "not-found", false, "replication group gone does not exist"}}},
		{name: "throttled then succeeds", ids: []string{"ok"}, fault: &awstest.Fault{Service: "elasticache", Status: 400, Code: "Throttling", Times: 3},
			want: []wantHealth{{"ok", "available", true, ""}}},
		{name: "access denied", ids: []string{"ok"}, fault: &awstest.Fault{Service: "elasticache", Status: 403, Code: "AccessDenied", Message: "not authorized"},
			want: []wantHealth{{"ok", "unchecked", false, "elasticache:DescribeReplicationGroups"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv.ClearFaults()
			if tc.fault != nil {
				srv.InjectFault(*tc.fault)
			}
			assertHealth(t, check(context.Background(), env, infraRes("aws:elasticache:replicationgroup", tc.ids...)), tc.want)
		})
	}
}

func TestReplicationGroupFailoverThenRecovers(t *testing.T) {
	srv, clk, env := infraTestEnv(t)
	srv.AddReplicationGroup(redisGroup("sessions", twoNodeShard("sessions")))
	srv.ScriptElastiCacheFailover("sessions", infraT0.Add(time.Minute), 90*time.Second)
	check := DefaultRegistry()["aws:elasticache:replicationgroup"]
	for _, step := range []struct {
		at      time.Duration
		status  string
		healthy bool
		detail  string
	}{
		{0, "available", true, "primary sessions-001 (us-east-1a)"},
		{70 * time.Second, "modifying", false, "node group 0001 is modifying"},
		{3 * time.Minute, "available", true, "primary sessions-002 (us-east-1b)"},
	} {
		clk.Set(infraT0.Add(step.at))
		assertHealth(t, check(context.Background(), env, infraRes("aws:elasticache:replicationgroup", "sessions")), []wantHealth{{"sessions", step.status, step.healthy, step.detail}})
	}
}

func TestMemoryDBCheckers(t *testing.T) {
	srv, _, env := infraTestEnv(t)
	srv.AddMemoryDBCluster(awstest.MemoryDBCluster{Name: "ledger", Shards: []awstest.MemoryDBShard{{Nodes: []awstest.MemoryDBNode{{}, {}}}}})
	srv.AddMemoryDBCluster(awstest.MemoryDBCluster{Name: "busy", Shards: []awstest.MemoryDBShard{{Nodes: []awstest.MemoryDBNode{{}, {Status: "modifying"}}}}})
	srv.AddMemoryDBCluster(awstest.MemoryDBCluster{Name: "noshards"})
	srv.AddMultiRegionCluster(awstest.MultiRegionCluster{Name: "mr-ok", Clusters: []awstest.RegionalCluster{{ClusterName: "ledger", Region: "us-east-1"}}})
	srv.AddMultiRegionCluster(awstest.MultiRegionCluster{Name: "mr-upd", Status: "updating", Clusters: []awstest.RegionalCluster{{ClusterName: "ledger", Region: "us-west-2", Status: "updating"}}})
	reg := DefaultRegistry()
	ctx := context.Background()
	assertHealth(t, reg["aws:memorydb:cluster"](ctx, env, infraRes("aws:memorydb:cluster", "ledger", "busy", "noshards", "gone")), []wantHealth{
		{"ledger", "available", true, "1 shard(s), 2 node(s), multiaz"},
		{"busy", "available", false, "is modifying"},
		{"noshards", "available", false, "no shards"},
		{"gone", "not-found", false, "MemoryDB cluster gone does not exist"},
	})
	assertHealth(t, reg["aws:memorydb:multi-region-cluster"](ctx, env, infraRes("aws:memorydb:multi-region-cluster", "mr-ok", "mr-upd", "gone")), []wantHealth{
		{"mr-ok", "available", true, "ledger in us-east-1 available"},
		{"mr-upd", "updating", false, "regional cluster ledger in us-west-2 is updating"},
		{"gone", "not-found", false, "does not exist"},
	})
	srv.InjectFault(awstest.Fault{Service: "memorydb", Status: 400, Code: "AccessDeniedException", Message: "not authorized"})
	assertHealth(t, reg["aws:memorydb:cluster"](ctx, env, infraRes("aws:memorydb:cluster", "ledger")), []wantHealth{{"ledger", "unchecked", false, "memorydb:DescribeClusters"}})
}
