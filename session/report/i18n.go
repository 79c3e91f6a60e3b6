package report

import (
	"fmt"
	"time"

	"github.com/fis-mcp/fis-mcp/session/humandur"
)

// tr translates an English format string (the key of the zh table) and formats it.
// Chinese entries may reorder arguments with %[n]s.
func tr(lang, format string, args ...any) string {
	if lang == "zh" {
		if z, ok := zh[format]; ok {
			format = z
		}
	}
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}

func statusText(lang, st string) string {
	switch st {
	case StatusRecovered:
		return tr(lang, "Recovered")
	case StatusPartiallyRecovered:
		return tr(lang, "Partially Recovered")
	case StatusNotRecovered:
		return tr(lang, "Not Recovered")
	case StatusNotImpacted:
		return tr(lang, "Not Impacted")
	}
	return tr(lang, "Unknown")
}

// iso formats a header time: ISO 8601 with offset, UTC.
func iso(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02T15:04:05-07:00")
}

// hms formats a timeline time: HH:MM:SS UTC.
func hms(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("15:04:05")
}

// fmtDur is the report's one duration format (session/humandur) for a span between two
// times, in whole seconds: "12 s", "4 min 30 s", "1 h 5 min".
func fmtDur(lang string, d time.Duration) string { return humandur.Format(lang, d.Round(time.Second)) }

// fmtSeconds is fmtDur for a number of seconds ("4.8 s" keeps its tenth).
func fmtSeconds(lang string, sec float64) string { return humandur.Seconds(lang, sec) }

// fmtISO shows an ISO 8601 duration from a template or README ("PT10M") as "10 min".
func fmtISO(lang, s string) string { return humandur.ISO(lang, s) }
