// Package humandur renders durations the one way fis-mcp shows them to people, in the
// report and in tool texts: "12 s", "4.8 s", "4 min 30 s", "1 h 5 min" (Chinese: "12 秒",
// "4 分 30 秒", "1 小时 5 分"), and ISO 8601 durations from templates ("PT10M") as "10 min".
//
// It imports only the standard library and session/isoduration, so session/report,
// session/workflow and tools can all use it without import cycles.
package humandur

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/fis-mcp/fis-mcp/session/isoduration"
)

// unit names per language: hours, minutes, seconds.
var units = map[string][3]string{
	"en": {"h", "min", "s"},
	"zh": {"小时", "分", "秒"},
}

// Format renders d for people in lang ("en" or "zh"; anything else is English). Under a
// minute a fraction of a second is kept to one decimal ("4.8 s"); from a minute on, d is
// rounded to whole seconds and each non-zero unit is shown ("4 min 30 s", "1 h 5 min").
// A negative duration is shown as 0 s.
func Format(lang string, d time.Duration) string {
	u, ok := units[lang]
	if !ok {
		u = units["en"]
	}
	if d < 0 {
		d = 0
	}
	if d < time.Minute {
		sec := math.Round(d.Seconds()*10) / 10
		if sec < 60 {
			if sec == math.Trunc(sec) {
				return fmt.Sprintf("%d %s", int(sec), u[2])
			}
			return fmt.Sprintf("%.1f %s", sec, u[2])
		}
	}
	d = d.Round(time.Second)
	h, m, s := int64(d/time.Hour), int64(d/time.Minute)%60, int64(d/time.Second)%60
	var parts []string
	if h > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", h, u[0]))
	}
	if m > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", m, u[1]))
	}
	if s > 0 || len(parts) == 0 {
		parts = append(parts, fmt.Sprintf("%d %s", s, u[2]))
	}
	return strings.Join(parts, " ")
}

// Seconds is Format for a number of seconds.
func Seconds(lang string, sec float64) string {
	return Format(lang, time.Duration(sec*float64(time.Second)))
}

// ISO renders an ISO 8601 duration as written in a template or README ("PT10M") the
// human way ("10 min"); a string that is not one is returned as it is (trimmed).
func ISO(lang, s string) string {
	d, err := isoduration.Parse(s)
	if err != nil {
		return strings.TrimSpace(s)
	}
	return Format(lang, d)
}
