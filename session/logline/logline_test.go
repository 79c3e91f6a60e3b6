package logline

import (
	"testing"
	"time"
)

func TestRoundTrip(t *testing.T) {
	ts := time.Date(2026, 4, 11, 10, 30, 15, 123456789, time.UTC)
	tests := []struct {
		name      string
		time      time.Time
		pod, cont string
		msg       string
	}{
		{"plain", ts, "api-7f9c-abcde", "app", "ERROR connection refused"},
		{"empty message", ts, "p", "c", ""},
		{"whole second", ts.Truncate(time.Second), "p", "c", "x ] y"},
		{"offset zone", ts.In(time.FixedZone("x", 8*3600)), "p", "c", "hello"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := Append(nil, tc.time, tc.pod, tc.cont, []byte(tc.msg+"\n"))
			l, err := Parse(b)
			if err != nil {
				t.Fatalf("Parse(%q): %v", b, err)
			}
			if !l.Time.Equal(tc.time) || l.Pod != tc.pod || l.Container != tc.cont || string(l.Message) != tc.msg {
				t.Fatalf("got %+v from %q", l, b)
			}
		})
	}
}

func TestParseMalformed(t *testing.T) {
	for _, in := range []string{"", "garbage", "2026-04-11T10:30:15Z nobracket", "notatime [p/c] m", "2026-04-11T10:30:15Z [pc] m"} {
		if _, err := Parse([]byte(in)); err == nil {
			t.Errorf("Parse(%q): want error", in)
		}
	}
}

func TestParseTimeFractions(t *testing.T) {
	for in, want := range map[string]int{
		"2026-04-11T10:30:15.1Z":         100000000,
		"2026-04-11T10:30:15.000001Z":    1000,
		"2026-04-11T10:30:15.123456789Z": 123456789,
	} {
		got, err := ParseTime([]byte(in))
		if err != nil || got.Nanosecond() != want {
			t.Errorf("ParseTime(%s) = %v, %v; want nsec %d", in, got, err, want)
		}
	}
}
