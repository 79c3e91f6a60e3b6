package cwlogs

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/session/logline"
)

var t0 = time.Date(2026, 4, 11, 10, 0, 0, 0, time.UTC)

const group = "/aws/rds/cluster/aurora/postgresql"

func parseLines(t *testing.T, b []byte) []logline.Line {
	t.Helper()
	var out []logline.Line
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		l, err := logline.Parse(sc.Bytes())
		if err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		l.Message = append([]byte(nil), l.Message...)
		out = append(out, l)
	}
	return out
}

func newServer(t *testing.T) *awstest.Server {
	t.Helper()
	srv := awstest.New(awstest.WithClock(awstest.NewFakeClock(t0.Add(time.Hour))))
	t.Cleanup(srv.Close)
	srv.PutLogEvents(group, "aurora-1",
		awstest.LogEvent{Time: t0.Add(1500 * time.Millisecond), Message: "2026-04-11 10:00:01 UTC::@:[123]:LOG:  database system is ready\n"},
		awstest.LogEvent{Time: t0.Add(5 * time.Second), Message: "FATAL:  terminating connection\nDETAIL:  failover\n"},
		awstest.LogEvent{Time: t0.Add(-time.Minute), Message: "before the window"})
	srv.PutLogEvents(group, "2026/04/11/[$LATEST]abc",
		awstest.LogEvent{Time: t0.Add(3 * time.Second), Message: "stream with slashes"})
	return srv
}

func TestFetchLineFormat(t *testing.T) {
	srv := newServer(t)
	srv.SetFilterLogEventsPageSize(1) // page through every event
	var buf bytes.Buffer
	n, truncated, err := Fetch(context.Background(), awsapi.NewClients(srv.Config()), group, t0, t0.Add(10*time.Minute), &buf, 100)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 || truncated {
		t.Fatalf("n=%d truncated=%v", n, truncated)
	}
	lines := parseLines(t, buf.Bytes())
	want := []struct {
		time      time.Time
		pod, msg  string
		container string
	}{
		{t0.Add(1500 * time.Millisecond), "aurora-1", "2026-04-11 10:00:01 UTC::@:[123]:LOG:  database system is ready", Container},
		{t0.Add(3 * time.Second), "2026_04_11_[$LATEST]abc", "stream with slashes", Container},
		{t0.Add(5 * time.Second), "aurora-1", "FATAL:  terminating connection", Container},
		{t0.Add(5 * time.Second), "aurora-1", "DETAIL:  failover", Container},
	}
	if len(lines) != len(want) {
		t.Fatalf("lines:\n%s", buf.String())
	}
	for i, w := range want {
		l := lines[i]
		if !l.Time.Equal(w.time) || l.Pod != w.pod || l.Container != w.container || string(l.Message) != w.msg {
			t.Errorf("line %d: got %+v (%q) want %+v", i, l, l.Message, w)
		}
	}
	if calls := srv.CallCount("logs", "FilterLogEvents"); calls < 3 {
		t.Fatalf("expected paging, got %d calls", calls)
	}
}

func TestFetchMaxEvents(t *testing.T) {
	tests := []struct {
		name          string
		max, pageSize int
		wantN         int
		wantTruncated bool
	}{
		{"bound below total", 2, 0, 2, true},
		{"bound below total, small pages", 2, 1, 2, true},
		{"bound equals total", 3, 0, 3, false},
		{"bound equals total, small pages", 3, 1, 3, false},
		{"bound above total", 10, 2, 3, false},
		{"default bound", 0, 0, 3, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t)
			srv.SetFilterLogEventsPageSize(tc.pageSize)
			var buf bytes.Buffer
			n, truncated, err := Fetch(context.Background(), awsapi.NewClients(srv.Config()), group, t0, t0.Add(time.Minute), &buf, tc.max)
			if err != nil {
				t.Fatal(err)
			}
			if n != tc.wantN || truncated != tc.wantTruncated {
				t.Fatalf("n=%d truncated=%v, want %d %v", n, truncated, tc.wantN, tc.wantTruncated)
			}
			if got := len(parseLines(t, buf.Bytes())); got < n {
				t.Fatalf("%d lines for %d events", got, n)
			}
		})
	}
}

func TestFetchManyEvents(t *testing.T) {
	srv := awstest.New(awstest.WithClock(awstest.NewFakeClock(t0.Add(time.Hour))))
	defer srv.Close()
	var evs []awstest.LogEvent
	for i := 0; i < 250; i++ {
		evs = append(evs, awstest.LogEvent{Time: t0.Add(time.Duration(i) * time.Second), Message: fmt.Sprintf("event %d", i)})
	}
	srv.PutLogEvents("g", "s", evs...)
	srv.SetFilterLogEventsPageSize(100)
	var buf bytes.Buffer
	n, truncated, err := Fetch(context.Background(), awsapi.NewClients(srv.Config()), "g", t0, t0.Add(time.Hour), &buf, 1000)
	if err != nil || n != 250 || truncated {
		t.Fatalf("n=%d truncated=%v err=%v", n, truncated, err)
	}
	lines := parseLines(t, buf.Bytes())
	if len(lines) != 250 || string(lines[249].Message) != "event 249" || srv.CallCount("logs", "FilterLogEvents") != 3 {
		t.Fatalf("lines %d last %q calls %d", len(lines), lines[len(lines)-1].Message, srv.CallCount("logs", "FilterLogEvents"))
	}
}

func TestFetchErrors(t *testing.T) {
	tests := []struct {
		name   string
		group  string
		fault  *awstest.Fault
		check  func(error) bool
		detail string
	}{
		{"missing group", "/aws/nope", nil, awsapi.IsNotFound, "does not exist"},
		{"access denied", group, &awstest.Fault{Service: "logs", Status: 400, Code: "AccessDeniedException"},
			func(err error) bool { return awsapi.Classify(err) == awsapi.KindAccessDenied }, "logs:FilterLogEvents"},
		{"empty group name", "", nil, func(err error) bool { return err != nil }, "empty log group"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t)
			if tc.fault != nil {
				srv.InjectFault(*tc.fault)
			}
			var buf bytes.Buffer
			n, _, err := Fetch(context.Background(), awsapi.NewClients(srv.Config()), tc.group, t0, t0.Add(time.Minute), &buf, 10)
			if err == nil || !tc.check(err) || !strings.Contains(err.Error(), tc.detail) {
				t.Fatalf("err %v", err)
			}
			if n != 0 || buf.Len() != 0 {
				t.Fatalf("wrote %d events", n)
			}
		})
	}
}

func TestFetchThrottlingRetried(t *testing.T) {
	srv := newServer(t)
	srv.InjectFault(awstest.Fault{Service: "logs", Operation: "FilterLogEvents", Status: 400, Code: "ThrottlingException", Times: 2})
	cfg := srv.Config()
	cfg.Retryer = fastRetries(5)
	var buf bytes.Buffer
	n, _, err := Fetch(context.Background(), awsapi.NewClients(cfg), group, t0, t0.Add(time.Minute), &buf, 10)
	if err != nil || n != 3 {
		t.Fatalf("n=%d err=%v", n, err)
	}
	if srv.CallCount("logs", "FilterLogEvents") != 3 {
		t.Fatalf("calls %d", srv.CallCount("logs", "FilterLogEvents"))
	}
	// Past the retries the throttling error surfaces.
	srv.InjectFault(awstest.Fault{Service: "logs", Operation: "FilterLogEvents", Status: 400, Code: "ThrottlingException"})
	cfg.Retryer = fastRetries(2)
	_, _, err = Fetch(context.Background(), awsapi.NewClients(cfg), group, t0, t0.Add(time.Minute), &buf, 10)
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ThrottlingException" || awsapi.Classify(err) != awsapi.KindThrottled {
		t.Fatalf("err %v", err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestFetchWriteError(t *testing.T) {
	srv := newServer(t)
	_, _, err := Fetch(context.Background(), awsapi.NewClients(srv.Config()), group, t0, t0.Add(time.Minute), failWriter{}, 10)
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("err %v", err)
	}
}

// fastRetries keeps the SDK's standard retryer (and its retryable codes) without the backoff wait.
func fastRetries(attempts int) func() aws.Retryer {
	return func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = attempts
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return time.Millisecond, nil })
		})
	}
}
