package workflow

import (
	"context"
	"fmt"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/experiment"
	"github.com/fis-mcp/fis-mcp/session"
)

// leverCheck reads the account's FIS safety lever in the session's region before a start
// (https://docs.aws.amazon.com/fis/latest/userguide/safety-lever.html: an engaged lever
// stops running experiments and cancels new ones). An engaged or engaging lever refuses
// the start with its reason and who to ask; a lever that cannot be read is not a refusal
// (FIS enforces the lever itself) but a note for the impact warning.
func (e *Engine) leverCheck(ctx context.Context, sess *session.Session) (note string, refusal error) {
	clients, err := e.AWS(sess.Experiment.Region)
	if err != nil {
		return "", err
	}
	lever, err := experiment.GetSafetyLever(ctx, clients.FIS)
	if err != nil {
		return fmt.Sprintf("the account's FIS safety lever could not be read (%v): FIS still cancels the start if it is engaged", err), nil
	}
	if lever.Blocks() {
		reason := lever.Reason
		if reason == "" {
			reason = "no reason given"
		}
		return "", fmt.Errorf("the account's FIS safety lever is %s in %s (reason: %s): FIS stops every experiment and cancels new ones while it is, so nothing was started. Ask whoever engaged it (the account's FIS administrators; `aws fis get-safety-lever --id %s --region %s` shows it) to disengage it, then call start_experiment again",
			lever.Status, sess.Experiment.Region, reason, experiment.SafetyLeverID, awsapi.ShellQuote(sess.Experiment.Region))
	}
	return "", nil
}

// LeverLine names the account's safety lever as the account-wide kill switch, with the
// command that engages it (the impact warning and stop_experiment's text show it).
func LeverLine(region string) string {
	return fmt.Sprintf("Account-wide kill switch: the FIS safety lever stops every running experiment of this account in %s and blocks new ones: %s",
		region, experiment.EngageLeverCLI(region))
}
