package health

import (
	"context"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/session"
)

func auroraCluster(id string, members ...awstest.DBClusterMember) awstest.DBCluster {
	return awstest.DBCluster{ID: id, Engine: "aurora-postgresql", Members: members}
}

func TestRDSClusterChecker(t *testing.T) {
	srv, _, env := infraTestEnv(t)
	srv.AddDBCluster(auroraCluster("ok", awstest.DBClusterMember{InstanceID: "ok-1", Writer: true, AZ: "us-east-1a"}, awstest.DBClusterMember{InstanceID: "ok-2", AZ: "us-east-1b"}))
	srv.AddDBCluster(auroraCluster("failing", awstest.DBClusterMember{InstanceID: "failing-1", Writer: true}, awstest.DBClusterMember{InstanceID: "failing-2"}))
	srv.SetDBClusterStatus("failing", "failing-over")
	srv.AddDBCluster(auroraCluster("rebooting", awstest.DBClusterMember{InstanceID: "rebooting-1", Writer: true}, awstest.DBClusterMember{InstanceID: "rebooting-2", Status: "rebooting"}))
	srv.AddDBCluster(auroraCluster("nowriter", awstest.DBClusterMember{InstanceID: "nowriter-1"}, awstest.DBClusterMember{InstanceID: "nowriter-2"}))
	srv.AddDBCluster(auroraCluster("empty"))
	check := DefaultRegistry()["aws:rds:cluster"]
	ctx := context.Background()

	tests := []struct {
		name  string
		ids   []string
		fault *awstest.Fault
		want  []wantHealth
	}{
		{name: "healthy names writer and AZ", ids: []string{"ok"}, want: []wantHealth{{"ok", "available", true, "writer ok-1 (us-east-1a); readers ok-2 (us-east-1b)"}}},
		{name: "unhealthy states", ids: []string{"failing", "rebooting", "nowriter", "empty"}, want: []wantHealth{
			{"failing", "failing-over", false, "cluster status failing-over"},
			{"rebooting", "available", false, "member rebooting-2 is rebooting"},
			{"nowriter", "available", false, "no writer instance"},
			{"empty", "available", false, "no member instances"},
		}},
		{name: "missing", ids: []string{"gone", "ok"}, want: []wantHealth{{"gone", "not-found", false, "DB cluster gone does not exist"}, {"ok", "available", true, ""}}},
		{name: "throttled then succeeds", ids: []string{"ok"}, fault: &awstest.Fault{Service: "rds", Operation: "DescribeDBClusters", Status: 400, Code: "Throttling", Message: "Rate exceeded", Times: 2},
			want: []wantHealth{{"ok", "available", true, ""}}},
		{name: "access denied", ids: []string{"ok"}, fault: &awstest.Fault{Service: "rds", Operation: "DescribeDBClusters", Status: 403, Code: "AccessDenied", Message: "User is not authorized to perform: rds:DescribeDBClusters"},
			want: []wantHealth{{"ok", "unchecked", false, "Grant the caller's IAM identity rds:DescribeDBClusters"}}},
		{name: "member call denied", ids: []string{"ok"}, fault: &awstest.Fault{Service: "rds", Operation: "DescribeDBInstances", Status: 403, Code: "AccessDenied", Message: "denied"},
			want: []wantHealth{{"ok", "unchecked", false, "member instances could not be read"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv.ClearFaults()
			if tc.fault != nil {
				srv.InjectFault(*tc.fault)
			}
			assertHealth(t, check(ctx, env, infraRes("aws:rds:cluster", tc.ids...)), tc.want)
		})
	}
	srv.ClearFaults()
	got := check(ctx, env, infraRes("aws:rds:cluster", "ok"))
	if c, ok := got[0].Attributes.(rdstypes.DBCluster); !ok || awssdk.ToString(c.Engine) != "aurora-postgresql" {
		t.Errorf("attributes = %#v", got[0].Attributes)
	}
	if m, err := MatchFilters(got[0].Attributes, []session.TargetFilter{{Path: "Engine", Values: []string{"aurora-postgresql"}}}); err != nil || !m {
		t.Errorf("filter on Engine: %v %v", m, err)
	}
}

func TestRDSClusterFailoverThenRecovers(t *testing.T) {
	srv, clk, env := infraTestEnv(t)
	srv.AddDBCluster(auroraCluster("demo", awstest.DBClusterMember{InstanceID: "demo-1", Writer: true, AZ: "us-east-1a"}, awstest.DBClusterMember{InstanceID: "demo-2", AZ: "us-east-1b"}))
	srv.ScriptAuroraFailover("demo", infraT0.Add(time.Minute), time.Minute)
	check := DefaultRegistry()["aws:rds:cluster"]
	for _, step := range []struct {
		at      time.Duration
		status  string
		healthy bool
		detail  string
	}{
		{0, "available", true, "writer demo-1 (us-east-1a)"},
		{65 * time.Second, "failing-over", false, "writer demo-1"},
		{95 * time.Second, "failing-over", false, "member demo-1 is rebooting"},
		{2 * time.Minute, "available", true, "writer demo-2 (us-east-1b)"},
	} {
		clk.Set(infraT0.Add(step.at))
		assertHealth(t, check(context.Background(), env, infraRes("aws:rds:cluster", "demo")), []wantHealth{{"demo", step.status, step.healthy, step.detail}})
	}
}

func TestDocDBClusterChecker(t *testing.T) {
	srv, _, env := infraTestEnv(t)
	srv.AddDBCluster(awstest.DBCluster{ID: "docs", Engine: "docdb", Members: []awstest.DBClusterMember{{InstanceID: "docs-1", Writer: true, AZ: "us-east-1a"}, {InstanceID: "docs-2", AZ: "us-east-1b"}}})
	srv.AddDBCluster(auroraCluster("pg", awstest.DBClusterMember{InstanceID: "pg-1", Writer: true}))
	got := DefaultRegistry()["aws:docdb:cluster"](context.Background(), env, infraRes("aws:docdb:cluster", "docs", "gone", "pg"))
	assertHealth(t, got, []wantHealth{
		{"docs", "available", true, "writer docs-1 (us-east-1a)"},
		{"gone", "not-found", false, "DocumentDB cluster gone does not exist"},
		{"pg", "available", false, "not DocumentDB"},
	})
}

func TestRDSInstanceChecker(t *testing.T) {
	srv, _, env := infraTestEnv(t)
	srv.AddDBInstance(awstest.DBInstance{ID: "orders", MultiAZ: true, AZ: "us-east-1a", SecondaryAZ: "us-east-1b"})
	srv.AddDBInstance(awstest.DBInstance{ID: "full", Status: "storage-full"})
	srv.AddDBInstance(awstest.DBInstance{ID: "rebooting", Status: "rebooting"})
	check := DefaultRegistry()["aws:rds:db"]
	got := check(context.Background(), env, infraRes("aws:rds:db", "orders", "full", "rebooting", "gone"))
	assertHealth(t, got, []wantHealth{
		{"orders", "available", true, "standby in us-east-1b"},
		{"full", "storage-full", false, ""},
		{"rebooting", "rebooting", false, ""},
		{"gone", "not-found", false, "DB instance gone does not exist"},
	})
	if n := srv.CallCount("rds", "DescribeDBInstances"); n != 1 {
		t.Errorf("DescribeDBInstances calls = %d, want one filtered batch", n)
	}
	srv.InjectFault(awstest.Fault{Service: "rds", Status: 403, Code: "AccessDenied", Message: "denied"})
	assertHealth(t, check(context.Background(), env, infraRes("aws:rds:db", "orders")), []wantHealth{{"orders", "unchecked", false, "rds:DescribeDBInstances"}})
}
