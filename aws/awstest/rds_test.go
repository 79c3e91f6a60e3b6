package awstest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/docdb"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/smithy-go"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
)

var dbT0 = time.Date(2026, 4, 11, 10, 30, 0, 0, time.UTC)

func newDBFake(t *testing.T) (*awstest.Server, *awstest.FakeClock) {
	t.Helper()
	clk := awstest.NewFakeClock(dbT0)
	srv := awstest.New(awstest.WithClock(clk))
	t.Cleanup(srv.Close)
	return srv, clk
}

func seedAurora(srv *awstest.Server) {
	srv.AddDBCluster(awstest.DBCluster{
		ID: "demo-aurora", Engine: "aurora-postgresql", LogExports: []string{"postgresql"},
		Members: []awstest.DBClusterMember{
			{InstanceID: "demo-aurora-1", Writer: true, AZ: "us-east-1a"},
			{InstanceID: "demo-aurora-2", AZ: "us-east-1b"},
			{InstanceID: "demo-aurora-3", AZ: "us-east-1a"},
		},
		CustomEndpoints: []awstest.DBClusterEndpoint{{ID: "analytics", CustomType: "READER", StaticMembers: []string{"demo-aurora-3"}}},
	})
}

func TestRDSDescribeDBClusters(t *testing.T) {
	srv, _ := newDBFake(t)
	seedAurora(srv)
	client := rds.NewFromConfig(srv.Config())
	ctx := context.Background()

	out, err := client.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String("demo-aurora")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.DBClusters) != 1 {
		t.Fatalf("clusters = %d", len(out.DBClusters))
	}
	cl := out.DBClusters[0]
	if awssdk.ToString(cl.Status) != "available" || awssdk.ToString(cl.Engine) != "aurora-postgresql" || !awssdk.ToBool(cl.MultiAZ) {
		t.Errorf("cluster = %+v", cl)
	}
	if got := awssdk.ToString(cl.Endpoint); got != "demo-aurora.cluster-c1a2b3c4d5e6.us-east-1.rds.amazonaws.com" {
		t.Errorf("endpoint = %q", got)
	}
	if got := awssdk.ToString(cl.ReaderEndpoint); got != "demo-aurora.cluster-ro-c1a2b3c4d5e6.us-east-1.rds.amazonaws.com" {
		t.Errorf("reader endpoint = %q", got)
	}
	if len(cl.DBClusterMembers) != 3 || !awssdk.ToBool(cl.DBClusterMembers[0].IsClusterWriter) || awssdk.ToBool(cl.DBClusterMembers[1].IsClusterWriter) {
		t.Errorf("members = %+v", cl.DBClusterMembers)
	}
	if len(cl.EnabledCloudwatchLogsExports) != 1 || cl.EnabledCloudwatchLogsExports[0] != "postgresql" {
		t.Errorf("log exports = %v", cl.EnabledCloudwatchLogsExports)
	}
	if len(cl.CustomEndpoints) != 1 || len(cl.AvailabilityZones) != 2 {
		t.Errorf("custom endpoints %v, AZs %v", cl.CustomEndpoints, cl.AvailabilityZones)
	}

	// Unknown cluster: 404 DBClusterNotFoundFault, decoded into the modelled error.
	_, err = client.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String("nope")})
	var nf *rdstypes.DBClusterNotFoundFault
	if !errors.As(err, &nf) {
		t.Fatalf("err = %v, want DBClusterNotFoundFault", err)
	}
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "DBClusterNotFoundFault" {
		t.Errorf("code = %v", err)
	}

	// Filter by cluster ID (ARN accepted) and engine.
	out, err = client.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{Filters: []rdstypes.Filter{
		{Name: awssdk.String("db-cluster-id"), Values: []string{"arn:aws:rds:us-east-1:123456789012:cluster:demo-aurora", "other"}},
		{Name: awssdk.String("engine"), Values: []string{"aurora-postgresql"}},
	}})
	if err != nil || len(out.DBClusters) != 1 {
		t.Fatalf("filtered: %v %v", out, err)
	}
	out, err = client.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{Filters: []rdstypes.Filter{{Name: awssdk.String("engine"), Values: []string{"docdb"}}}})
	if err != nil || len(out.DBClusters) != 0 {
		t.Fatalf("engine filter: %v %v", out, err)
	}
}

func TestRDSDescribeDBInstancesAndEndpoints(t *testing.T) {
	srv, _ := newDBFake(t)
	seedAurora(srv)
	srv.AddDBInstance(awstest.DBInstance{ID: "orders-db", Engine: "postgres", MultiAZ: true, AZ: "us-east-1b", SecondaryAZ: "us-east-1c", LogExports: []string{"postgresql", "upgrade"}})
	client := rds.NewFromConfig(srv.Config())
	ctx := context.Background()

	out, err := client.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: awssdk.String("orders-db")})
	if err != nil {
		t.Fatal(err)
	}
	in := out.DBInstances[0]
	if awssdk.ToString(in.DBInstanceStatus) != "available" || awssdk.ToString(in.AvailabilityZone) != "us-east-1b" ||
		in.Endpoint == nil || awssdk.ToString(in.Endpoint.Address) != "orders-db.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com" || awssdk.ToInt32(in.Endpoint.Port) != 5432 {
		t.Errorf("instance = %+v", in)
	}
	_, err = client.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: awssdk.String("nope")})
	var nf *rdstypes.DBInstanceNotFoundFault
	if !errors.As(err, &nf) || nf.ErrorCode() != "DBInstanceNotFound" {
		t.Fatalf("err = %v, want DBInstanceNotFound", err)
	}
	out, err = client.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{Filters: []rdstypes.Filter{{Name: awssdk.String("db-cluster-id"), Values: []string{"demo-aurora"}}}})
	if err != nil || len(out.DBInstances) != 3 {
		t.Fatalf("members: %v %v", out, err)
	}
	if got := out.DBInstances[0].EnabledCloudwatchLogsExports; len(got) != 1 {
		t.Errorf("member inherits cluster log exports: %v", got)
	}

	eps, err := client.DescribeDBClusterEndpoints(ctx, &rds.DescribeDBClusterEndpointsInput{DBClusterIdentifier: awssdk.String("demo-aurora")})
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, e := range eps.DBClusterEndpoints {
		types = append(types, awssdk.ToString(e.EndpointType))
	}
	if len(types) != 3 || types[0] != "WRITER" || types[1] != "READER" || types[2] != "CUSTOM" {
		t.Errorf("endpoint types = %v", types)
	}
	if got := awssdk.ToString(eps.DBClusterEndpoints[2].Endpoint); got != "analytics.cluster-custom-c1a2b3c4d5e6.us-east-1.rds.amazonaws.com" {
		t.Errorf("custom = %q", got)
	}
}

func TestRDSDescribeEventsPagingAndWindow(t *testing.T) {
	srv, _ := newDBFake(t)
	seedAurora(srv)
	for i := range 45 {
		srv.AddServiceEvent(awstest.ServiceEvent{Service: "rds", SourceType: "db-instance", SourceID: "demo-aurora-1", Time: dbT0.Add(-time.Duration(45-i) * time.Minute), Message: "event"})
	}
	srv.AddServiceEvent(awstest.ServiceEvent{SourceType: "db-cluster", SourceID: "demo-aurora", Time: dbT0.Add(-2 * time.Minute), Message: "Started cross AZ failover to DB instance: demo-aurora-2"})
	client := rds.NewFromConfig(srv.Config())
	ctx := context.Background()

	p := rds.NewDescribeEventsPaginator(client, &rds.DescribeEventsInput{
		SourceType: rdstypes.SourceTypeDbInstance, SourceIdentifier: awssdk.String("demo-aurora-1"),
		StartTime: awssdk.Time(dbT0.Add(-41 * time.Minute)), EndTime: awssdk.Time(dbT0), MaxRecords: awssdk.Int32(20),
	})
	var got []rdstypes.Event
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		got = append(got, out.Events...)
	}
	if len(got) != 41 || pages != 3 {
		t.Fatalf("events = %d in %d pages, want 41 in 3", len(got), pages)
	}
	for i := 1; i < len(got); i++ {
		if got[i].Date.Before(*got[i-1].Date) {
			t.Fatal("RDS events not oldest first")
		}
	}
	out, err := client.DescribeEvents(ctx, &rds.DescribeEventsInput{SourceType: rdstypes.SourceTypeDbCluster, SourceIdentifier: awssdk.String("demo-aurora")})
	if err != nil || len(out.Events) != 1 || awssdk.ToString(out.Events[0].Message) != "Started cross AZ failover to DB instance: demo-aurora-2" {
		t.Fatalf("cluster events: %+v %v", out, err)
	}
	if out.Events[0].SourceType != rdstypes.SourceTypeDbCluster {
		t.Errorf("source type = %q", out.Events[0].SourceType)
	}
	_, err = client.DescribeEvents(ctx, &rds.DescribeEventsInput{SourceIdentifier: awssdk.String("demo-aurora")})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InvalidParameterCombination" {
		t.Errorf("identifier without type: %v", err)
	}
}

func TestScriptAuroraFailover(t *testing.T) {
	srv, clk := newDBFake(t)
	seedAurora(srv)
	srv.ScriptAuroraFailover("demo-aurora", dbT0.Add(time.Minute), 60*time.Second)
	client := rds.NewFromConfig(srv.Config())
	ctx := context.Background()
	state := func() (status, writer string) {
		out, err := client.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String("demo-aurora")})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.DBClusters[0].DBClusterMembers {
			if awssdk.ToBool(m.IsClusterWriter) {
				writer = awssdk.ToString(m.DBInstanceIdentifier)
			}
		}
		return awssdk.ToString(out.DBClusters[0].Status), writer
	}
	steps := []struct {
		at             time.Duration
		status, writer string
	}{
		{0, "available", "demo-aurora-1"},
		{70 * time.Second, "failing-over", "demo-aurora-1"},
		{95 * time.Second, "failing-over", "demo-aurora-2"},
		{125 * time.Second, "available", "demo-aurora-2"},
	}
	for _, st := range steps {
		clk.Set(dbT0.Add(st.at))
		if s, w := state(); s != st.status || w != st.writer {
			t.Errorf("at +%v: status %q writer %q, want %q %q", st.at, s, w, st.status, st.writer)
		}
	}
	out, err := client.DescribeEvents(ctx, &rds.DescribeEventsInput{SourceType: rdstypes.SourceTypeDbCluster, SourceIdentifier: awssdk.String("demo-aurora"), StartTime: awssdk.Time(dbT0)})
	if err != nil || len(out.Events) != 2 {
		t.Fatalf("events %+v %v", out, err)
	}
	if m := awssdk.ToString(out.Events[0].Message); m != "Started cross AZ failover to DB instance: demo-aurora-2" {
		t.Errorf("first = %q", m)
	}
	if m := awssdk.ToString(out.Events[1].Message); m != "Completed failover to DB instance: demo-aurora-2" {
		t.Errorf("last = %q", m)
	}
}

func TestDocDBSharesRDSAPI(t *testing.T) {
	srv, _ := newDBFake(t)
	srv.AddDBCluster(awstest.DBCluster{ID: "docs", Engine: "docdb", LogExports: []string{"audit"},
		Members: []awstest.DBClusterMember{{InstanceID: "docs-1", Writer: true}, {InstanceID: "docs-2"}}})
	client := docdb.NewFromConfig(srv.Config())
	out, err := client.DescribeDBClusters(context.Background(), &docdb.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String("docs")})
	if err != nil {
		t.Fatal(err)
	}
	cl := out.DBClusters[0]
	if awssdk.ToString(cl.Engine) != "docdb" || awssdk.ToString(cl.Endpoint) != "docs.cluster-c1a2b3c4d5e6.us-east-1.docdb.amazonaws.com" ||
		len(cl.DBClusterMembers) != 2 || !awssdk.ToBool(cl.DBClusterMembers[0].IsClusterWriter) || len(cl.EnabledCloudwatchLogsExports) != 1 {
		t.Errorf("docdb cluster = %+v", cl)
	}
	_, err = client.DescribeDBClusters(context.Background(), &docdb.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String("nope")})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "DBClusterNotFoundFault" {
		t.Errorf("err = %v", err)
	}
}
