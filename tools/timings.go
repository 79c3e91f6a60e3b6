package tools

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/fis-mcp/fis-mcp/session"
)

// durStyle is how spellDuration renders a timing in prose.
type durStyle int

const (
	durLong  durStyle = iota // "10 minutes", "1 minute", "40 seconds"
	durAdj                   // before a noun: "3-minute", "40-second"
	durShort                 // cadences: "60 s", "3 s", "5 min"
)

// spellDuration renders a configured timing for tool descriptions and texts in its
// largest whole unit (hours, minutes, seconds; under 2 minutes the short style stays in
// seconds: "every 60 s"). A timing that is not whole seconds falls back to Go's form.
func spellDuration(d time.Duration, style durStyle) string {
	if d <= 0 || d%time.Second != 0 {
		return d.String()
	}
	n, unit, abbr := int64(d/time.Second), "second", "s"
	switch {
	case d%time.Hour == 0:
		n, unit, abbr = int64(d/time.Hour), "hour", "h"
	case d%time.Minute == 0 && (style != durShort || d >= 2*time.Minute):
		n, unit, abbr = int64(d/time.Minute), "minute", "min"
	}
	num := strconv.FormatInt(n, 10)
	switch style {
	case durAdj:
		return num + "-" + unit
	case durShort:
		return num + " " + abbr
	}
	if n != 1 {
		unit += "s"
	}
	return num + " " + unit
}

// timingText fills the timing placeholders of a tool description or schema text
// ("{baseline-adj}", "{confirmation-ttl}", ...) with the configured timings.
func timingText(c Config, s string) string {
	return strings.NewReplacer(
		"{confirmation-ttl}", spellDuration(c.ConfirmationTTL, durLong),
		"{baseline-adj}", spellDuration(c.Baseline, durAdj),
		"{baseline}", spellDuration(c.Baseline, durLong),
		"{health-wait-interval}", spellDuration(c.HealthWaitInterval, durShort),
		"{health-wait-max}", spellDuration(c.HealthWaitMax, durLong),
		"{poll-fast}", spellDuration(c.PollFast, durShort),
		"{poll-fast-for}", spellDuration(c.PollFastFor, durLong),
		"{poll-slow}", spellDuration(c.PollSlow, durShort),
	).Replace(s)
}

// withTimings fills the timing placeholders of the tool's description and of its input
// and output schemas (the jsonschema struct tags). It must come after the schema options.
// The replacements are plain words, digits and hyphens, so the schemas stay valid JSON.
func withTimings(c Config) mcp.ToolOption {
	return func(t *mcp.Tool) {
		t.Description = timingText(c, t.Description)
		if t.RawInputSchema != nil {
			t.RawInputSchema = json.RawMessage(timingText(c, string(t.RawInputSchema)))
		}
		if t.RawOutputSchema != nil {
			t.RawOutputSchema = json.RawMessage(timingText(c, string(t.RawOutputSchema)))
		}
	}
}

// tokenRefusal restates session.ErrTokenExpired with the configured token lifetime
// (errors.Is still finds it); other refusals are returned unchanged.
func tokenRefusal(c Config, err error) error {
	if errors.Is(err, session.ErrTokenExpired) {
		return expiredToken{ttl: c.ConfirmationTTL}
	}
	return err
}

// expiredToken is session.ErrTokenExpired with the configured lifetime.
type expiredToken struct{ ttl time.Duration }

func (e expiredToken) Error() string {
	return fmt.Sprintf("the confirmation token has expired (tokens last %s): call start_experiment without a token for a fresh warning and token", spellDuration(e.ttl, durLong))
}

func (e expiredToken) Unwrap() error { return session.ErrTokenExpired }
