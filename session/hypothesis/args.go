package hypothesis

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/jsonkind"
)

// shape is how the error messages describe a criterion argument.
const shape = `a string ("orders-api recovers within 60 seconds") or an object {"subject": "orders-api", "measure": "recovery_seconds", "bound": "<= 60 s"}`

// FromArgs turns a decoded criteria argument (each item a string or an object
// {subject, measure, bound}, as JSON decodes them) into criteria from source. Free text
// is parsed (unparseable text is kept, not evaluated); a malformed object is an error
// naming the item and the field.
func FromArgs(items []any, source string) ([]session.Criterion, error) {
	var out []session.Criterion
	for i, it := range items {
		c, err := FromArg(it, source)
		if err != nil {
			return nil, fmt.Errorf("criteria[%d]: %w", i, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// FromArg turns one decoded criterion argument (a string or a map) into a criterion.
func FromArg(v any, source string) (session.Criterion, error) {
	switch x := v.(type) {
	case string:
		if strings.TrimSpace(x) == "" {
			return session.Criterion{}, fmt.Errorf("empty criterion: give %s", shape)
		}
		return Parse(x, source), nil
	case map[string]any:
		return fromObject(x, source)
	case nil:
		return session.Criterion{}, fmt.Errorf("null criterion: give %s", shape)
	}
	return session.Criterion{}, fmt.Errorf("a criterion must be %s, not %s", shape, jsonkind.Of(v))
}

var objectKeys = map[string]bool{"subject": true, "measure": true, "bound": true, "op": true, "subject_kind": true, "criterion": true}

func fromObject(m map[string]any, source string) (session.Criterion, error) {
	var unknown []string
	for k := range m {
		if !objectKeys[k] {
			unknown = append(unknown, strconv.Quote(k))
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return session.Criterion{}, fmt.Errorf("unknown field %s: a criterion object has subject, measure and bound (optionally op and subject_kind)", strings.Join(unknown, ", "))
	}
	str := func(key string) (string, error) {
		v, ok := m[key]
		if !ok || v == nil {
			return "", nil
		}
		s, ok := v.(string)
		if !ok {
			return "", fmt.Errorf("field %q must be a string, not %s", key, jsonkind.Of(v))
		}
		return strings.TrimSpace(s), nil
	}
	c := session.Criterion{Source: source}
	var err error
	if c.Subject, err = str("subject"); err != nil {
		return c, err
	}
	if c.Measure, err = str("measure"); err != nil {
		return c, err
	}
	if c.Measure == "" {
		return c, fmt.Errorf("field \"measure\" is required: one of %s", strings.Join(Measures, ", "))
	}
	if !known(c.Measure) {
		return c, fmt.Errorf("field \"measure\" is %q: it must be one of %s", c.Measure, strings.Join(Measures, ", "))
	}
	op, err := str("op")
	if err != nil {
		return c, err
	}
	if op != "" && !validOp(op) {
		return c, fmt.Errorf("field \"op\" is %q: it must be one of <=, <, >=, >, =", op)
	}
	if c.SubjectKind, err = str("subject_kind"); err != nil {
		return c, err
	}
	switch c.SubjectKind {
	case "", SubjectApp, SubjectResource, SubjectAlarm, SubjectAction, SubjectExperiment:
	default:
		return c, fmt.Errorf("field \"subject_kind\" is %q: it must be one of app, resource, alarm, action, experiment", c.SubjectKind)
	}
	if err := readBound(&c, m["bound"], op); err != nil {
		return c, err
	}
	if c.SubjectKind == "" && c.Subject != "" {
		c.SubjectKind = KindOf(c.Measure)
	}
	if c.Measure == MeasureFinalState && c.Subject == "" {
		c.SubjectKind = ""
	}
	text, err := str("criterion")
	if err != nil {
		return c, err
	}
	if text == "" {
		text = Describe(c)
	}
	c.Text = text
	return c, nil
}

func known(measure string) bool {
	for _, m := range Measures {
		if m == measure {
			return true
		}
	}
	return false
}

func validOp(op string) bool {
	switch op {
	case "<=", "<", ">=", ">", "=":
		return true
	}
	return false
}

var boundRe = regexp.MustCompile(`(?i)^\s*(<=|>=|<|>|=|≤|≥)?\s*(\d+(?:\.\d+)?)\s*([a-z\p{Han}]*)\s*$`)

// readBound sets Op and Bound from the object's bound (a number, or a string such as
// "<= 60 s", "2 min", "OK", "available") and its op.
func readBound(c *session.Criterion, v any, op string) error {
	c.Op = op
	if v == nil {
		switch c.Measure {
		case MeasureRecoverySeconds: // recovers before the observation window closes
			c.Op = ""
			return nil
		case MeasureAlarmState:
			c.Op, c.Bound = "=", StateOK
			return nil
		case MeasureActionStatus:
			c.Op, c.Bound = "=", StateCompleted
			return nil
		case MeasureFinalState:
			c.Op, c.Bound = "=", StateHealthy
			return nil
		}
		return fmt.Errorf("field \"bound\" is required for measure %s: %s", c.Measure, boundHint(c.Measure))
	}
	var s string
	switch x := v.(type) {
	case float64:
		s = formatNum(x)
	case int:
		s = strconv.Itoa(x)
	case string:
		s = strings.TrimSpace(x)
	default:
		return fmt.Errorf("field \"bound\" must be a number or a string, not %s: %s", jsonkind.Of(v), boundHint(c.Measure))
	}
	if !IsNumeric(c.Measure) {
		st := strings.TrimSpace(strings.TrimPrefix(s, "="))
		if st == "" || strings.ContainsAny(st, " \t") {
			return fmt.Errorf("field \"bound\" is %q: %s", s, boundHint(c.Measure))
		}
		c.Op = "="
		c.Bound = canonicalState(st)
		if c.Measure == MeasureAlarmState {
			c.Bound = strings.ToUpper(c.Bound)
		}
		return nil
	}
	m := boundRe.FindStringSubmatch(widthRepl.Replace(s))
	if m == nil {
		return fmt.Errorf("field \"bound\" is %q: %s", s, boundHint(c.Measure))
	}
	if m[1] != "" {
		bop := map[string]string{"≤": "<=", "≥": ">="}[m[1]]
		if bop == "" {
			bop = m[1]
		}
		if op != "" && op != bop {
			return fmt.Errorf("field \"op\" (%s) contradicts the comparison in field \"bound\" (%q)", op, s)
		}
		c.Op = bop
	}
	if c.Op == "" {
		c.Op = "<="
	}
	n, _ := strconv.ParseFloat(m[2], 64)
	if u := m[3]; u != "" {
		f := unitSeconds(u)
		switch {
		case IsTimeMeasure(c.Measure) && f == 0:
			return fmt.Errorf("field \"bound\" is %q: the unit %q is not a time unit (s, min, h)", s, u)
		case !IsTimeMeasure(c.Measure) && !strings.HasPrefix(strings.ToLower(u), "error"):
			return fmt.Errorf("field \"bound\" is %q: measure %s counts errors, give a number such as \"<= 20\"", s, c.Measure)
		case IsTimeMeasure(c.Measure):
			n *= f
		}
	}
	c.Bound = formatNum(n)
	return nil
}

func boundHint(measure string) string {
	switch measure {
	case MeasureRecoverySeconds, MeasureTimeToImpact:
		return `give a duration such as "<= 60 s", "2 min" or a number of seconds`
	case MeasurePeakErrors, MeasureErrorCount:
		return `give a number of errors such as 20 or "<= 20"`
	case MeasureAlarmState:
		return `give an alarm state such as "OK"`
	case MeasureActionStatus:
		return `give an action state such as "completed"`
	}
	return `give a resource state such as "available" or "healthy"`
}
