package session

import (
	"fmt"
	"strings"
)

// transitions lists the states each state may move to.
var transitions = map[State][]State{
	StateResolved:             {StateHealthChecked, StateAborted},
	StateHealthChecked:        {StateHealthChecked, StateLogsStarted, StateAwaitingConfirmation, StateRunning, StateAborted},
	StateLogsStarted:          {StateLogsStarted, StateHealthChecked, StateAwaitingConfirmation, StateRunning, StateAborted},
	StateAwaitingConfirmation: {StateAwaitingConfirmation, StateHealthChecked, StateLogsStarted, StateRunning, StateAborted},
	StateRunning:              {StateRunning, StateEnded},
	StateEnded:                {StateEnded, StateReported},
	StateAborted:              {StateAborted, StateReported},
	StateReported:             {StateReported},
}

// NextTool says which tool a session in state st expects next.
func NextTool(st State) string {
	switch st {
	case StateResolved:
		return "health_check"
	case StateHealthChecked:
		return "discover_apps (then start_logs), or start_experiment"
	case StateLogsStarted:
		return "start_experiment"
	case StateAwaitingConfirmation:
		return "start_experiment with the confirmation_token (after the human confirms)"
	case StateRunning:
		return "poll (or stop_experiment)"
	case StateEnded:
		return "finalize_report"
	case StateAborted:
		return "finalize_report (writes the abort report), or resolve_experiment (opens a new session)"
	case StateReported:
		return "none: the report is written (get_session or the report resource to read it)"
	}
	return "resolve_experiment"
}

// TransitionError is an invalid state change or a tool called in the wrong state.
type TransitionError struct {
	SessionID string
	State     State
	Want      string
}

func (e *TransitionError) Error() string {
	if e.State == StateAborted {
		// No step's hint applies to an aborted session (it will never be checked or started).
		return fmt.Sprintf("session %s is aborted and cannot %s: %s", e.SessionID, bareAction(e.Want), AbortedNext)
	}
	return fmt.Sprintf("session %s is in state %q and cannot %s; expected next tool: %s", e.SessionID, e.State, e.Want, NextTool(e.State))
}

// AbortedNext is what an aborted session allows.
const AbortedNext = "nothing will start in it; finalize_report writes the abort report, or resolve_experiment opens a new session"

// bareAction is a refused action without its hints ("discover apps (run health_check
// first: …) (allowed in: …)" → "discover apps").
func bareAction(want string) string {
	if i := strings.Index(want, " ("); i > 0 {
		return want[:i]
	}
	return want
}

// Transition moves the session to st, or returns a *TransitionError.
func (s *Session) Transition(st State) error {
	for _, ok := range transitions[s.State] {
		if ok == st {
			if st != s.State {
				s.auditState(s.State, st)
			}
			s.State = st
			return nil
		}
	}
	return &TransitionError{SessionID: s.ID, State: s.State, Want: "move to " + string(st)}
}

// Require returns a *TransitionError unless the session is in one of states.
// what describes the refused action, e.g. "run a health check".
func (s *Session) Require(what string, states ...State) error {
	for _, st := range states {
		if s.State == st {
			return nil
		}
	}
	names := make([]string, len(states))
	for i, st := range states {
		names[i] = string(st)
	}
	return &TransitionError{SessionID: s.ID, State: s.State, Want: what + " (allowed in: " + strings.Join(names, ", ") + ")"}
}

// Terminal reports whether the session's workflow is over apart from reporting.
func (s *Session) Terminal() bool {
	return s.State == StateEnded || s.State == StateReported || s.State == StateAborted
}

// AddEvent appends a timeline event (and its audit record).
func (s *Session) AddEvent(e Event) {
	s.auditEvent(e)
	s.Timeline = append(s.Timeline, e)
}

// AddEventOnce appends e unless the timeline already holds the same event (same time,
// source, subject and message), and reports whether it was added. AWS records read
// more than once (live during poll, then for the report) are merged this way.
func (s *Session) AddEventOnce(e Event) bool {
	for _, x := range s.Timeline {
		if x.Time.Equal(e.Time) && x.Source == e.Source && x.Subject == e.Subject && x.Message == e.Message {
			return false
		}
	}
	s.AddEvent(e)
	return true
}

// AddWarning appends a warning once.
func (s *Session) AddWarning(w string) {
	for _, x := range s.Warnings {
		if x == w {
			return
		}
	}
	s.Warnings = append(s.Warnings, w)
}
