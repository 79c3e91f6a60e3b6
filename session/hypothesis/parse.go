package hypothesis

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/fis-mcp/fis-mcp/session"
)

var (
	bulletRe  = regexp.MustCompile(`^\s*(?:[-*+•]|\d{1,3}[.)、])\s+`)
	checkRe   = regexp.MustCompile(`^\[[ xX]\]\s*`)
	spacesRe  = regexp.MustCompile(`\s+`)
	hanRe     = regexp.MustCompile(`\p{Han}`)
	widthRepl = strings.NewReplacer("，", ",", "：", ":", "（", "(", "）", ")", "≤", "<=", "≥", ">=", "＜", "<", "＞", ">", "＝", "=",
		"**", "", "__", "", "`", "", "“", "", "”", "", "\u00a0", " ", "\u3000", " ")
)

// Normalize strips list markers, inline Markdown and trailing punctuation from a criterion text.
func Normalize(text string) string {
	t := strings.TrimSpace(text)
	t = bulletRe.ReplaceAllString(t, "")
	t = checkRe.ReplaceAllString(t, "")
	t = widthRepl.Replace(t)
	t = spacesRe.ReplaceAllString(strings.TrimSpace(t), " ")
	return strings.TrimRight(t, ".。;；!！,，")
}

// Parse reads one criterion written in English or Chinese. The result always has Text
// (as written, without list markers) and Source; Measure is "" when the phrasing is not
// one Parse knows, and the criterion is then reported as not evaluated.
func Parse(text, source string) session.Criterion {
	norm := Normalize(text)
	c := session.Criterion{Text: norm, Source: source}
	if norm == "" {
		return c
	}
	if got, ok := match(norm); ok {
		got.Text, got.Source = norm, source
		return got
	}
	// A labelled item ("Steady state: orders-api recovers within 60 s"): the part after the label.
	for _, sep := range []string{": ", ":"} {
		label, rest, ok := strings.Cut(norm, sep)
		if !ok || len([]rune(label)) > 40 || (sep == ":" && !hanRe.MatchString(label)) {
			continue
		}
		if got, ok := match(strings.TrimSpace(rest)); ok {
			got.Text, got.Source = norm, source
			return got
		}
	}
	return c
}

// match returns the criterion of the first rule that reads t.
func match(t string) (session.Criterion, bool) {
	for _, r := range rules {
		m := r.re.FindStringSubmatch(t)
		if m == nil {
			continue
		}
		if got, ok := r.read(m); ok {
			return got, true
		}
	}
	return session.Criterion{}, false
}

// read turns a match of r into a criterion; ok is false when the groups do not make one.
func (r rule) read(m []string) (session.Criterion, bool) {
	g := func(name string) string {
		if i := r.re.SubexpIndex(name); i > 0 {
			return strings.TrimSpace(m[i])
		}
		return ""
	}
	c := session.Criterion{Measure: r.measure, Op: r.op, Bound: r.bound}
	if op := g("op"); op != "" {
		c.Op = opWords[strings.ToLower(op)]
		if c.Op == "" {
			return c, false
		}
	}
	if n := g("n"); n != "" {
		v, err := strconv.ParseFloat(n, 64)
		if err != nil {
			return c, false
		}
		if u := g("u"); u != "" {
			f := unitSeconds(u)
			if f == 0 {
				return c, false
			}
			v *= f
		} else if IsTimeMeasure(r.measure) {
			return c, false
		}
		c.Bound = formatNum(v)
	}
	if st := g("st"); st != "" {
		c.Bound = canonicalState(st)
	}
	subj, ok := cleanSubject(g("s"))
	if !ok {
		return c, false
	}
	c.Subject = subj
	c.SubjectKind = r.kind
	if c.SubjectKind == "" && c.Subject != "" {
		c.SubjectKind = KindOf(r.measure)
	}
	if r.measure == MeasureFinalState && c.Subject == "" {
		return c, false
	}
	return c, true
}

func unitSeconds(u string) float64 {
	switch strings.ToLower(u) {
	case "s", "sec", "secs", "second", "seconds", "秒", "秒钟":
		return 1
	case "m", "min", "mins", "minute", "minutes", "分", "分钟":
		return 60
	case "h", "hr", "hrs", "hour", "hours", "小时":
		return 3600
	}
	return 0
}

func formatNum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func canonicalState(st string) string {
	switch s := strings.ToLower(st); s {
	case "健康":
		return StateHealthy
	case "可用":
		return "available"
	case "in-service":
		return "inservice"
	default:
		return s
	}
}

// allSubjects are the words that mean "every app" (or every resource): no one subject.
var allSubjects = map[string]bool{
	"it": true, "apps": true, "all apps": true, "every app": true, "each app": true, "every impacted app": true,
	"all impacted apps": true, "impacted apps": true, "the apps": true, "applications": true, "all applications": true,
	"every application": true, "each application": true, "the system": true, "system": true, "services": true,
	"all services": true, "every service": true, "everything": true, "all": true,
	"所有应用": true, "每个应用": true, "应用": true, "所有受影响的应用": true, "受影响的应用": true, "系统": true, "所有服务": true, "服务": true,
}

var (
	trailingWords = []string{" should", " must", " will", " shall", " can", " is expected to", " are expected to", " should be", " must be",
		"应该", "应当", "应", "需要", "必须", "能够", "能", "会", "都", "均", "的"}
	leadingWords = []string{"the ", "app ", "application ", "service ", "resource ", "应用 ", "服务 "}
)

// cleanSubject strips modal words and articles from a subject; ok is false when what is
// left does not look like a name (a sentence fragment the rule swallowed).
func cleanSubject(s string) (string, bool) {
	s = strings.Trim(strings.TrimSpace(s), ",:;'\"")
	for changed := true; changed; {
		changed = false
		low := strings.ToLower(s)
		for _, w := range trailingWords {
			if strings.HasSuffix(low, w) || low == strings.TrimSpace(w) {
				s = strings.TrimSpace(s[:len(s)-len(strings.TrimLeft(w, " "))])
				changed = true
				break
			}
		}
		low = strings.ToLower(s)
		for _, w := range leadingWords {
			if strings.HasPrefix(low, w) {
				s = strings.TrimSpace(s[len(w):])
				changed = true
				break
			}
		}
	}
	s = strings.Trim(s, ",:;'\"")
	if allSubjects[strings.ToLower(s)] {
		return "", true
	}
	// A name is one token (orders-api, prod/shop/orders, demo-aurora): more is a phrase
	// this parser does not understand.
	if strings.ContainsAny(s, " \t") || (hanRe.MatchString(s) && len([]rune(s)) > 12) {
		return "", false
	}
	return s, true
}
