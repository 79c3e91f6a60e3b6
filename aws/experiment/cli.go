package experiment

import (
	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/fis/types"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
)

// CreatedByTag is the tag (with value "fis-mcp") marking the experiments fis-mcp starts.
const CreatedByTag = "created-by"

// SessionStart is the start a session makes of a template: its deterministic client token
// (DryRunClientToken for a dry run) and the SessionTag and CreatedByTag tags. The impact
// warning shows it (StartCLI) and the start sends it, so the two cannot differ.
func SessionStart(sessionID, templateID string, dryRun bool) StartInput {
	token := ClientToken(sessionID, templateID)
	if dryRun {
		token = DryRunClientToken(sessionID, templateID)
	}
	return StartInput{
		TemplateID:  templateID,
		ClientToken: token,
		Tags:        map[string]string{SessionTag: sessionID, CreatedByTag: "fis-mcp"},
		DryRun:      dryRun,
	}
}

// startRequest is the StartExperiment request Start sends for in.
func startRequest(in StartInput) *fis.StartExperimentInput {
	mode := types.ActionsModeRunAll
	if in.DryRun {
		mode = types.ActionsModeSkipAll
	}
	templateID, token := in.TemplateID, in.ClientToken
	req := &fis.StartExperimentInput{
		ExperimentTemplateId: &templateID,
		ClientToken:          &token,
		ExperimentOptions:    &types.StartExperimentExperimentOptionsInput{ActionsMode: mode},
	}
	if len(in.Tags) > 0 {
		req.Tags = copyMap(in.Tags)
	}
	return req
}

// StartCLI is the AWS CLI command equivalent to Start(in) in region, rendered from the very
// request Start sends: `aws fis start-experiment --experiment-template-id … --client-token …
// --experiment-options actionsMode=run-all|skip-all --tags … --region …`, quoted for a POSIX shell.
func StartCLI(in StartInput, region string) string {
	return awsapi.StartExperimentCLI(startRequest(in), region)
}

// StopCLI is the AWS CLI command equivalent to Stop(id) in region:
// `aws fis stop-experiment --id … --region …`, quoted for a POSIX shell.
func StopCLI(id, region string) string {
	return awsapi.StopExperimentCLI(id, region)
}
