package experiment

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/fis-mcp/fis-mcp/aws/awsapi"
)

// SafetyLeverID is the ID of an account's safety lever: there is one per account and
// Region (https://docs.aws.amazon.com/fis/latest/userguide/safety-lever.html).
const SafetyLeverID = "default"

// SafetyLever is the state of the account's FIS safety lever in a Region.
type SafetyLever struct {
	// Status is disengaged, engaged or engaging
	// (the SafetyLeverState statuses of the FIS API; engaging is the way to engaged).
	Status string
	Reason string
}

// Blocks reports whether the lever prevents new experiments: an engaged lever stops
// running experiments and cancels new ones (safety-lever.html); while engaging it is on
// its way there.
func (l SafetyLever) Blocks() bool { return l.Status == "engaged" || l.Status == "engaging" }

// GetSafetyLever reads the account's safety lever.
func GetSafetyLever(ctx context.Context, api API) (SafetyLever, error) {
	id := SafetyLeverID
	out, err := api.GetSafetyLever(ctx, &fis.GetSafetyLeverInput{Id: &id})
	if err != nil {
		return SafetyLever{}, awsapi.Wrap(err, "fis GetSafetyLever", id, "fis:GetSafetyLever")
	}
	if out == nil || out.SafetyLever == nil || out.SafetyLever.State == nil {
		return SafetyLever{}, fmt.Errorf("fis GetSafetyLever %s: empty response", id)
	}
	st := out.SafetyLever.State
	l := SafetyLever{Status: string(st.Status)}
	if st.Reason != nil {
		l.Reason = *st.Reason
	}
	return l, nil
}

// EngageLeverCLI is the AWS CLI command that engages the account's safety lever: the
// account-wide kill switch that stops every running experiment in the Region.
func EngageLeverCLI(region string) string {
	cmd := "aws fis update-safety-lever-state --id " + SafetyLeverID + ` --state 'status=engaged,reason=stop all experiments'`
	if region != "" {
		cmd += " --region " + awsapi.ShellQuote(region)
	}
	return cmd
}
