package tools_test

import (
	"strings"
	"testing"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/tools"
)

// TestHealthNotesAndAlarmWarning: a stop-condition alarm in INSUFFICIENT_DATA and an Aurora
// cluster backing up do not block (FIS stops only on ALARM,
// https://docs.aws.amazon.com/fis/latest/userguide/stop-conditions.html; backing-up is a
// documented benign status, https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/accessing-monitoring.html),
// and both are shown: the alarm loudly in the health result and in the impact warning.
func TestHealthNotesAndAlarmWarning(t *testing.T) {
	h := newHarness(t)
	id := h.resolveDemo()
	h.aws.SetAlarmState(demoAlarm, awstest.AlarmInsufficientData, "Insufficient Data")
	h.aws.SetDBClusterStatus(demoAurora, "backing-up")

	r := h.ok("health_check", map[string]any{"session_id": id})
	var out tools.HealthCheckOutput
	r.decode(t, &out)
	warning := "alarm " + demoAlarm + " is INSUFFICIENT_DATA: FIS stops the experiment only on ALARM, so this stop condition may never fire"
	if out.Verdict != session.VerdictHealthy {
		t.Fatalf("verdict %s, want healthy:\n%s", out.Verdict, r.text)
	}
	if len(out.Warnings) != 1 || out.Warnings[0] != warning {
		t.Fatalf("warnings %q", out.Warnings)
	}
	aurora := resourceByID(t, r, demoAurora)
	if !aurora.Healthy || !strings.Contains(aurora.Note, "a backup is being taken") {
		t.Fatalf("aurora %+v", aurora)
	}
	for _, want := range []string{"!!! WARNING: " + warning + " !!!", "healthy, note: RDS-Cluster/" + demoAurora} {
		if !strings.Contains(r.text, want) {
			t.Errorf("health text lacks %q:\n%s", want, r.text)
		}
	}

	conf := h.ok("start_experiment", map[string]any{"session_id": id})
	w := output[tools.StartExperimentOutput](t, conf).Warning
	for _, want := range []string{"!!! WARNING: " + warning + " !!!", "Target notes (healthy, but worth knowing):", "a backup is being taken"} {
		if !strings.Contains(w, want) {
			t.Errorf("impact warning lacks %q:\n%s", want, w)
		}
	}
}
