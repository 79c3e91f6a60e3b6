// Package metrics reads the CloudWatch metrics and stop-condition alarm history of an
// experiment's window: a fixed metric set per FIS resource type, fetched with one
// batched GetMetricData call per namespace.
package metrics

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/session"
)

// Target is one affected resource whose metrics to read.
type Target struct {
	// Service names the affected service as the report shows it (e.g. "Aurora",
	// "DocumentDB"); for aws:rds:cluster a Service containing "docdb" or
	// "documentdb" selects the AWS/DocDB namespace.
	Service    string
	Identifier string
	// Type is the FIS resource type, e.g. "aws:rds:cluster".
	Type string
	// Dimensions, when set, replace the default dimensions of the resource-level
	// metrics (e.g. {"DBClusterIdentifier": "x", "Role": "WRITER"}).
	Dimensions map[string]string
	// MemberIDs are the member resources: cluster instances (DBInstanceIdentifier),
	// replication group member clusters (CacheClusterId), node group / Auto Scaling
	// group instances (InstanceId).
	MemberIDs []string
}

// MaxQueriesPerCall is GetMetricData's limit on MetricDataQueries.
const MaxQueriesPerCall = 500

// MaxPoints is the most datapoints per series Fetch asks for (the period grows with the window).
const MaxPoints = 60

// Periods. A standard-resolution metric can be read at 60 s or a multiple of 60; a
// high-resolution one (stored by PutMetricData with StorageResolution 1) also at 1, 5,
// 10, 20 or 30 s (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricStat.html, Period;
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Resolution_definition).
// Metrics that AWS services publish are standard resolution: sub-minute data exists
// only for custom metrics stored at 1-second resolution, and only for 3 hours
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricStatistics.html).
var highResPeriods = []time.Duration{time.Second, 5 * time.Second, 10 * time.Second, 30 * time.Second}

// MetricDataGetter is the CloudWatch call Fetch needs.
type MetricDataGetter interface {
	GetMetricData(ctx context.Context, in *cloudwatch.GetMetricDataInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error)
}

// AlarmHistoryReader is the CloudWatch call AlarmHistory needs.
type AlarmHistoryReader interface {
	DescribeAlarmHistory(ctx context.Context, in *cloudwatch.DescribeAlarmHistoryInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmHistoryOutput, error)
}

// metricDef is one metric of a resource type.
type metricDef struct {
	metric, stat, unit string
	// dim is the dimension the resource (or member) ID goes in.
	dim string
	// member: one series per MemberIDs entry rather than one for the resource.
	member bool
	// highRes: a high-resolution metric (sub-minute periods); every AWS-published
	// metric of the sets below is standard resolution.
	highRes bool
}

// Namespaces.
const (
	nsRDS         = "AWS/RDS"
	nsDocDB       = "AWS/DocDB"
	nsElastiCache = "AWS/ElastiCache"
	nsEC2         = "AWS/EC2"
)

var (
	ec2Metrics = []metricDef{
		{metric: "StatusCheckFailed", stat: "Maximum", unit: "Count", dim: "InstanceId"},
		{metric: "CPUUtilization", stat: "Average", unit: "Percent", dim: "InstanceId"},
	}
	ec2MemberMetrics = []metricDef{
		{metric: "StatusCheckFailed", stat: "Maximum", unit: "Count", dim: "InstanceId", member: true},
		{metric: "CPUUtilization", stat: "Average", unit: "Percent", dim: "InstanceId", member: true},
	}
	auroraMetrics = []metricDef{
		{metric: "DatabaseConnections", stat: "Average", unit: "Count", dim: "DBClusterIdentifier"},
		{metric: "CPUUtilization", stat: "Average", unit: "Percent", dim: "DBClusterIdentifier"},
		{metric: "AuroraReplicaLag", stat: "Maximum", unit: "Milliseconds", dim: "DBInstanceIdentifier", member: true},
	}
	docdbMetrics = []metricDef{
		{metric: "DatabaseConnections", stat: "Average", unit: "Count", dim: "DBClusterIdentifier"},
		{metric: "CPUUtilization", stat: "Average", unit: "Percent", dim: "DBClusterIdentifier"},
		// DocumentDB's per-instance replica lag metric.
		{metric: "DBInstanceReplicaLag", stat: "Maximum", unit: "Milliseconds", dim: "DBInstanceIdentifier", member: true},
	}
	rdsInstanceMetrics = []metricDef{
		{metric: "DatabaseConnections", stat: "Average", unit: "Count", dim: "DBInstanceIdentifier"},
		{metric: "CPUUtilization", stat: "Average", unit: "Percent", dim: "DBInstanceIdentifier"},
		{metric: "ReplicaLag", stat: "Maximum", unit: "Seconds", dim: "DBInstanceIdentifier"},
	}
	cacheMetrics = []metricDef{
		{metric: "CurrConnections", stat: "Average", unit: "Count", dim: "CacheClusterId", member: true},
		{metric: "ReplicationLag", stat: "Maximum", unit: "Seconds", dim: "CacheClusterId", member: true},
		{metric: "EngineCPUUtilization", stat: "Average", unit: "Percent", dim: "CacheClusterId", member: true},
	}
)

// metricSet returns the namespace and metrics of a target; ok is false for types without a set.
func metricSet(t Target) (namespace string, defs []metricDef, ok bool) {
	switch t.Type {
	case "aws:rds:cluster":
		svc := strings.ToLower(t.Service)
		if strings.Contains(svc, "docdb") || strings.Contains(svc, "documentdb") {
			return nsDocDB, docdbMetrics, true
		}
		return nsRDS, auroraMetrics, true
	case "aws:rds:db":
		return nsRDS, rdsInstanceMetrics, true
	case "aws:elasticache:replicationgroup", "aws:elasticache:redis-replicationgroup":
		return nsElastiCache, cacheMetrics, true
	case "aws:ec2:instance", "aws:ec2:spot-instance":
		return nsEC2, ec2Metrics, true
	case "aws:eks:nodegroup", "aws:ec2:autoscaling-group":
		return nsEC2, ec2MemberMetrics, true
	}
	return "", nil, false
}

// Supported reports whether Fetch has a metric set for the FIS resource type.
func Supported(resourceType string) bool {
	_, _, ok := metricSet(Target{Type: resourceType})
	return ok
}

// query is one series to read.
type query struct {
	namespace string
	dims      map[string]string
	def       metricDef
	service   string
	id        string // resource or member identifier
}

// queries lists the series Fetch reads for targets, in target and metric order.
func queries(targets []Target) []query {
	var out []query
	for _, t := range targets {
		ns, defs, ok := metricSet(t)
		if !ok {
			continue
		}
		for _, d := range defs {
			if d.member {
				for _, m := range t.MemberIDs {
					if m != "" {
						out = append(out, query{namespace: ns, dims: map[string]string{d.dim: m}, def: d, service: t.Service, id: m})
					}
				}
				continue
			}
			dims := map[string]string{d.dim: t.Identifier}
			if len(t.Dimensions) > 0 {
				dims = t.Dimensions
			} else if t.Identifier == "" {
				continue
			}
			out = append(out, query{namespace: ns, dims: dims, def: d, service: t.Service, id: t.Identifier})
		}
	}
	return out
}

// Period returns the period Fetch uses for a standard-resolution metric over a window:
// at most MaxPoints points, a multiple of 60 s, at least 60 s.
func Period(start, end time.Time) time.Duration {
	return PeriodFor(start, end, false)
}

// PeriodFor returns the period for one metric over [start, end): the shortest period
// CloudWatch allows for the metric's resolution that gives at most MaxPoints points,
// so a window gives as many points as it can (at least 10 once it is 10 periods long:
// 10 min for a standard metric, 10 s for a high-resolution one).
func PeriodFor(start, end time.Time, highRes bool) time.Duration {
	w := end.Sub(start)
	if highRes {
		for _, p := range highResPeriods {
			if w <= p*MaxPoints {
				return p
			}
		}
	}
	p := (w + MaxPoints - 1) / MaxPoints
	p = (p + time.Minute - 1) / time.Minute * time.Minute
	return max(p, time.Minute)
}

// Fetch reads the metric set of every target over [start, end): one GetMetricData call
// per namespace (more only beyond 500 queries or when CloudWatch pages the datapoints).
// It returns one series per (resource or member, metric), points in time order,
// possibly empty. Results of namespaces that were read are returned even when
// another namespace failed; err then joins the failures.
func Fetch(ctx context.Context, c *awsapi.Clients, targets []Target, start, end time.Time) ([]session.MetricSeries, error) {
	return fetch(ctx, c.CloudWatch, targets, start, end)
}

func fetch(ctx context.Context, cw MetricDataGetter, targets []Target, start, end time.Time) ([]session.MetricSeries, error) {
	return fetchQueries(ctx, cw, queries(targets), start, end)
}

// group is the queries read with one period in one namespace.
type group struct {
	namespace string
	period    time.Duration
}

func fetchQueries(ctx context.Context, cw MetricDataGetter, qs []query, start, end time.Time) ([]session.MetricSeries, error) {
	if !start.Before(end) {
		return nil, fmt.Errorf("metrics: window start %s is not before end %s", start.Format(time.RFC3339), end.Format(time.RFC3339))
	}
	if len(qs) == 0 {
		return nil, nil
	}
	// Group by namespace and period (each metric's own), in first-seen order.
	var order []group
	byGroup := map[group][]int{}
	for i, q := range qs {
		g := group{q.namespace, PeriodFor(start, end, q.def.highRes)}
		if _, ok := byGroup[g]; !ok {
			order = append(order, g)
		}
		byGroup[g] = append(byGroup[g], i)
	}
	series := make([]session.MetricSeries, len(qs))
	done := make([]bool, len(qs))
	for i, q := range qs {
		series[i] = session.MetricSeries{
			Service: q.service, Identifier: q.id, Namespace: q.namespace,
			Metric: q.def.metric, Stat: q.def.stat, Unit: q.def.unit, Points: []session.MetricPoint{},
			PeriodSeconds: int(PeriodFor(start, end, q.def.highRes) / time.Second), HighResolution: q.def.highRes,
		}
	}
	var errs []error
	for _, g := range order {
		idx := byGroup[g]
		// Periods start on period boundaries, as CloudWatch rounds StartTime.
		from0 := start.Truncate(g.period)
		for from := 0; from < len(idx); from += MaxQueriesPerCall {
			chunk := idx[from:min(from+MaxQueriesPerCall, len(idx))]
			bad, err := fetchChunk(ctx, cw, qs, chunk, series, from0, end, g.period)
			if err != nil {
				errs = append(errs, err)
			}
			for _, i := range chunk {
				done[i] = !bad[i]
			}
		}
	}
	out := make([]session.MetricSeries, 0, len(qs))
	for i := range series {
		if done[i] {
			sort.SliceStable(series[i].Points, func(a, b int) bool { return series[i].Points[a].Time.Before(series[i].Points[b].Time) })
			out = append(out, series[i])
		}
	}
	return out, errors.Join(errs...)
}

// fetchChunk reads up to 500 queries of one namespace, following NextToken. bad marks
// the queries that could not be read (all of them when the call failed).
func fetchChunk(ctx context.Context, cw MetricDataGetter, qs []query, chunk []int, series []session.MetricSeries,
	start, end time.Time, period time.Duration) (bad map[int]bool, err error) {
	ns := qs[chunk[0]].namespace
	in := &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(start),
		EndTime:   aws.Time(end),
		ScanBy:    cwtypes.ScanByTimestampAscending,
	}
	byID := map[string]int{}
	for k, i := range chunk {
		q := qs[i]
		id := "m" + strconv.Itoa(k)
		byID[id] = i
		dims := make([]cwtypes.Dimension, 0, len(q.dims))
		for _, name := range sortedKeys(q.dims) {
			dims = append(dims, cwtypes.Dimension{Name: aws.String(name), Value: aws.String(q.dims[name])})
		}
		in.MetricDataQueries = append(in.MetricDataQueries, cwtypes.MetricDataQuery{
			Id: aws.String(id),
			MetricStat: &cwtypes.MetricStat{
				Metric: &cwtypes.Metric{Namespace: aws.String(ns), MetricName: aws.String(q.def.metric), Dimensions: dims},
				Period: aws.Int32(int32(period / time.Second)),
				Stat:   aws.String(q.def.stat),
			},
			ReturnData: aws.Bool(true),
		})
	}
	resource := fmt.Sprintf("%s (%d queries)", ns, len(chunk))
	var problems []string
	bad = map[int]bool{}
	for {
		res, err := cw.GetMetricData(ctx, in)
		if err != nil {
			for _, i := range chunk {
				bad[i] = true
			}
			return bad, awsapi.Wrap(err, "cloudwatch GetMetricData", resource, "cloudwatch:GetMetricData")
		}
		for _, r := range res.MetricDataResults {
			i, ok := byID[aws.ToString(r.Id)]
			if !ok {
				continue
			}
			switch r.StatusCode {
			case cwtypes.StatusCodeForbidden, cwtypes.StatusCodeInternalError:
				bad[i] = true
				problems = append(problems, fmt.Sprintf("%s %s: %s%s", qs[i].def.metric, qs[i].id, r.StatusCode, messages(r.Messages)))
			}
			n := min(len(r.Timestamps), len(r.Values))
			for k := 0; k < n; k++ {
				series[i].Points = append(series[i].Points, session.MetricPoint{Time: r.Timestamps[k].UTC(), Value: r.Values[k]})
			}
		}
		next := aws.ToString(res.NextToken)
		if next == "" || next == aws.ToString(in.NextToken) {
			break
		}
		in.NextToken = aws.String(next)
	}
	if len(problems) > 0 {
		return bad, fmt.Errorf("cloudwatch GetMetricData %s: %s", resource, strings.Join(problems, "; "))
	}
	return bad, nil
}

func messages(ms []cwtypes.MessageData) string {
	var parts []string
	for _, m := range ms {
		parts = append(parts, strings.TrimSpace(aws.ToString(m.Code)+" "+aws.ToString(m.Value)))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
