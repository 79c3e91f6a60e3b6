package tools_test

import (
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/tools"
)

// TestCheckSetup runs check_setup against the fake account: a set-up account does not
// block; a denied fis:StartExperiment or an engaged lever blocks, named in the checks.
func TestCheckSetup(t *testing.T) {
	for _, tc := range []struct {
		name      string
		setup     func(*awstest.Server)
		blocking  bool
		failed    string // a check that must fail
		detailHas string
	}{
		{name: "ready"},
		{name: "StartExperiment denied", setup: func(s *awstest.Server) { s.SimulateDecision(awstest.DecisionImplicitDeny, "fis:StartExperiment") },
			blocking: true, failed: "IAM: start_experiment", detailHas: "fis:StartExperiment (implicitDeny)"},
		{name: "lever engaged", setup: func(s *awstest.Server) { s.SetSafetyLever("engaged", "freeze") },
			blocking: true, failed: "FIS safety lever", detailHas: "freeze"},
		{name: "role trust missing", setup: func(s *awstest.Server) { s.SetRoleTrust(demoRole, `{"Statement":[]}`) },
			blocking: true, failed: "FIS role of " + demoTemplate, detailHas: "does not trust fis.amazonaws.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			if tc.setup != nil {
				tc.setup(h.aws)
			}
			r := h.ok("check_setup", map[string]any{"template_id": demoTemplate, "region": awstest.DefaultRegion})
			out := output[tools.CheckSetupOutput](t, r)
			if out.Blocking != tc.blocking {
				t.Errorf("blocking = %v, want %v\n%s", out.Blocking, tc.blocking, r.text)
			}
			if len(out.Checks) < 10 {
				t.Fatalf("%d checks, want the whole report:\n%s", len(out.Checks), r.text)
			}
			if tc.failed == "" {
				if !strings.Contains(r.text, "Ready") {
					t.Errorf("text does not say ready:\n%s", r.text)
				}
				return
			}
			found := false
			for _, c := range out.Checks {
				if c.Name == tc.failed {
					found = true
					if c.OK || !strings.Contains(c.Detail, tc.detailHas) || c.Remedy == "" {
						t.Errorf("%s = %+v, want failed with %q and a remedy", c.Name, c, tc.detailHas)
					}
				}
			}
			if !found {
				t.Errorf("no check %q:\n%s", tc.failed, r.text)
			}
			if !strings.Contains(r.text, "BLOCKING") {
				t.Errorf("text does not mark the blocking check:\n%s", r.text)
			}
			if n := h.aws.CallCount("fis", "StartExperiment"); n != 0 {
				t.Errorf("check_setup started %d experiments", n)
			}
		})
	}
}

// TestWorkflowPromptBeginsWithCheckSetup: the run_fis_experiment prompt tells the host to run check_setup first.
func TestWorkflowPromptBeginsWithCheckSetup(t *testing.T) {
	h := newHarness(t)
	req := mcp.GetPromptRequest{}
	req.Params.Name = "run_fis_experiment"
	req.Params.Arguments = map[string]string{"experiment": demoTemplate}
	res, err := h.client.GetPrompt(t.Context(), req)
	if err != nil || len(res.Messages) == 0 {
		t.Fatalf("prompt: %v", err)
	}
	tc, _ := res.Messages[0].Content.(mcp.TextContent)
	text := tc.Text
	i, j := strings.Index(text, "check_setup"), strings.Index(text, "resolve_experiment")
	if i < 0 || j < 0 || i > j {
		t.Errorf("the prompt does not begin with check_setup:\n%s", text)
	}
}
