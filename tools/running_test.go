package tools_test

import (
	"strings"
	"testing"
)

func lastLine(r result) string {
	lines := strings.Split(strings.TrimRight(r.text, "\n"), "\n")
	return lines[len(lines)-1]
}

// The footer after list_sessions or an error about a given session says what is running,
// if anything: never "no session yet" once sessions exist.
func TestFooterSaysWhatIsRunning(t *testing.T) {
	h := newHarness(t)
	const unknown = "fis-20260411-023000-000000"
	idle := []struct {
		name string
		r    func() result
	}{
		{"list_sessions, none", func() result { return h.ok("list_sessions", nil) }},
		{"get_session, unknown", func() result { return h.fail("get_session", map[string]any{"session_id": unknown}) }},
	}
	for _, tt := range idle {
		r := tt.r()
		if got := lastLine(r); !strings.HasPrefix(got, "Nothing is running: no session has an experiment in progress") || strings.Contains(got, "no session yet") {
			t.Errorf("%s: footer %q", tt.name, got)
		}
	}

	id, exp := h.startDemo()
	aborted := h.resolveDemo()
	h.ok("stop_experiment", map[string]any{"session_id": aborted, "reason": "not today"})
	running := "session " + id + " (experiment " + exp + ")"
	tests := []struct {
		name string
		r    func() result
		want []string
	}{
		{"list_sessions", func() result { return h.ok("list_sessions", nil) },
			[]string{"Running: " + running, "stop_experiment with session_id " + id}},
		{"get_session, unknown", func() result { return h.fail("get_session", map[string]any{"session_id": unknown}) },
			[]string{"Running: " + running, "stop_experiment with session_id " + id}},
		{"get_session, the aborted one", func() result { return h.ok("get_session", map[string]any{"session_id": aborted}) },
			[]string{"Nothing is running for session " + aborted + " (state aborted).", "Running elsewhere: " + running}},
		{"get_session, the running one", func() result { return h.ok("get_session", map[string]any{"session_id": id}) },
			[]string{"stop_experiment with session_id " + id, "aws fis stop-experiment --id " + exp}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.r()
			got := lastLine(r)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("footer %q lacks %q", got, w)
				}
			}
			if strings.Contains(got, "no session yet") || strings.HasPrefix(got, "Nothing is running:") {
				t.Errorf("footer says nothing runs while %s does: %q", id, got)
			}
			if !r.isError && r.str("abort") != got {
				t.Errorf("structured abort %q differs from the footer %q", r.str("abort"), got)
			}
		})
	}
}
