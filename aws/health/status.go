package health

import (
	"fmt"
	"sort"
	"strings"

	"github.com/fis-mcp/fis-mcp/session"
)

// statusClass is how a documented status value counts for the pre-start health check.
type statusClass int

const (
	// classHealthy: the resource is in its normal serving state.
	classHealthy statusClass = iota
	// classNote: the resource serves normally during a benign documented operation
	// (a backup, a storage optimisation...): healthy, with a note saying so.
	classNote
	// classUnhealthy: the resource is not in a state to inject faults into (a change in
	// progress, a failure, deleted...): the start is blocked with the reason.
	classUnhealthy
)

func (c statusClass) String() string {
	switch c {
	case classHealthy:
		return "healthy"
	case classNote:
		return "healthy-with-note"
	}
	return "unhealthy"
}

// statusRule classifies one documented status value; Reason explains a note or a block.
type statusRule struct {
	Class  statusClass
	Reason string
}

// statusTable maps every documented value of one status field to its class. Each table
// cites the service's documented status list where it is declared.
type statusTable map[string]statusRule

// Constructors keep the tables short.
func ruleOK() statusRule                 { return statusRule{Class: classHealthy} }
func ruleNote(reason string) statusRule  { return statusRule{Class: classNote, Reason: reason} }
func ruleBlock(reason string) statusRule { return statusRule{Class: classUnhealthy, Reason: reason} }

// ruleInProgress blocks while a change is in progress, saying to wait for it.
func ruleInProgress(what string) statusRule {
	return ruleBlock(what + " is in progress; wait for it to finish")
}

// classify returns the rule for v; an undocumented value is unhealthy ("unknown status v").
func (t statusTable) classify(v string) statusRule {
	if r, found := t[v]; found {
		return r
	}
	if v == "" {
		return ruleBlock("no status reported")
	}
	return ruleBlock(fmt.Sprintf("unknown status %q", v))
}

// values lists the table's documented values, sorted (for tests and messages).
func (t statusTable) values() []string {
	out := make([]string, 0, len(t))
	for v := range t {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// verdictOf folds the rules of several status fields (e.g. an instance state and its
// status checks) into one: unhealthy if any is, else healthy with the notes.
type verdictOf struct {
	problems []string
	notes    []string
}

// add records what field (e.g. "cluster status") reports value v under rule r.
func (v *verdictOf) add(field, value string, r statusRule) {
	switch r.Class {
	case classUnhealthy:
		p := field + " " + orElse(value, "(none)")
		if r.Reason != "" {
			p += ": " + r.Reason
		}
		v.problems = append(v.problems, p)
	case classNote:
		n := field + " " + value
		if r.Reason != "" {
			n += ": " + r.Reason
		}
		v.notes = append(v.notes, n)
	}
}

// problem records an unhealthy finding that is not a status value (e.g. "no writer instance").
func (v *verdictOf) problem(p string) { v.problems = append(v.problems, p) }

// healthy reports whether nothing unhealthy was recorded.
func (v *verdictOf) healthy() bool { return len(v.problems) == 0 }

// result builds the resource's result: detail gets "; not healthy: …" when unhealthy; the
// notes go to ResourceHealth.Note (Healthy stays true) when healthy.
func (v *verdictOf) result(r Resource, status, detail string, attrs any) Result {
	if !v.healthy() {
		d := strings.Join(v.problems, "; ")
		if detail != "" {
			d = detail + "; not healthy: " + d
		}
		return describedResult(r, status, false, d, attrs)
	}
	res := describedResult(r, status, true, detail, attrs)
	res.Note = strings.Join(v.notes, "; ")
	return res
}

// withNote returns res with a note (Healthy unchanged).
func withNote(res Result, n string) Result {
	if n == "" {
		return res
	}
	if res.Note != "" {
		res.Note += "; " + n
	} else {
		res.Note = n
	}
	return res
}

// classified is a Result built from one status value classified by table t.
func classified(r Resource, t statusTable, field, status, detail string, attrs any) Result {
	var v verdictOf
	v.add(field, status, t.classify(status))
	return v.result(r, status, detail, attrs)
}

// needs is value followed by "(needs want)" when t classifies value as unhealthy, for details.
func needs(value string, t statusTable, want string) string {
	if t.classify(value).Class == classUnhealthy {
		return value + " (needs " + want + ")"
	}
	return value
}

// ResourceNotes lists the notes of healthy resources ("target/id: note"), for rendering.
func ResourceNotes(rs []session.ResourceHealth) []string {
	var out []string
	for _, r := range rs {
		if r.Note == "" {
			continue
		}
		name := r.ID
		if r.Target != "" {
			name = r.Target + "/" + r.ID
		}
		out = append(out, fmt.Sprintf("%s (%s): %s", name, r.Type, r.Note))
	}
	return out
}
