package workflow

import (
	"strconv"
	"time"

	"github.com/fis-mcp/fis-mcp/session/humandur"
)

// DurStyle is how SpellDuration renders a timing in prose.
type DurStyle int

const (
	DurLong  DurStyle = iota // "10 minutes", "1 minute", "40 seconds"
	DurAdj                   // before a noun: "3-minute", "40-second"
	DurShort                 // cadences: "60 s", "3 s", "5 min", "4 min 30 s" (humandur.Format)
)

// SpellDuration renders a configured timing for descriptions, warnings and refusals in
// its largest whole unit (hours, minutes, seconds; under 2 minutes the short style stays
// in seconds: "every 60 s"). A short timing that is not one whole unit, and any timing that
// is not whole seconds, is shown the way the report shows durations (humandur.Format:
// "4 min 30 s", "1.5 s").
func SpellDuration(d time.Duration, style DurStyle) string {
	if d <= 0 || d%time.Second != 0 {
		return humandur.Format("en", d)
	}
	if style == DurShort && d >= 2*time.Minute && d%time.Minute != 0 {
		return humandur.Format("en", d)
	}
	n, unit, abbr := int64(d/time.Second), "second", "s"
	switch {
	case d%time.Hour == 0:
		n, unit, abbr = int64(d/time.Hour), "hour", "h"
	case d%time.Minute == 0 && (style != DurShort || d >= 2*time.Minute):
		n, unit, abbr = int64(d/time.Minute), "minute", "min"
	}
	num := strconv.FormatInt(n, 10)
	switch style {
	case DurAdj:
		return num + "-" + unit
	case DurShort:
		return num + " " + abbr
	}
	if n != 1 {
		unit += "s"
	}
	return num + " " + unit
}
