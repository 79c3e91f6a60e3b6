package report

import (
	"sort"
	"strings"

	"github.com/fis-mcp/fis-mcp/session"
)

// ResourceObservation is what was seen of one resolved resource an Affected Resources
// row stands for (the row may name a tag such as "tag:fis-target=web" or a name).
type ResourceObservation struct {
	ID     string `json:"id"`
	Target string `json:"target,omitempty"`
	// Before is the health check's status of it before the run ("" when not checked).
	Before string `json:"before,omitempty"`
	// States are the states it was seen in while monitoring, in order (Before first).
	States []string `json:"states,omitempty"`
	// Final is the last state seen while monitoring ("" when none was).
	Final string `json:"final_state,omitempty"`
	// Healthy is the health checker's verdict on Final (nil when unknown).
	Healthy *bool `json:"healthy,omitempty"`
}

// tagSelector splits a row identifier written as a tag ("tag:fis-target=web",
// "fis-target=web", "tag:fis-target:web") into key and value.
func tagSelector(id string) (key, value string, ok bool) {
	rest, hadPrefix := strings.CutPrefix(strings.TrimSpace(id), "tag:")
	if k, v, found := strings.Cut(rest, "="); found && k != "" {
		return strings.TrimSpace(k), strings.TrimSpace(v), true
	}
	if hadPrefix {
		if k, v, found := strings.Cut(rest, ":"); found && k != "" {
			return strings.TrimSpace(k), strings.TrimSpace(v), true
		}
	}
	return "", "", false
}

// rowTargets are the names of the template targets an Affected Resources identifier
// stands for: the target of that name, or targets whose ARNs, tags or filters it names.
func rowTargets(s *session.Session, id string) map[string]bool {
	out := map[string]bool{}
	for _, t := range s.Experiment.Template.Targets {
		if t.Name == id || targetMatches(t, id) {
			out[t.Name] = true
		}
	}
	return out
}

// directResource reports whether id is itself a sampled or health-checked resource.
func directResource(s *session.Session, id string) bool {
	if s.Run != nil {
		if _, ok := s.Run.ResourceStates[id]; ok {
			return true
		}
	}
	if s.Health != nil {
		for _, r := range s.Health.Resources {
			if r.ID == id {
				return true
			}
		}
	}
	return false
}

// rowResources lists the resolved resources an Affected Resources row stands for, when its
// identifier is a tag or a name rather than a resource ID itself (nil otherwise): the
// health check's resources of the matching targets and FIS's resolved targets, each with
// the states seen while monitoring.
func rowResources(s *session.Session, id string) []ResourceObservation {
	if id == "" || directResource(s, id) {
		return nil
	}
	targets := rowTargets(s, id)
	if len(targets) == 0 {
		return nil
	}
	var out []ResourceObservation
	seen := map[string]int{}
	addRes := func(rid, target string) *ResourceObservation {
		if rid == "" || strings.HasPrefix(rid, "(") {
			return nil // placeholders: "(none)", "(unresolved)", "(account …)"
		}
		if i, ok := seen[rid]; ok {
			return &out[i]
		}
		seen[rid] = len(out)
		out = append(out, ResourceObservation{ID: rid, Target: target})
		return &out[len(out)-1]
	}
	if s.Health != nil {
		for _, r := range s.Health.Resources {
			if targets[r.Target] {
				if o := addRes(r.ID, r.Target); o != nil {
					o.Before = r.Status
				}
			}
		}
	}
	if s.Run != nil {
		for _, rt := range s.Run.ResolvedTargets {
			if targets[rt.TargetName] {
				addRes(shortID(rt.Identifier), rt.TargetName)
			}
		}
	}
	for i := range out {
		o := &out[i]
		if o.Before != "" {
			o.States = append(o.States, o.Before)
		}
		for _, st := range observedStates(s, o.ID) {
			if len(o.States) == 0 || o.States[len(o.States)-1] != st {
				o.States = append(o.States, st)
			}
		}
		o.Final = finalResourceState(s, o.ID)
		if o.Final != "" {
			h := finalResourceHealthy(s, o.ID, o.Final)
			o.Healthy = &h
			if len(o.States) == 0 || o.States[len(o.States)-1] != o.Final {
				o.States = append(o.States, o.Final)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// shortID is the resource ID of an ARN (its last ":" or "/" part), or id itself when the
// health check knows the resource by it.
func shortID(id string) string {
	if !strings.HasPrefix(id, "arn:") {
		return id
	}
	if i := strings.LastIndexAny(id, ":/"); i >= 0 && i < len(id)-1 {
		return id[i+1:]
	}
	return id
}

// observedStates are the new states of the resource-state changes sampled for id, in
// time order ("aws:ec2:instance i-1: running → stopped (detail)" gives "stopped").
func observedStates(s *session.Session, id string) []string {
	var evs []session.Event
	for _, e := range s.Timeline {
		if e.Kind == session.EventResourceState && e.Subject == id {
			evs = append(evs, e)
		}
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].Time.Before(evs[j].Time) })
	var out []string
	for _, e := range evs {
		msg := e.Message
		if i := strings.Index(msg, id+": "); i >= 0 {
			msg = msg[i+len(id)+2:]
		}
		parts := strings.Split(msg, " → ")
		if len(parts) < 2 {
			continue
		}
		st := parts[len(parts)-1]
		if i := strings.Index(st, " ("); i >= 0 {
			st = st[:i]
		}
		if st = strings.TrimSpace(st); st != "" {
			out = append(out, st)
		}
	}
	return out
}

// groupVerdict is the recovery status and note of a row from its resolved resources' last
// states (used when no app depends on it): recovered when every one is healthy at the last
// check, not recovered when any is not, unknown ("") when any was never sampled.
func groupVerdict(lang string, rs []ResourceObservation) (string, string) {
	healthy, bad, unseen := 0, []string{}, []string{}
	for _, r := range rs {
		switch {
		case r.Healthy == nil:
			unseen = append(unseen, r.ID)
		case *r.Healthy:
			healthy++
		default:
			bad = append(bad, r.ID+" ("+r.Final+")")
		}
	}
	note := tr(lang, "%d of %d resolved resources healthy at the last check", healthy, len(rs))
	switch {
	case len(bad) > 0:
		note += tr(lang, "; not healthy: %s", strings.Join(bad, ", "))
	case len(unseen) > 0:
		note += tr(lang, "; no state observed for %s", strings.Join(unseen, ", "))
	}
	note += tr(lang, "; no application logs")
	switch {
	case len(bad) > 0:
		return StatusNotRecovered, note
	case len(unseen) > 0:
		return "", note
	}
	return StatusRecovered, note
}
