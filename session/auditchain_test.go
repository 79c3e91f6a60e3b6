package session

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

var auditT0 = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

// auditedSession runs a session through the workflow's recording steps in a store and
// returns the store, the session ID and the confirmation token. Its chain is:
//
//	#1 state (begins) #2 event resolved #3 api_call DescribeStacks #4 api_call GetExperimentTemplate
//	#5 state → health_checked #6 event health-check #7 confirmation issued #8 state → awaiting_confirmation
//	#9 event confirmation-issued #10 confirmation consumed #11 confirmation confirmed #12 event confirmed
//	#13 state → running
func auditedSession(t *testing.T) (*Store, string, string) {
	t.Helper()
	st, err := Open(t.TempDir(), zerolog.Nop(), func() time.Time { return auditT0 })
	if err != nil {
		t.Fatal(err)
	}
	s := &Session{ID: "fis-20261201-100000-abcdef", State: StateResolved, CreatedAt: auditT0}
	s.AddEvent(Event{Time: auditT0, Source: SourceFISMCP, Kind: EventResolved, Message: "resolved EXT1"})
	if err := st.Create(s); err != nil {
		t.Fatal(err)
	}
	step := func(fn func(*Session) error) {
		t.Helper()
		if _, err := st.Update(s.ID, fn); err != nil {
			t.Fatal(err)
		}
	}
	step(func(s *Session) error {
		s.AddAPICalls(
			APICall{Time: auditT0.Add(time.Second), Tool: "resolve_experiment", Service: "cloudformation", Operation: "DescribeStacks", Resource: "stack-1", Result: "ok", LatencyMS: 12},
			APICall{Time: auditT0.Add(2 * time.Second), Tool: "resolve_experiment", Service: "fis", Operation: "GetExperimentTemplate", Resource: "EXT1", Result: "ok", LatencyMS: 30},
		)
		return nil
	})
	step(func(s *Session) error {
		if err := s.Transition(StateHealthChecked); err != nil {
			return err
		}
		s.Health = &HealthResult{CheckedAt: auditT0.Add(time.Minute), Verdict: VerdictHealthy, AllHealthy: true}
		s.AddEvent(Event{Time: auditT0.Add(time.Minute), Source: SourceFISMCP, Kind: EventHealthCheck, Message: "verdict healthy: 3 resources"})
		return nil
	})
	var token string
	step(func(s *Session) error {
		var err error
		token, err = s.IssueConfirmation(auditT0.Add(2*time.Minute), 10*time.Minute, false, ChannelToken)
		if err != nil {
			return err
		}
		if err := s.Transition(StateAwaitingConfirmation); err != nil {
			return err
		}
		s.AddEvent(Event{Time: auditT0.Add(2 * time.Minute), Source: SourceFISMCP, Kind: EventConfirmationIssued, Message: "token issued"})
		return nil
	})
	step(func(s *Session) error {
		now := auditT0.Add(3 * time.Minute)
		if err := s.ConsumeConfirmation(token, now, false, ChannelToken); err != nil {
			return err
		}
		s.Run = &Run{ConfirmedAt: now, ConfirmedBy: "human via confirmation token", RequestedAt: now, State: "starting"}
		s.AuditConfirmation(now, ConfirmationConfirmed, s.Run.ConfirmedBy)
		s.AddEvent(Event{Time: now, Source: SourceFISMCP, Kind: EventConfirmed, Message: "start confirmed"})
		return s.Transition(StateRunning)
	})
	return st, s.ID, token
}

func TestAuditChainRecordsEachStep(t *testing.T) {
	st, id, _ := auditedSession(t)
	s, err := st.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ kind, summary string }{
		{AuditKindState, "chain begins: session fis-20261201-100000-abcdef in state resolved"},
		{AuditKindEvent, "fis-mcp resolved"},
		{AuditKindAPICall, "cloudformation DescribeStacks stack-1: ok"},
		{AuditKindAPICall, "fis GetExperimentTemplate EXT1: ok"},
		{AuditKindState, "resolved → health_checked"},
		{AuditKindEvent, "fis-mcp health-check"},
		{AuditKindConfirmation, "issued (channel token)"},
		{AuditKindState, "health_checked → awaiting_confirmation"},
		{AuditKindEvent, "fis-mcp confirmation-issued"},
		{AuditKindConfirmation, "consumed (channel token)"},
		{AuditKindConfirmation, "confirmed (channel token) by human via confirmation token"},
		{AuditKindEvent, "fis-mcp confirmed"},
		{AuditKindState, "awaiting_confirmation → running"},
	}
	if len(s.Audit) != len(want) {
		t.Fatalf("chain has %d records, want %d: %+v", len(s.Audit), len(want), s.Audit)
	}
	prev := ""
	for i, w := range want {
		r := s.Audit[i]
		if r.Seq != i+1 || r.Kind != w.kind || r.Summary != w.summary {
			t.Errorf("record %d = #%d %s %q, want #%d %s %q", i, r.Seq, r.Kind, r.Summary, i+1, w.kind, w.summary)
		}
		if r.Prev != prev || len(r.Hash) != 64 {
			t.Errorf("record #%d: prev %q (want %q), hash %q", r.Seq, r.Prev, prev, r.Hash)
		}
		prev = r.Hash
	}
	if head, n := s.ChainHead(); head != prev || n != len(want) {
		t.Errorf("ChainHead = %s, %d; want %s, %d", head, n, prev, len(want))
	}
	if c := s.Audit[6].Confirmation; c == nil || c.TokenSHA256 != s.Confirmation.TokenHash || c.ExpiresAt == nil {
		t.Errorf("issued record = %+v, want the token's hash and expiry", c)
	}
	if err := s.VerifyAudit(); err != nil {
		t.Fatalf("VerifyAudit on an untouched session: %v", err)
	}
}

func TestAuditChainNeverHoldsTheToken(t *testing.T) {
	st, id, token := auditedSession(t)
	b, err := os.ReadFile(filepath.Join(st.Dir(), "sessions", id+".json"))
	if err != nil {
		t.Fatal(err)
	}
	tokenPart := strings.TrimPrefix(token, "confirm-")
	if strings.Contains(string(b), tokenPart) {
		t.Fatalf("the session file holds the confirmation token %s", token)
	}
	if !strings.Contains(string(b), `"token_sha256": "`+hashToken(token)+`"`) {
		t.Fatalf("the chain does not hold the token's SHA-256")
	}
}

// editFile applies edit to the session file's JSON on disk and reads the session back.
func editFile(t *testing.T, st *Store, id string, edit func(m map[string]any)) *Session {
	t.Helper()
	path := filepath.Join(st.Dir(), "sessions", id+".json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	if b, err = json.MarshalIndent(m, "", "  "); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	var s Session
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return &s
}

func item(m map[string]any, key string, i int) map[string]any {
	return m[key].([]any)[i].(map[string]any)
}

func remove(m map[string]any, key string, i int) {
	l := m[key].([]any)
	m[key] = append(l[:i:i], l[i+1:]...)
}

func TestVerifyAuditDetectsEdits(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(m map[string]any)
		wantSeq  int
		wantWhat string
	}{
		{"untouched", func(map[string]any) {}, -1, ""},
		{"event message", func(m map[string]any) { item(m, "timeline", 1)["message"] = "verdict healthy: 2 resources" },
			6, "timeline event it records (fis-mcp health-check) is missing from the session or was edited"},
		{"event removed", func(m map[string]any) { remove(m, "timeline", 0) }, 2, "timeline event it records"},
		{"event recorded_by", func(m map[string]any) { item(m, "timeline", 1)["recorded_by"] = "supervisor" },
			6, "timeline event it records (fis-mcp health-check) is missing from the session or was edited"},
		{"event added", func(m map[string]any) {
			m["timeline"] = append(m["timeline"].([]any), map[string]any{"time": "2026-12-01T10:05:00Z", "source": "fis", "message": "all fine"})
		}, 0, "timeline event 5 (2026-12-01T10:05:00Z, fis) is not in the audit chain"},
		{"api call result", func(m map[string]any) { item(m, "api_calls", 1)["result"] = "AccessDenied" },
			4, "the API call it records (fis GetExperimentTemplate EXT1: ok) is missing"},
		{"api call removed", func(m map[string]any) { remove(m, "api_calls", 0) }, 3, "API call it records"},
		{"record hash", func(m map[string]any) { item(m, "audit", 4)["hash"] = strings.Repeat("0", 64) },
			5, "its hash does not match its contents"},
		{"record summary", func(m map[string]any) { item(m, "audit", 2)["summary"] = "nothing happened" },
			3, "its hash does not match its contents"},
		{"record deleted", func(m map[string]any) { remove(m, "audit", 6) }, 7, "the record is missing (record #8 is in its place)"},
		{"record payload", func(m map[string]any) { item(m, "audit", 9)["confirmation"].(map[string]any)["channel"] = "web" },
			10, "the confirmation change it holds was edited"},
		{"state", func(m map[string]any) { m["state"] = "ended" }, 13, `the session's state is "ended" but the last recorded state is "running"`},
		{"last record deleted", func(m map[string]any) { remove(m, "audit", 12) }, 8, `the last recorded state is "awaiting_confirmation"`},
		{"confirmed_by", func(m map[string]any) { m["run"].(map[string]any)["confirmed_by"] = "human via elicitation" },
			11, "the run's confirmed_by / confirmed_at"},
		{"token hash", func(m map[string]any) { m["confirmation"].(map[string]any)["token_hash"] = strings.Repeat("a", 64) },
			7, "the pending confirmation (token hash, channel or dry_run) differs"},
		{"chain removed", func(m map[string]any) { delete(m, "audit") }, -2, "no audit chain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, id, _ := auditedSession(t)
			s := editFile(t, st, id, tt.edit)
			err := s.VerifyAudit()
			switch tt.wantSeq {
			case -1:
				if err != nil {
					t.Fatalf("VerifyAudit = %v, want nil", err)
				}
				return
			case -2:
				if !errors.Is(err, ErrNoAuditChain) || !strings.Contains(err.Error(), tt.wantWhat) {
					t.Fatalf("VerifyAudit = %v, want ErrNoAuditChain", err)
				}
				return
			}
			var brk *AuditBreak
			if !errors.As(err, &brk) {
				t.Fatalf("VerifyAudit = %v, want an *AuditBreak", err)
			}
			if brk.Seq != tt.wantSeq || !strings.Contains(brk.What, tt.wantWhat) {
				t.Fatalf("VerifyAudit = %v (record #%d), want record #%d: %q", err, brk.Seq, tt.wantSeq, tt.wantWhat)
			}
		})
	}
}

func TestAuditChainOnAnOlderSession(t *testing.T) {
	old := func() *Session {
		return &Session{ID: "fis-20261201-100000-abcdef", State: StateHealthChecked, CreatedAt: auditT0,
			Timeline: []Event{{Time: auditT0, Source: SourceFISMCP, Kind: EventResolved, Message: "resolved"}},
			APICalls: []APICall{{Time: auditT0, Service: "fis", Operation: "GetExperimentTemplate", Result: "ok"}}}
	}
	tests := []struct {
		name    string
		change  func(s *Session)
		wantErr string
	}{
		{"untouched", func(*Session) {}, ""},
		{"earlier event edited", func(s *Session) { s.Timeline[0].Message = "changed" },
			"the 1 events and 1 API calls that predate the chain"},
		{"earlier call removed", func(s *Session) { s.APICalls = nil }, "record #1"},
		{"later event added without a record", func(s *Session) {
			s.Timeline = append(s.Timeline, Event{Time: auditT0, Source: SourceFIS, Message: "x"})
		}, "record #1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := old()
			if err := s.VerifyAudit(); !errors.Is(err, ErrNoAuditChain) || !strings.Contains(err.Error(), "predates") {
				t.Fatalf("VerifyAudit before any chain = %v, want ErrNoAuditChain", err)
			}
			s.AddEvent(Event{Time: auditT0.Add(time.Minute), Source: SourceFISMCP, Kind: EventNote, Message: "after the upgrade"})
			if p := s.Audit[0].Prior; p == nil || p.Events != 1 || p.APICalls != 1 {
				t.Fatalf("first record's Prior = %+v, want 1 event and 1 API call", p)
			}
			tt.change(s)
			err := s.VerifyAudit()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("VerifyAudit = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("VerifyAudit = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestAuditDigestIsStable(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	tests := []struct {
		name   string
		change func(s *Session)
	}{
		{"times in another zone survive the file", func(s *Session) {}},
		{"a repeated event is recorded twice", func(s *Session) { s.AddEvent(s.Timeline[0]) }},
		{"AddEventOnce adds no record for a duplicate", func(s *Session) {
			n := len(s.Audit)
			if s.AddEventOnce(s.Timeline[0]) || len(s.Audit) != n {
				panic("AddEventOnce recorded a duplicate")
			}
		}},
		{"a transition to the same state adds no record", func(s *Session) {
			n := len(s.Audit)
			if err := s.Transition(StateHealthChecked); err != nil || len(s.Audit) != n {
				panic("same-state transition recorded")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Session{ID: "fis-20261201-100000-abcdef", State: StateHealthChecked, CreatedAt: auditT0}
			s.AddEvent(Event{Time: auditT0.In(cst).Add(123456789), Source: SourceFIS, Kind: EventExperimentState, Message: "running"})
			s.AddAPICalls(APICall{Time: auditT0.In(cst), Service: "fis", Operation: "GetExperiment", Result: "ok", LatencyMS: 7})
			tt.change(s)
			b, err := json.Marshal(s)
			if err != nil {
				t.Fatal(err)
			}
			var back Session
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if err := back.VerifyAudit(); err != nil {
				t.Fatalf("VerifyAudit after a round trip: %v", err)
			}
		})
	}
}
