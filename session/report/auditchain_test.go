package report

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/fis-mcp/fis-mcp/session"
)

// The audit appendix names the chain head the report was written with, in both
// languages, and the JSON twin carries it; a session without a chain says so.
func TestReportPrintsAuditChainHead(t *testing.T) {
	tests := []struct {
		fixture string
		chain   bool
		wantMD  string // with %h for the head, %n for the record count, %i for the session ID
	}{
		{"completed", true, "Audit chain head: `sha256:%h` (%n records; verify with `fis-mcp audit verify %i`)."},
		{"zh", true, "审计链头：`sha256:%h`（%n 条记录；用 `fis-mcp audit verify %i` 校验）。"},
		{"completed", false, "No audit chain: the session predates the tamper-evident audit trail."},
		{"zh", false, "无审计链：该会话早于防篡改审计记录功能。"},
	}
	for _, tt := range tests {
		name := tt.fixture
		if !tt.chain {
			name += " without chain"
		}
		t.Run(name, func(t *testing.T) {
			s := fixtures()[tt.fixture]()
			if tt.chain {
				// Record the fixture's trail through the session's own methods.
				events, calls := s.Timeline, s.APICalls
				s.Timeline, s.APICalls = nil, nil
				for _, e := range events {
					s.AddEvent(e)
				}
				s.AddAPICalls(calls...)
				s.AddAPICalls(session.APICall{Time: fixtureNow, Service: "fis", Operation: "GetExperiment", Result: "ok"})
			}
			head, n := s.ChainHead()
			if tt.chain != (n > 0) {
				t.Fatalf("fixture chain: %d records", n)
			}
			a, err := Analyze(s, Options{Now: fixtureNow})
			if err != nil {
				t.Fatal(err)
			}
			md, js, err := Render(s, a, "")
			if err != nil {
				t.Fatal(err)
			}
			want := strings.NewReplacer("%h", head, "%n", strconv.Itoa(n), "%i", s.ID).Replace(tt.wantMD)
			if !strings.Contains(string(md), want) {
				t.Errorf("the report lacks %q", want)
			}
			var j struct {
				AuditChain *struct {
					Records int    `json:"records"`
					Head    string `json:"head"`
				} `json:"audit_chain"`
			}
			if err := json.Unmarshal(js, &j); err != nil {
				t.Fatal(err)
			}
			switch {
			case !tt.chain && j.AuditChain != nil:
				t.Errorf("JSON audit_chain = %+v, want null", j.AuditChain)
			case tt.chain && (j.AuditChain == nil || j.AuditChain.Head != "sha256:"+head || j.AuditChain.Records != n):
				t.Errorf("JSON audit_chain = %+v, want %d records, head sha256:%s", j.AuditChain, n, head)
			}
		})
	}
}
