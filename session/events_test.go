package session

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// TestEventConstantValues pins the on-disk values: session files, golden reports and
// clients read these strings, so a renamed constant must not change its value.
func TestEventConstantValues(t *testing.T) {
	tests := []struct{ got, want string }{
		{SourceFISMCP, "fis-mcp"}, {SourceFIS, "fis"}, {SourceFISAction, "fis-action"},
		{SourceResource, "resource"}, {SourceAlarm, "alarm"}, {SourceApp, "app"},
		{EventAborted, "aborted"}, {EventResolved, "resolved"}, {EventHealthCheck, "health-check"},
		{EventHealthOverride, "health-override"}, {EventDiscovery, "discovery"}, {EventLogsStarted, "logs-started"},
		{EventLogsResumed, "logs-resumed"}, {EventLogsStopped, "logs-stopped"},
		{EventConfirmationIssued, "confirmation-issued"}, {EventConfirmationInvalidated, "confirmation-invalidated"},
		{EventConfirmationDeclined, "confirmation-declined"}, {EventStartRefused, "start-refused"},
		{EventConfirmed, "confirmed"}, {EventStarted, "started"}, {EventStartFailed, "start-failed"},
		{EventStartUnknown, "start-unknown"}, {EventStartNotFound, "start-not-found"}, {EventRecovered, "recovered"},
		{EventStopRequested, "stop-requested"}, {EventExperimentNotFound, "experiment-not-found"},
		{EventExperimentState, "experiment-state"}, {EventActionState, "action-state"},
		{EventResourceState, "resource-state"}, {EventAlarmState, "alarm-state"}, {EventDryRun, "dry-run"},
		{EventDryRunDifference, "dry-run-difference"}, {EventNote, "note"}, {EventReported, "reported"},
		{EventNodegroupStatus, "nodegroup-status"}, {EventNodegroupHealth, "nodegroup-health"},
		{EventOperationStart, "operation-start"}, {EventOperationEnd, "operation-end"},
		{EventOperationInProgress, "operation-in-progress"}, {EventStateTransition, "state-transition"},
		{EventScalingActivity, "scaling-activity"},
	}
	seen := map[string]bool{}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("constant for %q has the value %q: on-disk values must not change", tc.want, tc.got)
		}
		if seen[tc.got] && tc.got != SourceFIS { // "fis" is only a source
			t.Errorf("value %q is defined twice", tc.got)
		}
		seen[tc.got] = true
	}
}

// TestRecordLogsFailedWrites makes the store fail at each step of an update and checks
// that Record returns the error and logs it at error level with the session ID and what
// was being recorded (a failed safety-relevant write is never dropped silently).
func TestRecordLogsFailedWrites(t *testing.T) {
	tests := []struct {
		name       string
		breakStore func(t *testing.T, s *Store, id string)
		fn         func(*Session) error
	}{
		{
			name: "corrupt session file",
			breakStore: func(t *testing.T, s *Store, id string) {
				if err := os.WriteFile(s.path(id), []byte("{not json"), 0o600); err != nil {
					t.Fatal(err)
				}
			},
		},
		{
			name: "lock file unusable",
			breakStore: func(t *testing.T, s *Store, id string) {
				if err := os.Remove(s.lockPath(id)); err != nil && !os.IsNotExist(err) {
					t.Fatal(err)
				}
				if err := os.Mkdir(s.lockPath(id), 0o700); err != nil {
					t.Fatal(err)
				}
			},
		},
		{
			name:       "session cannot be encoded",
			breakStore: func(*testing.T, *Store, string) {},
			fn: func(s *Session) error {
				s.Observations = &Observations{Metrics: []MetricSeries{{Points: []MetricPoint{{Value: math.NaN()}}}}}
				return nil
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t, t.TempDir())
			sess := &Session{State: StateResolved, Experiment: Experiment{TemplateID: "EXT1", Region: "us-east-1"}}
			if err := s.Create(sess); err != nil {
				t.Fatal(err)
			}
			tc.breakStore(t, s, sess.ID)
			var buf bytes.Buffer
			log := zerolog.New(&buf)
			ev := Event{Time: time.Now().UTC(), Source: SourceFISMCP, Kind: EventStopRequested, Message: "StopExperiment requested"}
			var err error
			if tc.fn == nil {
				_, err = s.RecordEvent(log, sess.ID, ev)
			} else {
				_, err = s.Record(log, sess.ID, "stop-requested event", func(x *Session) error {
					x.AddEvent(ev)
					return tc.fn(x)
				})
			}
			if err == nil {
				t.Fatal("Record succeeded on a broken store")
			}
			var line map[string]any
			if jerr := json.Unmarshal(bytes.TrimSpace(buf.Bytes()), &line); jerr != nil {
				t.Fatalf("want exactly one JSON log line, got %q: %v", buf.String(), jerr)
			}
			if line["level"] != "error" || line["session"] != sess.ID || line["recording"] != "stop-requested event" {
				t.Errorf("log line = %v, want level error, session %s, recording %q", line, sess.ID, "stop-requested event")
			}
			if msg, _ := line["error"].(string); msg == "" || !strings.Contains(msg, err.Error()) {
				t.Errorf("log line error = %q, want the returned error %q", msg, err)
			}
		})
	}
}

// TestRecordSucceedsSilently checks the happy path: the event is stored and nothing is logged.
func TestRecordSucceedsSilently(t *testing.T) {
	s := newStore(t, t.TempDir())
	sess := &Session{State: StateResolved}
	if err := s.Create(sess); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	got, err := s.RecordEvent(zerolog.New(&buf), sess.ID, Event{Source: SourceFISMCP, Kind: EventNote, Message: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Timeline) != 1 || got.Timeline[0].Kind != EventNote {
		t.Errorf("timeline = %v, want the note", got.Timeline)
	}
	if buf.Len() != 0 {
		t.Errorf("a successful write logged %q", buf.String())
	}
}
