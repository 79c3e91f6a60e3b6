package hypothesis

import (
	"strconv"

	"github.com/fis-mcp/fis-mcp/session"
)

// BoundText is the criterion's comparison and bound, human-readable: "<= 60 s",
// "< 5 errors per 10 s", "<= 100 errors", "= OK", or "within the observation window"
// for a recovery without a bound. "" when the criterion has no measure.
func BoundText(c session.Criterion) string {
	switch {
	case c.Measure == "":
		return ""
	case c.Measure == MeasureRecoverySeconds && c.Bound == "":
		return "within the observation window"
	case c.Bound == "":
		return ""
	}
	op := c.Op
	if op == "" {
		op = "="
	}
	v, err := strconv.ParseFloat(c.Bound, 64)
	switch {
	case err != nil || !IsNumeric(c.Measure):
		return op + " " + c.Bound
	case IsTimeMeasure(c.Measure):
		return op + " " + SecondsText(v)
	case c.Measure == MeasurePeakErrors:
		return op + " " + formatNum(v) + " errors per 10 s"
	}
	return op + " " + formatNum(v) + " errors"
}

// SecondsText is a number of seconds as "60 s", "90 s", "2 min" or "2 h".
func SecondsText(v float64) string {
	n := int64(v)
	switch {
	case float64(n) != v || n < 120 || n%60 != 0:
		return formatNum(v) + " s"
	case n%3600 == 0:
		return strconv.FormatInt(n/3600, 10) + " h"
	}
	return strconv.FormatInt(n/60, 10) + " min"
}

// Describe renders a structured criterion as text, e.g. "orders-api: recovery_seconds <= 60 s".
func Describe(c session.Criterion) string {
	subj := c.Subject
	if subj == "" {
		switch KindOf(c.Measure) {
		case SubjectResource:
			subj = "every affected resource"
		case SubjectAlarm:
			subj = "every stop-condition alarm"
		case SubjectAction:
			subj = "every action"
		default:
			subj = "every impacted app"
		}
		if c.SubjectKind == SubjectExperiment {
			subj = "the experiment"
		}
	}
	return subj + ": " + c.Measure + " " + BoundText(c)
}
