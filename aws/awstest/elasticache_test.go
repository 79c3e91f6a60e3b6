package awstest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticache"
	ectypes "github.com/aws/aws-sdk-go-v2/service/elasticache/types"
	"github.com/aws/smithy-go"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
)

func seedRedis(srv *awstest.Server) {
	srv.AddReplicationGroup(awstest.ReplicationGroup{
		ID: "sessions",
		NodeGroups: []awstest.CacheNodeGroup{{Members: []awstest.CacheNodeGroupMember{
			{CacheClusterID: "sessions-001", Role: "primary", AZ: "us-east-1a"},
			{CacheClusterID: "sessions-002", Role: "replica", AZ: "us-east-1b"},
		}}},
		LogDelivery: []awstest.CacheLogDelivery{{LogType: "slow-log", DestinationType: "cloudwatch-logs", LogGroup: "/aws/elasticache/sessions/slow-log"}},
	})
}

func TestElastiCacheDescribeReplicationGroups(t *testing.T) {
	srv, _ := newDBFake(t)
	seedRedis(srv)
	srv.AddReplicationGroup(awstest.ReplicationGroup{ID: "carts", ClusterEnabled: true, NodeGroups: []awstest.CacheNodeGroup{
		{Members: []awstest.CacheNodeGroupMember{{CacheClusterID: "carts-0001-001"}, {CacheClusterID: "carts-0001-002"}}},
		{Members: []awstest.CacheNodeGroupMember{{CacheClusterID: "carts-0002-001"}}},
	}})
	client := elasticache.NewFromConfig(srv.Config())
	ctx := context.Background()

	out, err := client.DescribeReplicationGroups(ctx, &elasticache.DescribeReplicationGroupsInput{ReplicationGroupId: awssdk.String("sessions")})
	if err != nil {
		t.Fatal(err)
	}
	rg := out.ReplicationGroups[0]
	ng := rg.NodeGroups[0]
	if awssdk.ToString(rg.Status) != "available" || rg.AutomaticFailover != ectypes.AutomaticFailoverStatusEnabled || rg.MultiAZ != ectypes.MultiAZStatusEnabled ||
		len(rg.MemberClusters) != 2 || awssdk.ToString(ng.Status) != "available" ||
		awssdk.ToString(ng.PrimaryEndpoint.Address) != "master.sessions.abc123.use1.cache.amazonaws.com" ||
		awssdk.ToString(ng.ReaderEndpoint.Address) != "replica.sessions.abc123.use1.cache.amazonaws.com" ||
		awssdk.ToString(ng.NodeGroupMembers[0].CurrentRole) != "primary" || awssdk.ToString(ng.NodeGroupMembers[1].PreferredAvailabilityZone) != "us-east-1b" {
		t.Errorf("replication group = %+v", rg)
	}
	if len(rg.LogDeliveryConfigurations) != 1 || rg.LogDeliveryConfigurations[0].DestinationType != ectypes.DestinationTypeCloudWatchLogs ||
		awssdk.ToString(rg.LogDeliveryConfigurations[0].DestinationDetails.CloudWatchLogsDetails.LogGroup) != "/aws/elasticache/sessions/slow-log" {
		t.Errorf("log delivery = %+v", rg.LogDeliveryConfigurations)
	}
	out, err = client.DescribeReplicationGroups(ctx, &elasticache.DescribeReplicationGroupsInput{ReplicationGroupId: awssdk.String("carts")})
	if err != nil {
		t.Fatal(err)
	}
	if cfg := out.ReplicationGroups[0].ConfigurationEndpoint; cfg == nil || awssdk.ToString(cfg.Address) != "clustercfg.carts.abc123.use1.cache.amazonaws.com" {
		t.Errorf("configuration endpoint = %+v", cfg)
	}
	if len(out.ReplicationGroups[0].NodeGroups) != 2 || out.ReplicationGroups[0].NodeGroups[0].PrimaryEndpoint != nil {
		t.Errorf("cluster mode node groups = %+v", out.ReplicationGroups[0].NodeGroups)
	}

	_, err = client.DescribeReplicationGroups(ctx, &elasticache.DescribeReplicationGroupsInput{ReplicationGroupId: awssdk.String("nope")})
	var nf *ectypes.ReplicationGroupNotFoundFault
	if !errors.As(err, &nf) {
		t.Errorf("err = %v, want ReplicationGroupNotFoundFault", err)
	}

	cc, err := client.DescribeCacheClusters(ctx, &elasticache.DescribeCacheClustersInput{CacheClusterId: awssdk.String("sessions-002"), ShowCacheNodeInfo: awssdk.Bool(true)})
	if err != nil || len(cc.CacheClusters) != 1 || awssdk.ToString(cc.CacheClusters[0].ReplicationGroupId) != "sessions" ||
		awssdk.ToString(cc.CacheClusters[0].CacheNodes[0].Endpoint.Address) != "sessions-002.sessions.abc123.use1.cache.amazonaws.com" {
		t.Errorf("cache cluster: %+v %v", cc, err)
	}
	_, err = client.DescribeCacheClusters(ctx, &elasticache.DescribeCacheClustersInput{CacheClusterId: awssdk.String("nope")})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "CacheClusterNotFound" {
		t.Errorf("err = %v", err)
	}
}

func TestScriptElastiCacheFailover(t *testing.T) {
	srv, clk := newDBFake(t)
	seedRedis(srv)
	srv.ScriptElastiCacheFailover("sessions", dbT0.Add(time.Minute), 90*time.Second)
	client := elasticache.NewFromConfig(srv.Config())
	ctx := context.Background()
	primary := func() (status, ngStatus, primary string) {
		out, err := client.DescribeReplicationGroups(ctx, &elasticache.DescribeReplicationGroupsInput{ReplicationGroupId: awssdk.String("sessions")})
		if err != nil {
			t.Fatal(err)
		}
		ng := out.ReplicationGroups[0].NodeGroups[0]
		for _, m := range ng.NodeGroupMembers {
			if awssdk.ToString(m.CurrentRole) == "primary" {
				primary = awssdk.ToString(m.CacheClusterId)
			}
		}
		return awssdk.ToString(out.ReplicationGroups[0].Status), awssdk.ToString(ng.Status), primary
	}
	for _, st := range []struct {
		at                  time.Duration
		status, ng, primary string
	}{
		{0, "available", "available", "sessions-001"},
		{61 * time.Second, "modifying", "modifying", "sessions-001"},
		{100 * time.Second, "modifying", "modifying", "sessions-002"},
		{151 * time.Second, "available", "available", "sessions-002"},
	} {
		clk.Set(dbT0.Add(st.at))
		if s, n, p := primary(); s != st.status || n != st.ng || p != st.primary {
			t.Errorf("at +%v: %q %q %q, want %q %q %q", st.at, s, n, p, st.status, st.ng, st.primary)
		}
	}
	out, err := client.DescribeEvents(ctx, &elasticache.DescribeEventsInput{StartTime: awssdk.Time(dbT0), EndTime: awssdk.Time(dbT0.Add(time.Hour))})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Events) != 6 {
		t.Fatalf("events = %d: %+v", len(out.Events), out.Events)
	}
	// Newest first, as ElastiCache lists them.
	if m := awssdk.ToString(out.Events[0].Message); m != "Finished recovery for cache nodes 0001" {
		t.Errorf("newest = %q", m)
	}
	if m := awssdk.ToString(out.Events[5].Message); m != "Test Failover API called for node group 0001" || out.Events[5].SourceType != ectypes.SourceTypeReplicationGroup {
		t.Errorf("oldest = %q (%s)", m, out.Events[5].SourceType)
	}
}
