package tools

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/fis-mcp/fis-mcp/session/workflow"
)

// durStyle is how spellDuration renders a timing in prose (workflow.DurStyle).
type durStyle = workflow.DurStyle

const (
	durLong  = workflow.DurLong  // "10 minutes", "1 minute", "40 seconds"
	durAdj   = workflow.DurAdj   // before a noun: "3-minute", "40-second"
	durShort = workflow.DurShort // cadences: "60 s", "3 s", "5 min"
)

// spellDuration renders a configured timing for tool descriptions and texts (workflow.SpellDuration).
func spellDuration(d time.Duration, style durStyle) string { return workflow.SpellDuration(d, style) }

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
