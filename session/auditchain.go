package session

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// The tamper-evident audit trail: Session.Audit is a hash chain with one record per
// thing recorded (every API call, timeline event, state change and confirmation step).
// Each record carries the SHA-256 digest of the canonical JSON of what it records and
// the hash of the previous record, so editing, inserting or deleting a timeline event,
// an API call or a chain record in the session file breaks the chain (VerifyAudit).
//
// Records are appended by the session's own methods (AddEvent, AddEventOnce,
// AddAPICalls, Transition, IssueConfirmation, ConsumeConfirmation, ...), inside
// Store.Update closures, so the order of the chain is the order of the file.
//
// A chain proves the session file's history is consistent, not that nobody rewrote
// the whole file: compare its head with the one printed in the report or by
// get_session (a copy kept elsewhere) to tell.

// Audit record kinds.
const (
	AuditKindAPICall      = "api_call"
	AuditKindEvent        = "event"
	AuditKindState        = "state"
	AuditKindConfirmation = "confirmation"
)

// Confirmation steps (AuditConfirmation.Action).
const (
	ConfirmationIssued      = "issued"      // a token was issued (the impact warning shown)
	ConfirmationConsumed    = "consumed"    // the token was accepted (single use)
	ConfirmationConfirmed   = "confirmed"   // the start was recorded as confirmed by the human (Run.ConfirmedBy)
	ConfirmationDeclined    = "declined"    // the human declined or cancelled the prompt
	ConfirmationInvalidated = "invalidated" // the pending token was voided (the session changed)
)

// ErrNoAuditChain is returned by VerifyAudit for a session written before the audit chain existed.
var ErrNoAuditChain = errors.New("no audit chain: the session predates the tamper-evident audit trail (written by an older fis-mcp), so it cannot be verified")

// AuditRecord is one link of the session's audit chain.
type AuditRecord struct {
	// Seq numbers the records from 1, in the order they were appended.
	Seq int `json:"seq"`
	// Time is the recorded thing's own time (the event's, the call's); for state changes and
	// invalidations, which carry none, the wall-clock time they were recorded.
	Time time.Time `json:"time"`
	Kind string    `json:"kind"`
	// Summary names what is recorded, for people reading the file (it is hashed too).
	Summary string `json:"summary"`
	// State is the change a "state" record records (From is "" on the chain's first record).
	State *AuditStateChange `json:"state,omitempty"`
	// Confirmation is the step a "confirmation" record records; only the token's SHA-256 is kept.
	Confirmation *AuditConfirmation `json:"confirmation,omitempty"`
	// Prior, on the first record of a chain begun on a session that already had events or
	// API calls (written by an older fis-mcp), covers those.
	Prior *AuditPrior `json:"prior,omitempty"`
	// Digest is the SHA-256 of the canonical JSON of the thing recorded: the Event, the
	// APICall, or this record's State / Confirmation (with Prior).
	Digest string `json:"digest"`
	// Prev is the previous record's Hash ("" for the first).
	Prev string `json:"prev"`
	// Hash is the SHA-256 over seq, time, kind, summary, digest and prev.
	Hash string `json:"hash"`
}

// AuditStateChange is a state change of the session.
type AuditStateChange struct {
	From State `json:"from"`
	To   State `json:"to"`
}

// AuditConfirmation is one step of the start confirmation.
type AuditConfirmation struct {
	Action string `json:"action"`
	// Channel is how the answer comes back: "token" or "elicitation".
	Channel string `json:"channel,omitempty"`
	// By is who confirmed or declined (e.g. "human via confirmation token").
	By string `json:"by,omitempty"`
	// TokenSHA256 is the SHA-256 of the confirmation token (never the token itself).
	TokenSHA256 string     `json:"token_sha256,omitempty"`
	DryRun      bool       `json:"dry_run,omitempty"`
	ExpiresAt   *time.Time `json:"expires_at,omitempty"`
}

// AuditPrior covers the events and API calls a session held when its chain began.
type AuditPrior struct {
	Events   int `json:"events"`
	APICalls int `json:"api_calls"`
	// Digest is the SHA-256 over their sorted digests.
	Digest string `json:"digest"`
}

// AuditBreak is the first place where the session file and its audit chain disagree.
type AuditBreak struct {
	// Seq is the record that does not match; 0 when the problem is a timeline event or an
	// API call that no record holds (added to the file afterwards).
	Seq  int
	Kind string
	Time time.Time
	What string
}

func (b *AuditBreak) Error() string {
	if b.Seq == 0 {
		return "audit chain BROKEN: " + b.What
	}
	return fmt.Sprintf("audit chain BROKEN at record #%d (%s, %s): %s", b.Seq, b.Kind, b.Time.UTC().Format(time.RFC3339), b.What)
}

// ChainHead returns the hash of the chain's last record and the number of records
// ("", 0 for a session without a chain).
func (s *Session) ChainHead() (head string, records int) {
	if len(s.Audit) == 0 {
		return "", 0
	}
	return s.Audit[len(s.Audit)-1].Hash, len(s.Audit)
}

// AddAPICalls appends calls to the session's API call trail, one audit record each.
func (s *Session) AddAPICalls(calls ...APICall) {
	for _, c := range calls {
		s.auditAPICall(c)
		s.APICalls = append(s.APICalls, c)
	}
}

// AuditConfirmation appends a "confirmation" record of action, taken at now by by
// ("" when not known), with the pending confirmation's channel and token hash.
func (s *Session) AuditConfirmation(now time.Time, action, by string) {
	c := AuditConfirmation{Action: action, By: by}
	if p := s.Confirmation; p != nil {
		c.Channel, c.TokenSHA256, c.DryRun = p.Channel, p.TokenHash, p.DryRun
		if action == ConfirmationIssued {
			exp := p.ExpiresAt.UTC()
			c.ExpiresAt = &exp
		}
	}
	summary := action
	if c.Channel != "" {
		summary += " (channel " + c.Channel + ")"
	}
	if by != "" {
		summary += " by " + by
	}
	s.appendAudit(AuditRecord{Time: now, Kind: AuditKindConfirmation, Summary: summary, Confirmation: &c})
}

func (s *Session) auditEvent(e Event) {
	summary := e.Source
	if e.Kind != "" {
		summary += " " + e.Kind
	}
	if e.Subject != "" {
		summary += " " + e.Subject
	}
	s.appendAudit(AuditRecord{Time: e.Time, Kind: AuditKindEvent, Summary: summary, Digest: eventDigest(e)})
}

func (s *Session) auditAPICall(c APICall) {
	summary := c.Service + " " + c.Operation
	if c.Resource != "" {
		summary += " " + c.Resource
	}
	summary += ": " + truncateRunes(c.Result, 60)
	s.appendAudit(AuditRecord{Time: c.Time, Kind: AuditKindAPICall, Summary: summary, Digest: digestOf(c)})
}

func (s *Session) auditState(from, to State) {
	s.appendAudit(AuditRecord{Time: time.Now(), Kind: AuditKindState, Summary: fmt.Sprintf("%s → %s", from, to),
		State: &AuditStateChange{From: from, To: to}})
}

// appendAudit links r to the chain (beginning it first if the session has none) and appends it.
func (s *Session) appendAudit(r AuditRecord) {
	if len(s.Audit) == 0 {
		s.beginAudit()
	}
	s.link(r)
}

// beginAudit starts the chain with the session's current state, covering the events and
// API calls it already holds.
func (s *Session) beginAudit() {
	r := AuditRecord{Time: time.Now(), Kind: AuditKindState, State: &AuditStateChange{To: s.State},
		Summary: fmt.Sprintf("chain begins: session %s in state %s", s.ID, s.State)}
	if !s.CreatedAt.IsZero() && len(s.Timeline) == 0 && len(s.APICalls) == 0 {
		r.Time = s.CreatedAt
	}
	if len(s.Timeline) > 0 || len(s.APICalls) > 0 {
		r.Prior = &AuditPrior{Events: len(s.Timeline), APICalls: len(s.APICalls), Digest: priorDigest(liveDigests(s))}
		r.Summary += fmt.Sprintf(" (covering %d earlier events and %d earlier API calls)", len(s.Timeline), len(s.APICalls))
	}
	s.link(r)
}

func (s *Session) link(r AuditRecord) {
	r.Seq = len(s.Audit) + 1
	r.Time = r.Time.UTC()
	if r.Digest == "" {
		r.Digest = r.payloadDigest()
	}
	if n := len(s.Audit); n > 0 {
		r.Prev = s.Audit[n-1].Hash
	}
	r.Hash = r.computeHash()
	s.Audit = append(s.Audit, r)
}

// payloadDigest is the digest of what a state or confirmation record holds itself.
func (r AuditRecord) payloadDigest() string {
	return digestOf(struct {
		State        *AuditStateChange  `json:"state,omitempty"`
		Confirmation *AuditConfirmation `json:"confirmation,omitempty"`
		Prior        *AuditPrior        `json:"prior,omitempty"`
	}{r.State, r.Confirmation, r.Prior})
}

func (r AuditRecord) computeHash() string {
	b, _ := json.Marshal(struct {
		Seq     int    `json:"seq"`
		Time    string `json:"time"`
		Kind    string `json:"kind"`
		Summary string `json:"summary"`
		Digest  string `json:"digest"`
		Prev    string `json:"prev"`
	}{r.Seq, r.Time.UTC().Format(time.RFC3339Nano), r.Kind, r.Summary, r.Digest, r.Prev})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// eventDigest is the digest of a timeline event, RecordedBy included (poll and the run
// supervisor set it before the event is added).
func eventDigest(e Event) string { return digestOf(e) }

// digestOf is the SHA-256 of v's canonical JSON: object keys sorted, empty values
// (omitted or not) left out, so fields added to a type later do not change the digest
// of what was recorded before.
func digestOf(v any) string {
	sum := sha256.Sum256(canonicalJSON(v))
	return hex.EncodeToString(sum[:])
}

func canonicalJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return []byte(fmt.Sprintf("%#v", v))
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		return b
	}
	x, _ = pruneEmpty(x)
	out, err := json.Marshal(x)
	if err != nil {
		return b
	}
	return out
}

// pruneEmpty drops empty strings, false, zero, null and empty objects and arrays from
// objects; it reports whether x itself is empty.
func pruneEmpty(x any) (any, bool) {
	switch v := x.(type) {
	case nil:
		return nil, true
	case string:
		return v, v == ""
	case bool:
		return v, !v
	case json.Number:
		return v, v.String() == "0"
	case []any:
		for i := range v {
			v[i], _ = pruneEmpty(v[i])
		}
		return v, len(v) == 0
	case map[string]any:
		for k, e := range v {
			p, empty := pruneEmpty(e)
			if empty {
				delete(v, k)
				continue
			}
			v[k] = p
		}
		return v, len(v) == 0
	}
	return x, false
}

// liveDigests are the "event:…" and "api_call:…" digests of what the session holds.
func liveDigests(s *Session) []string {
	out := make([]string, 0, len(s.Timeline)+len(s.APICalls))
	for _, e := range s.Timeline {
		out = append(out, AuditKindEvent+":"+eventDigest(e))
	}
	for _, c := range s.APICalls {
		out = append(out, AuditKindAPICall+":"+digestOf(c))
	}
	return out
}

func priorDigest(digests []string) string {
	d := append([]string(nil), digests...)
	sort.Strings(d)
	sum := sha256.Sum256([]byte(strings.Join(d, "\n")))
	return hex.EncodeToString(sum[:])
}

// VerifyAudit recomputes the session's audit chain from the session itself: every
// record's hash and link, the digest of every timeline event and API call it records,
// and the state and confirmation it last recorded. It returns nil when all match, the
// first mismatch as an *AuditBreak, or ErrNoAuditChain (wrapped) for a session written
// before the chain existed.
func (s *Session) VerifyAudit() error {
	if len(s.Audit) == 0 {
		return fmt.Errorf("%w (%d timeline events, %d API calls)", ErrNoAuditChain, len(s.Timeline), len(s.APICalls))
	}
	// What the file holds, by digest (a multiset: the same event may be recorded twice).
	events, calls := map[string][]int{}, map[string][]int{}
	for i, e := range s.Timeline {
		d := eventDigest(e)
		events[d] = append(events[d], i)
	}
	for i, c := range s.APICalls {
		d := digestOf(c)
		calls[d] = append(calls[d], i)
	}
	take := func(m map[string][]int, d string) bool {
		if len(m[d]) == 0 {
			return false
		}
		m[d] = m[d][1:]
		return true
	}
	prev := ""
	var lastState, lastIssued, lastConfirmed *AuditRecord
	for i := range s.Audit {
		r := &s.Audit[i]
		brk := func(format string, args ...any) error {
			return &AuditBreak{Seq: i + 1, Kind: r.Kind, Time: r.Time, What: fmt.Sprintf(format, args...)}
		}
		switch {
		case r.Seq != i+1:
			if r.Seq > i+1 {
				return brk("the record is missing (record #%d is in its place): it was deleted", r.Seq)
			}
			return brk("the record is out of order (found #%d in its place)", r.Seq)
		case r.Prev != prev:
			return brk("its link to the previous record does not match (prev %s, expected %s): a record before it was edited, inserted or removed", short(r.Prev), short(prev))
		case r.Hash != r.computeHash():
			return brk("its hash does not match its contents: the record was edited")
		}
		switch r.Kind {
		case AuditKindEvent:
			if !take(events, r.Digest) {
				return brk("the timeline event it records (%s) is missing from the session or was edited", r.Summary)
			}
		case AuditKindAPICall:
			if !take(calls, r.Digest) {
				return brk("the API call it records (%s) is missing from the session or was edited", r.Summary)
			}
		case AuditKindState, AuditKindConfirmation:
			if r.Digest != r.payloadDigest() {
				return brk("the %s change it holds was edited", r.Kind)
			}
			if r.Prior != nil && i != 0 {
				return brk("only the chain's first record may cover earlier events")
			}
			if r.State != nil {
				lastState = r
			}
			if c := r.Confirmation; c != nil && c.Action == ConfirmationIssued {
				lastIssued = r
			}
			if c := r.Confirmation; c != nil && c.Action == ConfirmationConfirmed {
				lastConfirmed = r
			}
		default:
			return brk("unknown record kind %q", r.Kind)
		}
		prev = r.Hash
	}
	if err := s.verifyLeftovers(events, calls); err != nil {
		return err
	}
	return s.verifyCurrent(lastState, lastIssued, lastConfirmed)
}

// verifyLeftovers checks the events and API calls no record holds: there must be none,
// or exactly those the chain's first record covers.
func (s *Session) verifyLeftovers(events, calls map[string][]int) error {
	var evIdx, callIdx []int
	for _, ix := range events {
		evIdx = append(evIdx, ix...)
	}
	for _, ix := range calls {
		callIdx = append(callIdx, ix...)
	}
	sort.Ints(evIdx)
	sort.Ints(callIdx)
	if p := s.Audit[0].Prior; p != nil {
		var left []string
		for _, i := range evIdx {
			left = append(left, AuditKindEvent+":"+eventDigest(s.Timeline[i]))
		}
		for _, i := range callIdx {
			left = append(left, AuditKindAPICall+":"+digestOf(s.APICalls[i]))
		}
		if len(evIdx) != p.Events || len(callIdx) != p.APICalls || priorDigest(left) != p.Digest {
			r := s.Audit[0]
			return &AuditBreak{Seq: 1, Kind: r.Kind, Time: r.Time, What: fmt.Sprintf(
				"the %d events and %d API calls that predate the chain (which it covers) were edited, added or removed: %d events and %d API calls are not in the chain now",
				p.Events, p.APICalls, len(evIdx), len(callIdx))}
		}
		return nil
	}
	if len(evIdx) > 0 {
		e := s.Timeline[evIdx[0]]
		return &AuditBreak{Kind: AuditKindEvent, Time: e.Time, What: fmt.Sprintf(
			"timeline event %d (%s, %s) is not in the audit chain: it was added to the file, or edited, after it was recorded",
			evIdx[0]+1, e.Time.UTC().Format(time.RFC3339), strings.TrimSpace(e.Source+" "+e.Kind))}
	}
	if len(callIdx) > 0 {
		c := s.APICalls[callIdx[0]]
		return &AuditBreak{Kind: AuditKindAPICall, Time: c.Time, What: fmt.Sprintf(
			"API call %d (%s, %s %s) is not in the audit chain: it was added to the file, or edited, after it was recorded",
			callIdx[0]+1, c.Time.UTC().Format(time.RFC3339), c.Service, c.Operation)}
	}
	return nil
}

// verifyCurrent checks the session's state, pending confirmation and confirmed start
// against the chain's last records of them.
func (s *Session) verifyCurrent(lastState, lastIssued, lastConfirmed *AuditRecord) error {
	brk := func(r *AuditRecord, format string, args ...any) error {
		return &AuditBreak{Seq: r.Seq, Kind: r.Kind, Time: r.Time, What: fmt.Sprintf(format, args...)}
	}
	if lastState != nil && lastState.State.To != s.State {
		return brk(lastState, "the session's state is %q but the last recorded state is %q: the state was edited", s.State, lastState.State.To)
	}
	if c := s.Confirmation; c != nil && lastIssued != nil {
		rc := lastIssued.Confirmation
		if rc.TokenSHA256 != c.TokenHash || rc.Channel != c.Channel || rc.DryRun != c.DryRun {
			return brk(lastIssued, "the pending confirmation (token hash, channel or dry_run) differs from the one issued: it was edited")
		}
	}
	if run := s.Run; run != nil && lastConfirmed != nil {
		if run.ConfirmedBy != lastConfirmed.Confirmation.By || !run.ConfirmedAt.Equal(lastConfirmed.Time) {
			return brk(lastConfirmed, "the run's confirmed_by / confirmed_at (%q, %s) differ from the recorded confirmation (%q): they were edited",
				run.ConfirmedBy, run.ConfirmedAt.UTC().Format(time.RFC3339), lastConfirmed.Confirmation.By)
		}
	}
	return nil
}

func short(h string) string {
	if h == "" {
		return `""`
	}
	if len(h) > 12 {
		return h[:12] + "…"
	}
	return h
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
