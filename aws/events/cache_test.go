package events

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/aws/health"
)

func TestElastiCacheFailoverEvents(t *testing.T) {
	srv, clk, c := serviceEventsFake(t)
	srv.AddReplicationGroup(awstest.ReplicationGroup{ID: "sessions", NodeGroups: []awstest.CacheNodeGroup{{Members: []awstest.CacheNodeGroupMember{
		{CacheClusterID: "sessions-001", Role: "primary", AZ: "us-east-1a"}, {CacheClusterID: "sessions-002", Role: "replica", AZ: "us-east-1b"}}}}})
	srv.ScriptElastiCacheFailover("sessions", evT0.Add(time.Minute), 90*time.Second)
	clk.Set(evT0.Add(10 * time.Minute))
	evs, err := DefaultReaders()["aws:elasticache:replicationgroup"](context.Background(), c, []health.Resource{{ID: "sessions"}}, evT0, evT0.Add(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"10:31:00 elasticache:DescribeEvents sessions Test Failover API called for node group 0001",
		"10:31:30 elasticache:DescribeEvents sessions Failover from primary node sessions-001 to replica node sessions-002 completed",
		"10:31:30 elasticache:DescribeEvents sessions Failover to replica node sessions-002 completed",
		"10:31:30 elasticache:DescribeEvents sessions-001 Failover from primary node sessions-001 to replica node sessions-002 completed",
		"10:31:45 elasticache:DescribeEvents sessions-001 Recovering cache nodes 0001",
		"10:32:30 elasticache:DescribeEvents sessions-001 Finished recovery for cache nodes 0001",
	}
	if got := eventLines(evs); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// A window that closes before recovery.
	evs, err = DefaultReaders()["aws:elasticache:replicationgroup"](context.Background(), c, []health.Resource{{ID: "sessions"}}, evT0, evT0.Add(80*time.Second))
	if err != nil || len(evs) != 1 {
		t.Errorf("short window: %v %v", eventLines(evs), err)
	}
}

func TestMemoryDBEvents(t *testing.T) {
	srv, clk, c := serviceEventsFake(t)
	srv.AddMemoryDBCluster(awstest.MemoryDBCluster{Name: "ledger", Shards: []awstest.MemoryDBShard{{Nodes: []awstest.MemoryDBNode{{}, {}}}}})
	srv.AddMultiRegionCluster(awstest.MultiRegionCluster{Name: "mr", Clusters: []awstest.RegionalCluster{{ClusterName: "ledger", Region: "us-east-1"}}})
	srv.AddServiceEvent(awstest.ServiceEvent{Service: "memorydb", SourceType: "node", SourceID: "ledger-0001-001", Time: evT0.Add(2 * time.Minute), Message: "Recovering node ledger-0001-001"})
	srv.AddServiceEvent(awstest.ServiceEvent{Service: "memorydb", SourceType: "cluster", SourceID: "ledger", Time: evT0.Add(time.Minute), Message: "Failover to replica node ledger-0001-002 completed"})
	clk.Set(evT0.Add(5 * time.Minute))
	for _, typ := range []string{"aws:memorydb:cluster", "aws:memorydb:multi-region-cluster"} {
		id := "ledger"
		if typ == "aws:memorydb:multi-region-cluster" {
			id = "mr"
		}
		evs, err := DefaultReaders()[typ](context.Background(), c, []health.Resource{{ID: id, Type: typ}}, evT0, evT0.Add(5*time.Minute))
		if err != nil || len(evs) != 2 || evs[0].Subject != "ledger" || evs[1].Subject != "ledger-0001-001" || evs[0].Source != SourceMemoryDBEvents {
			t.Errorf("%s: %v %v", typ, eventLines(evs), err)
		}
	}
}
