package metrics

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/session"
)

var t0 = time.Date(2026, 4, 11, 10, 0, 0, 0, time.UTC)

func TestPeriod(t *testing.T) {
	tests := []struct {
		window time.Duration
		want   time.Duration
	}{
		{time.Minute, time.Minute},
		{30 * time.Minute, time.Minute},
		{60 * time.Minute, time.Minute},
		{61 * time.Minute, 2 * time.Minute},
		{3 * time.Hour, 3 * time.Minute},
		{25 * time.Hour, 25 * time.Minute},
		{25*time.Hour + time.Minute, 26 * time.Minute},
	}
	for _, tc := range tests {
		got := Period(t0, t0.Add(tc.window))
		if got != tc.want {
			t.Errorf("Period(%s) = %s, want %s", tc.window, got, tc.want)
		}
		if n := tc.window / got; n > MaxPoints {
			t.Errorf("Period(%s) gives %d points", tc.window, n)
		}
	}
}

// seriesKey names a series for assertions.
func seriesKey(s session.MetricSeries) string {
	return s.Namespace + " " + s.Metric + " " + s.Identifier
}

func TestFetchBatchesOneCallPerNamespace(t *testing.T) {
	clk := awstest.NewFakeClock(t0.Add(30 * time.Minute))
	srv := awstest.New(awstest.WithClock(clk))
	defer srv.Close()
	ramp := func(t time.Time) float64 { return float64(t.Sub(t0) / time.Minute) }
	srv.SetMetric("AWS/RDS", "DatabaseConnections", map[string]string{"DBClusterIdentifier": "aurora"}, ramp)
	srv.SetMetric("AWS/RDS", "AuroraReplicaLag", map[string]string{"DBInstanceIdentifier": "aurora-2"}, func(time.Time) float64 { return 12.5 })
	srv.SetMetric("AWS/RDS", "CPUUtilization", map[string]string{"DBInstanceIdentifier": "mysql"}, func(time.Time) float64 { return 40 })
	srv.SetMetric("AWS/DocDB", "DBInstanceReplicaLag", map[string]string{"DBInstanceIdentifier": "docdb-2"}, func(time.Time) float64 { return 3 })
	srv.SetMetric("AWS/ElastiCache", "ReplicationLag", map[string]string{"CacheClusterId": "redis-002"}, func(time.Time) float64 { return 0.5 })
	srv.SetMetric("AWS/EC2", "StatusCheckFailed", map[string]string{"InstanceId": "i-node2"}, func(t time.Time) float64 {
		if t.Before(t0.Add(10 * time.Minute)) {
			return 0
		}
		return 1
	})
	srv.SetMetric("AWS/EC2", "CPUUtilization", map[string]string{"InstanceId": "i-1"}, func(time.Time) float64 { return 7 })

	targets := []Target{
		{Service: "Aurora", Identifier: "aurora", Type: "aws:rds:cluster", MemberIDs: []string{"aurora-1", "aurora-2"}},
		{Service: "RDS", Identifier: "mysql", Type: "aws:rds:db"},
		{Service: "DocumentDB", Identifier: "docdb", Type: "aws:rds:cluster", MemberIDs: []string{"docdb-1", "docdb-2"}},
		{Service: "ElastiCache", Identifier: "redis", Type: "aws:elasticache:replicationgroup", MemberIDs: []string{"redis-001", "redis-002"}},
		{Service: "EKS", Identifier: "prod/ng", Type: "aws:eks:nodegroup", MemberIDs: []string{"i-node1", "i-node2"}},
		{Service: "EC2", Identifier: "i-1", Type: "aws:ec2:instance"},
		{Service: "Lambda", Identifier: "fn", Type: "aws:lambda:function"}, // no metric set
	}
	got, err := Fetch(context.Background(), awsapi.NewClients(srv.Config()), targets, t0, t0.Add(30*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	// 2+2+3 RDS, 2+2 DocDB, 6 ElastiCache, 4+2 EC2.
	if len(got) != 23 {
		keys := make([]string, len(got))
		for i, s := range got {
			keys[i] = seriesKey(s)
		}
		t.Fatalf("got %d series: %v", len(got), keys)
	}
	calls := srv.Calls("monitoring", "GetMetricData")
	perNS := map[string]int{}
	for _, c := range calls {
		var body struct {
			MetricDataQueries []struct {
				MetricStat struct {
					Metric struct{ Namespace string }
					Period int
				}
			}
		}
		if err := cbor.Unmarshal(c.Body, &body); err != nil {
			t.Fatal(err)
		}
		ns := body.MetricDataQueries[0].MetricStat.Metric.Namespace
		for _, q := range body.MetricDataQueries {
			if q.MetricStat.Metric.Namespace != ns || q.MetricStat.Period != 60 {
				t.Fatalf("call mixes namespaces or wrong period: %+v", body)
			}
		}
		perNS[ns]++
	}
	if len(calls) != 4 || perNS["AWS/RDS"] != 1 || perNS["AWS/DocDB"] != 1 || perNS["AWS/ElastiCache"] != 1 || perNS["AWS/EC2"] != 1 {
		t.Fatalf("GetMetricData calls %d per namespace %v", len(calls), perNS)
	}

	byKey := map[string]session.MetricSeries{}
	for _, s := range got {
		byKey[seriesKey(s)] = s
		if s.Points == nil {
			t.Fatalf("%s: nil points", seriesKey(s))
		}
	}
	conn := byKey["AWS/RDS DatabaseConnections aurora"]
	if conn.Service != "Aurora" || conn.Stat != "Average" || conn.Unit != "Count" || len(conn.Points) != 30 ||
		conn.Points[0].Value != 0 || conn.Points[29].Value != 29 || !conn.Points[1].Time.Equal(t0.Add(time.Minute)) {
		t.Fatalf("connections %+v", conn)
	}
	if lag := byKey["AWS/RDS AuroraReplicaLag aurora-2"]; lag.Unit != "Milliseconds" || len(lag.Points) != 30 || lag.Points[0].Value != 12.5 {
		t.Fatalf("replica lag %+v", lag)
	}
	if s, ok := byKey["AWS/RDS AuroraReplicaLag aurora-1"]; !ok || len(s.Points) != 0 {
		t.Fatalf("writer lag should be present and empty: %+v", s)
	}
	if s := byKey["AWS/DocDB DBInstanceReplicaLag docdb-2"]; len(s.Points) != 30 {
		t.Fatalf("docdb %+v", s)
	}
	if s := byKey["AWS/ElastiCache ReplicationLag redis-002"]; s.Unit != "Seconds" || len(s.Points) != 30 {
		t.Fatalf("elasticache %+v", s)
	}
	sc := byKey["AWS/EC2 StatusCheckFailed i-node2"]
	if sc.Service != "EKS" || sc.Stat != "Maximum" || len(sc.Points) != 30 || sc.Points[9].Value != 0 || sc.Points[10].Value != 1 {
		t.Fatalf("status check %+v", sc)
	}
	if s := byKey["AWS/RDS CPUUtilization mysql"]; len(s.Points) != 30 || s.Points[0].Value != 40 {
		t.Fatalf("rds instance %+v", s)
	}
}

func TestFetchOver500QueriesAndPaging(t *testing.T) {
	clk := awstest.NewFakeClock(t0.Add(10 * time.Minute))
	srv := awstest.New(awstest.WithClock(clk))
	defer srv.Close()
	// 300 instances x 2 EC2 metrics = 600 queries: two calls of <= 500.
	var members []string
	for i := 0; i < 300; i++ {
		id := fmt.Sprintf("i-%04d", i)
		members = append(members, id)
		srv.SetMetric("AWS/EC2", "CPUUtilization", map[string]string{"InstanceId": id}, func(time.Time) float64 { return float64(i) })
	}
	// And CloudWatch pages the datapoints (1,000 per page).
	srv.SetGetMetricDataPageSize(1000)
	got, err := Fetch(context.Background(), awsapi.NewClients(srv.Config()),
		[]Target{{Service: "EKS", Identifier: "ng", Type: "aws:eks:nodegroup", MemberIDs: members}}, t0, t0.Add(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	calls := srv.Calls("monitoring", "GetMetricData")
	sizes := map[int]int{}
	tokens := 0
	for _, c := range calls {
		var body struct {
			MetricDataQueries []any
			NextToken         string
		}
		if err := cbor.Unmarshal(c.Body, &body); err != nil {
			t.Fatal(err)
		}
		if len(body.MetricDataQueries) > MaxQueriesPerCall {
			t.Fatalf("call with %d queries", len(body.MetricDataQueries))
		}
		sizes[len(body.MetricDataQueries)]++
		if body.NextToken != "" {
			tokens++
		}
	}
	// First call: 300 StatusCheckFailed (no data) + 200 CPU queries of 10 points = 2 pages of 1,000;
	// second call: 100 CPU queries = 1,000 points, one page.
	if sizes[500] != 2 || sizes[100] != 1 || tokens != 1 {
		t.Fatalf("calls by size %v, with token %d", sizes, tokens)
	}
	if len(got) != 600 {
		t.Fatalf("series %d", len(got))
	}
	for _, s := range got {
		if s.Metric == "CPUUtilization" && len(s.Points) != 10 {
			t.Fatalf("%s: %d points", seriesKey(s), len(s.Points))
		}
		if s.Metric == "CPUUtilization" && s.Identifier == "i-0299" && s.Points[9].Value != 299 {
			t.Fatalf("values mixed up: %+v", s.Points)
		}
	}
}

func TestFetchErrors(t *testing.T) {
	srv := awstest.New(awstest.WithClock(awstest.NewFakeClock(t0.Add(time.Hour))))
	defer srv.Close()
	srv.SetMetric("AWS/EC2", "CPUUtilization", map[string]string{"InstanceId": "i-1"}, func(time.Time) float64 { return 1 })
	cfg := srv.Config()
	cfg.RetryMaxAttempts = 1
	c := awsapi.NewClients(cfg)
	ctx := context.Background()
	targets := []Target{
		{Service: "RDS", Identifier: "db", Type: "aws:rds:db"},
		{Service: "EC2", Identifier: "i-1", Type: "aws:ec2:instance"},
	}

	if _, err := Fetch(ctx, c, targets, t0, t0); err == nil {
		t.Fatal("empty window: want error")
	}
	if got, err := Fetch(ctx, c, []Target{{Type: "aws:lambda:function", Identifier: "x"}}, t0, t0.Add(time.Hour)); err != nil || len(got) != 0 {
		t.Fatalf("unsupported only: %v %v", got, err)
	}
	if srv.CallCount("monitoring", "GetMetricData") != 0 {
		t.Fatal("no call expected for an empty window or unsupported types")
	}

	// The first (RDS) call is denied: EC2's series still come back, with the error.
	srv.InjectFault(awstest.Fault{Service: "monitoring", Operation: "GetMetricData", Status: 403, Code: "AccessDenied", Times: 1})
	got, err := Fetch(ctx, c, targets, t0, t0.Add(time.Hour))
	if err == nil || !strings.Contains(err.Error(), "cloudwatch:GetMetricData") || !strings.Contains(err.Error(), "AWS/RDS") {
		t.Fatalf("err %v", err)
	}
	if len(got) != 2 || got[0].Namespace != "AWS/EC2" || len(got[0].Points) != 0 || len(got[1].Points) != 60 {
		t.Fatalf("partial result %+v", got)
	}
}
