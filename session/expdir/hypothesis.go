package expdir

import (
	"strings"
	"unicode/utf8"
)

// ParseHypothesis returns the criteria of the README's hypothesis section: the list items
// under a heading named "Hypothesis" / "Steady-state hypothesis" / "假设" / "稳态假设"
// (any level from 2), up to the next heading of the same or a higher level. Items are
// returned as written (list marker removed); continuation lines are joined to their
// item; fenced code blocks and HTML comments are skipped. nil when there is no section.
func ParseHypothesis(b []byte) []string {
	s := string(b)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = strings.TrimPrefix(s, "\uFEFF")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var (
		out       []string
		inSec     bool
		secLevel  int
		fence     string
		inComment bool
		open      bool // the last item may take continuation lines
	)
	for _, raw := range strings.Split(s, "\n") {
		line := raw
		if inComment {
			end := strings.Index(line, "-->")
			if end < 0 {
				continue
			}
			line, inComment = line[end+3:], false
		}
		line, inComment = stripComments(line)
		trimmed := strings.TrimSpace(line)
		if fence != "" {
			if strings.HasPrefix(trimmed, fence) {
				fence = ""
			}
			continue
		}
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			fence, open = trimmed[:3], false
			continue
		}
		if level, text, ok := heading(line); ok {
			open = false
			if inSec && level <= secLevel {
				inSec = false
			}
			if !inSec && level >= 2 && isHypothesisHeading(text) {
				inSec, secLevel = true, level
			}
			continue
		}
		if !inSec {
			continue
		}
		if trimmed == "" {
			open = false
			continue
		}
		if item, ok := listItem(trimmed); ok {
			if item != "" {
				out = append(out, item)
				open = true
			}
			continue
		}
		if open && len(line)-len(strings.TrimLeft(line, " \t")) > 0 {
			out[len(out)-1] += " " + trimmed
		}
	}
	return out
}

func isHypothesisHeading(text string) bool {
	k := normKey(text)
	return strings.Contains(k, "hypothes") || strings.Contains(k, "假设")
}

// listItem strips a list marker ("- ", "* ", "+ ", "1. ", "1) ").
func listItem(trimmed string) (string, bool) {
	for _, m := range []string{"- ", "* ", "+ ", "• "} {
		if strings.HasPrefix(trimmed, m) {
			return strings.TrimSpace(trimmed[len(m):]), true
		}
	}
	if loc := orderedListRe.FindStringIndex(trimmed); loc != nil {
		return strings.TrimSpace(trimmed[loc[1]:]), true
	}
	return "", false
}
