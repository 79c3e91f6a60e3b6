package report

import (
	"bytes"
	"sort"
	"strings"
	"time"
)

// Drain-style template mining: variable parts of a line are masked (quoted strings,
// UUIDs, IPs, hex, durations, numbers), the masked line is split into tokens, and
// lines with the same token count and first token are merged into a template when at
// least half their tokens agree (differing positions become <*>). The number of
// templates is bounded; lines that would open one more go to a single "other" cluster.

const (
	maxTokens       = 64
	simThreshold    = 0.5
	otherTemplate   = "<other: template limit reached>"
	maxTemplateText = 240
)

type cluster struct {
	tokens   []string
	count    int
	baseline int // occurrences before the fault start
	first    time.Time
	last     time.Time
	sev      Severity
	sig      int
	sample   string // first raw line at or after the fault start (else the first overall)
	sampleIn bool   // sample is from the fault window
}

type drain struct {
	max      int
	clusters []*cluster
	groups   map[string][]int
	other    *cluster
	// reused buffers
	masked  []byte
	scratch []byte
	toks    [][]byte
	key     []byte
}

func newDrain(max int) *drain {
	return &drain{max: max, groups: map[string][]int{}}
}

// add mines one error/warning message. inFault tells whether t is at or after the fault start.
func (d *drain) add(msg []byte, t time.Time, inFault bool, sev Severity, sig int, raw []byte) {
	d.masked, d.scratch = maskLineBuf(d.masked[:0], d.scratch[:0], msg)
	d.toks = appendFields(d.toks[:0], d.masked, maxTokens)
	d.addTokens(d.toks, msg, t, inFault, sev, sig, raw)
}

// addTokens is add for a message already masked and split into toks (by
// maskLineBuf and appendFields, which depend on the message alone and so can run
// ahead, in parallel). Only this part depends on the order of the lines.
func (d *drain) addTokens(toks [][]byte, msg []byte, t time.Time, inFault bool, sev Severity, sig int, raw []byte) {
	d.key = append(d.key[:0], byte(len(toks)))
	if len(toks) > 0 {
		d.key = append(d.key, toks[0]...)
	}
	var best *cluster
	bestSim := -1.0
	for _, ci := range d.groups[string(d.key)] {
		c := d.clusters[ci]
		if s := similarity(c.tokens, toks); s > bestSim {
			best, bestSim = c, s
		}
	}
	if best == nil || bestSim < simThreshold {
		if len(d.clusters) >= d.max {
			if d.other == nil {
				d.other = &cluster{tokens: []string{otherTemplate}, sig: -1}
			}
			best = d.other
		} else {
			// The template's text comes from this first line: mask it after redacting
			// secrets (later lines only ever turn tokens into <*>).
			best = &cluster{sig: sig, sev: sev, tokens: templateTokens(msg, toks)}
			d.groups[string(d.key)] = append(d.groups[string(d.key)], len(d.clusters))
			d.clusters = append(d.clusters, best)
		}
	} else {
		for i, tk := range toks {
			if best.tokens[i] != "<*>" && best.tokens[i] != string(tk) {
				best.tokens[i] = "<*>"
			}
		}
	}
	best.count++
	if best.first.IsZero() || t.Before(best.first) {
		best.first = t
	}
	if t.After(best.last) {
		best.last = t
	}
	if !inFault {
		best.baseline++
	}
	if sev > best.sev {
		best.sev = sev
	}
	if best.sig < 0 && sig >= 0 {
		best.sig = sig
	}
	if best.sample == "" || inFault && !best.sampleIn {
		best.sample = excerpt(string(bytes.TrimRight(raw, "\r\n")))
		best.sampleIn = inFault
	}
}

func similarity(tmpl []string, toks [][]byte) float64 {
	if len(tmpl) != len(toks) {
		return 0
	}
	if len(tmpl) == 0 {
		return 1
	}
	eq := 0
	for i, tk := range toks {
		if tmpl[i] == "<*>" || tmpl[i] == string(tk) {
			eq++
		}
	}
	return float64(eq) / float64(len(tmpl))
}

// patterns returns the mined templates, most frequent first. A template is new when
// it never occurred before the fault start and did occur after it.
func (d *drain) patterns(sigs []Signature) []Pattern {
	all := d.clusters
	if d.other != nil {
		all = append(all[:len(all):len(all)], d.other)
	}
	out := make([]Pattern, 0, len(all))
	for _, c := range all {
		p := Pattern{
			Template: truncate(redact(cleanText(strings.Join(c.tokens, " "))), maxTemplateText),
			Count:    c.count,
			First:    c.first,
			Last:     c.last,
			New:      c.baseline == 0 && c.count > 0 && c != d.other && c.sampleIn,
			Severity: c.sev.String(),
			Sample:   redact(c.sample),

			sampleInFault: c.sampleIn,
		}
		if c.sig >= 0 {
			p.Category = sigs[c.sig].Category
		}
		out = append(out, p)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].First.Before(out[j].First)
	})
	return out
}

// appendFields appends the whitespace-separated fields of b (at most max) to dst.
func appendFields(dst [][]byte, b []byte, max int) [][]byte {
	i := 0
	for i < len(b) && len(dst) < max {
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		j := i
		for j < len(b) && !isSpace(b[j]) {
			j++
		}
		if j > i {
			dst = append(dst, b[i:j])
		}
		i = j
	}
	return dst
}

// maskLine appends to dst the message with its variable parts masked.
func maskLine(dst, msg []byte) []byte {
	out, _ := maskLineBuf(dst, nil, msg)
	return out
}

// maskLineBuf is maskLine with a reusable scratch buffer (returned for reuse).
func maskLineBuf(dst, scratch, msg []byte) ([]byte, []byte) {
	msg = bytes.TrimSpace(msg)
	json := len(msg) > 0 && msg[0] == '{'
	start := len(dst)
	// Pass 1: quoted strings (not in JSON lines, where every key is quoted).
	if json {
		dst = append(dst, msg...)
		msg = nil
	}
	for i := 0; i < len(msg); i++ {
		// Copy the run up to the next quote in one go.
		k := i
		for k < len(msg) && msg[k] != '"' && msg[k] != '\'' {
			k++
		}
		if k > i {
			dst = append(dst, msg[i:k]...)
			if i = k; i == len(msg) {
				break
			}
		}
		c := msg[i]
		if c == '"' || c == '\'' && (i == 0 || !isAlnum(msg[i-1])) {
			if j := bytes.IndexByte(msg[i+1:], c); j >= 0 && (c == '"' || i+1+j+1 >= len(msg) || !isAlnum(msg[i+1+j+1])) {
				if i > 0 && (msg[i-1] == '=' || msg[i-1] == ':') {
					// A key="value": keep the value's words (masked token by token in pass 2).
					dst = append(dst, msg[i:i+j+2]...)
				} else {
					dst = append(dst, "<STR>"...)
				}
				i += j + 1
				continue
			}
		}
		dst = append(dst, c)
	}
	// Pass 2: token by token, from a copy.
	quoted := append(scratch, dst[start:]...)
	dst = dst[:start]
	i := 0
	for i < len(quoted) {
		if isSpace(quoted[i]) {
			dst = append(dst, quoted[i])
			i++
			continue
		}
		j := i
		for j < len(quoted) && !isSpace(quoted[j]) {
			j++
		}
		dst = maskToken(dst, quoted[i:j])
		i = j
	}
	return dst, quoted
}

func isSpace(c byte) bool { return spaceSet[c] }

var spaceSet = byteSet(" \t\n\r\v\f")

const leadPunct = "([{<\"'`"
const trailPunct = ")]}>,;.:\"'`!?"

var isLeadPunct, isTrailPunct = byteSet(leadPunct), byteSet(trailPunct)

func byteSet(s string) (set [256]bool) {
	for i := 0; i < len(s); i++ {
		set[s[i]] = true
	}
	return set
}

func maskToken(dst, tok []byte) []byte {
	a, b := 0, len(tok)
	for a < b && isLeadPunct[tok[a]] {
		a++
	}
	for b > a && isTrailPunct[tok[b-1]] {
		b--
	}
	dst = append(dst, tok[:a]...)
	core := tok[a:b]
	// One pass: the first '=' and whether there is a digit at all.
	eq, digit := -1, false
	for i, c := range core {
		if c == '=' && eq < 0 {
			eq = i
		}
		digit = digit || c >= '0' && c <= '9'
	}
	if eq > 0 && eq < len(core)-1 {
		dst = append(dst, core[:eq+1]...)
		dst = maskCore(dst, core[eq+1:])
	} else if colon := jsonKeyColon(core); colon > 0 && colon < len(core)-1 {
		// JSON "key":value
		dst = append(dst, core[:colon+1]...)
		dst = maskCore(dst, core[colon+1:])
	} else if !digit {
		dst = append(dst, core...) // what maskCore does without a digit
	} else {
		dst = maskCore(dst, core)
	}
	return append(dst, tok[b:]...)
}

// jsonKeyColon is the index of the first ':' of a token starting with '"', else -1.
func jsonKeyColon(core []byte) int {
	if len(core) == 0 || core[0] != '"' {
		return -1
	}
	return bytes.IndexByte(core, ':')
}

func maskCore(dst, s []byte) []byte {
	if len(s) == 0 || !hasDigit(s) {
		return append(dst, s...)
	}
	switch {
	case isUUID(s):
		return append(dst, "<UUID>"...)
	case isIP(s):
		return append(dst, "<IP>"...)
	case len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && isHex(s[2:]):
		return append(dst, "<HEX>"...)
	case isDuration(s):
		return append(dst, "<DUR>"...)
	case isNumber(s):
		return append(dst, "<NUM>"...)
	case len(s) >= 8 && isHex(s):
		return append(dst, "<HEX>"...)
	}
	// Mixed token: mask each separator-delimited segment holding a digit.
	seg := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && !isSep(s[i]) {
			continue
		}
		part := s[seg:i]
		switch {
		case len(part) == 0 || !hasDigit(part):
			dst = append(dst, part...)
		case isNumber(part):
			dst = append(dst, "<NUM>"...)
		case isDuration(part):
			dst = append(dst, "<DUR>"...)
		case len(part) >= 4 && isHex(part):
			dst = append(dst, "<HEX>"...)
		default:
			dst = append(dst, "<*>"...)
		}
		if i < len(s) {
			dst = append(dst, s[i])
		}
		seg = i + 1
	}
	return dst
}

func isSep(c byte) bool {
	return c == '-' || c == '_' || c == '/' || c == '.' || c == ':' || c == '@' || c == ','
}

func hasDigit(s []byte) bool {
	for _, c := range s {
		if c >= '0' && c <= '9' {
			return true
		}
	}
	return false
}

func isHex(s []byte) bool {
	if len(s) == 0 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func isNumber(s []byte) bool {
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	if len(s) == 0 {
		return false
	}
	dot := false
	for i, c := range s {
		switch {
		case c >= '0' && c <= '9':
		case c == '.' && !dot && i > 0 && i < len(s)-1:
			dot = true
		case c == '%' && i == len(s)-1 && i > 0:
		default:
			return false
		}
	}
	return true
}

// isUUID matches 8-4-4-4-12 hex.
func isUUID(s []byte) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
		} else if !isHex(s[i : i+1]) {
			return false
		}
	}
	return true
}

// isIP matches a dotted IPv4 address with an optional :port or /prefix.
func isIP(s []byte) bool {
	if k := bytes.IndexAny(s, ":/"); k > 0 {
		if !isNumber(s[k+1:]) || bytes.IndexByte(s[k+1:], '.') >= 0 {
			return false
		}
		s = s[:k]
	}
	parts, run := 0, 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '.' {
			if run == 0 || run > 3 {
				return false
			}
			parts, run = parts+1, 0
			continue
		}
		if s[i] < '0' || s[i] > '9' {
			return false
		}
		run++
	}
	return parts == 4
}

// isDuration matches Go-style durations and number+unit values: 15ms, 1.5s, 2m30s, 300µs.
func isDuration(s []byte) bool {
	i, units := 0, 0
	for i < len(s) {
		j := i
		for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
			j++
		}
		if j == i {
			return false
		}
		k := j
		for k < len(s) && (s[k] >= 'a' && s[k] <= 'z' || s[k] == 0xc2 || s[k] == 0xb5 || s[k] == 0xce || s[k] == 0xbc) {
			k++
		}
		switch string(s[j:k]) {
		case "ns", "us", "µs", "μs", "ms", "s", "m", "h", "sec", "secs", "min", "mins":
		default:
			return false
		}
		units++
		i = k
	}
	return units > 0
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// do not cut a UTF-8 sequence
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}

// templateTokens are the tokens of a new template: the masked tokens of the line
// with its secrets redacted. When redaction changed the token count, tokens that
// redaction would touch (or that follow a credential keyword) become <*>.
func templateTokens(msg []byte, toks [][]byte) []string {
	var red []string
	for _, f := range appendFields(nil, maskLine(nil, []byte(redact(string(msg)))), maxTokens) {
		red = append(red, string(f))
	}
	if len(red) == len(toks) {
		return red
	}
	out := make([]string, len(toks))
	prev := ""
	for i, tk := range toks {
		s := string(tk)
		lp := strings.ToLower(prev)
		if redact(s) != s || lp == "bearer" || strings.HasSuffix(lp, ":") && strings.ContainsAny(lp, "pst") &&
			(strings.Contains(lp, "password") || strings.Contains(lp, "secret") || strings.Contains(lp, "token") || strings.Contains(lp, "pwd")) {
			s = "<*>"
		}
		out[i] = s
		prev = string(tk)
	}
	return out
}
