package events

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/session"
)

var evT0 = time.Date(2026, 4, 11, 10, 30, 0, 0, time.UTC)

func serviceEventsFake(t *testing.T) (*awstest.Server, *awstest.FakeClock, *awsapi.Clients) {
	t.Helper()
	clk := awstest.NewFakeClock(evT0)
	srv := awstest.New(awstest.WithClock(clk))
	t.Cleanup(srv.Close)
	return srv, clk, awsapi.NewClients(srv.Config())
}

func eventLines(evs []session.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, fmt.Sprintf("%s %s %s %s", e.Time.Format("15:04:05"), e.Source, e.Subject, e.Message))
	}
	return out
}

func TestRDSClusterEventsAfterFailover(t *testing.T) {
	srv, clk, c := serviceEventsFake(t)
	srv.AddDBCluster(awstest.DBCluster{ID: "demo", Members: []awstest.DBClusterMember{{InstanceID: "demo-1", Writer: true, AZ: "us-east-1a"}, {InstanceID: "demo-2", AZ: "us-east-1b"}}})
	srv.AddServiceEvent(awstest.ServiceEvent{SourceType: "db-cluster", SourceID: "demo", Time: evT0.Add(-time.Hour), Message: "before the window"})
	srv.AddServiceEvent(awstest.ServiceEvent{SourceType: "db-cluster", SourceID: "other", Time: evT0.Add(2 * time.Minute), Message: "another cluster"})
	srv.ScriptAuroraFailover("demo", evT0.Add(time.Minute), time.Minute)
	clk.Set(evT0.Add(10 * time.Minute))

	evs, err := DefaultReaders()["aws:rds:cluster"](context.Background(), c, []health.Resource{{ID: "demo", Type: "aws:rds:cluster"}}, evT0, evT0.Add(5*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"10:31:00 rds:DescribeEvents demo Started cross AZ failover to DB instance: demo-2",
		"10:31:30 rds:DescribeEvents demo-1 A new writer was promoted. Restarting database as a reader.",
		"10:31:45 rds:DescribeEvents demo-1 DB instance restarted",
		"10:32:00 rds:DescribeEvents demo Completed failover to DB instance: demo-2",
	}
	if got := eventLines(evs); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if evs[0].Kind != "db-cluster" || evs[1].Kind != "db-instance" || evs[0].Observed {
		t.Errorf("kinds: %+v", evs[:2])
	}
}

func TestRDSInstanceEventsPaging(t *testing.T) {
	srv, clk, c := serviceEventsFake(t)
	srv.AddDBInstance(awstest.DBInstance{ID: "orders"})
	// 250 events, three pages of 100, added newest first to check ordering.
	for i := 249; i >= 0; i-- {
		srv.AddServiceEvent(awstest.ServiceEvent{SourceType: "db-instance", SourceID: "orders", Time: evT0.Add(time.Duration(i) * time.Second), Message: fmt.Sprintf("event %d", i)})
	}
	clk.Set(evT0.Add(time.Hour))
	evs, err := DefaultReaders()["aws:rds:db"](context.Background(), c, []health.Resource{{ID: "orders"}}, evT0.Add(10*time.Second), evT0.Add(240*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 231 || evs[0].Message != "event 10" || evs[230].Message != "event 240" {
		t.Fatalf("events: %d, first %q last %q", len(evs), evs[0].Message, evs[len(evs)-1].Message)
	}
	for i := 1; i < len(evs); i++ {
		if evs[i].Time.Before(evs[i-1].Time) {
			t.Fatal("not oldest first")
		}
	}
	if n := srv.CallCount("rds", "DescribeEvents"); n != 3 {
		t.Errorf("DescribeEvents calls = %d, want 3 pages", n)
	}
}

func TestRDSEventsErrors(t *testing.T) {
	srv, _, c := serviceEventsFake(t)
	srv.AddDBCluster(awstest.DBCluster{ID: "demo", Members: []awstest.DBClusterMember{{InstanceID: "demo-1", Writer: true}}})
	srv.AddServiceEvent(awstest.ServiceEvent{SourceType: "db-instance", SourceID: "demo-1", Time: evT0.Add(-time.Minute), Message: "DB instance restarted"})
	srv.InjectFault(awstest.Fault{Service: "rds", Operation: "DescribeDBClusters", Status: 403, Code: "AccessDenied", Message: "denied"})
	evs, err := DefaultReaders()["aws:rds:cluster"](context.Background(), c, []health.Resource{{ID: "demo"}}, evT0.Add(-time.Hour), evT0)
	if err == nil || !strings.Contains(err.Error(), "rds:DescribeDBClusters") || len(evs) != 0 {
		t.Errorf("events %v, err %v", evs, err)
	}
}

func TestDocDBClusterEvents(t *testing.T) {
	srv, _, c := serviceEventsFake(t)
	srv.AddDBCluster(awstest.DBCluster{ID: "docs", Engine: "docdb", Members: []awstest.DBClusterMember{{InstanceID: "docs-1", Writer: true}}})
	srv.AddServiceEvent(awstest.ServiceEvent{SourceType: "db-instance", SourceID: "docs-1", Time: evT0.Add(-2 * time.Minute), Message: "DB instance restarted"})
	srv.AddServiceEvent(awstest.ServiceEvent{SourceType: "db-cluster", SourceID: "docs", Time: evT0.Add(-3 * time.Minute), Message: "Started cross AZ failover to DB instance: docs-1"})
	evs, err := DefaultReaders()["aws:docdb:cluster"](context.Background(), c, []health.Resource{{ID: "docs"}}, evT0.Add(-time.Hour), evT0)
	if err != nil || len(evs) != 2 || evs[0].Source != SourceDocDBEvents || evs[0].Subject != "docs" || evs[1].Subject != "docs-1" {
		t.Errorf("events %v, err %v", eventLines(evs), err)
	}
}
