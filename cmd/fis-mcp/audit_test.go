package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/fis-mcp/fis-mcp/session"
)

const auditTestID = "fis-20261201-100000-abcdef"

// auditState writes one session with an audit chain (an event, two API calls, a state
// change) to a fresh state directory; legacy drops the chain, as an older fis-mcp wrote it.
func auditState(t *testing.T, legacy bool) string {
	t.Helper()
	dir := t.TempDir()
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	st, err := session.Open(dir, zerolog.Nop(), func() time.Time { return t0 })
	if err != nil {
		t.Fatal(err)
	}
	s := &session.Session{ID: auditTestID, State: session.StateResolved, CreatedAt: t0}
	s.AddEvent(session.Event{Time: t0, Source: session.SourceFISMCP, Kind: session.EventResolved, Message: "resolved"})
	s.AddAPICalls(session.APICall{Time: t0, Service: "fis", Operation: "GetExperimentTemplate", Result: "ok"},
		session.APICall{Time: t0, Service: "cloudformation", Operation: "DescribeStacks", Result: "ok"})
	if err := s.Transition(session.StateHealthChecked); err != nil {
		t.Fatal(err)
	}
	if legacy {
		s.Audit = nil
	}
	if err := st.Create(s); err != nil {
		t.Fatal(err)
	}
	return dir
}

// editSession rewrites the session file with edit applied to its JSON.
func editSession(t *testing.T, dir, id string, edit func(m map[string]any)) {
	t.Helper()
	path := sessionFile(dir, id)
	var m map[string]any
	readJSON(t, path, &m)
	edit(m)
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func runCLI(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(args, strings.NewReader(""), &o, &e)
	return code, o.String(), e.String()
}

func TestAuditVerifyCommand(t *testing.T) {
	headRe := regexp.MustCompile(`^audit chain OK: 5 records, head sha256:([0-9a-f]{64})\n$`)
	tests := []struct {
		name     string
		legacy   bool
		edit     func(m map[string]any)
		args     func(dir string) []string
		env      bool // state directory through FIS_MCP_STATE_DIR
		wantCode int
		wantOut  string // regexp on stdout
		wantErr  string // substring of stderr
	}{
		{name: "intact", wantCode: 0, wantOut: headRe.String()},
		{name: "flags after the ID", args: func(dir string) []string { return []string{"audit", "verify", auditTestID, "--state-dir", dir} },
			wantCode: 0, wantOut: headRe.String()},
		{name: "state dir from the environment", env: true, args: func(string) []string { return []string{"audit", "verify", auditTestID} },
			wantCode: 0, wantOut: headRe.String()},
		{name: "edited API call", edit: func(m map[string]any) {
			m["api_calls"].([]any)[1].(map[string]any)["result"] = "AccessDenied"
		}, wantCode: 1, wantOut: `^audit chain BROKEN at record #4 \(api_call, 2026-12-01T10:00:00Z\): the API call it records \(cloudformation DescribeStacks: ok\) is missing from the session or was edited\n$`},
		{name: "edited state", edit: func(m map[string]any) { m["state"] = "running" },
			wantCode: 1, wantOut: `^audit chain BROKEN at record #5 \(state, .*the session's state is "running"`},
		{name: "not JSON", edit: nil, args: func(dir string) []string {
			_ = os.WriteFile(sessionFile(dir, auditTestID), []byte("{not json"), 0o600)
			return []string{"audit", "verify", "--state-dir", dir, auditTestID}
		}, wantCode: 1, wantOut: `^audit chain BROKEN: the session file .* is not valid JSON`},
		{name: "older session", legacy: true, wantCode: 2, wantErr: "no audit chain: the session predates the tamper-evident audit trail"},
		{name: "unknown session", args: func(dir string) []string {
			return []string{"audit", "verify", "--state-dir", dir, "fis-20261201-100000-000000"}
		}, wantCode: 2, wantErr: "no session fis-20261201-100000-000000 in "},
		{name: "not a session ID", args: func(dir string) []string { return []string{"audit", "verify", "--state-dir", dir, "../etc/passwd"} },
			wantCode: 2, wantErr: "is not a session ID"},
		{name: "no ID", args: func(dir string) []string { return []string{"audit", "verify", "--state-dir", dir} },
			wantCode: 2, wantErr: "usage: fis-mcp audit verify"},
		{name: "no subcommand", args: func(string) []string { return []string{"audit"} }, wantCode: 2, wantErr: "usage: fis-mcp audit verify"},
		{name: "head not in the chain", args: func(dir string) []string {
			return []string{"audit", "verify", "--state-dir", dir, "--head", "sha256:" + strings.Repeat("0", 64), auditTestID}
		}, wantCode: 1, wantOut: `^audit chain BROKEN: no record has the head sha256:0{64}: the session file was rewritten`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := auditState(t, tt.legacy)
			if tt.edit != nil {
				editSession(t, dir, auditTestID, tt.edit)
			}
			t.Setenv("FIS_MCP_STATE_DIR", "")
			if tt.env {
				t.Setenv("FIS_MCP_STATE_DIR", dir)
			}
			args := []string{"audit", "verify", "--state-dir", dir, auditTestID}
			if tt.args != nil {
				args = tt.args(dir)
			}
			before, _ := os.ReadFile(sessionFile(dir, auditTestID))
			code, out, errOut := runCLI(args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, out, errOut)
			}
			if tt.wantOut != "" && !regexp.MustCompile(tt.wantOut).MatchString(out) {
				t.Errorf("stdout %q does not match %q", out, tt.wantOut)
			}
			if tt.wantErr != "" && !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("stderr %q does not contain %q", errOut, tt.wantErr)
			}
			after, _ := os.ReadFile(sessionFile(dir, auditTestID))
			if !bytes.Equal(before, after) {
				t.Errorf("audit verify changed the session file")
			}
			if entries, _ := os.ReadDir(filepath.Join(dir, "sessions")); len(entries) > 2 { // the session and its lock file
				t.Errorf("audit verify left files behind: %v", entries)
			}
		})
	}
}

// TestE2EAuditVerify runs a real session through the binary (resolve, health check,
// discovery, logs, confirmed start, stop) and checks `fis-mcp audit verify` on its file:
// it verifies, its head is get_session's, and an edited timeline event is named.
func TestE2EAuditVerify(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary against the simulated account")
	}
	stateDir := t.TempDir()
	s := startServer(t, serverOpts{stateDir: stateDir, simulate: true})
	id, _ := runToStarted(t, s)
	s.ok("stop_experiment", map[string]any{"session_id": id, "reason": "e2e: audit verify"})
	gs := s.getSession(id)
	s.stop() // nothing may write the file while it is edited below

	if gs.AuditChain.Records < 20 || !strings.HasPrefix(gs.AuditChain.Head, "sha256:") {
		t.Fatalf("get_session audit_chain = %+v, want a head over the whole run", gs.AuditChain)
	}
	code, out, errOut := runCLI("audit", "verify", "--state-dir", stateDir, id)
	if code != 0 {
		t.Fatalf("audit verify on the untouched session: exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "audit chain OK: ") || !strings.Contains(out, ", head "+gs.AuditChain.Head) {
		t.Errorf("audit verify = %q, want OK with get_session's head %s", out, gs.AuditChain.Head)
	}
	// An earlier head (as a report prints it) is still a record of the chain.
	earlier := gs.Session.Audit[len(gs.Session.Audit)/2]
	code, out, _ = runCLI("audit", "verify", "--state-dir", stateDir, "--head", "sha256:"+earlier.Hash, id)
	if want := "(sha256:" + earlier.Hash + " is record #" + strconv.Itoa(earlier.Seq) + ")"; code != 0 || !strings.Contains(out, want) {
		t.Errorf("audit verify --head of record #%d: exit %d %q, want %q", earlier.Seq, code, out, want)
	}
	var kinds = map[string]int{}
	for _, r := range gs.Session.Audit {
		kinds[r.Kind]++
	}
	for _, k := range []string{session.AuditKindAPICall, session.AuditKindEvent, session.AuditKindState, session.AuditKindConfirmation} {
		if kinds[k] == 0 {
			t.Errorf("the chain of a real run has no %s record (kinds %v)", k, kinds)
		}
	}

	// Edit the health-check event's message in the file: its record is named.
	seq := 0
	for _, r := range gs.Session.Audit {
		if r.Kind == session.AuditKindEvent && strings.Contains(r.Summary, session.EventHealthCheck) {
			seq = r.Seq
			break
		}
	}
	editSession(t, stateDir, id, func(m map[string]any) {
		for _, e := range m["timeline"].([]any) {
			if ev := e.(map[string]any); ev["kind"] == session.EventHealthCheck {
				ev["message"] = "verdict healthy (edited)"
				return
			}
		}
		t.Fatal("no health-check event in the timeline")
	})
	code, out, _ = runCLI("audit", "verify", "--state-dir", stateDir, id)
	want := "audit chain BROKEN at record #" + strconv.Itoa(seq) + " (event, "
	if code != 1 || !strings.HasPrefix(out, want) || !strings.Contains(out, "health-check") {
		t.Fatalf("audit verify after editing the event: exit %d %q, want exit 1 %q…", code, out, want)
	}
	assertNoSecretsIn(t, "audit verify output", []byte(out))
}
