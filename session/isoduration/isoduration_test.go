package isoduration

import (
	"errors"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// cases holds every ISO 8601 case the three parsers this package replaced were tested with
// (aws/experiment ParseISODuration, aws/awstest's action durations, session/expdir DurationSeconds),
// then the edges of the grammar.
var cases = []struct {
	in   string
	want time.Duration
	err  error // nil, ErrSyntax or ErrRange
}{
	// aws/experiment TestParseISODuration
	{"PT2M", 2 * time.Minute, nil},
	{"PT30S", 30 * time.Second, nil},
	{"PT1H30M", 90 * time.Minute, nil},
	{"P1D", 24 * time.Hour, nil},
	{"pt10m", 10 * time.Minute, nil},
	{"PT0.5S", 500 * time.Millisecond, nil},
	{"", 0, ErrSyntax},
	{"P", 0, ErrSyntax},
	{"PT", 0, ErrSyntax},
	{"10 minutes", 0, ErrSyntax},
	// aws/awstest template action durations
	{"PT1M", time.Minute, nil},
	{"PT5M", 5 * time.Minute, nil},
	// session/expdir TestDurationSeconds, ISO 8601 part
	{"PT10M", 10 * time.Minute, nil},
	{"PT45S", 45 * time.Second, nil},
	{"PT1.5H", 90 * time.Minute, nil},
	{"PT0.5M", 30 * time.Second, nil},
	{"P1DT", 0, ErrSyntax},
	{"PT999999999H", 0, ErrRange},
	// weeks, comma fractions, case and white space (session/expdir and aws/experiment)
	{"P1W", 7 * 24 * time.Hour, nil},
	{"P1W1DT1H", 8*24*time.Hour + time.Hour, nil},
	{"PT1,5H", 90 * time.Minute, nil},
	{"p1dT2h", 26 * time.Hour, nil},
	{"  PT10M\n", 10 * time.Minute, nil},
	{"P1DT1H1M1S", 24*time.Hour + time.Hour + time.Minute + time.Second, nil},
	{"PT0S", 0, nil},
	{"PT90M", 90 * time.Minute, nil},
	{"PT0010M", 10 * time.Minute, nil},
	// exact to the nanosecond, finer fractions truncated
	{"PT0.1S", 100 * time.Millisecond, nil},
	{"PT0.000000001S", time.Nanosecond, nil},
	{"PT1.0000000009S", time.Second, nil},
	{"PT0.3M", 18 * time.Second, nil},
	// range: the largest time.Duration, and one nanosecond more
	{"PT9223372036.854775807S", math.MaxInt64, nil},
	{"PT9223372036.854775808S", 0, ErrRange},
	{"P15250W", 15250 * 7 * 24 * time.Hour, nil},
	{"P15251W", 0, ErrRange},
	// not durations FIS or this project writes
	{"P1Y", 0, ErrSyntax},
	{"P1M", 0, ErrSyntax},
	{"P1H", 0, ErrSyntax},
	{"PT1D", 0, ErrSyntax},
	{"PT1M1H", 0, ErrSyntax},
	{"PT1H1H", 0, ErrSyntax},
	{"P1D1W", 0, ErrSyntax},
	{"PT1H T1M", 0, ErrSyntax},
	{"PTT1M", 0, ErrSyntax},
	{"PT.5S", 0, ErrSyntax},
	{"PT5.S", 0, ErrSyntax},
	{"PT1.5.S", 0, ErrSyntax},
	{"PT1", 0, ErrSyntax},
	{"-PT1M", 0, ErrSyntax},
	{"PT-1M", 0, ErrSyntax},
	{"PT+1M", 0, ErrSyntax},
	{"PT1E3S", 0, ErrSyntax},
	{"PT1M ago", 0, ErrSyntax},
	{"T1M", 0, ErrSyntax},
	{"1M", 0, ErrSyntax},
	{"PT１M", 0, ErrSyntax}, // fullwidth digit
	{"PT10M\xff", 0, ErrSyntax},
}

func TestParse(t *testing.T) {
	for _, tc := range cases {
		got, err := Parse(tc.in)
		if got != tc.want || !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
			t.Errorf("Parse(%q) = %v, %v; want %v, %v", tc.in, got, err, tc.want, tc.err)
		}
		if err != nil && !strings.Contains(err.Error(), strconv.Quote(tc.in)) {
			t.Errorf("Parse(%q) error %q does not name the input", tc.in, err)
		}
	}
}

// grammar is the union of the regular expressions the replaced parsers used: weeks and ","
// from session/expdir, unbounded digit runs from aws/experiment and aws/awstest.
var grammar = regexp.MustCompile(`^P(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$`)

// oracle parses s the way the replaced parsers did (regular expression, float arithmetic).
func oracle(s string) (seconds float64, ok bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	m := grammar.FindStringSubmatch(s)
	if m == nil || s == "P" || strings.HasSuffix(s, "T") {
		return 0, false
	}
	for i, unit := range []float64{7 * 86400, 86400, 3600, 60, 1} {
		if m[i+1] != "" {
			f, err := strconv.ParseFloat(strings.Replace(m[i+1], ",", ".", 1), 64)
			if err != nil {
				return 0, false
			}
			seconds += f * unit
		}
	}
	return seconds, true
}

func FuzzParse(f *testing.F) {
	for _, tc := range cases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Parse(s)
		want, ok := oracle(s)
		switch {
		case err != nil && !errors.Is(err, ErrSyntax) && !errors.Is(err, ErrRange):
			t.Fatalf("Parse(%q) error %v wraps neither ErrSyntax nor ErrRange", s, err)
		case got < 0:
			t.Fatalf("Parse(%q) = %v, negative", s, got)
		case ok != (err == nil || errors.Is(err, ErrRange)):
			t.Fatalf("Parse(%q) = %v, %v; the grammar says ok=%v", s, got, err, ok)
		case errors.Is(err, ErrRange) && want < float64(math.MaxInt64)/1e9*(1-1e-12):
			t.Fatalf("Parse(%q): ErrRange for %v seconds", s, want)
		case err == nil && math.Abs(got.Seconds()-want) > 1e-9+want*1e-12:
			t.Fatalf("Parse(%q) = %v; float arithmetic gives %v seconds", s, got, want)
		}
	})
}
