package tools

import (
	"strings"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/rs/zerolog"

	"github.com/fis-mcp/fis-mcp/aws/experiment"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/workflow"
)

// TestStopAndStartTextsOfAQueuedStop: the texts the human reads when a stop arrives while
// StartExperiment is in flight (the engine's race tests check the outcome; these, what is said).
func TestStopAndStartTextsOfAQueuedStop(t *testing.T) {
	stop := stopText(workflow.StopResult{Outcome: workflow.StopQueued, State: "stop_requested", LogsStopped: true})
	for _, want := range []string{"Log collection stopped.", "StartExperiment is still in flight", "the experiment is stopped the moment FIS accepts it", "Call stop_experiment again"} {
		if !strings.Contains(stop, want) {
			t.Errorf("queued stop text lacks %q:\n%s", want, stop)
		}
	}
	d := &Deps{Engine: workflow.New(nil, awssdk.Config{Region: "us-east-1"}, Config{}, nil, zerolog.Nop())}
	defer d.Close()
	started := d.startedText(workflow.StartResult{SessionID: "fis-x", TemplateID: "EXT1", Region: "us-east-1", StopSent: true,
		Experiment: experiment.Status{ID: "EXP1", State: "stopping"}, Session: &session.Session{}})
	for _, want := range []string{"Experiment EXP1 STARTED (state stopping)", "A stop was requested while it was starting: StopExperiment was sent at once."} {
		if !strings.Contains(started, want) {
			t.Errorf("start text lacks %q:\n%s", want, started)
		}
	}
	sent := stopText(workflow.StopResult{Outcome: workflow.StopExperiment, ExperimentID: "EXP1", StopSent: true, SentState: "stopping", State: "stopped", Terminal: true})
	for _, want := range []string{"StopExperiment sent for EXP1 (state stopping).", "Experiment EXP1 is stopped. Next: finalize_report."} {
		if !strings.Contains(sent, want) {
			t.Errorf("stop text lacks %q:\n%s", want, sent)
		}
	}
}
