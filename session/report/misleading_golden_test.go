package report

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/fis-mcp/fis-mcp/session"
)

// misleadingFixtures are the golden cases of the runs the report used to misread: an
// unknown experiment state with an action that never left pending, and an Affected
// Resources row written as a tag.
func misleadingFixtures() map[string]func() *session.Session {
	return map[string]func() *session.Session{
		"state-unknown": func() *session.Session {
			s := baseSession()
			s.Run.State, s.Run.Reason = "unknown", "experiment not found in FIS: ResourceNotFoundException: Experiment EXPq1w2e3r4t5y6 not found"
			s.Run.Actions[1].State, s.Run.Actions[1].StartTime, s.Run.Actions[1].EndTime = "pending", nil, nil
			return s
		},
		"tag-row": func() *session.Session {
			s := baseSession()
			s.Experiment.Scenario = "EC2 stop: web tier"
			s.Experiment.AffectedResources = []session.AffectedResource{{Type: "EC2 Instances", Identifier: "tag:fis-target=web", Impact: "stopped for 2 minutes, then started"}}
			s.Experiment.ExpectedBehavior = nil
			s.Experiment.Template.Actions = []session.Action{{Name: "stop-web", ActionID: "aws:ec2:stop-instances",
				Parameters: map[string]string{"startInstancesAfterDuration": "PT2M"}, Targets: map[string]string{"Instances": "web"}}}
			s.Experiment.Template.Targets = []session.Target{{Name: "web", ResourceType: "aws:ec2:instance", ResourceTags: map[string]string{"fis-target": "web"}, SelectionMode: "ALL"}}
			s.Health.Resources = []session.ResourceHealth{
				{ID: "i-0aaa", Type: "aws:ec2:instance", Target: "web", Status: "running/ok/ok", Healthy: true},
				{ID: "i-0bbb", Type: "aws:ec2:instance", Target: "web", Status: "running/ok/ok", Healthy: true},
			}
			s.Run.Actions = []session.ActionRun{{Name: "stop-web", ActionID: "aws:ec2:stop-instances", State: "completed", StartTime: tp(at(10, 30, 0)), EndTime: tp(at(10, 32, 0))}}
			s.Run.ResourceStates = map[string]string{"i-0aaa": "running/ok/ok", "i-0bbb": "running/ok/ok"}
			s.Run.ResourceHealthy = map[string]bool{"i-0aaa": true, "i-0bbb": true}
			s.Timeline = []session.Event{
				{Time: at(10, 25, 0), Source: "fis-mcp", Message: "log collection started for 0 apps"},
				{Time: at(10, 29, 58), Source: "fis", Kind: "state", Message: "experiment EXPq1w2e3r4t5y6 running"},
				{Time: at(10, 30, 0), Source: "fis-action", Subject: "stop-web", Message: "stop-web running"},
				{Time: at(10, 30, 20), Source: session.SourceResource, Kind: session.EventResourceState, Subject: "i-0aaa", Message: "aws:ec2:instance i-0aaa: running/ok/ok → stopped", Observed: true},
				{Time: at(10, 30, 20), Source: session.SourceResource, Kind: session.EventResourceState, Subject: "i-0bbb", Message: "aws:ec2:instance i-0bbb: running/ok/ok → stopped", Observed: true},
				{Time: at(10, 32, 0), Source: "fis-action", Subject: "stop-web", Message: "stop-web completed"},
				{Time: at(10, 32, 2), Source: "fis", Kind: "state", Message: "experiment EXPq1w2e3r4t5y6 completed"},
				{Time: at(10, 32, 30), Source: session.SourceResource, Kind: session.EventResourceState, Subject: "i-0aaa", Message: "aws:ec2:instance i-0aaa: stopped → running/ok/ok", Observed: true},
				{Time: at(10, 32, 40), Source: session.SourceResource, Kind: session.EventResourceState, Subject: "i-0bbb", Message: "aws:ec2:instance i-0bbb: stopped → running/ok/ok", Observed: true},
			}
			s.Discovery.Apps, s.Discovery.ManagedLogGroups = nil, nil
			s.Logs.Apps, s.Logs.Streams = nil, nil
			s.Observations = nil
			return s
		},
	}
}

func TestGoldenMisleading(t *testing.T) {
	for name, fx := range misleadingFixtures() {
		t.Run(name, func(t *testing.T) {
			s := fx()
			a, err := Analyze(s, Options{Now: fixtureNow})
			if err != nil {
				t.Fatalf("Analyze: %v", err)
			}
			md, js, err := Render(s, a, "")
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			var probe map[string]any
			if err := json.Unmarshal(js, &probe); err != nil {
				t.Fatalf("JSON twin does not parse: %v", err)
			}
			compareGolden(t, filepath.Join("testdata", "golden", "m-"+name+".md"), md)
			compareGolden(t, filepath.Join("testdata", "golden", "m-"+name+".json"), js)
		})
	}
}
