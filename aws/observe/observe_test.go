package observe_test

import (
	"context"
	"testing"
	"time"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/aws/observe"
	"github.com/fis-mcp/fis-mcp/session"
)

func TestCollect(t *testing.T) {
	t0 := time.Date(2026, 4, 11, 10, 30, 0, 0, time.UTC)
	clock := awstest.NewFakeClock(t0)
	srv := awstest.New(awstest.WithClock(clock))
	defer srv.Close()
	srv.AddDBCluster(awstest.DBCluster{ID: "db1", Members: []awstest.DBClusterMember{{InstanceID: "db1-a", Writer: true, AZ: "us-east-1a"}, {InstanceID: "db1-b", AZ: "us-east-1b"}}})
	srv.AddReplicationGroup(awstest.ReplicationGroup{ID: "rg1", NodeGroups: []awstest.CacheNodeGroup{{Members: []awstest.CacheNodeGroupMember{
		{CacheClusterID: "rg1-001", Role: "primary", AZ: "us-east-1a"}, {CacheClusterID: "rg1-002", Role: "replica", AZ: "us-east-1b"}}}}})
	srv.AddAlarm(awstest.Alarm{Name: "stop-alarm", State: awstest.AlarmOK})
	start := t0.Add(5 * time.Minute)
	srv.ScriptAuroraFailover("db1", start, 30*time.Second)
	srv.SetMetric("AWS/RDS", "DatabaseConnections", map[string]string{"DBClusterIdentifier": "db1"}, func(time.Time) float64 { return 7 })
	clock.Set(start.Add(2 * time.Minute))
	srv.SetAlarmState("stop-alarm", awstest.AlarmAlarm, "breached")
	clock.Set(start.Add(5 * time.Minute))

	cfg, err := awsapi.LoadConfig(context.Background(), awsapi.Options{Region: "us-east-1", Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	c := awsapi.NewClients(cfg)
	resources := []session.ResourceHealth{{ID: "db1", Type: "aws:rds:cluster"}, {ID: "rg1", Type: "aws:elasticache:replicationgroup"}}
	stops := []session.StopCondition{{Source: "aws:cloudwatch:alarm", Value: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:stop-alarm"}}
	obs := observe.Collect(context.Background(), c, resources, stops, start.Add(-5*time.Minute), start.Add(4*time.Minute))

	if len(obs.Errors) != 0 {
		t.Fatalf("errors: %v", obs.Errors)
	}
	var failover bool
	for i, e := range obs.ServiceEvents {
		if i > 0 && e.Time.Before(obs.ServiceEvents[i-1].Time) {
			t.Errorf("events out of order at %d", i)
		}
		if e.Subject != "" && e.Source == "rds:DescribeEvents" && e.Time.Equal(start) {
			failover = true
		}
	}
	if !failover {
		t.Errorf("no RDS failover event at the failover start in %+v", obs.ServiceEvents)
	}
	if n := srv.CallCount("monitoring", "GetMetricData"); n != 2 {
		t.Errorf("GetMetricData calls = %d, want one per namespace (AWS/RDS, AWS/ElastiCache)", n)
	}
	var conns, member bool
	for _, m := range obs.Metrics {
		if m.Metric == "DatabaseConnections" && m.Identifier == "db1" && len(m.Points) > 0 && m.Points[0].Value == 7 {
			conns = true
		}
		if m.Namespace == "AWS/ElastiCache" {
			member = true
		}
	}
	if !conns || !member {
		t.Errorf("metrics missing (connections %v, elasticache members %v): %+v", conns, member, obs.Metrics)
	}
	if len(obs.AlarmHistory) != 1 || obs.AlarmHistory[0].To != "ALARM" {
		t.Errorf("alarm history = %+v", obs.AlarmHistory)
	}
}
