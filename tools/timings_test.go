package tools_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fis-mcp/fis-mcp/tools"
)

// simulatedTimings mirrors cmd/fis-mcp/simulation.go's Configure (--simulate).
func simulatedTimings() tools.Config {
	return tools.Config{
		Simulated: true, Baseline: 40 * time.Second, HealthWaitInterval: 2 * time.Second, HealthWaitMax: 20 * time.Second,
		PollFast: 3 * time.Second, PollFastFor: time.Minute, PollSlow: 5 * time.Second, PollWaitStep: time.Second,
	}
}

var placeholder = regexp.MustCompile(`\{[a-z]+(-[a-z]+)*\}`)

// TestToolTextsStateConfiguredTimings: the descriptions and schema texts state the
// configured timings (the default ones are pinned byte for byte by TestToolSnaps).
func TestToolTextsStateConfiguredTimings(t *testing.T) {
	tests := []struct {
		name    string
		cfg     tools.Config
		want    map[string][]string // tool → texts its definition must contain
		notWant []string            // texts no definition may contain
	}{
		{
			name: "defaults",
			cfg:  tools.Config{},
			want: map[string][]string{
				"finalize_report":  {"finish the 3-minute post-experiment baseline", "the rest of the 3-minute post-experiment baseline"},
				"start_logs":       {"the 3-minute post-experiment baseline"},
				"health_check":     {"rechecks every 60 s up to 10 minutes", "recheck every 60 s for up to 10 minutes"},
				"poll":             {"Poll every 30 s for the first 5 minutes, then every 60 s"},
				"start_experiment": {"confirmation_token valid for 10 minutes"},
			},
		},
		{
			name: "simulated (--simulate)",
			cfg:  simulatedTimings(),
			want: map[string][]string{
				"finalize_report":  {"finish the 40-second post-experiment baseline", "the rest of the 40-second post-experiment baseline"},
				"start_logs":       {"the 40-second post-experiment baseline"},
				"health_check":     {"rechecks every 2 s up to 20 seconds", "recheck every 2 s for up to 20 seconds"},
				"poll":             {"Poll every 3 s for the first 1 minute, then every 5 s"},
				"start_experiment": {"confirmation_token valid for 10 minutes"},
			},
			notWant: []string{"3-minute", "60 s", "30 s", "5 minutes"},
		},
		{
			name:    "a shorter token lifetime",
			cfg:     tools.Config{ConfirmationTTL: 2 * time.Minute},
			want:    map[string][]string{"start_experiment": {"confirmation_token valid for 2 minutes"}},
			notWant: []string{"10 minutes;"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			deps := tools.NewDeps(nil, awsConfigForSchema(), tc.cfg, nil, nopLog())
			defer deps.Close()
			for _, st := range tools.All(deps) {
				b, err := json.Marshal(st.Tool)
				if err != nil {
					t.Fatal(err)
				}
				var def strings.Builder // the description and schema texts, JSON-decoded
				collectStrings(t, b, &def)
				text := def.String()
				if m := placeholder.FindString(text); m != "" {
					t.Errorf("%s: unfilled timing placeholder %s", st.Tool.Name, m)
				}
				for _, w := range tc.want[st.Tool.Name] {
					if !strings.Contains(text, w) {
						t.Errorf("%s does not say %q:\n%s", st.Tool.Name, w, text)
					}
				}
				for _, nw := range tc.notWant {
					if strings.Contains(text, nw) {
						t.Errorf("%s still says %q, not the configured timing", st.Tool.Name, nw)
					}
				}
			}
		})
	}
}

// collectStrings appends every string value of the JSON document b, one per line.
func collectStrings(t *testing.T, b []byte, out *strings.Builder) {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			out.WriteString(x + "\n")
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
}

// TestExpiredTokenStatesConfiguredLifetime: the refusal of an expired token names the
// configured lifetime, not a hard-coded one.
func TestExpiredTokenStatesConfiguredLifetime(t *testing.T) {
	h := newHarness(t, withConfig(func(c *tools.Config) { c.ConfirmationTTL = 2 * time.Minute }))
	id := h.healthyDemo()
	tok := h.token(id, false)
	h.clock.Advance(3 * time.Minute)
	r := h.fail("start_experiment", map[string]any{"session_id": id, "confirmation_token": tok})
	if !strings.Contains(r.text, "the confirmation token has expired (tokens last 2 minutes)") || strings.Contains(r.text, "10 minutes") {
		t.Errorf("expired-token refusal does not state the configured 2-minute lifetime:\n%s", r.text)
	}
	if n := len(h.aws.StartedExperiments()); n != 0 {
		t.Errorf("an expired token started %d experiments", n)
	}
}
