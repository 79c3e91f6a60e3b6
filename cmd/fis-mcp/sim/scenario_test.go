package sim

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/logline"
	"github.com/fis-mcp/fis-mcp/session/report"
)

func TestParseScenario(t *testing.T) {
	for in, want := range map[string]string{"": ScenarioDefault, "default": ScenarioDefault, "failing": ScenarioFailing} {
		if got, err := ParseScenario(in); err != nil || got != want {
			t.Errorf("ParseScenario(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	_, err := ParseScenario("chaos")
	if err == nil || !strings.Contains(err.Error(), `"chaos"`) || !strings.Contains(err.Error(), "default, failing") {
		t.Errorf("an unknown scenario: %v, want an error naming it and the valid ones", err)
	}
	if _, err := New(WithScenario("chaos")); err == nil {
		t.Error("New accepted an unknown scenario")
	}
}

// scenarioSession writes what the account's log generators emit from 2 min before the
// fault to the end of the observation window into log files, and returns a session of the
// sample experiment's run whose analysis reads them (fault at faultStart, timed actions of
// Timing.Fault, the Aurora failover instantaneous).
func scenarioSession(t *testing.T, a *Account, faultStart time.Time) *session.Session {
	t.Helper()
	tm := a.Timing
	end := faultStart.Add(tm.Fault)
	from, to := faultStart.Add(-2*time.Minute), end.Add(report.DefaultBaseline)
	dir := t.TempDir()
	s := &session.Session{
		ID: "sess-scenario", State: session.StateEnded, Language: "en", Simulated: true,
		Experiment: session.Experiment{
			Dir: dir, TemplateID: TemplateID, Scenario: "AZ Power Interruption (simulated)", Region: "us-east-1",
			AffectedResources: []session.AffectedResource{{Type: "RDS Aurora Cluster", Identifier: Aurora}, {Type: "ElastiCache Redis", Identifier: Redis}},
			Template:          session.Template{ID: TemplateID, Actions: []session.Action{}},
		},
		Discovery: &session.Discovery{Clusters: []session.ClusterAccess{{Name: Cluster, Reachable: true}}},
		Logs:      &session.LogCollection{Dir: dir, StartedAt: from, StoppedAt: &to},
		Run: &session.Run{ExperimentID: "EXPsim", State: "completed", RequestedAt: faultStart.Add(-tm.Initiating),
			StartTime: ptr(faultStart.Add(-tm.Initiating)), EndTime: &end,
			Actions: []session.ActionRun{
				{Name: "Failover-RDS", ActionID: "aws:rds:failover-db-cluster", State: "completed", StartTime: &faultStart, EndTime: ptr(faultStart.Add(tm.Failover))},
				{Name: "Interrupt-ElastiCache", ActionID: "aws:elasticache:replicationgroup-interrupt-az-power", State: "completed", StartTime: &faultStart, EndTime: &end},
			}},
	}
	tmpl := sampleTemplate("us-east-1", "123456789012", "arn:aws:iam::123456789012:role/fis", tm)
	for _, name := range []string{"Failover-RDS", "Interrupt-ElastiCache"} {
		act := tmpl.Actions[name]
		s.Experiment.Template.Actions = append(s.Experiment.Template.Actions, session.Action{Name: name, ActionID: act.ActionID, Parameters: act.Parameters, Targets: act.Targets})
	}
	for _, name := range []string{"RDS-Cluster", "ElastiCache-Cluster"} {
		tg := tmpl.Targets[name]
		s.Experiment.Template.Targets = append(s.Experiment.Template.Targets, session.Target{Name: name, ResourceType: tg.ResourceType, ResourceArns: tg.ResourceArns})
	}
	for _, app := range a.apps() {
		app := app
		sa := session.App{Cluster: Cluster, Namespace: Namespace, Workload: app.Name, Kind: "Deployment", Service: app.Service, Confidence: session.ConfidenceConfirmed}
		s.Discovery.Apps = append(s.Discovery.Apps, sa)
		s.Logs.Apps = append(s.Logs.Apps, sa)
		var buf []byte
		a.generator(from, app.Name, 0, &app).Lines(from, to, func(ts time.Time, msg []byte) bool {
			buf = logline.Append(buf, ts, app.Name+"-0", app.Name, msg)
			return true
		})
		file := filepath.Join(dir, app.Name+".log")
		if err := os.WriteFile(file, buf, 0o600); err != nil {
			t.Fatal(err)
		}
		s.Logs.Streams = append(s.Logs.Streams, session.LogStream{App: sa.Key(), Pod: app.Name + "-0", Container: app.Name, File: file, Status: "stopped"})
	}
	return s
}

func ptr[T any](v T) *T { return &v }

// In the failing scenario the analysis finds payments-worker not recovered (its errors go
// on through the observation window) while the other apps recover; in the default
// scenario every app recovers. With the verdict computed (criteria evaluated), the failing
// run is FAILED.
func TestScenarioRecoveryInTheAnalysis(t *testing.T) {
	for _, tc := range []struct {
		scenario string
		want     map[string]string
	}{
		{ScenarioDefault, map[string]string{"orders-api": report.StatusRecovered, "payments-worker": report.StatusRecovered, "cart-service": report.StatusRecovered}},
		{ScenarioFailing, map[string]string{"orders-api": report.StatusRecovered, "payments-worker": report.StatusNotRecovered, "cart-service": report.StatusRecovered}},
	} {
		t.Run(tc.scenario, func(t *testing.T) {
			a := &Account{Timing: DefaultTiming(), Scenario: tc.scenario}
			faultStart := time.Date(2026, 4, 11, 10, 30, 0, 0, time.UTC)
			a.truth.FaultStart = faultStart
			a.faults = []time.Time{faultStart}
			s := scenarioSession(t, a, faultStart)
			an, err := report.Analyze(s, report.Options{Now: faultStart.Add(a.Timing.Fault + report.DefaultBaseline + time.Minute)})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, ap := range an.Apps {
				got[ap.Workload] = ap.RecoveryStatus
				if ap.Errors == 0 {
					t.Errorf("%s: no errors analysed: the fault left no trace in its log", ap.Workload)
				}
			}
			for app, want := range tc.want {
				if got[app] != want {
					t.Errorf("%s: recovery %q, want %q (all: %v)", app, got[app], want, got)
				}
			}
			t.Logf("verdict %s (%d criteria): %v", an.Verdict, len(an.Criteria), an.VerdictReasons)
			if len(an.Criteria) == 0 {
				t.Logf("verdict not asserted: no criteria were evaluated (the verdict is not computed in this tree yet)")
				return
			}
			if tc.scenario == ScenarioFailing && an.Verdict != report.VerdictFailed {
				t.Errorf("failing scenario: verdict %q, want %q (%v)", an.Verdict, report.VerdictFailed, an.VerdictReasons)
			}
			if tc.scenario == ScenarioDefault && an.Verdict == report.VerdictFailed {
				t.Errorf("default scenario: verdict failed: %v", an.VerdictReasons)
			}
		})
	}
}
