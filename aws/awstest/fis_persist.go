package awstest

import (
	"fmt"
	"sort"
	"time"
)

// ExperimentRecord is what it takes to re-create an experiment of the fake FIS in another
// process (cmd/fis-mcp/sim persists it): an experiment's state, action states and end
// times are derived from its template, its timing, its start time and its stop request on
// the clock (fisExperiment.view), so these few fields are the whole experiment.
type ExperimentRecord struct {
	ID          string            `json:"id"`
	TemplateID  string            `json:"template_id"`
	ClientToken string            `json:"client_token,omitempty"`
	ActionsMode string            `json:"actions_mode"`
	Tags        map[string]string `json:"tags,omitempty"`
	Created     time.Time         `json:"created"`
	// StopAt is when a stop was requested or a stop condition fired (zero: never).
	StopAt     time.Time `json:"stop_at,omitzero"`
	StopReason string    `json:"stop_reason,omitempty"`
	// Targets are the resources resolved at the start (target name, resource type, identifier).
	Targets     [][3]string `json:"targets,omitempty"`
	ResolveFail string      `json:"resolve_fail,omitempty"`
	Skipped     []string    `json:"skipped,omitempty"`
	Cancelled   string      `json:"cancelled,omitempty"`
}

// Active reports whether the experiment's actions ran (so a scenario scripted their effects).
func (r ExperimentRecord) Active() bool {
	return r.ActionsMode != fisSkipAll && r.ResolveFail == "" && r.Cancelled == ""
}

// ExperimentRecords returns every experiment's record, in creation order.
func (s *Server) ExperimentRecords() []ExperimentRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]ExperimentRecord, 0, len(s.fis.order))
	for _, id := range s.fis.order {
		e := s.fis.experiments[id]
		r := ExperimentRecord{
			ID: e.id, TemplateID: e.templateID, ClientToken: e.clientToken, ActionsMode: e.actionsMode,
			Tags: cfnCopyMap(e.tags), Created: e.created, StopAt: e.stopAt, StopReason: e.stopReason,
			ResolveFail: e.resolveFail, Cancelled: e.cancelled,
		}
		for _, t := range e.targets {
			r.Targets = append(r.Targets, [3]string{t.targetName, t.resourceType, t.identifier})
		}
		for name, skip := range e.skipped {
			if skip {
				r.Skipped = append(r.Skipped, name)
			}
		}
		sort.Strings(r.Skipped)
		out = append(out, r)
	}
	return out
}

// RestoreExperiment re-creates an experiment from its record, with the template and FIS
// timing the server has now, without running the OnExperimentStart hooks (the caller
// re-scripts the scenario). For an experiment the server already has, it only takes over
// a stop the record has and the server has not. created reports whether the experiment was new.
func (s *Server) RestoreExperiment(r ExperimentRecord) (created bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.fis.experiments[r.ID]; e != nil {
		if e.stopAt.IsZero() && !r.StopAt.IsZero() {
			e.stopAt, e.stopReason = r.StopAt, r.StopReason
		}
		return false, nil
	}
	t := s.fis.templates[r.TemplateID]
	if t == nil {
		return false, fmt.Errorf("experiment %s: template %s is not in the simulated account", r.ID, r.TemplateID)
	}
	if r.ID == "" || r.Created.IsZero() {
		return false, fmt.Errorf("experiment record without an ID or start time: %+v", r)
	}
	mode := r.ActionsMode
	if mode == "" {
		mode = fisRunAll
	}
	if s.fis.experiments == nil {
		s.fis.experiments = map[string]*fisExperiment{}
		s.fis.tokens = map[string]string{}
	}
	e := &fisExperiment{
		id: r.ID, templateID: t.ID, clientToken: r.ClientToken, actionsMode: mode, tags: cfnCopyMap(r.Tags),
		tmpl: fisCopyTemplate(*t), created: r.Created, timing: s.fis.timing.withDefaults(), failures: map[string]fisFailure{},
		stopAt: r.StopAt, stopReason: r.StopReason, resolveFail: r.ResolveFail, cancelled: r.Cancelled, skipped: map[string]bool{},
	}
	for _, tg := range r.Targets {
		e.targets = append(e.targets, fisResolvedTarget{targetName: tg[0], resourceType: tg[1], identifier: tg[2]})
	}
	for _, name := range r.Skipped {
		e.skipped[name] = true
	}
	s.fis.experiments[r.ID] = e
	s.fis.order = append(s.fis.order, r.ID)
	if r.ClientToken != "" {
		s.fis.tokens[r.ClientToken] = r.ID
	}
	s.fis.started = append(s.fis.started, StartedExperiment{
		ID: r.ID, TemplateID: t.ID, ClientToken: r.ClientToken, Tags: cfnCopyMap(r.Tags), ActionsMode: mode, Time: r.Created,
	})
	return true, nil
}

// SetExperimentIDs makes StartExperiment name new experiments with next (called with the
// server's lock held); nil restores the default EXP00000000000000001, EXP…2, ... counter.
func (s *Server) SetExperimentIDs(next func() string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fis.nextID = next
}

// fisNextID is the ID of a new experiment; lock held.
func (s *Server) fisNextID() string {
	if s.fis.nextID != nil {
		if id := s.fis.nextID(); id != "" && s.fis.experiments[id] == nil {
			return id
		}
	}
	for n := len(s.fis.order) + 1; ; n++ {
		if id := fmt.Sprintf("EXP%017d", n); s.fis.experiments[id] == nil {
			return id
		}
	}
}

// SafetyLever returns the account's safety lever status ("" when never set: disengaged) and reason.
func (s *Server) SafetyLever() (status, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fis.lever.status, s.fis.lever.reason
}

// ApplyDue applies the scheduled changes (At, the Script* helpers) due at or before
// until (at most the current time), as a request at that time would: a scenario
// re-scripted for several restored experiments, one after another, then scripts each on
// the state the earlier ones left.
func (s *Server) ApplyDue(until time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if now := s.clock.Now(); until.After(now) {
		until = now
	}
	s.applyDue(until)
}
