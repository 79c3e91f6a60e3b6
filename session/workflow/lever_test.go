package workflow_test

import (
	"context"
	"strings"
	"testing"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/workflow"
)

// The account's FIS safety lever (https://docs.aws.amazon.com/fis/latest/userguide/safety-lever.html)
// is read before every start: engaged or engaging refuses it, unreadable is a warning.
func TestEngineStartSafetyLever(t *testing.T) {
	ctx := context.Background()
	t.Run("disengaged: the warning names the lever as the kill switch", func(t *testing.T) {
		s := newStartEnv(t)
		id := s.healthy()
		res, err := s.e.RequestStart(ctx, workflow.StartRequest{SessionID: id})
		if err != nil {
			t.Fatal(err)
		}
		if w := res.Prompt.Warning; !strings.Contains(w, "Account-wide kill switch") || !strings.Contains(w, "aws fis update-safety-lever-state --id default") || strings.Contains(w, "could not be read") {
			t.Errorf("warning:\n%s", w)
		}
		if n := s.aws.CallCount("fis", "GetSafetyLever"); n != 1 {
			t.Errorf("GetSafetyLever called %d times, want 1", n)
		}
	})
	for _, status := range []string{"engaged", "engaging"} {
		t.Run(status+" before the warning", func(t *testing.T) {
			s := newStartEnv(t)
			id := s.healthy()
			s.aws.SetSafetyLever(status, "change freeze until Monday")
			_, err := s.e.RequestStart(ctx, workflow.StartRequest{SessionID: id})
			if err == nil || !strings.Contains(err.Error(), "safety lever is "+status) || !strings.Contains(err.Error(), "change freeze until Monday") || !strings.Contains(err.Error(), "Ask whoever engaged it") {
				t.Fatalf("RequestStart = %v", err)
			}
			sess := s.session(id)
			if sess.Confirmation != nil {
				t.Error("a token was issued under an engaged lever")
			}
			if len(s.events(id, session.EventStartRefused)) != 1 {
				t.Errorf("refusal not recorded: %+v", sess.Timeline)
			}
		})
	}
	t.Run("engaged between the warning and the confirmation", func(t *testing.T) {
		s := newStartEnv(t)
		id := s.healthy()
		tok := s.token(id, false)
		s.aws.SetSafetyLever("engaged", "incident 42")
		_, err := s.e.ConfirmStart(ctx, id, workflow.Confirmation{Token: tok})
		if err == nil || !strings.Contains(err.Error(), "incident 42") {
			t.Fatalf("ConfirmStart = %v", err)
		}
		if n := s.aws.CallCount("fis", "StartExperiment"); n != 0 {
			t.Fatalf("StartExperiment sent under an engaged lever")
		}
		if sess := s.session(id); sess.Run != nil {
			t.Errorf("run recorded: %+v", sess.Run)
		}
		// The token is void: disengaging the lever does not revive it.
		s.aws.SetSafetyLever("disengaged", "incident over")
		if _, err := s.e.ConfirmStart(ctx, id, workflow.Confirmation{Token: tok}); err == nil {
			t.Error("the token survived the lever refusal")
		}
		if n := s.aws.CallCount("fis", "StartExperiment"); n != 0 {
			t.Fatalf("StartExperiment sent with a voided token")
		}
	})
	t.Run("unreadable: a warning, not a refusal", func(t *testing.T) {
		s := newStartEnv(t)
		id := s.healthy()
		s.aws.InjectFault(awstest.Fault{Service: "fis", Operation: "GetSafetyLever", Status: 403, Code: "AccessDeniedException"})
		res, err := s.e.RequestStart(ctx, workflow.StartRequest{SessionID: id})
		if err != nil {
			t.Fatal(err)
		}
		if w := res.Prompt.Warning; !strings.Contains(w, "safety lever could not be read") || !strings.Contains(w, "fis:GetSafetyLever") {
			t.Errorf("warning:\n%s", w)
		}
	})
}
