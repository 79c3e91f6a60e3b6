package tools_test

import (
	"strings"
	"testing"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/tools"
)

// TestResolveStackStates: the stable states CloudFormation documents as "last known stable states"
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_RollbackStack.html) resolve,
// with a warning after a failed or partial operation; *_IN_PROGRESS says to wait for the operation;
// failed and deleted stacks abort.
func TestResolveStackStates(t *testing.T) {
	cases := []struct {
		status    string
		output    string // ExperimentTemplateId output ("" = the demo template)
		state     string // resolved / aborted / "" (tool error)
		warning   string // substring of the stack warning ("" = none)
		reasonHas string
		remedy    string
	}{
		{status: "CREATE_COMPLETE", state: "resolved"},
		{status: "UPDATE_COMPLETE", state: "resolved"},
		{status: "UPDATE_ROLLBACK_COMPLETE", state: "resolved", warning: "is UPDATE_ROLLBACK_COMPLETE: the last update failed"},
		{status: "IMPORT_COMPLETE", state: "resolved", warning: "is IMPORT_COMPLETE"},
		{status: "IMPORT_ROLLBACK_COMPLETE", state: "resolved", warning: "is IMPORT_ROLLBACK_COMPLETE"},
		{status: "UPDATE_ROLLBACK_COMPLETE", output: "EXT0000000000000", state: ""},
		{status: "UPDATE_IN_PROGRESS", state: "aborted", reasonHas: "stack update in progress",
			remedy: "wait for the stack operation to finish (stack update in progress)"},
		{status: "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", state: "aborted", reasonHas: "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
			remedy: "wait for the stack operation to finish (update rollback cleanup in progress)"},
		{status: "IMPORT_IN_PROGRESS", state: "aborted", remedy: "wait for the stack operation to finish (resource import in progress)"},
		{status: "DELETE_IN_PROGRESS", state: "aborted", remedy: "the stack will then be gone"},
		{status: "CREATE_FAILED", state: "aborted", reasonHas: "not in a stable state", remedy: "stack events"},
		{status: "UPDATE_FAILED", state: "aborted", reasonHas: "UPDATE_FAILED", remedy: "stack events"},
		{status: "UPDATE_ROLLBACK_FAILED", state: "aborted", remedy: "continue-update-rollback"},
		{status: "ROLLBACK_COMPLETE", state: "aborted", reasonHas: "cannot be updated", remedy: "redeploy"},
		{status: "DELETE_FAILED", state: "aborted", remedy: "stack events"},
		// DescribeStacks does not find a deleted stack by name.
		{status: "DELETE_COMPLETE", state: "aborted", reasonHas: "does not exist", remedy: "deploy the stack first"},
	}
	for _, tc := range cases {
		t.Run(tc.status+tc.output, func(t *testing.T) {
			h := newHarness(t)
			tmplOutput := demoTemplate
			if tc.output != "" {
				tmplOutput = tc.output
			}
			h.aws.AddStack(awstest.Stack{Name: demoStack, Status: tc.status, StatusReason: "reason of " + tc.status,
				Outputs: map[string]string{"ExperimentTemplateId": tmplOutput}})
			r := h.call("resolve_experiment", map[string]any{"path": h.demoPath()})
			if tc.state == "" {
				if !r.isError || !strings.Contains(r.text, "do not belong together") {
					t.Fatalf("a stable stack with another template's output was not refused:\n%s", r.text)
				}
				return
			}
			if r.isError {
				t.Fatalf("error:\n%s", r.text)
			}
			out := output[tools.ResolveExperimentOutput](t, r)
			if got := string(out.State); got != tc.state {
				t.Fatalf("state = %q, want %q:\n%s", got, tc.state, r.text)
			}
			sess := h.session(out.SessionID)
			if tc.warning != "" {
				if !strings.Contains(out.StackWarning, tc.warning) || !strings.Contains(sess.Experiment.StackWarning, tc.warning) {
					t.Errorf("stack_warning %q (stored %q) lacks %q", out.StackWarning, sess.Experiment.StackWarning, tc.warning)
				}
				if !strings.Contains(r.text, "WARNING: STACK: ") || !strings.Contains(r.text, tc.warning) {
					t.Errorf("text does not show the stack warning:\n%s", r.text)
				}
				if !strings.Contains(out.StackWarning, "reason of "+tc.status) {
					t.Errorf("stack_warning %q lacks the status reason", out.StackWarning)
				}
			} else if out.StackWarning != "" || sess.Experiment.StackWarning != "" {
				t.Errorf("unexpected stack warning %q", out.StackWarning)
			}
			if tc.state == "aborted" {
				if !strings.Contains(out.AbortReason, tc.reasonHas) {
					t.Errorf("abort_reason %q lacks %q", out.AbortReason, tc.reasonHas)
				}
				if !strings.Contains(out.Remedy, tc.remedy) {
					t.Errorf("remedy %q lacks %q", out.Remedy, tc.remedy)
				}
				if sess.State != session.StateAborted {
					t.Errorf("stored state %s", sess.State)
				}
			}
		})
	}
}

// TestStableStackWithWarningStarts: a stack in UPDATE_ROLLBACK_COMPLETE whose output still names
// the template goes through health check and start like a CREATE_COMPLETE one.
func TestStableStackWithWarningStarts(t *testing.T) {
	h := newHarness(t)
	h.aws.SetStackStatus(demoStack, "UPDATE_ROLLBACK_COMPLETE")
	id := h.healthyDemo()
	if w := h.session(id).Experiment.StackWarning; !strings.Contains(w, "UPDATE_ROLLBACK_COMPLETE") {
		t.Fatalf("stack warning %q", w)
	}
	tok := h.token(id, false)
	r := h.ok("start_experiment", map[string]any{"session_id": id, "confirmation_token": tok})
	if output[tools.StartExperimentOutput](t, r).Status != "started" {
		t.Fatalf("start refused for a stable stack:\n%s", r.text)
	}
}

// A stack operation that began after resolve_experiment (here an update) refuses the start:
// the template may be being replaced under the confirmation.
func TestStackInProgressAtStartRefuses(t *testing.T) {
	h := newHarness(t)
	id := h.healthyDemo()
	tok := h.token(id, false)
	h.aws.SetStackStatus(demoStack, "UPDATE_IN_PROGRESS")
	r := h.fail("start_experiment", map[string]any{"session_id": id, "confirmation_token": tok})
	if !strings.Contains(r.text, "stack is not usable") || !strings.Contains(r.text, "wait for the stack operation to finish") {
		t.Fatalf("start during a stack update:\n%s", r.text)
	}
	if n := len(h.aws.StartedExperiments()); n != 0 {
		t.Fatalf("%d experiments started during a stack update", n)
	}
}
