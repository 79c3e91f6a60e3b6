package hypothesis

import (
	"strings"
	"testing"

	"github.com/fis-mcp/fis-mcp/session"
)

func TestParse(t *testing.T) {
	type want struct{ kind, subject, measure, op, bound string }
	cases := []struct {
		text string
		want want
	}{
		// English
		{"orders-api recovers within 60 seconds", want{"app", "orders-api", MeasureRecoverySeconds, "<=", "60"}},
		{"- orders-api should recover within 1 minute.", want{"app", "orders-api", MeasureRecoverySeconds, "<=", "60"}},
		{"recovery under 2 min", want{"", "", MeasureRecoverySeconds, "<", "120"}},
		{"Recovery time <= 90 s", want{"", "", MeasureRecoverySeconds, "<=", "90"}},
		{"every impacted app recovers", want{"", "", MeasureRecoverySeconds, "", ""}},
		{"prod/shop/orders returns to its pre-fault error rate within the observation window", want{"app", "prod/shop/orders", MeasureRecoverySeconds, "", ""}},
		{"error rate below 5 per 10 s", want{"", "", MeasurePeakErrors, "<", "5"}},
		{"peak errors per 10s <= 20", want{"", "", MeasurePeakErrors, "<=", "20"}},
		{"cart peak errors at most 8", want{"app", "cart", MeasurePeakErrors, "<=", "8"}},
		{"no more than 10 errors per 10 seconds", want{"", "", MeasurePeakErrors, "<=", "10"}},
		{"no more than 100 errors", want{"", "", MeasureErrorCount, "<=", "100"}},
		{"orders logs fewer than 50 errors", want{"app", "orders", MeasureErrorCount, "<", "50"}},
		{"total errors <= 100", want{"", "", MeasureErrorCount, "<=", "100"}},
		{"catalog has no errors", want{"app", "catalog", MeasureErrorCount, "<=", "0"}},
		{"first error within 30 s", want{"", "", MeasureTimeToImpact, "<=", "30"}},
		{"time to impact at least 5 seconds", want{"", "", MeasureTimeToImpact, ">=", "5"}},
		{"db-cluster-1 is back to available", want{"resource", "db-cluster-1", MeasureFinalState, "=", "available"}},
		{"demo-redis is healthy", want{"resource", "demo-redis", MeasureFinalState, "=", "healthy"}},
		{"alarm Stop-Canary stays OK", want{"alarm", "Stop-Canary", MeasureAlarmState, "=", "OK"}},
		{"no stop-condition alarm fires", want{"", "", MeasureAlarmState, "=", "OK"}},
		{"stop condition alarms stay OK", want{"", "", MeasureAlarmState, "=", "OK"}},
		{"every action completes", want{"", "", MeasureActionStatus, "=", "completed"}},
		{"action failover-writer completes", want{"action", "failover-writer", MeasureActionStatus, "=", "completed"}},
		{"the experiment completes", want{"experiment", "", MeasureActionStatus, "=", "completed"}},
		{"**orders-api** recovers in `45 s`", want{"app", "orders-api", MeasureRecoverySeconds, "<=", "45"}},
		{"- **Steady state:** orders-api recovers within 60 seconds", want{"app", "orders-api", MeasureRecoverySeconds, "<=", "60"}},
		{"稳态：告警保持 OK", want{"", "", MeasureAlarmState, "=", "OK"}},
		// Chinese
		{"在 2 分钟内恢复", want{"", "", MeasureRecoverySeconds, "<=", "120"}},
		{"orders-api 在 60 秒内恢复", want{"app", "orders-api", MeasureRecoverySeconds, "<=", "60"}},
		{"orders-api 应在 30 秒内恢复正常。", want{"app", "orders-api", MeasureRecoverySeconds, "<=", "30"}},
		{"恢复时间不超过 90 秒", want{"", "", MeasureRecoverySeconds, "<=", "90"}},
		{"错误率低于每 10 秒 5 次", want{"", "", MeasurePeakErrors, "<", "5"}},
		{"每 10 秒错误数不超过 20", want{"", "", MeasurePeakErrors, "<=", "20"}},
		{"错误总数不超过 100 个", want{"", "", MeasureErrorCount, "<=", "100"}},
		{"首个错误在 30 秒内出现", want{"", "", MeasureTimeToImpact, "<=", "30"}},
		{"告警保持 OK", want{"", "", MeasureAlarmState, "=", "OK"}},
		{"告警 fis-stop 保持 OK", want{"alarm", "fis-stop", MeasureAlarmState, "=", "OK"}},
		{"没有停止条件告警触发", want{"", "", MeasureAlarmState, "=", "OK"}},
		{"所有动作都完成", want{"", "", MeasureActionStatus, "=", "completed"}},
		{"demo-aurora 恢复为 available", want{"resource", "demo-aurora", MeasureFinalState, "=", "available"}},
		{"demo-aurora 恢复到健康状态", want{"resource", "demo-aurora", MeasureFinalState, "=", "healthy"}},
		// Unparseable: kept as text, no measure.
		{"Writer fails over within 30-60 s; clients reconnect.", want{}},
		{"error rate below 5%", want{}},
		{"error rate below 30 per minute", want{}},
		{"orders-api recovers quickly", want{}},
		{"the checkout flow stays usable for most users", want{}},
		{"用户基本无感知", want{}},
		{"错误率低于 5%", want{}},
		{"", want{}},
	}
	for _, tc := range cases {
		t.Run(tc.text, func(t *testing.T) {
			c := Parse(tc.text, SourceReadme)
			got := want{c.SubjectKind, c.Subject, c.Measure, c.Op, c.Bound}
			if got != tc.want {
				t.Fatalf("Parse(%q) = %+v, want %+v", tc.text, got, tc.want)
			}
			if c.Source != SourceReadme {
				t.Errorf("source %q", c.Source)
			}
			if tc.text != "" && c.Text == "" {
				t.Errorf("text dropped")
			}
			if strings.HasPrefix(c.Text, "-") || strings.Contains(c.Text, "**") {
				t.Errorf("text %q keeps Markdown", c.Text)
			}
		})
	}
}

func TestFromArg(t *testing.T) {
	cases := []struct {
		name    string
		in      any
		want    session.Criterion
		wantErr string
	}{
		{name: "text", in: "orders-api recovers within 60 seconds",
			want: session.Criterion{Text: "orders-api recovers within 60 seconds", SubjectKind: "app", Subject: "orders-api", Measure: MeasureRecoverySeconds, Op: "<=", Bound: "60", Source: SourceStart}},
		{name: "object with duration", in: map[string]any{"subject": "orders-api", "measure": "recovery_seconds", "bound": "<= 2 min"},
			want: session.Criterion{Text: "orders-api: recovery_seconds <= 2 min", SubjectKind: "app", Subject: "orders-api", Measure: MeasureRecoverySeconds, Op: "<=", Bound: "120", Source: SourceStart}},
		{name: "object with number", in: map[string]any{"measure": "peak_errors_per_10s", "bound": 20.0},
			want: session.Criterion{Text: "every impacted app: peak_errors_per_10s <= 20 errors per 10 s", Measure: MeasurePeakErrors, Op: "<=", Bound: "20", Source: SourceStart}},
		{name: "object with op", in: map[string]any{"measure": "error_count", "bound": 5.0, "op": "<"},
			want: session.Criterion{Text: "every impacted app: error_count < 5 errors", Measure: MeasureErrorCount, Op: "<", Bound: "5", Source: SourceStart}},
		{name: "alarm default bound", in: map[string]any{"subject": "fis-stop", "measure": "alarm_state"},
			want: session.Criterion{Text: "fis-stop: alarm_state = OK", SubjectKind: "alarm", Subject: "fis-stop", Measure: MeasureAlarmState, Op: "=", Bound: "OK", Source: SourceStart}},
		{name: "state bound", in: map[string]any{"subject": "demo-aurora", "measure": "final_state", "bound": "available"},
			want: session.Criterion{Text: "demo-aurora: final_state = available", SubjectKind: "resource", Subject: "demo-aurora", Measure: MeasureFinalState, Op: "=", Bound: "available", Source: SourceStart}},
		{name: "unknown measure", in: map[string]any{"measure": "latency"}, wantErr: `field "measure" is "latency": it must be one of recovery_seconds,`},
		{name: "missing measure", in: map[string]any{"subject": "x"}, wantErr: `field "measure" is required`},
		{name: "unknown field", in: map[string]any{"measure": "error_count", "bound": 1.0, "limit": 3.0}, wantErr: `unknown field "limit"`},
		{name: "bound wrong type", in: map[string]any{"measure": "error_count", "bound": true}, wantErr: `field "bound" must be a number or a string, not a boolean`},
		{name: "bound wrong unit", in: map[string]any{"measure": "recovery_seconds", "bound": "60 errors"}, wantErr: `not a time unit`},
		{name: "bound missing", in: map[string]any{"measure": "time_to_impact_seconds"}, wantErr: `field "bound" is required for measure time_to_impact_seconds`},
		{name: "subject wrong type", in: map[string]any{"measure": "error_count", "bound": 1.0, "subject": 3.0}, wantErr: `field "subject" must be a string, not a number`},
		{name: "op contradiction", in: map[string]any{"measure": "error_count", "bound": "< 3", "op": ">"}, wantErr: `contradicts`},
		{name: "number item", in: 3.0, wantErr: `a criterion must be a string ("orders-api recovers within 60 seconds") or an object`},
		{name: "empty text", in: "  ", wantErr: "empty criterion"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := FromArg(tc.in, SourceStart)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want containing %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "map[") || strings.Contains(err.Error(), "float64") {
					t.Errorf("error shows Go internals: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestFromArgsNamesTheItem(t *testing.T) {
	_, err := FromArgs([]any{"every action completes", map[string]any{"measure": "nope"}}, SourceFinalize)
	if err == nil || !strings.HasPrefix(err.Error(), "criteria[1]: ") {
		t.Fatalf("err = %v", err)
	}
	got, err := FromArgs([]any{"every action completes", "something vague"}, SourceFinalize)
	if err != nil || len(got) != 2 || got[1].Measure != "" || got[1].Text != "something vague" {
		t.Fatalf("got %+v, %v", got, err)
	}
}

func TestBoundText(t *testing.T) {
	for _, tc := range []struct {
		c    session.Criterion
		want string
	}{
		{session.Criterion{Measure: MeasureRecoverySeconds, Op: "<=", Bound: "60"}, "<= 60 s"},
		{session.Criterion{Measure: MeasureRecoverySeconds, Op: "<", Bound: "120"}, "< 2 min"},
		{session.Criterion{Measure: MeasureTimeToImpact, Op: "<=", Bound: "90"}, "<= 90 s"},
		{session.Criterion{Measure: MeasureRecoverySeconds}, "within the observation window"},
		{session.Criterion{Measure: MeasurePeakErrors, Op: "<", Bound: "5"}, "< 5 errors per 10 s"},
		{session.Criterion{Measure: MeasureErrorCount, Op: "<=", Bound: "100"}, "<= 100 errors"},
		{session.Criterion{Measure: MeasureAlarmState, Op: "=", Bound: "OK"}, "= OK"},
		{session.Criterion{Text: "vague"}, ""},
	} {
		if got := BoundText(tc.c); got != tc.want {
			t.Errorf("BoundText(%+v) = %q, want %q", tc.c, got, tc.want)
		}
	}
}
