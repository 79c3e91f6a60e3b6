package awstest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"
	"github.com/fxamacker/cbor/v2"
)

var cwT0 = time.Date(2026, 4, 11, 10, 0, 0, 0, time.UTC)

func cwServer(t *testing.T) (*Server, *FakeClock, *cloudwatch.Client) {
	t.Helper()
	clk := NewFakeClock(cwT0)
	srv := New(WithClock(clk))
	t.Cleanup(srv.Close)
	return srv, clk, cloudwatch.NewFromConfig(srv.Config())
}

func TestCloudWatchDescribeAlarms(t *testing.T) {
	srv, _, cw := cwServer(t)
	srv.AddAlarm(Alarm{Name: "ok-alarm", State: AlarmOK, Reason: "fine", Namespace: "AWS/RDS", MetricName: "CPUUtilization", Dimensions: map[string]string{"DBClusterIdentifier": "db"}, Threshold: 90})
	srv.AddAlarm(Alarm{Name: "firing", State: AlarmAlarm, Reason: "Threshold Crossed"})
	srv.AddAlarm(Alarm{Name: "new"})
	srv.AddAlarm(Alarm{Name: "composite", Type: AlarmTypeComposite, State: AlarmOK, AlarmRule: "ALARM(firing)"})
	ctx := context.Background()

	tests := []struct {
		name          string
		in            cloudwatch.DescribeAlarmsInput
		wantMetric    []string
		wantComposite []string
	}{
		{"metric only by default", cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"ok-alarm", "composite", "missing"}}, []string{"ok-alarm"}, nil},
		{"both types", cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"ok-alarm", "composite", "missing"},
			AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm, cwtypes.AlarmTypeCompositeAlarm}}, []string{"ok-alarm"}, []string{"composite"}},
		{"prefix", cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String("fi")}, []string{"firing"}, nil},
		{"state filter", cloudwatch.DescribeAlarmsInput{StateValue: cwtypes.StateValueInsufficientData}, []string{"new"}, nil},
		{"all metric alarms", cloudwatch.DescribeAlarmsInput{}, []string{"firing", "new", "ok-alarm"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			out, err := cw.DescribeAlarms(ctx, &in)
			if err != nil {
				t.Fatal(err)
			}
			var gotM, gotC []string
			for _, a := range out.MetricAlarms {
				gotM = append(gotM, aws.ToString(a.AlarmName))
			}
			for _, a := range out.CompositeAlarms {
				gotC = append(gotC, aws.ToString(a.AlarmName))
			}
			if strings.Join(gotM, ",") != strings.Join(tc.wantMetric, ",") || strings.Join(gotC, ",") != strings.Join(tc.wantComposite, ",") {
				t.Fatalf("metric %v composite %v", gotM, gotC)
			}
		})
	}

	out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"ok-alarm", "new"}})
	if err != nil {
		t.Fatal(err)
	}
	a := out.MetricAlarms[1] // sorted: new, ok-alarm
	if aws.ToString(a.AlarmArn) != "arn:aws:cloudwatch:us-east-1:123456789012:alarm:ok-alarm" || a.StateValue != cwtypes.StateValueOk ||
		aws.ToString(a.StateReason) != "fine" || !aws.ToTime(a.StateUpdatedTimestamp).Equal(cwT0) ||
		aws.ToFloat64(a.Threshold) != 90 || len(a.Dimensions) != 1 || aws.ToString(a.Dimensions[0].Value) != "db" {
		t.Fatalf("alarm %+v", a)
	}
	if n := out.MetricAlarms[0]; n.StateValue != cwtypes.StateValueInsufficientData {
		t.Fatalf("new alarm state %q", n.StateValue)
	}
}

func TestCloudWatchDescribeAlarmsPaging(t *testing.T) {
	srv, _, cw := cwServer(t)
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		srv.AddAlarm(Alarm{Name: n, State: AlarmOK})
	}
	p := cloudwatch.NewDescribeAlarmsPaginator(cw, &cloudwatch.DescribeAlarmsInput{MaxRecords: aws.Int32(2)})
	var names []string
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, a := range out.MetricAlarms {
			names = append(names, aws.ToString(a.AlarmName))
		}
	}
	if pages != 3 || strings.Join(names, "") != "abcde" {
		t.Fatalf("pages %d names %v", pages, names)
	}
}

func TestCloudWatchErrors(t *testing.T) {
	_, _, cw := cwServer(t)
	ctx := context.Background()
	tooMany := make([]string, 101)
	for i := range tooMany {
		tooMany[i] = "a" + strings.Repeat("x", i)
	}
	tests := []struct {
		name     string
		call     func() error
		wantCode string
		wantType any
	}{
		{"too many names", func() error {
			_, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: tooMany})
			return err
		}, "InvalidParameterValue", &cwtypes.InvalidParameterValueException{}},
		{"bad next token", func() error {
			_, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{NextToken: aws.String("garbage")})
			return err
		}, "InvalidNextToken", &cwtypes.InvalidNextToken{}},
		{"start after end", func() error {
			_, err := cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{
				StartTime: aws.Time(cwT0), EndTime: aws.Time(cwT0.Add(-time.Hour)),
				MetricDataQueries: []cwtypes.MetricDataQuery{cwTestQuery("m0", "AWS/EC2", "CPUUtilization", "InstanceId", "i-1", 60)},
			})
			return err
		}, "InvalidParameterValue", &cwtypes.InvalidParameterValueException{}},
		{"bad period", func() error {
			_, err := cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{
				StartTime: aws.Time(cwT0.Add(-time.Hour)), EndTime: aws.Time(cwT0),
				MetricDataQueries: []cwtypes.MetricDataQuery{cwTestQuery("m0", "AWS/EC2", "CPUUtilization", "InstanceId", "i-1", 90)},
			})
			return err
		}, "InvalidParameterValue", &cwtypes.InvalidParameterValueException{}},
		{"bad query id", func() error {
			_, err := cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{
				StartTime: aws.Time(cwT0.Add(-time.Hour)), EndTime: aws.Time(cwT0),
				MetricDataQueries: []cwtypes.MetricDataQuery{cwTestQuery("M-0", "AWS/EC2", "CPUUtilization", "InstanceId", "i-1", 60)},
			})
			return err
		}, "InvalidParameterValue", &cwtypes.InvalidParameterValueException{}},
		{"too many queries", func() error {
			qs := make([]cwtypes.MetricDataQuery, 501)
			for i := range qs {
				qs[i] = cwTestQuery("m"+strings.Repeat("x", i), "AWS/EC2", "CPUUtilization", "InstanceId", "i-1", 60)
			}
			_, err := cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(cwT0.Add(-time.Hour)), EndTime: aws.Time(cwT0), MetricDataQueries: qs})
			return err
		}, "InvalidParameterValue", &cwtypes.InvalidParameterValueException{}},
		{"unmodelled operation", func() error {
			_, err := cw.ListDashboards(ctx, &cloudwatch.ListDashboardsInput{})
			return err
		}, "NotImplemented", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("want API error, got %v", err)
			}
			if apiErr.ErrorCode() != tc.wantCode {
				t.Fatalf("code %q want %q (%v)", apiErr.ErrorCode(), tc.wantCode, err)
			}
			switch want := tc.wantType.(type) {
			case *cwtypes.InvalidParameterValueException:
				if !errors.As(err, &want) || apiErr.ErrorFault() != smithy.FaultClient {
					t.Fatalf("want modelled InvalidParameterValueException, got %T %v", apiErr, err)
				}
			case *cwtypes.InvalidNextToken:
				if !errors.As(err, &want) {
					t.Fatalf("want modelled InvalidNextToken, got %T", apiErr)
				}
			}
		})
	}
}

func TestCloudWatchThrottlingRetried(t *testing.T) {
	srv, _, cw := cwServer(t)
	srv.AddAlarm(Alarm{Name: "a", State: AlarmOK})
	srv.InjectFault(Fault{Service: "monitoring", Operation: "DescribeAlarms", Status: 400, Code: "Throttling", Times: 2})
	out, err := cw.DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{},
		func(o *cloudwatch.Options) { o.Retryer = cwFastRetries(5)() })
	if err != nil {
		t.Fatal(err)
	}
	if len(out.MetricAlarms) != 1 || srv.CallCount("monitoring", "DescribeAlarms") != 3 {
		t.Fatalf("alarms %d calls %d", len(out.MetricAlarms), srv.CallCount("monitoring", "DescribeAlarms"))
	}
	// Exhausted retries surface the throttling code.
	srv.InjectFault(Fault{Service: "monitoring", Operation: "DescribeAlarms", Status: 400, Code: "Throttling"})
	_, err = cw.DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{}, func(o *cloudwatch.Options) { o.Retryer = cwFastRetries(2)() })
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "Throttling" {
		t.Fatalf("err %v", err)
	}
}

func TestCloudWatchAlarmHistory(t *testing.T) {
	srv, clk, cw := cwServer(t)
	srv.AddAlarm(Alarm{Name: "stop", State: AlarmOK, Reason: "ok"})
	srv.AddAlarm(Alarm{Name: "other", State: AlarmOK})
	clk.Advance(time.Minute)
	srv.SetAlarmState("stop", AlarmAlarm, "Threshold Crossed: 1 datapoint [95.0] was greater than the threshold (90.0).")
	srv.SetAlarmState("stop", AlarmAlarm, "still") // no transition, no history
	srv.SetAlarmStateAt(cwT0.Add(3*time.Minute), "stop", AlarmOK, "recovered")
	srv.SetAlarmState("other", AlarmAlarm, "x")
	clk.Advance(5 * time.Minute)
	ctx := context.Background()

	out, err := cw.DescribeAlarmHistory(ctx, &cloudwatch.DescribeAlarmHistoryInput{
		AlarmName: aws.String("stop"), HistoryItemType: cwtypes.HistoryItemTypeStateUpdate,
		StartDate: aws.Time(cwT0), EndDate: aws.Time(cwT0.Add(10 * time.Minute)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.AlarmHistoryItems) != 2 {
		t.Fatalf("items %+v", out.AlarmHistoryItems)
	}
	// Newest first by default.
	first, second := out.AlarmHistoryItems[1], out.AlarmHistoryItems[0]
	if !aws.ToTime(first.Timestamp).Equal(cwT0.Add(time.Minute)) || !aws.ToTime(second.Timestamp).Equal(cwT0.Add(3*time.Minute)) {
		t.Fatalf("times %v %v", first.Timestamp, second.Timestamp)
	}
	if aws.ToString(first.HistorySummary) != "Alarm updated from OK to ALARM" || first.AlarmType != cwtypes.AlarmTypeMetricAlarm {
		t.Fatalf("summary %q type %q", aws.ToString(first.HistorySummary), first.AlarmType)
	}
	var data struct {
		OldState, NewState struct{ StateValue, StateReason string }
	}
	if err := json.Unmarshal([]byte(aws.ToString(second.HistoryData)), &data); err != nil {
		t.Fatal(err)
	}
	if data.OldState.StateValue != "ALARM" || data.NewState.StateValue != "OK" || data.NewState.StateReason != "recovered" {
		t.Fatalf("data %+v", data)
	}

	// The window filters; ascending order on request.
	out, err = cw.DescribeAlarmHistory(ctx, &cloudwatch.DescribeAlarmHistoryInput{
		StartDate: aws.Time(cwT0.Add(30 * time.Second)), EndDate: aws.Time(cwT0.Add(150 * time.Second)), ScanBy: cwtypes.ScanByTimestampAscending,
	})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, it := range out.AlarmHistoryItems {
		names = append(names, aws.ToString(it.AlarmName))
	}
	if strings.Join(names, ",") != "stop,other" {
		t.Fatalf("items %v", names)
	}
}

func cwTestQuery(id, ns, metric, dim, value string, period int32) cwtypes.MetricDataQuery {
	return cwtypes.MetricDataQuery{
		Id: aws.String(id),
		MetricStat: &cwtypes.MetricStat{
			Metric: &cwtypes.Metric{Namespace: aws.String(ns), MetricName: aws.String(metric),
				Dimensions: []cwtypes.Dimension{{Name: aws.String(dim), Value: aws.String(value)}}},
			Period: aws.Int32(period), Stat: aws.String("Average"),
		},
	}
}

func TestCloudWatchGetMetricData(t *testing.T) {
	srv, _, cw := cwServer(t)
	start := cwT0.Add(-10 * time.Minute)
	srv.SetMetric("AWS/EC2", "CPUUtilization", map[string]string{"InstanceId": "i-1"}, func(t time.Time) float64 {
		if t.Equal(start.Add(5 * time.Minute)) {
			return math.NaN() // a gap
		}
		return float64(t.Sub(start) / time.Minute)
	})
	srv.PutMetricPoints("AWS/RDS", "DatabaseConnections", map[string]string{"DBClusterIdentifier": "db"},
		MetricPoint{start.Add(10 * time.Second), 10}, MetricPoint{start.Add(50 * time.Second), 20}, MetricPoint{start.Add(90 * time.Second), 7})
	ctx := context.Background()
	out, err := cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(start), EndTime: aws.Time(cwT0.Add(10 * time.Minute)), // the future has no data
		MetricDataQueries: []cwtypes.MetricDataQuery{
			cwTestQuery("cpu", "AWS/EC2", "CPUUtilization", "InstanceId", "i-1", 60),
			cwTestQuery("conn", "AWS/RDS", "DatabaseConnections", "DBClusterIdentifier", "db", 60),
			cwTestQuery("other", "AWS/EC2", "CPUUtilization", "InstanceId", "i-2", 60),
			cwTestQuery("wrongdim", "AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", "db", 60),
		},
		ScanBy: cwtypes.ScanByTimestampAscending,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.MetricDataResults) != 4 || aws.ToString(out.NextToken) != "" {
		t.Fatalf("results %d token %q", len(out.MetricDataResults), aws.ToString(out.NextToken))
	}
	cpu := out.MetricDataResults[0]
	// Periods 10:50 .. 11:00 have started by 11:00: 11 periods minus the gap.
	if aws.ToString(cpu.Id) != "cpu" || aws.ToString(cpu.Label) != "CPUUtilization" || cpu.StatusCode != cwtypes.StatusCodeComplete ||
		len(cpu.Values) != 10 || len(cpu.Timestamps) != 10 || cpu.Values[0] != 0 || cpu.Values[5] != 6 || !cpu.Timestamps[9].Equal(cwT0) {
		t.Fatalf("cpu %+v", cpu)
	}
	conn := out.MetricDataResults[1]
	if len(conn.Values) != 2 || conn.Values[0] != 15 || conn.Values[1] != 7 || !conn.Timestamps[1].Equal(start.Add(time.Minute)) {
		t.Fatalf("conn %+v", conn)
	}
	for _, r := range out.MetricDataResults[2:] {
		if len(r.Values) != 0 || r.StatusCode != cwtypes.StatusCodeComplete {
			t.Fatalf("%s: %+v", aws.ToString(r.Id), r)
		}
	}

	// Default order is newest first.
	out, err = cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(start), EndTime: aws.Time(cwT0),
		MetricDataQueries: []cwtypes.MetricDataQuery{cwTestQuery("cpu", "AWS/EC2", "CPUUtilization", "InstanceId", "i-1", 120)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if v := out.MetricDataResults[0].Values; len(v) != 5 || v[0] != 8 || v[4] != 0 {
		t.Fatalf("descending values %v", v)
	}
}

func TestCloudWatchGetMetricDataPaging(t *testing.T) {
	srv, _, cw := cwServer(t)
	start := cwT0.Add(-10 * time.Minute)
	for _, id := range []string{"i-1", "i-2"} {
		srv.SetMetric("AWS/EC2", "CPUUtilization", map[string]string{"InstanceId": id}, func(time.Time) float64 { return 1 })
	}
	srv.SetGetMetricDataPageSize(7)
	p := cloudwatch.NewGetMetricDataPaginator(cw, &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(start), EndTime: aws.Time(cwT0),
		MetricDataQueries: []cwtypes.MetricDataQuery{
			cwTestQuery("a", "AWS/EC2", "CPUUtilization", "InstanceId", "i-1", 60),
			cwTestQuery("b", "AWS/EC2", "CPUUtilization", "InstanceId", "i-2", 60),
		},
	})
	got := map[string]int{}
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range out.MetricDataResults {
			got[aws.ToString(r.Id)] += len(r.Values)
			if len(r.Values) != len(r.Timestamps) {
				t.Fatalf("page %d: %d values, %d timestamps", pages, len(r.Values), len(r.Timestamps))
			}
		}
	}
	if pages != 3 || got["a"] != 10 || got["b"] != 10 {
		t.Fatalf("pages %d got %v", pages, got)
	}
}

// TestCloudWatchWire checks the raw wire shapes: the request path the SDK uses, the
// reply headers, and a malformed CBOR body.
func TestCloudWatchWire(t *testing.T) {
	srv, _, cw := cwServer(t)
	srv.AddAlarm(Alarm{Name: "a", State: AlarmOK})
	if _, err := cw.DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	calls := srv.Calls("monitoring", "DescribeAlarms")
	if len(calls) != 1 {
		t.Fatalf("calls %+v", calls)
	}
	var body map[string]any
	if err := cbor.Unmarshal(calls[0].Body, &body); err != nil {
		t.Fatalf("request body is not CBOR: %v", err)
	}
	if names, _ := body["AlarmNames"].([]any); len(names) != 1 || names[0] != "a" {
		t.Fatalf("request body %v", body)
	}

	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/service/GraniteServiceVersion20100801/operation/GetMetricData", bytes.NewReader([]byte{0xff, 0x00}))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDFAKE/20260411/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=x")
	req.Header.Set("Smithy-Protocol", "rpc-v2-cbor")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var e map[string]string
	if err := cbor.Unmarshal(b, &e); err != nil {
		t.Fatalf("error body is not CBOR: %v", err)
	}
	if resp.StatusCode != 400 || resp.Header.Get("Smithy-Protocol") != "rpc-v2-cbor" || e["__type"] != "SerializationException" {
		t.Fatalf("status %d headers %v body %v", resp.StatusCode, resp.Header, e)
	}
}

// cwFastRetries keeps the SDK's standard retryer (and its retryable codes) without the backoff wait.
func cwFastRetries(attempts int) func() aws.Retryer {
	return func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = attempts
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return time.Millisecond, nil })
		})
	}
}
