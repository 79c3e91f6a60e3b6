package metrics

import (
	"context"
	"testing"
	"time"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/awstest"
)

func TestPeriodForResolution(t *testing.T) {
	tests := []struct {
		window  time.Duration
		highRes bool
		want    time.Duration
	}{
		{10 * time.Second, true, time.Second},
		{time.Minute, true, time.Second},
		{61 * time.Second, true, 5 * time.Second},
		{5 * time.Minute, true, 5 * time.Second},
		{10 * time.Minute, true, 10 * time.Second},
		{20 * time.Minute, true, 30 * time.Second},
		{30 * time.Minute, true, 30 * time.Second},
		{31 * time.Minute, true, time.Minute},
		{90 * time.Minute, true, 2 * time.Minute},
		// Standard resolution never goes below 60 s.
		{5 * time.Minute, false, time.Minute},
		{10 * time.Minute, false, time.Minute},
		{90 * time.Minute, false, 2 * time.Minute},
	}
	for _, tc := range tests {
		got := PeriodFor(t0, t0.Add(tc.window), tc.highRes)
		if got != tc.want {
			t.Errorf("PeriodFor(%s, highRes=%v) = %s, want %s", tc.window, tc.highRes, got, tc.want)
		}
		if n := (tc.window + got - 1) / got; n > MaxPoints {
			t.Errorf("PeriodFor(%s, %v) gives %d points", tc.window, tc.highRes, n)
		}
		// At least 10 points whenever the resolution allows it.
		if least := 10 * map[bool]time.Duration{true: time.Second, false: time.Minute}[tc.highRes]; tc.window >= least && tc.window/got < 10 {
			t.Errorf("PeriodFor(%s, %v) = %s gives fewer than 10 points", tc.window, tc.highRes, got)
		}
	}
}

// Each metric is read with its own resolution's period, and the series record it.
func TestFetchPeriodPerMetric(t *testing.T) {
	end := t0.Add(5 * time.Minute)
	clk := awstest.NewFakeClock(end)
	srv := awstest.New(awstest.WithClock(clk))
	defer srv.Close()
	one := func(time.Time) float64 { return 1 }
	srv.SetMetric("App", "Latency", map[string]string{"Service": "web"}, one)
	srv.SetMetricStorageResolution("App", "Latency", map[string]string{"Service": "web"}, 1)
	srv.SetMetric("App", "Requests", map[string]string{"Service": "web"}, one)
	qs := []query{
		{namespace: "App", dims: map[string]string{"Service": "web"}, def: metricDef{metric: "Latency", stat: "Average", highRes: true}, id: "web"},
		{namespace: "App", dims: map[string]string{"Service": "web"}, def: metricDef{metric: "Requests", stat: "Sum"}, id: "web"},
	}
	got, err := fetchQueries(context.Background(), awsapi.NewClients(srv.Config()).CloudWatch, qs, t0, end)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("series %+v", got)
	}
	hi, std := got[0], got[1]
	if !hi.HighResolution || hi.PeriodSeconds != 5 || len(hi.Points) != 60 {
		t.Errorf("high-resolution series: period %d s, high %v, %d points (want 5 s, 60 points)", hi.PeriodSeconds, hi.HighResolution, len(hi.Points))
	}
	if std.HighResolution || std.PeriodSeconds != 60 || len(std.Points) != 5 {
		t.Errorf("standard series: period %d s, high %v, %d points (want 60 s, 5 points)", std.PeriodSeconds, std.HighResolution, len(std.Points))
	}
	// Two periods, two calls (one period per call).
	if n := len(srv.Calls("monitoring", "GetMetricData")); n != 2 {
		t.Errorf("%d GetMetricData calls, want 2", n)
	}
}

// Every metric AWS services publish is standard resolution: the sets never ask for a
// sub-minute period, which would return only one point per minute.
func TestMetricSetsAreStandardResolution(t *testing.T) {
	for _, typ := range []string{"aws:rds:cluster", "aws:rds:db", "aws:elasticache:replicationgroup", "aws:ec2:instance", "aws:eks:nodegroup"} {
		_, defs, _ := metricSet(Target{Type: typ})
		for _, d := range defs {
			if d.highRes {
				t.Errorf("%s %s marked high-resolution", typ, d.metric)
			}
		}
	}
	clk := awstest.NewFakeClock(t0.Add(30 * time.Minute))
	srv := awstest.New(awstest.WithClock(clk))
	defer srv.Close()
	srv.SetMetric("AWS/EC2", "CPUUtilization", map[string]string{"InstanceId": "i-1"}, func(time.Time) float64 { return 5 })
	got, err := Fetch(context.Background(), awsapi.NewClients(srv.Config()), []Target{{Identifier: "i-1", Type: "aws:ec2:instance"}}, t0, t0.Add(30*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range got {
		if s.PeriodSeconds != 60 || s.HighResolution {
			t.Errorf("%s: period %d s, high %v", s.Metric, s.PeriodSeconds, s.HighResolution)
		}
	}
}
