package stack

import (
	"context"
	"errors"
	"fmt"
)

// Kind is what a stack status means for running an experiment from the stack's template.
type Kind string

// The stack status kinds.
const (
	// KindReady: the last operation succeeded; the stack is usable as it is.
	KindReady Kind = "ready"
	// KindReadyWithWarning: a stable state the stack returned to after a failed or partial
	// operation (CloudFormation calls these "last known stable states"); usable, with a warning.
	KindReadyWithWarning Kind = "ready-with-warning"
	// KindInProgress: an operation is running; wait for it to finish.
	KindInProgress Kind = "in-progress"
	// KindFailed: the stack is in a failed state; its resources may be missing or partial.
	KindFailed Kind = "failed"
	// KindDeleted: the stack is deleted or being left without resources.
	KindDeleted Kind = "deleted"
	// KindUnknown: a status not in the documented list (a newer API value): refused.
	KindUnknown Kind = "unknown"
)

// Class is the classification of one stack status.
type Class struct {
	Kind Kind
	// Operation names the stack operation the status belongs to (e.g. "update rollback"),
	// for in-progress states ("wait for the <operation> to finish").
	Operation string
	// Meaning is a one-line explanation for the user.
	Meaning string
}

// statuses classifies every StackStatus value CloudFormation documents.
//
// Sources:
//   - https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Stack.html (StackStatus valid values)
//   - https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/view-stack-events.html#cfn-console-view-stack-data-resources-status-codes
//   - https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_RollbackStack.html: "A last known
//     stable state includes any status in a *_COMPLETE ... CREATE_COMPLETE, UPDATE_COMPLETE,
//     UPDATE_ROLLBACK_COMPLETE, IMPORT_COMPLETE, IMPORT_ROLLBACK_COMPLETE" (ROLLBACK_COMPLETE is not one:
//     it follows a failed creation whose resources were deleted).
var statuses = map[string]Class{
	"CREATE_COMPLETE": {KindReady, "create", "the stack was created"},
	"UPDATE_COMPLETE": {KindReady, "update", "the last update succeeded"},

	"UPDATE_ROLLBACK_COMPLETE": {KindReadyWithWarning, "update rollback",
		"the last update failed and the stack was rolled back to its previous working state: the deployed template is the one before that update"},
	"IMPORT_COMPLETE": {KindReadyWithWarning, "import",
		"resources were imported into the stack: check the imported resources belong to the experiment"},
	"IMPORT_ROLLBACK_COMPLETE": {KindReadyWithWarning, "import rollback",
		"the last import failed and the stack was rolled back to its previous working state"},

	"CREATE_IN_PROGRESS":                           {KindInProgress, "stack creation", "the stack is being created"},
	"ROLLBACK_IN_PROGRESS":                         {KindInProgress, "rollback of a failed creation", "a failed creation is being rolled back (the stack will end in ROLLBACK_COMPLETE, unusable)"},
	"DELETE_IN_PROGRESS":                           {KindInProgress, "stack deletion", "the stack is being deleted"},
	"UPDATE_IN_PROGRESS":                           {KindInProgress, "stack update", "the stack is being updated"},
	"UPDATE_COMPLETE_CLEANUP_IN_PROGRESS":          {KindInProgress, "post-update cleanup", "an update succeeded and old resources are being removed"},
	"UPDATE_ROLLBACK_IN_PROGRESS":                  {KindInProgress, "update rollback", "a failed update is being rolled back"},
	"UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS": {KindInProgress, "update rollback cleanup", "a failed update was rolled back and new resources are being removed"},
	"REVIEW_IN_PROGRESS":                           {KindInProgress, "change set review", "the stack exists only as a change set that has not been executed yet"},
	"IMPORT_IN_PROGRESS":                           {KindInProgress, "resource import", "resources are being imported into the stack"},
	"IMPORT_ROLLBACK_IN_PROGRESS":                  {KindInProgress, "import rollback", "a failed import is being rolled back"},

	"CREATE_FAILED":          {KindFailed, "create", "the stack creation failed (rollback disabled: some resources may exist)"},
	"ROLLBACK_COMPLETE":      {KindFailed, "rollback of a failed creation", "the stack creation failed and its resources were deleted: the stack cannot be updated, only deleted and recreated"},
	"ROLLBACK_FAILED":        {KindFailed, "rollback of a failed creation", "the rollback of a failed creation failed"},
	"UPDATE_FAILED":          {KindFailed, "update", "the last update failed and was not rolled back: resources may be partly updated"},
	"UPDATE_ROLLBACK_FAILED": {KindFailed, "update rollback", "the rollback of a failed update failed: continue the rollback (ContinueUpdateRollback) first"},
	"IMPORT_ROLLBACK_FAILED": {KindFailed, "import rollback", "the rollback of a failed import failed"},
	"DELETE_FAILED":          {KindFailed, "delete", "the stack deletion failed: some resources were deleted"},

	"DELETE_COMPLETE": {KindDeleted, "delete", "the stack was deleted"},
}

// Statuses returns every documented stack status (for tests and documentation).
func Statuses() []string {
	out := make([]string, 0, len(statuses))
	for s := range statuses {
		out = append(out, s)
	}
	return out
}

// Classify says what status means for an experiment; an undocumented status is KindUnknown.
func Classify(status string) Class {
	if c, ok := statuses[status]; ok {
		return c
	}
	return Class{Kind: KindUnknown, Meaning: fmt.Sprintf("%q is not a documented CloudFormation stack status", status)}
}

// Warning is the warning to show for a stack usable with a warning ("" otherwise).
func Warning(name, status string) string {
	c := Classify(status)
	if c.Kind != KindReadyWithWarning {
		return ""
	}
	return fmt.Sprintf("stack %s is %s: %s; the experiment template it outputs is used as it is now", name, status, c.Meaning)
}

// Remedy is what to do about a stack that is not usable ("" for a usable one).
func Remedy(status string) string {
	c := Classify(status)
	switch c.Kind {
	case KindInProgress:
		r := fmt.Sprintf("wait for the stack operation to finish (%s in progress), then resolve again", c.Operation)
		switch status {
		case "DELETE_IN_PROGRESS":
			r += "; the stack will then be gone: redeploy it"
		case "ROLLBACK_IN_PROGRESS":
			r += "; the stack will then be ROLLBACK_COMPLETE: delete it, fix the cause in the stack events and redeploy"
		}
		return r
	case KindFailed:
		if status == "UPDATE_ROLLBACK_FAILED" {
			return "look at the stack events below for the failure reason, fix it and continue the update rollback (aws cloudformation continue-update-rollback), then resolve again"
		}
		return "look at the stack events below for the failure reason, fix the template or permissions and redeploy"
	case KindDeleted:
		return "the stack was deleted: deploy it again (the prepare step's cfn-template.yaml), then resolve again"
	case KindUnknown:
		return "check the stack in the CloudFormation console; fis-mcp only runs experiments from stacks in a documented stable state"
	}
	return ""
}

// ErrNotUsable means the stack is not in a stable state an experiment can run from.
var ErrNotUsable = errors.New("stack is not in a stable state")

// CheckUsable re-reads the stack called name and returns nil when it is usable (a stable state,
// with or without a warning), else an error matching ErrNotUsable (or ErrNotFound) that says
// what to do. For a re-check just before a start: an operation in progress refuses it, a
// stable state such as UPDATE_ROLLBACK_COMPLETE does not.
func CheckUsable(ctx context.Context, api API, name string) error {
	st, err := Describe(ctx, api, name)
	if err != nil {
		return err
	}
	if Ready(st.Status) {
		return nil
	}
	c := Classify(st.Status)
	return fmt.Errorf("stack %s is %s (%s): %w; %s", name, st.Status, c.Meaning, ErrNotUsable, Remedy(st.Status))
}
