package metrics

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/session"
)

func TestAlarmHistory(t *testing.T) {
	clk := awstest.NewFakeClock(t0)
	srv := awstest.New(awstest.WithClock(clk))
	defer srv.Close()
	srv.AddAlarm(awstest.Alarm{Name: "stop", State: awstest.AlarmOK, Reason: "ok"})
	srv.AddAlarm(awstest.Alarm{Name: "comp", Type: awstest.AlarmTypeComposite, State: awstest.AlarmOK})
	srv.SetAlarmStateAt(t0.Add(2*time.Minute), "stop", awstest.AlarmAlarm, "Threshold Crossed: 1 datapoint [95.0]")
	srv.SetAlarmStateAt(t0.Add(6*time.Minute), "stop", awstest.AlarmOK, "Threshold Crossed: back to normal")
	srv.SetAlarmStateAt(t0.Add(3*time.Minute), "comp", awstest.AlarmAlarm, "child in alarm")
	srv.SetAlarmStateAt(t0.Add(30*time.Minute), "stop", awstest.AlarmAlarm, "after the window")
	// Items whose HistoryData is not JSON fall back to the summary; ones with neither are skipped.
	srv.AddAlarmHistory(awstest.AlarmHistoryItem{AlarmName: "stop", Time: t0.Add(4 * time.Minute), HistoryItemType: "StateUpdate",
		Summary: "Alarm updated from ALARM to INSUFFICIENT_DATA", Data: "{not json"})
	srv.AddAlarmHistory(awstest.AlarmHistoryItem{AlarmName: "stop", Time: t0.Add(5 * time.Minute), HistoryItemType: "StateUpdate",
		Summary: "something else", Data: `{"version":"1.0"}`})
	srv.AddAlarmHistory(awstest.AlarmHistoryItem{AlarmName: "stop", Time: t0.Add(5 * time.Minute), HistoryItemType: "Action",
		Summary: "Successfully executed action arn:aws:sns:..."})
	clk.Advance(40 * time.Minute)
	c := awsapi.NewClients(srv.Config())
	if _, err := c.CloudWatch.DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{}); err != nil { // applies the scheduled changes
		t.Fatal(err)
	}
	srv.DeleteAlarm("comp") // history outlives the alarm

	got, err := AlarmHistory(context.Background(), c, []string{"stop", "comp", "missing", "stop"}, t0, t0.Add(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	want := []session.AlarmTransition{
		{Alarm: "stop", Time: t0.Add(2 * time.Minute), From: "OK", To: "ALARM", Reason: "Threshold Crossed: 1 datapoint [95.0]"},
		{Alarm: "comp", Time: t0.Add(3 * time.Minute), From: "OK", To: "ALARM", Reason: "child in alarm"},
		{Alarm: "stop", Time: t0.Add(4 * time.Minute), From: "ALARM", To: "INSUFFICIENT_DATA"},
		{Alarm: "stop", Time: t0.Add(6 * time.Minute), From: "ALARM", To: "OK", Reason: "Threshold Crossed: back to normal"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("transition %d: got %+v want %+v", i, got[i], want[i])
		}
	}
	if n := srv.CallCount("monitoring", "DescribeAlarmHistory"); n != 3 {
		t.Fatalf("DescribeAlarmHistory calls %d, want one per distinct alarm", n)
	}
}

func TestAlarmHistoryErrors(t *testing.T) {
	srv := awstest.New(awstest.WithClock(awstest.NewFakeClock(t0)))
	defer srv.Close()
	srv.AddAlarm(awstest.Alarm{Name: "a", State: awstest.AlarmOK})
	srv.AddAlarm(awstest.Alarm{Name: "b", State: awstest.AlarmOK})
	srv.SetAlarmState("b", awstest.AlarmAlarm, "x")
	cfg := srv.Config()
	cfg.RetryMaxAttempts = 1
	srv.InjectFault(awstest.Fault{Service: "monitoring", Operation: "DescribeAlarmHistory", Status: 403, Code: "AccessDenied", Times: 1})
	got, err := AlarmHistory(context.Background(), awsapi.NewClients(cfg), []string{"a", "b"}, t0.Add(-time.Minute), t0.Add(time.Minute))
	if err == nil || !strings.Contains(err.Error(), "cloudwatch:DescribeAlarmHistory") || !strings.Contains(err.Error(), " a:") {
		t.Fatalf("err %v", err)
	}
	if len(got) != 1 || got[0].Alarm != "b" || got[0].To != "ALARM" {
		t.Fatalf("partial %+v", got)
	}
}
