package tools

import (
	"context"
	"fmt"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/fis-mcp/fis-mcp/session/workflow"
)

// confirmInputID names the elicitation that asks the human to confirm the start.
const confirmInputID = "confirm_start"

// clientCanElicit reports whether the MCP client declared the elicitation capability.
func clientCanElicit(ctx context.Context) bool {
	cs, ok := server.ClientSessionFromContext(ctx).(server.SessionWithClientInfo)
	return ok && cs.GetClientCapabilities().Elicitation != nil
}

// elicitAsker asks the human through the MCP client's elicitation, as a multi round-trip
// input request: the confirmation token travels as the request state and comes back with
// their answer on the retried call, so the answer is single use, expires and is bound to
// what they were shown, exactly like a typed token.
type elicitAsker struct {
	// result is the input-required tool result that carries the question to the client.
	result *mcp.CallToolResult
}

// Ask builds the input request; the answer comes back with the retried call.
func (a *elicitAsker) Ask(_ context.Context, q workflow.Question) (workflow.Answer, error) {
	a.result = server.NewInputRequestBuilder(q.Token).Elicit(confirmInputID, confirmElicitation(q)).ToolResult()
	return workflow.Answer{}, workflow.ErrAnswerLater
}

// asker is the elicitation Asker when the client supports elicitation, else nil (the
// human types the confirmation token back).
func (c *call) asker() *elicitAsker {
	if !clientCanElicit(c.ctx) {
		return nil
	}
	return &elicitAsker{}
}

func confirmElicitation(q workflow.Question) mcp.ElicitationParams {
	what := "START"
	if q.DryRun {
		what = "START (DRY RUN)"
	}
	return mcp.ElicitationParams{
		Message: q.Warning + "\n\nDo you confirm you want to " + what + " this FIS experiment now?",
		RequestedSchema: map[string]any{
			"type": "object",
			"properties": map[string]any{
				"confirm": map[string]any{"type": "boolean", "title": "Yes, start experiment " + q.TemplateID, "description": "Tick only if you accept the impact described above"},
			},
			"required": []string{"confirm"},
		},
	}
}

// elicitedAnswer is the human's answer to the elicitation: a start only on an explicit
// accept with confirm ticked; anything else is a no.
func elicitedAnswer(answer *mcp.ElicitationResult) *workflow.Answer {
	content, _ := answer.Content.(map[string]any)
	yes, _ := content["confirm"].(bool)
	a := &workflow.Answer{Reply: workflow.ReplyDeclined, Via: "MCP elicitation",
		Detail: fmt.Sprintf("elicitation %s, confirm=%t", answer.Action, yes)}
	switch {
	case answer.Action == mcp.ElicitationResponseActionAccept && yes:
		a.Reply = workflow.ReplyAccepted
	case answer.Action == mcp.ElicitationResponseActionCancel:
		a.Reply = workflow.ReplyCancelled
	}
	return a
}
