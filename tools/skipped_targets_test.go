package tools

import (
	"strings"
	"testing"
	"time"

	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/workflow"
)

// A target skipped under emptyTargetResolutionMode skip is shown by health_check and named,
// with the actions FIS skips, in start_experiment's impact warning.
func TestSkippedTargetsRendered(t *testing.T) {
	res := session.HealthResult{Verdict: session.VerdictHealthy, AllHealthy: true,
		Resources: []session.ResourceHealth{{ID: "i-1", Type: "aws:ec2:instance", Target: "Web", Status: "running/ok/ok", Healthy: true}},
		SkippedTargets: []session.SkippedTarget{{Target: "Batch", ResourceType: "aws:ec2:instance", Actions: []string{"Stop-Batch", "Reboot-Batch"},
			Reason: "the target's ARNs, tags or parameters select no resource"}}}
	s := &session.Session{ID: "sess-1", Experiment: session.Experiment{TemplateID: "EXT1", Region: "us-east-1",
		Template: session.Template{Actions: []session.Action{{Name: "Stop-Batch", ActionID: "aws:ec2:stop-instances"}}}}, Health: &res}
	text := healthText(s, res, false, Config{HealthWaitMax: time.Minute}.WithDefaults())
	if !strings.Contains(text, "SKIPPED target Batch (aws:ec2:instance)") || !strings.Contains(text, "FIS will skip actions Stop-Batch, Reboot-Batch") {
		t.Fatalf("health text:\n%s", text)
	}
	w := workflow.ImpactWarning(s, Config{}, false)
	if !strings.Contains(w, "target Batch resolves no resources: FIS will skip actions Stop-Batch, Reboot-Batch") {
		t.Fatalf("impact warning:\n%s", w)
	}
}
