package tools_test

import (
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/tools"
)

// TestElicitationWording pins what the MCP elicitation asks (the impact warning, the
// question, the confirm checkbox naming the template) and what each answer records.
func TestElicitationWording(t *testing.T) {
	cases := []struct {
		name    string
		action  mcp.ElicitationResponseAction
		content map[string]any
		dryRun  bool
		event   string // the confirmation-declined event; "" = started
	}{
		{"accept", mcp.ElicitationResponseActionAccept, map[string]any{"confirm": true}, true, ""},
		{"accept unticked", mcp.ElicitationResponseActionAccept, map[string]any{"confirm": false}, false, "the human did not confirm the start (elicitation accept, confirm=false)"},
		{"decline", mcp.ElicitationResponseActionDecline, nil, false, "the human did not confirm the start (elicitation decline, confirm=false)"},
		{"cancel", mcp.ElicitationResponseActionCancel, nil, false, "the human did not confirm the start (elicitation cancel, confirm=false)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			el := &elicitor{action: tc.action, content: tc.content}
			h := newHarness(t, withElicitation(el))
			id := h.healthyDemo()
			r := h.call("start_experiment", map[string]any{"session_id": id, "dry_run": tc.dryRun})
			if el.count() != 1 {
				t.Fatalf("%d elicitation requests", el.count())
			}
			p := el.requests[0].Params
			what := "START"
			if tc.dryRun {
				what = "START (DRY RUN)"
			}
			if !strings.HasSuffix(p.Message, "\n\nDo you confirm you want to "+what+" this FIS experiment now?") || !strings.HasPrefix(p.Message, "WARNING: ") {
				t.Errorf("elicitation message:\n%s", p.Message)
			}
			schema, _ := p.RequestedSchema.(map[string]any)
			props, _ := schema["properties"].(map[string]any)
			confirm, _ := props["confirm"].(map[string]any)
			if confirm["type"] != "boolean" || confirm["title"] != "Yes, start experiment "+demoTemplate {
				t.Errorf("confirm field %v", confirm)
			}
			sess := h.session(id)
			if sess.Confirmation == nil || sess.Confirmation.Channel != session.ChannelElicitation {
				t.Fatalf("confirmation %+v, want one answered by elicitation", sess.Confirmation)
			}
			var declined []string
			for _, e := range sess.Timeline {
				if e.Kind == session.EventConfirmationDeclined {
					declined = append(declined, e.Message)
				}
			}
			if tc.event == "" {
				out := output[tools.StartExperimentOutput](t, r)
				if r.isError || out.Status != "started" || out.DryRun != tc.dryRun || sess.Run == nil || sess.Run.ConfirmedBy != "human via MCP elicitation" || len(declined) != 0 {
					t.Fatalf("accepted: %+v run %+v declined %q\n%s", out, sess.Run, declined, r.text)
				}
				return
			}
			if !r.isError || !strings.Contains(r.text, "Error: the human declined (or cancelled) the start: nothing was started. Call stop_experiment to abort the session, or start_experiment again if they change their mind") {
				t.Errorf("refusal:\n%s", r.text)
			}
			if len(declined) != 1 || declined[0] != tc.event {
				t.Errorf("declined events %q, want %q", declined, tc.event)
			}
		})
	}
}
