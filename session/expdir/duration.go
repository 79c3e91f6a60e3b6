package expdir

import (
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/fis-mcp/fis-mcp/session/isoduration"
)

// maxDurationSeconds bounds a parsed duration (30 days); anything longer is not a plausible experiment.
const maxDurationSeconds = 30 * 24 * 3600

var textDurationRe = regexp.MustCompile(`(\d{1,9}(?:[.,]\d{1,6})?)\s*个?\s*(小时|钟头|分钟|分|秒钟|秒|天|周|[A-Za-z]+)`)

var unitSeconds = map[string]float64{
	"s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
	"m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
	"h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
	"d": 86400, "day": 86400, "days": 86400,
	"w": 604800, "wk": 604800, "week": 604800, "weeks": 604800,
	"秒": 1, "秒钟": 1, "分": 60, "分钟": 60, "小时": 3600, "钟头": 3600, "天": 86400, "周": 604800,
}

// DurationSeconds parses an experiment duration: ISO 8601 (PT10M, PT1H30M, PT45S, P1D, as
// isoduration.Parse reads them) as any token of s, or free text such as "10 minutes",
// "1 hour 30 minutes", "1h30m", "10 分钟", "1小时30分钟", "半小时". It returns the whole number
// of seconds and whether s held a duration; the result is never negative and at most 30 days.
func DurationSeconds(s string) (int, bool) {
	for _, tok := range strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '(' || r == ')' || r == '（' || r == '）' || r == '`' || r == '*' ||
			r == ',' || r == ';' || r == '，' || r == '；' || r == '~' || r == '≈'
	}) {
		if secs, ok := isoSeconds(strings.TrimRight(tok, ".")); ok {
			return secs, true
		}
	}
	var total float64
	found := false
	for _, m := range textDurationRe.FindAllStringSubmatch(s, -1) {
		mult, ok := unitSeconds[strings.ToLower(m[2])]
		if !ok {
			continue
		}
		n, err := strconv.ParseFloat(strings.Replace(m[1], ",", ".", 1), 64)
		if err != nil {
			continue
		}
		total += n * mult
		found = true
	}
	if !found && (strings.Contains(s, "半小时") || strings.Contains(strings.ToLower(s), "half an hour")) {
		total, found = 1800, true
	}
	if !found {
		return 0, false
	}
	return clampSeconds(total)
}

func isoSeconds(tok string) (int, bool) {
	d, err := isoduration.Parse(tok)
	if err != nil {
		return 0, false
	}
	return clampSeconds(d.Seconds())
}

func clampSeconds(f float64) (int, bool) {
	if math.IsNaN(f) || f < 0 || f > maxDurationSeconds {
		return 0, false
	}
	return int(math.Round(f)), true
}
