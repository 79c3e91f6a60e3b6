package managedlogs

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/aws/health"
)

func TestElastiCacheLogDetection(t *testing.T) {
	srv, c := dbLogsFake(t)
	shard := []awstest.CacheNodeGroup{{Members: []awstest.CacheNodeGroupMember{{CacheClusterID: "n-001", Role: "primary"}}}}
	srv.AddReplicationGroup(awstest.ReplicationGroup{ID: "both", NodeGroups: shard, LogDelivery: []awstest.CacheLogDelivery{
		{LogType: "slow-log", DestinationType: "cloudwatch-logs", LogGroup: "/aws/elasticache/both/slow"},
		{LogType: "engine-log", DestinationType: "cloudwatch-logs", LogGroup: "/aws/elasticache/both/engine"}}})
	srv.AddReplicationGroup(awstest.ReplicationGroup{ID: "slowonly", NodeGroups: shard, LogDelivery: []awstest.CacheLogDelivery{
		{LogType: "slow-log", DestinationType: "cloudwatch-logs", LogGroup: "/aws/elasticache/slowonly/slow"},
		{LogType: "engine-log", DestinationType: "cloudwatch-logs", LogGroup: "/x", Status: "disabling"}}})
	srv.AddReplicationGroup(awstest.ReplicationGroup{ID: "firehose", NodeGroups: shard, LogDelivery: []awstest.CacheLogDelivery{
		{LogType: "engine-log", DestinationType: "kinesis-firehose", DeliveryStream: "logs-stream"}}})
	srv.AddReplicationGroup(awstest.ReplicationGroup{ID: "off", NodeGroups: shard})
	tests := []struct {
		id        string
		enabled   bool
		groups    []string
		recommend string
	}{
		{"both", true, []string{"/aws/elasticache/both/slow", "/aws/elasticache/both/engine"}, ""},
		{"slowonly", true, []string{"/aws/elasticache/slowonly/slow"}, "enable engine-log delivery"},
		{"firehose", false, nil, "Kinesis Data Firehose logs-stream"},
		{"off", false, nil, `aws elasticache modify-replication-group --replication-group-id off --apply-immediately`},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			g, err := DefaultDetectors()["aws:elasticache:replicationgroup"](context.Background(), c, health.Resource{ID: tc.id})
			if err != nil {
				t.Fatal(err)
			}
			if g.Service != "elasticache" || g.Enabled != tc.enabled || !reflect.DeepEqual(g.LogGroups, tc.groups) {
				t.Errorf("got %+v", g)
			}
			if (tc.recommend == "") != (g.Recommendation == "") || !strings.Contains(g.Recommendation, tc.recommend) {
				t.Errorf("recommendation = %q, want ~%q", g.Recommendation, tc.recommend)
			}
		})
	}
	srv.InjectFault(awstest.Fault{Service: "elasticache", Status: 403, Code: "AccessDenied", Message: "denied"})
	if _, err := DefaultDetectors()["aws:elasticache:replicationgroup"](context.Background(), c, health.Resource{ID: "both"}); err == nil || !strings.Contains(err.Error(), "elasticache:DescribeReplicationGroups") {
		t.Errorf("access denied: %v", err)
	}
}
