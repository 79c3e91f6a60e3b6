package report

import (
	"fmt"
	"math"
	"strings"
	"time"
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

func fmtDur(lang string, d time.Duration) string {
	if d < 0 {
		d = 0
	}
	d = d.Round(time.Second)
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	var b strings.Builder
	unit := func(n int, en, z string) {
		if lang == "zh" {
			fmt.Fprintf(&b, "%d%s", n, z)
		} else {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "%d%s", n, en)
		}
	}
	if h > 0 {
		unit(h, "h", "小时")
	}
	if m > 0 {
		unit(m, "m", "分")
	}
	if s > 0 || b.Len() == 0 {
		unit(s, "s", "秒")
	}
	return b.String()
}

func fmtSeconds(lang string, sec float64) string {
	if sec < 60 {
		if sec == math.Trunc(sec) {
			return tr(lang, "%d s", int(sec))
		}
		return tr(lang, "%.1f s", sec)
	}
	return fmtDur(lang, time.Duration(sec*float64(time.Second)))
}
