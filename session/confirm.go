package session

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Confirmation refusal reasons.
var (
	ErrNoConfirmation   = errors.New("no confirmation was issued for this session: call start_experiment without a token first to get the impact warning and a token")
	ErrWrongToken       = errors.New("the confirmation token is not the one issued for this session (wrong, mistyped or from another session): ask for a new one by calling start_experiment without a token")
	ErrTokenUsed        = errors.New("the confirmation token was already used: a token starts at most one experiment")
	ErrTokenExpired     = errors.New("the confirmation token has expired (tokens last 10 minutes): call start_experiment without a token for a fresh warning and token")
	ErrTokenInvalidated = errors.New("the confirmation token was invalidated because the session changed since it was issued (new health check, apps or logs): review the new impact warning")
	ErrDryRunMismatch   = errors.New("the confirmation token was issued for a different dry_run setting: ask for a new token with the same dry_run value")
	ErrWrongChannel     = errors.New("this confirmation must be answered by the human through the MCP client's confirmation prompt, not as a typed token: answer the prompt, or call start_experiment again")
	tokenEncoding       = base32.StdEncoding.WithPadding(base32.NoPadding)
)

// ConfirmationFingerprint binds a confirmation to what the human was shown: the
// session, the template, the health verdict and check time, the monitored apps and
// log collection, and whether it is a dry run.
func (s *Session) ConfirmationFingerprint(dryRun bool) string {
	h := sha256.New()
	fmt.Fprintf(h, "session=%s\ntemplate=%s\ndry_run=%t\n", s.ID, s.Experiment.TemplateID, dryRun)
	if s.Health != nil {
		fmt.Fprintf(h, "health=%s@%s\n", s.Health.Verdict, s.Health.CheckedAt.UTC().Format(time.RFC3339Nano))
	}
	var apps []string
	if s.Discovery != nil {
		for _, a := range s.Discovery.Apps {
			apps = append(apps, a.Key()+"→"+a.Service)
		}
	}
	sort.Strings(apps)
	fmt.Fprintf(h, "apps=%s\n", strings.Join(apps, ","))
	if s.Logs != nil {
		fmt.Fprintf(h, "logs=%s\n", s.Logs.StartedAt.UTC().Format(time.RFC3339Nano))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Confirmation channels: how the human's answer must come back.
const (
	ChannelToken       = "token"       // typed back as confirmation_token
	ChannelElicitation = "elicitation" // the MCP client's own confirmation prompt
)

// IssueConfirmation creates a single-use token valid for ttl, to be answered through
// channel, and stores only its hash.
func (s *Session) IssueConfirmation(now time.Time, ttl time.Duration, dryRun bool, channel string) (token string, err error) {
	var b [20]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("generate confirmation token: %w", err)
	}
	token = "confirm-" + strings.ToLower(tokenEncoding.EncodeToString(b[:]))
	s.Confirmation = &Confirmation{
		TokenHash:   hashToken(token),
		IssuedAt:    now.UTC(),
		ExpiresAt:   now.Add(ttl).UTC(),
		Fingerprint: s.ConfirmationFingerprint(dryRun),
		DryRun:      dryRun,
		Channel:     channel,
	}
	s.AuditConfirmation(now, ConfirmationIssued, "")
	return token, nil
}

// ConsumeConfirmation checks token, arriving through channel, and marks it used. It
// returns one of the Err… reasons above when the token must be refused.
func (s *Session) ConsumeConfirmation(token string, now time.Time, dryRun bool, channel string) error {
	c := s.Confirmation
	if c == nil {
		return ErrNoConfirmation
	}
	if subtle.ConstantTimeCompare([]byte(hashToken(strings.TrimSpace(token))), []byte(c.TokenHash)) != 1 {
		return ErrWrongToken
	}
	if c.Used {
		return ErrTokenUsed
	}
	if c.Channel != "" && c.Channel != channel {
		return ErrWrongChannel
	}
	if !now.Before(c.ExpiresAt) {
		return ErrTokenExpired
	}
	if c.DryRun != dryRun {
		return ErrDryRunMismatch
	}
	if c.Fingerprint != s.ConfirmationFingerprint(dryRun) {
		return ErrTokenInvalidated
	}
	c.Used = true
	s.AuditConfirmation(now, ConfirmationConsumed, "")
	return nil
}

// InvalidateConfirmation makes a pending (unused) confirmation token unusable because the
// session changed since it was issued: presenting it later gives ErrTokenInvalidated.
// It reports whether there was a pending token.
func (s *Session) InvalidateConfirmation() bool {
	if s.Confirmation == nil || s.Confirmation.Used {
		return false
	}
	s.Confirmation.Fingerprint = "invalidated"
	s.AuditConfirmation(time.Now(), ConfirmationInvalidated, "")
	return true
}
