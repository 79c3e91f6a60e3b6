package awstest

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// Sub-minute periods: a standard-resolution metric only has its one-minute values (in
// the periods starting on a whole minute), a high-resolution one has every period, and
// no metric has sub-minute data for a start more than 3 hours ago.
func TestCloudWatchGetMetricDataResolution(t *testing.T) {
	srv, _, cw := cwServer(t)
	start := cwT0.Add(-3 * time.Minute)
	value := func(t time.Time) float64 { return float64(t.Sub(start) / time.Second) }
	srv.SetMetric("AWS/RDS", "CPUUtilization", map[string]string{"DBClusterIdentifier": "db"}, value)
	srv.SetMetric("App", "Latency", map[string]string{"Service": "web"}, value)
	srv.SetMetricStorageResolution("App", "Latency", map[string]string{"Service": "web"}, 1)
	srv.PutMetricPoints("AWS/RDS", "DatabaseConnections", map[string]string{"DBClusterIdentifier": "db"},
		MetricPoint{start.Add(5 * time.Second), 10}, MetricPoint{start.Add(35 * time.Second), 20})

	read := func(from time.Time, period int32) []cwtypes.MetricDataResult {
		t.Helper()
		out, err := cw.GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{
			StartTime: aws.Time(from), EndTime: aws.Time(cwT0),
			MetricDataQueries: []cwtypes.MetricDataQuery{
				cwTestQuery("std", "AWS/RDS", "CPUUtilization", "DBClusterIdentifier", "db", period),
				cwTestQuery("hi", "App", "Latency", "Service", "web", period),
				cwTestQuery("pts", "AWS/RDS", "DatabaseConnections", "DBClusterIdentifier", "db", period),
			},
			ScanBy: cwtypes.ScanByTimestampAscending,
		})
		if err != nil {
			t.Fatal(err)
		}
		return out.MetricDataResults
	}
	tests := []struct {
		name         string
		from         time.Time
		period       int32
		std, hi, pts int
	}{
		// 3 minutes at 10 s: 18 periods; the standard metric has 3 (10:57, 10:58, 10:59).
		{"10 s", start, 10, 3, 18, 1},
		// The start is rounded down to the period: 10:56:55 → 10:56:50, 19 periods.
		{"10 s unaligned start", start.Add(-5 * time.Second), 10, 3, 19, 1},
		{"60 s", start, 60, 3, 3, 1},
		{"10 s older than 3 h", cwT0.Add(-3*time.Hour - time.Minute), 10, 0, 0, 0},
		{"60 s older than 3 h", cwT0.Add(-3*time.Hour - time.Minute), 60, 181, 181, 1},
	}
	for _, tc := range tests {
		rs := read(tc.from, tc.period)
		if got := len(rs[0].Values); got != tc.std {
			t.Errorf("%s: standard metric has %d points, want %d (%v)", tc.name, got, tc.std, rs[0].Timestamps)
		}
		if got := len(rs[1].Values); got != tc.hi {
			t.Errorf("%s: high-resolution metric has %d points, want %d", tc.name, got, tc.hi)
		}
		if got := len(rs[2].Values); got != tc.pts {
			t.Errorf("%s: explicit points give %d values, want %d", tc.name, got, tc.pts)
		}
		for _, ts := range rs[0].Timestamps {
			if !ts.Equal(ts.Truncate(time.Minute)) {
				t.Errorf("%s: standard metric has a sub-minute point at %s", tc.name, ts)
			}
		}
	}
	// The standard metric's explicit points are its minute's value (average of 10 and 20),
	// at the minute, even with a 10 s period.
	if rs := read(start, 10); len(rs[2].Values) != 1 || rs[2].Values[0] != 15 || !rs[2].Timestamps[0].Equal(start) {
		t.Fatalf("points at 10 s: %v %v", rs[2].Timestamps, rs[2].Values)
	}
}
