package workflow_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/workflow"
)

// The impact warning's first line says what a start does: SIMULATED first in a simulated
// account (no "will cause REAL impact" then a correction), the real impact otherwise.
func TestImpactWarningHeadline(t *testing.T) {
	sess := &session.Session{ID: "fis-20260411-023000-a1b2c3", Experiment: session.Experiment{TemplateID: "EXT1", Region: "us-east-1"}}
	tests := []struct {
		name              string
		simulated, dryRun bool
		first             string
		not               []string
	}{
		{name: "real", first: "WARNING: Starting this FIS experiment will cause REAL impact:"},
		{name: "real dry run", dryRun: true, first: "WARNING: this starts a DRY RUN", not: []string{"SIMULATED"}},
		{name: "simulated", simulated: true, first: "SIMULATED: starting this FIS experiment touches no real AWS resources",
			not: []string{"will cause REAL impact", "(SIMULATED account"}},
		{name: "simulated dry run", simulated: true, dryRun: true, first: "SIMULATED DRY RUN",
			not: []string{"will cause REAL impact", "It is still a real experiment record"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := workflow.ImpactWarning(sess, workflow.Config{Simulated: tt.simulated}, tt.dryRun)
			first, _, _ := strings.Cut(w, "\n")
			if !strings.HasPrefix(first, tt.first) {
				t.Errorf("first line %q, want it to begin %q", first, tt.first)
			}
			for _, n := range tt.not {
				if strings.Contains(w, n) {
					t.Errorf("warning contains %q:\n%s", n, w)
				}
			}
		})
	}
}

// A session aborted before its health check is never sent back to health_check: every
// step refuses it with finalize_report (the abort report) or resolve_experiment (a new session).
func TestAbortedBeforeHealthCheckAdvice(t *testing.T) {
	s := newStartEnv(t)
	ctx := context.Background()
	res, err := s.e.Resolve(ctx, workflow.ResolveRequest{Path: filepath.Join(s.cfg.ExperimentsDir, startDemoDir)})
	if err != nil || res.Aborted {
		t.Fatalf("resolve: %v %+v", err, res)
	}
	id := res.Session.ID
	if _, err := s.e.Stop(ctx, workflow.StopRequest{SessionID: id, Reason: "changed my mind"}, nil); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if st := s.session(id).State; st != session.StateAborted {
		t.Fatalf("state after stop: %s", st)
	}
	steps := []struct {
		name string
		call func() error
	}{
		{"start", func() error {
			_, err := s.e.RequestStart(ctx, workflow.StartRequest{SessionID: id})
			return err
		}},
		{"health check", func() error {
			_, _, err := s.e.HealthCheck(ctx, workflow.HealthRequest{SessionID: id}, nil)
			return err
		}},
		{"discover apps", func() error {
			_, _, err := s.e.DiscoverApps(ctx, workflow.DiscoverRequest{SessionID: id}, nil)
			return err
		}},
		{"start logs", func() error {
			_, _, err := s.e.StartLogs(ctx, workflow.StartLogsRequest{SessionID: id})
			return err
		}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			err := st.call()
			if err == nil {
				t.Fatal("an aborted session was accepted")
			}
			msg := err.Error()
			if strings.Contains(msg, "health_check") {
				t.Errorf("advises health_check for an aborted session: %s", msg)
			}
			for _, want := range []string{"aborted", "finalize_report writes the abort report", "resolve_experiment opens a new session"} {
				if !strings.Contains(msg, want) {
					t.Errorf("error lacks %q: %s", want, msg)
				}
			}
		})
	}
	if next := session.NextTool(session.StateAborted); strings.Contains(next, "health_check") || !strings.Contains(next, "resolve_experiment") {
		t.Errorf("NextTool(aborted) = %q", next)
	}
}
