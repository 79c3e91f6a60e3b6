package health

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/session"
)

func testAlarmARN(name string) string {
	return "arn:aws:cloudwatch:us-east-1:123456789012:alarm:" + name
}

func TestAlarmName(t *testing.T) {
	tests := map[string]string{
		testAlarmARN("fis-stop-x"):                  "fis-stop-x",
		testAlarmARN("with:colon"):                  "with:colon",
		"plain-name":                                "plain-name",
		"arn:aws:cloudwatch:us-east-1:1:alarm:a b ": "a b ",
	}
	for in, want := range tests {
		if got := AlarmName(in); got != want {
			t.Errorf("AlarmName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckAlarms(t *testing.T) {
	srv := awstest.New(awstest.WithClock(awstest.NewFakeClock(time.Date(2026, 4, 11, 10, 0, 0, 0, time.UTC))))
	defer srv.Close()
	srv.AddAlarm(awstest.Alarm{Name: "ok", State: awstest.AlarmOK})
	srv.AddAlarm(awstest.Alarm{Name: "firing", State: awstest.AlarmAlarm, Reason: "Threshold Crossed: 5xx > 10"})
	srv.AddAlarm(awstest.Alarm{Name: "nodata", State: awstest.AlarmInsufficientData, Reason: "Insufficient Data"})
	srv.AddAlarm(awstest.Alarm{Name: "composite-ok", Type: awstest.AlarmTypeComposite, State: awstest.AlarmOK, AlarmRule: "ALARM(ok)"})
	srv.AddAlarm(awstest.Alarm{Name: "composite-alarm", Type: awstest.AlarmTypeComposite, State: awstest.AlarmAlarm, AlarmRule: "ALARM(firing)"})
	c := awsapi.NewClients(srv.Config())

	conds := []session.StopCondition{{Source: "none"}}
	for _, n := range []string{"ok", "firing", "nodata", "missing", "composite-ok", "composite-alarm"} {
		conds = append(conds, session.StopCondition{Source: StopSourceAlarm, Value: testAlarmARN(n)})
	}
	got := CheckAlarms(context.Background(), c, conds)

	want := []struct {
		name, state string
		exists      bool
		healthy     bool
		detail      string
		note        string
	}{
		{"ok", "OK", true, true, "", ""},
		{"firing", "ALARM", true, false, "already in ALARM: the experiment would stop at once", ""},
		// INSUFFICIENT_DATA does not block: FIS stops only on ALARM
		// (https://docs.aws.amazon.com/fis/latest/userguide/stop-conditions.html); it is a loud note.
		{"nodata", "INSUFFICIENT_DATA", true, true, "INSUFFICIENT_DATA", "alarm nodata is INSUFFICIENT_DATA: FIS stops the experiment only on ALARM, so this stop condition may never fire"},
		{"missing", AlarmStateNotFound, false, false, "does not exist", ""},
		{"composite-ok", "OK", true, true, "", ""},
		{"composite-alarm", "ALARM", true, false, "already in ALARM", ""},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d entries: %+v", len(got), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Name != w.name || g.State != w.state || g.Exists != w.exists || g.Healthy != w.healthy || g.ARN != testAlarmARN(w.name) {
			t.Errorf("%s: got %+v", w.name, g)
		}
		if w.detail == "" && g.Detail != "" || !strings.Contains(g.Detail, w.detail) {
			t.Errorf("%s: detail %q, want it to contain %q", w.name, g.Detail, w.detail)
		}
		if g.Note != w.note {
			t.Errorf("%s: note %q, want %q", w.name, g.Note, w.note)
		}
	}
	if n := srv.CallCount("monitoring", "DescribeAlarms"); n != 1 {
		t.Fatalf("DescribeAlarms calls = %d, want 1", n)
	}
	if got := CheckAlarms(context.Background(), c, []session.StopCondition{{Source: "none"}}); len(got) != 0 {
		t.Fatalf("none: %+v", got)
	}
	if n := srv.CallCount("monitoring", "DescribeAlarms"); n != 1 {
		t.Fatalf("a none-only template must not call CloudWatch (calls %d)", n)
	}
}

func TestCheckAlarmsBatchesBy100(t *testing.T) {
	srv := awstest.New()
	defer srv.Close()
	var conds []session.StopCondition
	for i := 0; i < 150; i++ {
		n := fmt.Sprintf("a%03d", i)
		srv.AddAlarm(awstest.Alarm{Name: n, State: awstest.AlarmOK})
		conds = append(conds, session.StopCondition{Source: StopSourceAlarm, Value: testAlarmARN(n)})
	}
	got := CheckAlarms(context.Background(), awsapi.NewClients(srv.Config()), conds)
	for _, g := range got {
		if !g.Healthy {
			t.Fatalf("unhealthy %+v", g)
		}
	}
	if len(got) != 150 || srv.CallCount("monitoring", "DescribeAlarms") != 2 {
		t.Fatalf("entries %d calls %d", len(got), srv.CallCount("monitoring", "DescribeAlarms"))
	}
}

func TestCheckAlarmsCallFailure(t *testing.T) {
	tests := []struct {
		name   string
		fault  awstest.Fault
		detail string
	}{
		{"access denied", awstest.Fault{Service: "monitoring", Status: 403, Code: "AccessDenied", Message: "not authorized"}, "cloudwatch:DescribeAlarms"},
		{"throttled past retries", awstest.Fault{Service: "monitoring", Status: 400, Code: "Throttling"}, "throttling"},
		{"server error", awstest.Fault{Service: "monitoring", Status: 500, Code: "InternalServiceFault"}, "InternalServiceFault"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := awstest.New()
			defer srv.Close()
			srv.AddAlarm(awstest.Alarm{Name: "ok", State: awstest.AlarmOK})
			srv.InjectFault(tc.fault)
			cfg := srv.Config()
			cfg.Retryer = alarmFastRetries(2)
			got := CheckAlarms(context.Background(), awsapi.NewClients(cfg), []session.StopCondition{
				{Source: StopSourceAlarm, Value: testAlarmARN("ok")}, {Source: StopSourceAlarm, Value: testAlarmARN("other")},
			})
			if len(got) != 2 {
				t.Fatalf("got %+v", got)
			}
			for _, g := range got {
				if g.Healthy || g.State != AlarmStateUnknown || !strings.Contains(g.Detail, tc.detail) {
					t.Errorf("got %+v, want unhealthy with %q", g, tc.detail)
				}
			}
		})
	}
}

// TestCheckAlarmsMalformedReply: a reply that is not CBOR makes every alarm unhealthy.
func TestCheckAlarmsMalformedReply(t *testing.T) {
	for name, body := range map[string][]byte{"garbage": []byte("<html>oops</html>"), "truncated": {0xbf, 0x6c}} {
		t.Run(name, func(t *testing.T) {
			hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
				w.Header().Set("Content-Type", "application/cbor")
				_, _ = w.Write(body)
			}))
			defer hs.Close()
			srv := awstest.NewUnstarted()
			cfg := srv.Config()
			cfg.BaseEndpoint = aws.String(hs.URL)
			got := CheckAlarms(context.Background(), awsapi.NewClients(cfg), []session.StopCondition{{Source: StopSourceAlarm, Value: testAlarmARN("x")}})
			if len(got) != 1 || got[0].Healthy || got[0].State != AlarmStateUnknown || got[0].Detail == "" {
				t.Fatalf("got %+v", got)
			}
		})
	}
}

func TestAlarmStates(t *testing.T) {
	clk := awstest.NewFakeClock(time.Date(2026, 4, 11, 10, 0, 0, 0, time.UTC))
	srv := awstest.New(awstest.WithClock(clk))
	defer srv.Close()
	srv.AddAlarm(awstest.Alarm{Name: "stop", State: awstest.AlarmOK})
	srv.AddAlarm(awstest.Alarm{Name: "comp", Type: awstest.AlarmTypeComposite, State: awstest.AlarmOK})
	srv.SetAlarmStateAt(clk.Now().Add(time.Minute), "stop", awstest.AlarmAlarm, "breached")
	c := awsapi.NewClients(srv.Config())
	ctx := context.Background()

	states, err := AlarmStates(ctx, c, []string{"stop", "comp", "gone", "stop"})
	if err != nil {
		t.Fatal(err)
	}
	if len(states) != 2 || states["stop"] != "OK" || states["comp"] != "OK" {
		t.Fatalf("states %v", states)
	}
	clk.Advance(time.Minute)
	states, err = AlarmStates(ctx, c, []string{"stop"})
	if err != nil || states["stop"] != "ALARM" {
		t.Fatalf("states %v err %v", states, err)
	}
	srv.InjectFault(awstest.Fault{Service: "monitoring", Status: 403, Code: "AccessDenied"})
	if _, err := AlarmStates(ctx, c, []string{"stop"}); err == nil || awsapi.Classify(err) != awsapi.KindAccessDenied {
		t.Fatalf("err %v", err)
	}
}

// alarmFastRetries keeps the SDK's standard retryer (and its retryable codes) without the backoff wait.
func alarmFastRetries(attempts int) func() aws.Retryer {
	return func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = attempts
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return time.Millisecond, nil })
		})
	}
}
