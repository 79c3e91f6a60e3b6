// Package isoduration parses the ISO 8601 durations AWS FIS writes and reads: action "duration"
// parameters (PT1M, PT10M, PT1H), experiment report pre/post durations (PT20M) and the estimated
// duration in an experiment's README.
//
// https://docs.aws.amazon.com/fis/latest/userguide/fis-actions-reference.html: "In the AWS FIS API,
// the value is a string in ISO 8601 format. For example, PT1M represents one minute."
// The docs give no grammar beyond that, so Parse accepts the forms this project parsed before it
// existed: weeks and days (P1W, P1D), decimal fractions with "." or "," (PT0.5S, PT1,5H), any
// letter case and surrounding white space. It does not check FIS's ranges (one minute to 12 hours
// for most actions): that is the caller's business.
//
// The package imports only the standard library, so aws/, session/ and the fakes can all use it.
package isoduration

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"
	"time"
)

// ErrSyntax is wrapped by every error Parse returns for a string that is not a duration it accepts.
var ErrSyntax = errors.New("not an ISO 8601 duration such as PT10M, PT1H30M or P1D")

// ErrRange is wrapped by the error Parse returns for a well-formed duration too long to represent.
var ErrRange = errors.New("ISO 8601 duration too long (over 290 years)")

type designator struct {
	letter byte
	size   time.Duration
}

// Parse parses an ISO 8601 duration: "P", then optional weeks (W) and days (D), then optionally "T"
// and hours (H), minutes (M) and seconds (S). Components come in that order, each at most once,
// and at least one is present; "T" must be followed by one. Each value is a non-negative decimal
// number with an optional fraction after "." or ",". Letters may be in any case and surrounding
// white space is ignored. A week is 7 days and a day 24 hours (FIS timestamps are UTC). Years and
// calendar months (P1Y, P1M) are rejected: they have no fixed length. The result is exact to the
// nanosecond, truncating any finer fraction.
func Parse(s string) (time.Duration, error) {
	d, err := parse(strings.ToUpper(strings.TrimSpace(s)))
	if err != nil {
		return 0, fmt.Errorf("duration %q: %w", s, err)
	}
	return d, nil
}

func parse(s string) (time.Duration, error) {
	rest, ok := strings.CutPrefix(s, "P")
	if !ok {
		return 0, fmt.Errorf("%w: it must start with P", ErrSyntax)
	}
	date, clock, hasT := strings.Cut(rest, "T")
	if hasT && clock == "" {
		return 0, fmt.Errorf("%w: T must be followed by hours (H), minutes (M) or seconds (S)", ErrSyntax)
	}
	total := new(big.Rat)
	n, err := addComponents(total, date, []designator{{'W', 7 * 24 * time.Hour}, {'D', 24 * time.Hour}})
	if err != nil {
		return 0, err
	}
	m, err := addComponents(total, clock, []designator{{'H', time.Hour}, {'M', time.Minute}, {'S', time.Second}})
	if err != nil {
		return 0, err
	}
	if n+m == 0 {
		return 0, fmt.Errorf("%w: it has no value", ErrSyntax)
	}
	if total.Cmp(new(big.Rat).SetInt64(math.MaxInt64)) > 0 {
		return 0, ErrRange
	}
	// Quo truncates toward zero; total is never negative.
	return time.Duration(new(big.Int).Quo(total.Num(), total.Denom()).Int64()), nil
}

// addComponents adds to total (in nanoseconds) each "<number><letter>" of s, whose letters must be
// among units in their order, and returns how many there were.
func addComponents(total *big.Rat, s string, units []designator) (int, error) {
	n := 0
	for s != "" {
		num, letter, rest, err := component(s)
		if err != nil {
			return 0, err
		}
		i := indexOf(units, letter)
		if i < 0 {
			return 0, fmt.Errorf("%w: unexpected %q", ErrSyntax, letter)
		}
		total.Add(total, num.Mul(num, new(big.Rat).SetInt64(int64(units[i].size))))
		units, s, n = units[i+1:], rest, n+1
	}
	return n, nil
}

// component splits s into a leading decimal number, the letter after it and the rest.
func component(s string) (*big.Rat, byte, string, error) {
	i := digits(s)
	if i == 0 {
		return nil, 0, "", fmt.Errorf("%w: expected a number before %q", ErrSyntax, s)
	}
	if i < len(s) && (s[i] == '.' || s[i] == ',') {
		f := digits(s[i+1:])
		if f == 0 {
			return nil, 0, "", fmt.Errorf("%w: expected digits after the decimal mark in %q", ErrSyntax, s)
		}
		i += 1 + f
	}
	if i == len(s) {
		return nil, 0, "", fmt.Errorf("%w: %q has no unit letter", ErrSyntax, s)
	}
	num, ok := new(big.Rat).SetString(strings.Replace(s[:i], ",", ".", 1))
	if !ok {
		return nil, 0, "", fmt.Errorf("%w: bad number %q", ErrSyntax, s[:i])
	}
	return num, s[i], s[i+1:], nil
}

// digits returns the length of the run of ASCII digits at the start of s.
func digits(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

func indexOf(units []designator, letter byte) int {
	for i, u := range units {
		if u.letter == letter {
			return i
		}
	}
	return -1
}
