package tools_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/tools"
)

// confirmationSteps lists the session's confirmation records as "action by".
func confirmationSteps(s *session.Session) []string {
	var out []string
	for _, r := range s.Audit {
		if c := r.Confirmation; c != nil {
			out = append(out, strings.TrimSpace(c.Action+" "+c.By))
		}
	}
	return out
}

// The start's confirmation is in the chain however it is answered: typed token,
// accepted elicitation, declined elicitation; and the chain verifies afterwards.
func TestAuditChainRecordsTheConfirmation(t *testing.T) {
	tests := []struct {
		name  string
		elic  *elicitor
		token bool
		want  []string
	}{
		{"token", nil, true, []string{"issued", "consumed", "confirmed human via confirmation token"}},
		{"elicitation accepted", &elicitor{action: mcp.ElicitationResponseActionAccept, content: map[string]any{"confirm": true}}, false,
			[]string{"issued", "consumed", "confirmed human via MCP elicitation"}},
		{"elicitation declined", &elicitor{action: mcp.ElicitationResponseActionDecline}, false,
			[]string{"issued", "invalidated", "declined human via MCP elicitation"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h *harness
			if tt.elic != nil {
				h = newHarness(t, withElicitation(tt.elic))
			} else {
				h = newHarness(t)
			}
			id := h.healthyDemo()
			if tt.token {
				tok := h.token(id, false)
				h.ok("start_experiment", map[string]any{"session_id": id, "confirmation_token": tok})
				b, err := os.ReadFile(filepath.Join(h.state, "sessions", id+".json"))
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(string(b), strings.TrimPrefix(tok, "confirm-")) {
					t.Fatal("the session file holds the confirmation token")
				}
			} else {
				h.call("start_experiment", map[string]any{"session_id": id})
			}
			s := h.session(id)
			if got := confirmationSteps(s); strings.Join(got, "; ") != strings.Join(tt.want, "; ") {
				t.Errorf("confirmation records %q, want %q", got, tt.want)
			}
			for _, r := range s.Audit {
				if c := r.Confirmation; c != nil && (c.TokenSHA256 == "" || c.Channel == "") {
					t.Errorf("record #%d %+v lacks the token hash or channel", r.Seq, c)
				}
			}
			if err := s.VerifyAudit(); err != nil {
				t.Errorf("VerifyAudit: %v", err)
			}
		})
	}
}

// get_session prints the chain head and says whether the chain verifies.
func TestGetSessionShowsTheAuditChain(t *testing.T) {
	h := newHarness(t)
	id, _ := h.startDemo()
	g := h.ok("get_session", map[string]any{"session_id": id})
	out := output[tools.GetSessionOutput](t, g)
	head, n := h.session(id).ChainHead()
	if out.AuditChain.Records != n || out.AuditChain.Head != "sha256:"+head || n < 10 {
		t.Fatalf("audit_chain = %+v, want %d records, head sha256:%s", out.AuditChain, n, head)
	}
	if want := "Audit chain: " + strconv.Itoa(n) + " records, head sha256:" + head + " (it verifies; `fis-mcp audit verify " + id + "` checks the file itself)."; !strings.Contains(g.text, want) {
		t.Errorf("get_session text lacks %q:\n%s", want, g.text)
	}

	// Edit the resolved event in the file: get_session warns, naming its record.
	path := filepath.Join(h.state, "sessions", id+".json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(b), `"message": "resolved `, `"message": "RESOLVED `, 1)
	if edited == string(b) {
		t.Fatal("no resolved event in the session file")
	}
	if err := os.WriteFile(path, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	g = h.ok("get_session", map[string]any{"session_id": id})
	if !strings.Contains(g.text, "WARNING: audit chain BROKEN at record #2 (event, ") {
		t.Errorf("get_session on an edited file:\n%s", g.text)
	}
}
