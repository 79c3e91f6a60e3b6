package tools

import (
	"testing"
	"time"
)

// TestSpellDuration pins the prose the tool descriptions are built from: with the default
// timings it must render exactly what the schema snapshots hold ("60 s", "10 minutes", "3-minute").
func TestSpellDuration(t *testing.T) {
	tests := []struct {
		d     time.Duration
		style durStyle
		want  string
	}{
		{10 * time.Minute, durLong, "10 minutes"},
		{time.Minute, durLong, "1 minute"},
		{40 * time.Second, durLong, "40 seconds"},
		{time.Second, durLong, "1 second"},
		{90 * time.Second, durLong, "90 seconds"},
		{2 * time.Hour, durLong, "2 hours"},
		{3 * time.Minute, durAdj, "3-minute"},
		{40 * time.Second, durAdj, "40-second"},
		{60 * time.Second, durShort, "60 s"},
		{30 * time.Second, durShort, "30 s"},
		{2 * time.Second, durShort, "2 s"},
		{5 * time.Minute, durShort, "5 min"},
		{270 * time.Second, durShort, "4 min 30 s"},
		{1500 * time.Millisecond, durLong, "1.5 s"},
		{0, durShort, "0 s"},
	}
	for _, tc := range tests {
		if got := spellDuration(tc.d, tc.style); got != tc.want {
			t.Errorf("spellDuration(%s, %d) = %q, want %q", tc.d, tc.style, got, tc.want)
		}
	}
}
