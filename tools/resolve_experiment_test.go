package tools_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/tools"
)

func TestResolveExperiment(t *testing.T) {
	type want struct {
		isError   bool
		errHas    []string // substrings of the error text
		state     string   // resolved / aborted
		language  string
		warning   string   // a substring of one warning
		remedy    string   // substring of remedy (aborted)
		failures  []string // substrings of stack_failures
		reasonHas string   // substring of abort_reason
	}
	cases := []struct {
		name  string
		setup func(h *harness)
		args  func(h *harness) map[string]any
		want  want
	}{
		{
			name: "by path",
			args: func(h *harness) map[string]any { return map[string]any{"path": h.demoPath()} },
			want: want{state: "resolved", language: "en"},
		},
		{
			name: "by template_id with search_dir",
			args: func(h *harness) map[string]any {
				return map[string]any{"template_id": demoTemplate, "search_dir": h.root}
			},
			want: want{state: "resolved", language: "en"},
		},
		{
			name: "by template_id in the configured experiments directory",
			args: func(h *harness) map[string]any { return map[string]any{"template_id": demoTemplate} },
			want: want{state: "resolved", language: "en"},
		},
		{
			name: "language override",
			args: func(h *harness) map[string]any { return map[string]any{"path": h.demoPath(), "language": "zh"} },
			want: want{state: "resolved", language: "zh"},
		},
		{
			name: "invalid language",
			args: func(h *harness) map[string]any { return map[string]any{"path": h.demoPath(), "language": "fr"} },
			want: want{isError: true, errHas: []string{"language must be en or zh"}},
		},
		{
			name: "neither path nor template_id",
			args: func(h *harness) map[string]any { return map[string]any{} },
			want: want{isError: true, errHas: []string{"exactly one of path"}},
		},
		{
			name: "both path and template_id",
			args: func(h *harness) map[string]any {
				return map[string]any{"path": h.demoPath(), "template_id": demoTemplate}
			},
			want: want{isError: true, errHas: []string{"exactly one of path"}},
		},
		{
			name: "malformed template_id",
			args: func(h *harness) map[string]any { return map[string]any{"template_id": "../etc"} },
			want: want{isError: true, errHas: []string{"not a FIS experiment template ID"}},
		},
		{
			name: "unknown template_id",
			args: func(h *harness) map[string]any { return map[string]any{"template_id": "EXT9z9z9z9z9z9z9z"} },
			want: want{isError: true, errHas: []string{"EXT9z9z9z9z9z9z9z"}},
		},
		{
			name: "duplicate template ID lists both candidates",
			args: func(h *harness) map[string]any {
				return map[string]any{"template_id": "EXT7a8b9c0d1e2f3", "search_dir": h.broken}
			},
			want: want{isError: true, errHas: []string{"2026-04-11-dup-a-EXT7a8b9c0d1e2f3", "2026-04-12-dup-b-EXT7a8b9c0d1e2f3", "path"}},
		},
		{
			name: "directory name without EXT suffix",
			args: func(h *harness) map[string]any {
				return map[string]any{"path": filepath.Join(h.broken, "2026-04-11-no-ext-suffix")}
			},
			want: want{isError: true, errHas: []string{"2026-04-11-no-ext-suffix"}},
		},
		{
			name: "missing cfn-template.yaml",
			args: func(h *harness) map[string]any {
				return map[string]any{"path": filepath.Join(h.broken, "2026-04-11-missing-cfn-EXT5e6f7a8b9c0d1")}
			},
			want: want{isError: true, errHas: []string{"cfn-template.yaml"}},
		},
		{
			name: "README without stack aborts with the remedy",
			args: func(h *harness) map[string]any {
				return map[string]any{"path": filepath.Join(h.broken, "2026-04-11-no-stack-EXT6f7a8b9c0d1e2")}
			},
			want: want{state: "aborted", reasonHas: "CFN Stack", remedy: "add the stack name to README.md"},
		},
		{
			name:  "stack missing aborts: deploy first",
			setup: func(h *harness) { h.aws.AddStack(awstest.Stack{Name: "unrelated", Status: "CREATE_COMPLETE"}) },
			args: func(h *harness) map[string]any {
				return map[string]any{"path": filepath.Join(h.root, "az-power-int-legacy-EXT4d5e6f7a8b9c0")}
			},
			want: want{state: "aborted", reasonHas: "does not exist", remedy: "deploy the stack first"},
		},
		{
			name: "stack ROLLBACK_COMPLETE aborts with the failure reasons",
			setup: func(h *harness) {
				h.aws.AddStack(awstest.Stack{Name: demoStack, Status: "ROLLBACK_COMPLETE", StatusReason: "The following resource(s) failed to create: [ExperimentTemplate]",
					Outputs: map[string]string{"ExperimentTemplateId": demoTemplate},
					Events: []awstest.StackEvent{
						{Time: epoch.Add(-10 * time.Minute), LogicalID: "FISRole", ResourceType: "AWS::IAM::Role", Status: "CREATE_COMPLETE"},
						{Time: epoch.Add(-9 * time.Minute), LogicalID: "ExperimentTemplate", ResourceType: "AWS::FIS::ExperimentTemplate", Status: "CREATE_FAILED",
							Reason: "Resource handler returned message: \"The role does not have permission rds:FailoverDBCluster\""},
						{Time: epoch.Add(-8 * time.Minute), LogicalID: demoStack, ResourceType: "AWS::CloudFormation::Stack", Status: "ROLLBACK_COMPLETE"},
					}})
			},
			args: func(h *harness) map[string]any { return map[string]any{"path": h.demoPath()} },
			want: want{state: "aborted", reasonHas: "ROLLBACK_COMPLETE", remedy: "stack events",
				failures: []string{"ExperimentTemplate", "rds:FailoverDBCluster", "CREATE_FAILED"}},
		},
		{
			name: "stack output template ID mismatch",
			setup: func(h *harness) {
				h.aws.AddStack(awstest.Stack{Name: demoStack, Status: "UPDATE_COMPLETE", Outputs: map[string]string{"ExperimentTemplateId": "EXT0000000000000"}})
			},
			args: func(h *harness) map[string]any { return map[string]any{"path": h.demoPath()} },
			want: want{isError: true, errHas: []string{"EXT0000000000000", demoTemplate, "do not belong together"}},
		},
		{
			name: "FIS access denied names the permission",
			setup: func(h *harness) {
				h.aws.InjectFault(awstest.Fault{Service: "fis", Operation: "GetExperimentTemplate", Status: 403, Code: "AccessDeniedException",
					Message: "User: arn:aws:sts::123456789012:assumed-role/sre/me is not authorized to perform: fis:GetExperimentTemplate"})
			},
			args: func(h *harness) map[string]any { return map[string]any{"path": h.demoPath()} },
			want: want{isError: true, errHas: []string{"fis:GetExperimentTemplate"}},
		},
		{
			name: "throttling is retried, then succeeds",
			setup: func(h *harness) {
				h.aws.InjectFault(awstest.Fault{Service: "fis", Operation: "GetExperimentTemplate", Status: 429, Code: "ThrottlingException", Times: 2})
				h.aws.InjectFault(awstest.Fault{Service: "cloudformation", Operation: "DescribeStacks", Status: 400, Code: "Throttling", Times: 1})
			},
			args: func(h *harness) map[string]any { return map[string]any{"path": h.demoPath()} },
			want: want{state: "resolved", language: "en"},
		},
		{
			name: "no stop conditions warns",
			setup: func(h *harness) {
				h.seedSimple("EXT2b3c4d5e6f7a8", "fis-aurora-failover-orders-db-q8n2x4", "orders-db", false)
			},
			args: func(h *harness) map[string]any {
				return map[string]any{"path": filepath.Join(h.root, "2026-05-02-09-00-00-aurora-failover-orders-db-EXT2b3c4d5e6f7a8")}
			},
			want: want{state: "resolved", language: "en", warning: "NO STOP CONDITIONS"},
		},
		{
			name: "Chinese README gives language zh",
			setup: func(h *harness) {
				h.seedSimple("EXT3c4d5e6f7a8b9", "fis-redis-az-power-cache-k3m9q2", "cache-db", true)
			},
			args: func(h *harness) map[string]any { return map[string]any{"template_id": "EXT3c4d5e6f7a8b9"} },
			want: want{state: "resolved", language: "zh"},
		},
		{
			name: "language override of a Chinese README",
			setup: func(h *harness) {
				h.seedSimple("EXT3c4d5e6f7a8b9", "fis-redis-az-power-cache-k3m9q2", "cache-db", true)
			},
			args: func(h *harness) map[string]any {
				return map[string]any{"template_id": "EXT3c4d5e6f7a8b9", "language": "en"}
			},
			want: want{state: "resolved", language: "en"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			if tc.setup != nil {
				tc.setup(h)
			}
			r := h.call("resolve_experiment", tc.args(h))
			out := output[tools.ResolveExperimentOutput](t, r)
			assertAbortLine(t, r, out.SessionID, "")
			if r.isError != tc.want.isError {
				t.Fatalf("isError = %t, want %t:\n%s", r.isError, tc.want.isError, r.text)
			}
			for _, s := range tc.want.errHas {
				if !strings.Contains(r.text, s) {
					t.Errorf("error does not mention %q:\n%s", s, r.text)
				}
			}
			if len(h.aws.StartedExperiments()) != 0 {
				t.Fatal("resolve_experiment started an experiment")
			}
			if tc.want.isError {
				if list, _ := h.store.List(); len(list) != 0 {
					t.Errorf("a failed resolve stored %d session(s)", len(list))
				}
				return
			}
			id := out.SessionID
			if !session.ValidID(id) {
				t.Fatalf("session_id %q", id)
			}
			if got := string(out.State); got != tc.want.state {
				t.Fatalf("state = %q, want %q:\n%s", got, tc.want.state, r.text)
			}
			sess := h.session(id)
			if string(sess.State) != tc.want.state {
				t.Errorf("stored state %q, want %q", sess.State, tc.want.state)
			}
			if tc.want.language != "" && out.Language != tc.want.language {
				t.Errorf("language = %q, want %q", out.Language, tc.want.language)
			}
			if tc.want.language != "" && sess.Language != tc.want.language {
				t.Errorf("stored language = %q, want %q", sess.Language, tc.want.language)
			}
			warnings := strings.Join(out.Warnings, "\n")
			if tc.want.warning != "" {
				if !strings.Contains(warnings, tc.want.warning) {
					t.Errorf("warnings %q do not contain %q", warnings, tc.want.warning)
				}
				if !strings.Contains(r.text, "WARNING: "+tc.want.warning) {
					t.Errorf("text does not show the warning:\n%s", r.text)
				}
			} else if strings.Contains(warnings, "NO STOP CONDITIONS") {
				t.Errorf("unexpected stop-condition warning: %s", warnings)
			}
			if tc.want.state == "aborted" {
				if !strings.Contains(out.AbortReason, tc.want.reasonHas) {
					t.Errorf("abort_reason %q does not contain %q", out.AbortReason, tc.want.reasonHas)
				}
				if !strings.Contains(out.Remedy, tc.want.remedy) || !strings.Contains(r.text, tc.want.remedy) {
					t.Errorf("remedy %q does not contain %q (text:\n%s)", out.Remedy, tc.want.remedy, r.text)
				}
				if sess.Abort == nil || sess.Abort.Remedy == "" {
					t.Errorf("stored session has no abort record: %+v", sess.Abort)
				}
				failures := strings.Join(out.StackFailures, "\n")
				for _, f := range tc.want.failures {
					if !strings.Contains(failures, f) {
						t.Errorf("stack_failures %q do not contain %q", failures, f)
					}
					if !strings.Contains(strings.Join(sess.Abort.Details, "\n"), f) {
						t.Errorf("stored abort details do not contain %q", f)
					}
				}
				// An aborted session can never be started.
				h.fail("start_experiment", map[string]any{"session_id": id})
				if len(h.aws.StartedExperiments()) != 0 {
					t.Fatal("an aborted session started an experiment")
				}
				return
			}
			if out.TemplateID == "" || out.StackStatus == "" || len(out.Actions) == 0 || len(out.Targets) == 0 {
				t.Errorf("resolved output incomplete: %+v", out)
			}
		})
	}
}

// TestResolveDetails checks the resolved demo experiment field by field, and the audit of the calls.
func TestResolveDetails(t *testing.T) {
	h := newHarness(t)
	h.aws.InjectFault(awstest.Fault{Service: "fis", Operation: "GetExperimentTemplate", Status: 429, Code: "ThrottlingException", Times: 2})
	r := h.ok("resolve_experiment", map[string]any{"path": h.demoPath()})
	out := output[tools.ResolveExperimentOutput](t, r)
	checks := map[string][2]string{
		"template_id": {out.TemplateID, demoTemplate}, "region": {out.Region, "us-east-1"}, "stack_name": {out.StackName, demoStack},
		"stack_status": {out.StackStatus, "CREATE_COMPLETE"}, "directory": {out.Directory, h.demoPath()},
		"estimated_duration": {out.EstimatedDuration, "PT10M"}, "scenario": {out.Scenario, "AZ Power Interruption"},
	}
	for k, v := range checks {
		if got := v[0]; !strings.Contains(got, v[1]) {
			t.Errorf("%s = %q, want %q", k, got, v[1])
		}
	}
	if !strings.Contains(out.TargetAZ, "use1-az2") {
		t.Errorf("target_az = %q", out.TargetAZ)
	}
	if n := len(out.Actions); n != 2 {
		t.Errorf("%d actions, want 2", n)
	}
	if n := len(out.StopConditions); n != 1 {
		t.Errorf("%d stop conditions, want 1", n)
	}
	if n := len(out.AffectedResources); n != 5 {
		t.Errorf("%d affected resources (README table), want 5", n)
	}
	// Retried throttling: three requests on the wire, one audited call (the middleware sits after retries).
	if n := h.aws.CallCount("fis", "GetExperimentTemplate"); n != 3 {
		t.Errorf("GetExperimentTemplate sent %d times, want 3 (2 throttled + 1)", n)
	}
	var ops []string
	for _, c := range out.APICalls {
		ops = append(ops, c.Service+" "+c.Operation+" "+c.Result)
	}
	joined := strings.Join(ops, "; ")
	for _, want := range []string{"CloudFormation DescribeStacks ok", "fis GetExperimentTemplate ok"} {
		if !strings.Contains(joined, want) {
			t.Errorf("api_calls %q lack %q", joined, want)
		}
	}
	for _, want := range []string{"Session " + out.SessionID, "Failover-RDS", "Next: health_check"} {
		if !strings.Contains(r.text, want) {
			t.Errorf("text lacks %q:\n%s", want, r.text)
		}
	}
	sess := h.session(out.SessionID)
	if len(sess.APICalls) != len(ops) {
		t.Errorf("session audit trail has %d calls, the result %d", len(sess.APICalls), len(ops))
	}
}
