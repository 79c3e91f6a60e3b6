package events

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/session"
)

// seedShardedGroup adds a replication group of shards × replicas member clusters.
func seedShardedGroup(srv *awstest.Server, id string, shards, replicas int) []string {
	var groups []awstest.CacheNodeGroup
	var members []string
	for s := 1; s <= shards; s++ {
		var ms []awstest.CacheNodeGroupMember
		for r := 1; r <= replicas; r++ {
			m := fmt.Sprintf("%s-%04d-%03d", id, s, r)
			role := "replica"
			if r == 1 {
				role = "primary"
			}
			ms = append(ms, awstest.CacheNodeGroupMember{CacheClusterID: m, Role: role, AZ: fmt.Sprintf("us-east-1%c", 'a'+r-1)})
			members = append(members, m)
		}
		groups = append(groups, awstest.CacheNodeGroup{ID: fmt.Sprintf("%04d", s), Members: ms})
	}
	srv.AddReplicationGroup(awstest.ReplicationGroup{ID: id, ClusterEnabled: true, NodeGroups: groups})
	return members
}

func callStart(t *testing.T, c awstest.Call) string {
	t.Helper()
	form, err := url.ParseQuery(string(c.Body))
	if err != nil {
		t.Fatal(err)
	}
	return form.Get("StartTime")
}

// TestReadOneQueryPerStream reads a 15×3 replication group and an Aurora cluster: one
// DescribeEvents per service and source type (no source identifier), events of other
// sources left out, whatever the node count.
func TestReadOneQueryPerStream(t *testing.T) {
	for _, tc := range []struct{ shards, replicas int }{{1, 3}, {15, 3}} {
		t.Run(fmt.Sprintf("%dx%d", tc.shards, tc.replicas), func(t *testing.T) {
			srv, clk, c := serviceEventsFake(t)
			members := seedShardedGroup(srv, "sessions", tc.shards, tc.replicas)
			seedShardedGroup(srv, "other", 2, 2)
			srv.AddDBCluster(awstest.DBCluster{ID: "demo", Members: []awstest.DBClusterMember{{InstanceID: "demo-1", Writer: true, AZ: "us-east-1a"}, {InstanceID: "demo-2", AZ: "us-east-1b"}}})
			srv.AddDBInstance(awstest.DBInstance{ID: "unrelated"})
			at := evT0.Add(time.Minute)
			for _, e := range []awstest.ServiceEvent{
				{Service: "elasticache", SourceType: "replication-group", SourceID: "sessions", Time: at, Message: "Failover to replica node completed"},
				{Service: "elasticache", SourceType: "cache-cluster", SourceID: members[len(members)-1], Time: at, Message: "Recovering cache nodes 0001"},
				{Service: "elasticache", SourceType: "cache-cluster", SourceID: "other-0001-001", Time: at, Message: "not ours"},
				{Service: "elasticache", SourceType: "replication-group", SourceID: "other", Time: at, Message: "not ours"},
				{SourceType: "db-cluster", SourceID: "demo", Time: at, Message: "Started cross AZ failover to DB instance: demo-2"},
				{SourceType: "db-instance", SourceID: "demo-1", Time: at, Message: "DB instance restarted"},
				{SourceType: "db-instance", SourceID: "unrelated", Time: at, Message: "not ours"},
			} {
				srv.AddServiceEvent(e)
			}
			clk.Set(evT0.Add(5 * time.Minute))
			res := Read(context.Background(), c, []session.ResourceHealth{
				{ID: "sessions", Type: "aws:elasticache:replicationgroup"}, {ID: "demo", Type: "aws:rds:cluster"},
			}, Window{Start: evT0, End: evT0.Add(5 * time.Minute)})
			if len(res.Errors) != 0 {
				t.Fatal(res.Errors)
			}
			var subjects []string
			for _, e := range res.Events {
				subjects = append(subjects, e.Subject)
				if strings.Contains(e.Message, "not ours") {
					t.Errorf("event of another source kept: %+v", e)
				}
			}
			if len(res.Events) != 4 {
				t.Errorf("events of %v, want sessions, its last member, demo and demo-1", subjects)
			}
			for op, want := range map[string]int{"elasticache/DescribeEvents": 2, "elasticache/DescribeReplicationGroups": 1, "rds/DescribeEvents": 2, "rds/DescribeDBClusters": 1} {
				svc, name, _ := strings.Cut(op, "/")
				if n := srv.CallCount(svc, name); n != want {
					t.Errorf("%s calls = %d, want %d", op, n, want)
				}
			}
			for _, call := range srv.Calls("", "DescribeEvents") {
				if form, _ := url.ParseQuery(string(call.Body)); form.Get("SourceIdentifier") != "" {
					t.Errorf("DescribeEvents names a source: %s", call.Body)
				}
			}
			for _, k := range []string{StreamElastiCacheGroups, StreamElastiCacheClusters, StreamRDSClusters, StreamRDSInstances} {
				if !res.Watermarks[k].Equal(at) {
					t.Errorf("watermark %s = %v, want %v", k, res.Watermarks[k], at)
				}
			}
		})
	}
}

// TestReadFromWatermark checks a second read starts at the watermark less Overlap (not the
// window's start), finds events recorded since, and reports each event once.
func TestReadFromWatermark(t *testing.T) {
	srv, clk, c := serviceEventsFake(t)
	srv.AddDBInstance(awstest.DBInstance{ID: "orders"})
	first := evT0.Add(10 * time.Minute)
	srv.AddServiceEvent(awstest.ServiceEvent{SourceType: "db-instance", SourceID: "orders", Time: first, Message: "Multi-AZ instance failover started"})
	clk.Set(evT0.Add(20 * time.Minute))
	rs := []session.ResourceHealth{{ID: "orders", Type: "aws:rds:db"}}
	res := Read(context.Background(), c, rs, Window{Start: evT0, End: clk.Now()})
	if len(res.Events) != 1 || !res.Watermarks[StreamRDSInstances].Equal(first) {
		t.Fatalf("first read: %v, watermarks %v, errors %v", eventLines(res.Events), res.Watermarks, res.Errors)
	}
	second := evT0.Add(25 * time.Minute)
	srv.AddServiceEvent(awstest.ServiceEvent{SourceType: "db-instance", SourceID: "orders", Time: second, Message: "Multi-AZ instance failover completed"})
	// An event listed late, with a time inside the overlap before the watermark.
	srv.AddServiceEvent(awstest.ServiceEvent{SourceType: "db-instance", SourceID: "orders", Time: first.Add(-time.Minute), Message: "listed late"})
	clk.Set(evT0.Add(30 * time.Minute))
	res2 := Read(context.Background(), c, rs, Window{Start: evT0, End: clk.Now(), Watermarks: res.Watermarks})
	calls := srv.Calls("rds", "DescribeEvents")
	if got, err := time.Parse(time.RFC3339Nano, callStart(t, calls[len(calls)-1])); err != nil || !got.Equal(first.Add(-Overlap)) {
		t.Errorf("second read starts at %v (%v), want %s (watermark less overlap)", got, err, first.Add(-Overlap))
	}
	if got := eventLines(res2.Events); len(got) != 3 {
		t.Errorf("second read: %v, want the late event, the first again and the new one", got)
	}
	if !res2.Watermarks[StreamRDSInstances].Equal(second) {
		t.Errorf("watermark %v, want %v", res2.Watermarks[StreamRDSInstances], second)
	}
	// A failed read keeps the watermark and says what failed.
	srv.InjectFault(awstest.Fault{Service: "rds", Operation: "DescribeEvents", Status: 403, Code: "AccessDenied", Message: "denied"})
	res3 := Read(context.Background(), c, rs, Window{Start: evT0, End: clk.Now(), Watermarks: res2.Watermarks})
	if len(res3.Errors) != 1 || !strings.Contains(res3.Errors[0].Error(), "rds:DescribeEvents") || !res3.Watermarks[StreamRDSInstances].Equal(second) {
		t.Errorf("failed read: errors %v, watermarks %v", res3.Errors, res3.Watermarks)
	}
}

// TestScalingActivitiesWatermark: an activity still in progress holds the watermark back,
// so a later read sees it finish even when it started long before.
func TestScalingActivitiesWatermark(t *testing.T) {
	srv, clk, c := serviceEventsFake(t)
	srv.AddAutoScalingGroup(awstest.AutoScalingGroup{Name: "web", DesiredCapacity: 2})
	srv.AddScalingActivity(awstest.ScalingActivity{ID: "slow", Group: "web", Description: "Launching a new EC2 instance", StartTime: evT0.Add(time.Minute), StatusCode: "InProgress"})
	srv.AddScalingActivity(awstest.ScalingActivity{ID: "fast", Group: "web", Description: "Terminating EC2 instance", StartTime: evT0.Add(10 * time.Minute)})
	clk.Set(evT0.Add(12 * time.Minute))
	rs := []session.ResourceHealth{{ID: "web", Type: "aws:ec2:autoscaling-group"}}
	res := Read(context.Background(), c, rs, Window{Start: evT0, End: clk.Now()})
	if len(res.Events) != 2 || !res.Watermarks[StreamScalingActivities].Equal(evT0.Add(time.Minute)) {
		t.Fatalf("first read: %v, watermark %v, errors %v", eventLines(res.Events), res.Watermarks, res.Errors)
	}
	srv.SetScalingActivityStatus("slow", "Successful")
	res = Read(context.Background(), c, rs, Window{Start: evT0, End: clk.Now(), Watermarks: res.Watermarks})
	joined := strings.Join(eventLines(res.Events), "\n")
	if !strings.Contains(joined, "Launching a new EC2 instance (Successful)") {
		t.Errorf("the finished activity was not read:\n%s", joined)
	}
	if !res.Watermarks[StreamScalingActivities].Equal(evT0.Add(10 * time.Minute)) {
		t.Errorf("watermark %v, want the newest start once nothing is in progress", res.Watermarks[StreamScalingActivities])
	}
}
