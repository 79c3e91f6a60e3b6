package expdir

import (
	"strings"
	"unicode/utf8"
)

// ParseExpectedBehavior reads the optional expected-behavior.md of the older layout: one
// "### {Service} ({id})" section per service. It returns each section's text keyed by its
// heading (e.g. "RDS Aurora (demo-aurora)"), or nil when there is none. Fenced code blocks
// are kept verbatim; headings inside them do not start sections.
func ParseExpectedBehavior(b []byte) map[string]string {
	s := string(b)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = strings.TrimPrefix(s, "\uFEFF")
	s = strings.ReplaceAll(s, "\r\n", "\n")

	var (
		out   map[string]string
		key   string
		body  []string
		fence string
	)
	flush := func() {
		if key == "" {
			return
		}
		text := strings.TrimSpace(strings.Join(body, "\n"))
		if out == nil {
			out = map[string]string{}
		}
		if prev, ok := out[key]; ok && prev != "" {
			text = strings.TrimSpace(prev + "\n\n" + text)
		}
		out[key] = text
		key, body = "", nil
	}
	for _, line := range strings.Split(s, "\n") {
		trimmed := strings.TrimSpace(line)
		if fence != "" {
			if strings.HasPrefix(trimmed, fence) {
				fence = ""
			}
			body = append(body, line)
			continue
		}
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			fence = trimmed[:3]
			body = append(body, line)
			continue
		}
		if level, text, ok := heading(line); ok && level <= 3 {
			flush()
			if level == 3 && text != "" {
				key = text
			}
			continue
		}
		if key != "" {
			body = append(body, line)
		}
	}
	flush()
	return out
}

// SplitServiceHeading splits an expected-behavior heading "RDS Aurora (demo-aurora)" into
// the service and the identifier; id is "" when the heading has no trailing parentheses.
func SplitServiceHeading(h string) (service, id string) {
	h = strings.TrimSpace(h)
	base := stripNotes(h)
	if base == h || base == "" {
		return h, ""
	}
	rest := strings.TrimSpace(h[len(base):])
	_, w := utf8.DecodeRuneInString(rest)
	_, wl := utf8.DecodeLastRuneInString(rest)
	if len(rest) < w+wl {
		return h, ""
	}
	return base, strings.TrimSpace(rest[w : len(rest)-wl])
}
