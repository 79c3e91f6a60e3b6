package session

import (
	"errors"
	"testing"
	"time"
)

func TestConfirmation(t *testing.T) {
	t0 := time.Date(2026, 4, 11, 10, 0, 0, 0, time.UTC)
	base := func() *Session {
		return &Session{ID: "fis-20260411-100000-aaaaaa", Experiment: Experiment{TemplateID: "EXT1"},
			Health: &HealthResult{Verdict: VerdictHealthy, CheckedAt: t0}}
	}
	tests := []struct {
		name   string
		mutate func(s *Session, token *string, now *time.Time, dry *bool)
		want   error
	}{
		{"valid", func(*Session, *string, *time.Time, *bool) {}, nil},
		{"wrong token", func(_ *Session, tok *string, _ *time.Time, _ *bool) { *tok = "confirm-nope" }, ErrWrongToken},
		{"expired", func(_ *Session, _ *string, now *time.Time, _ *bool) { *now = now.Add(10 * time.Minute) }, ErrTokenExpired},
		{"new health check", func(s *Session, _ *string, _ *time.Time, _ *bool) { s.Health.CheckedAt = t0.Add(time.Minute) }, ErrTokenInvalidated},
		{"new apps", func(s *Session, _ *string, _ *time.Time, _ *bool) {
			s.Discovery = &Discovery{Apps: []App{{Cluster: "c", Namespace: "n", Workload: "w"}}}
		}, ErrTokenInvalidated},
		{"dry run mismatch", func(_ *Session, _ *string, _ *time.Time, dry *bool) { *dry = true }, ErrDryRunMismatch},
		{"no confirmation", func(s *Session, _ *string, _ *time.Time, _ *bool) { s.Confirmation = nil }, ErrNoConfirmation},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := base()
			token, err := s.IssueConfirmation(t0, 10*time.Minute, false, ChannelToken)
			if err != nil {
				t.Fatal(err)
			}
			now, dry := t0.Add(time.Minute), false
			tc.mutate(s, &token, &now, &dry)
			err = s.ConsumeConfirmation(token, now, dry, ChannelToken)
			if !errors.Is(err, tc.want) && !(tc.want == nil && err == nil) {
				t.Fatalf("ConsumeConfirmation = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestConfirmationSingleUseAndForeign(t *testing.T) {
	t0 := time.Now()
	a := &Session{ID: "fis-20260411-100000-aaaaaa", Experiment: Experiment{TemplateID: "EXT1"}, Health: &HealthResult{Verdict: VerdictHealthy}}
	b := &Session{ID: "fis-20260411-100000-bbbbbb", Experiment: Experiment{TemplateID: "EXT1"}, Health: &HealthResult{Verdict: VerdictHealthy}}
	ta, _ := a.IssueConfirmation(t0, time.Minute, false, ChannelToken)
	if _, err := b.IssueConfirmation(t0, time.Minute, false, ChannelToken); err != nil {
		t.Fatal(err)
	}
	if err := b.ConsumeConfirmation(ta, t0, false, ChannelToken); !errors.Is(err, ErrWrongToken) {
		t.Fatalf("foreign token: %v", err)
	}
	if err := a.ConsumeConfirmation(ta, t0, false, ChannelToken); err != nil {
		t.Fatal(err)
	}
	if err := a.ConsumeConfirmation(ta, t0, false, ChannelToken); !errors.Is(err, ErrTokenUsed) {
		t.Fatalf("reuse: %v", err)
	}
	if a.Confirmation.TokenHash == ta {
		t.Fatal("the token itself is stored")
	}
}

func TestConfirmationChannel(t *testing.T) {
	t0 := time.Now()
	s := &Session{ID: "fis-20260411-100000-aaaaaa", Experiment: Experiment{TemplateID: "EXT1"}, Health: &HealthResult{Verdict: VerdictHealthy}}
	tok, _ := s.IssueConfirmation(t0, time.Minute, false, ChannelElicitation)
	if err := s.ConsumeConfirmation(tok, t0, false, ChannelToken); !errors.Is(err, ErrWrongChannel) {
		t.Fatalf("an elicitation's token typed back: %v, want ErrWrongChannel", err)
	}
	if err := s.ConsumeConfirmation(tok, t0, false, ChannelElicitation); err != nil {
		t.Fatal(err)
	}
}
