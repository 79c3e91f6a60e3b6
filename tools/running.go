package tools

import (
	"fmt"
	"strings"

	"github.com/fis-mcp/fis-mcp/session"
)

// footer is a result's last line: how to stop now (abortLine). With no session (list_sessions,
// an unknown session ID) or one whose workflow is over, it also says what else is running,
// if anything, read from the store: never "no session yet" after sessions were listed.
func (d *Deps) footer(sess *session.Session) string {
	if sess != nil && !sess.Terminal() {
		return abortLine(sess)
	}
	running, err := d.runningSessions()
	if sess != nil {
		line := abortLine(sess)
		if len(running) > 0 {
			line += " Running elsewhere: " + runningText(running)
		}
		return line
	}
	switch {
	case err != nil:
		return "Nothing is running for this call; list_sessions shows whether another session's experiment is (the state directory could not be read here)."
	case len(running) == 0:
		return "Nothing is running: no session has an experiment in progress, nothing to stop."
	}
	return "Running: " + runningText(running)
}

// runningSessions are the stored sessions whose experiment is running (or starting).
func (d *Deps) runningSessions() ([]session.Summary, error) {
	all, err := d.Store.List()
	if err != nil {
		return nil, err
	}
	var out []session.Summary
	for _, s := range all {
		if s.State == session.StateRunning {
			out = append(out, s)
		}
	}
	return out, nil
}

// runningText names the running sessions and how to stop them.
func runningText(running []session.Summary) string {
	parts := make([]string, len(running))
	for i, s := range running {
		exp := s.ExperimentID
		if exp == "" {
			exp = "starting"
		}
		parts[i] = fmt.Sprintf("session %s (experiment %s)", s.ID, exp)
	}
	if len(running) == 1 {
		return fmt.Sprintf("%s. To stop it now: call stop_experiment with session_id %s.", parts[0], running[0].ID)
	}
	return strings.Join(parts, ", ") + ". To stop one now: call stop_experiment with its session_id."
}
