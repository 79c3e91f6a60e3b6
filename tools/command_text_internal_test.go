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

// TestCommandTexts: the stop text starts with the command sent (none when nothing was sent),
// a stop queued behind a start names the command the start then sent, and the abort line
// quotes the experiment ID safely.
func TestCommandTexts(t *testing.T) {
	cmd := "aws fis stop-experiment --id EXP1 --region us-east-1"
	sent := stopText(workflow.StopResult{Outcome: workflow.StopExperiment, ExperimentID: "EXP1", StopSent: true, SentState: "stopping",
		State: "stopped", Terminal: true, LogsStopped: true, Command: cmd})
	if !strings.HasPrefix(sent, "Sending: "+cmd+"\n") {
		t.Errorf("stop text does not start with the command:\n%s", sent)
	}
	if none := stopText(workflow.StopResult{Outcome: workflow.StopExperiment, ExperimentID: "EXP1", State: "completed", Terminal: true}); strings.Contains(none, "Sending") {
		t.Errorf("a stop that sent nothing names a command:\n%s", none)
	}
	d := &Deps{Engine: workflow.New(nil, awssdk.Config{Region: "us-east-1"}, Config{}, nil, zerolog.Nop())}
	defer d.Close()
	started := d.startedText(workflow.StartResult{SessionID: "fis-x", TemplateID: "EXT1", Region: "us-east-1", StopSent: true,
		Experiment: experiment.Status{ID: "EXP1", State: "stopping"}, Session: &session.Session{}})
	if !strings.Contains(started, "Sent: "+cmd+"\n") {
		t.Errorf("start text of a queued stop lacks the command:\n%s", started)
	}
	sess := &session.Session{ID: "fis-x", State: session.StateRunning, Experiment: session.Experiment{Region: "us-east-1"},
		Run: &session.Run{ExperimentID: "EXP 1;id"}}
	if line := abortLine(sess); !strings.Contains(line, "`aws fis stop-experiment --id 'EXP 1;id' --region us-east-1`") {
		t.Errorf("abort line %q does not quote the ID", line)
	}
}
