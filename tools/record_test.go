package tools_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
)

// lockedBuffer is a bytes.Buffer safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, ln := range strings.Split(strings.TrimSpace(l.b.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(ln), &m); err == nil {
			out = append(out, m)
		}
	}
	return out
}

// lockBreakingElicitor breaks the session's lock file while the human is being asked (the
// session stays readable, every update fails), then declines: the write recording the
// refusal fails.
type lockBreakingElicitor struct{ lockPath func() string }

func (e lockBreakingElicitor) Elicit(ctx context.Context, req mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
	if err := os.Remove(e.lockPath()); err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	if err := os.Mkdir(e.lockPath(), 0o700); err != nil {
		return nil, err
	}
	return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionDecline}}, nil
}

// TestFailedRecordIsLoggedAndSaid: a safety-relevant write that fails (here the declined
// confirmation) is logged at error level with the session ID and what was recorded, and
// the tool result tells the user, instead of being dropped silently.
func TestFailedRecordIsLoggedAndSaid(t *testing.T) {
	var logBuf lockedBuffer
	var id string
	var h *harness
	h = newHarness(t, withLog(&logBuf), withElicitation(lockBreakingElicitor{lockPath: func() string {
		return filepath.Join(h.state, "sessions", id+".lock")
	}}))
	id = h.healthyDemo()
	r := h.fail("start_experiment", map[string]any{"session_id": id})
	if !strings.Contains(r.text, "declined") || !strings.Contains(r.text, "WARNING: the session could not be saved, so the declined confirmation is not recorded") {
		t.Errorf("the result does not say the refusal could not be saved:\n%s", r.text)
	}
	found := false
	for _, l := range logBuf.lines(t) {
		if l["level"] == "error" && l["session"] == id && l["recording"] == "declined confirmation" && l["error"] != nil {
			found = true
		}
	}
	if !found {
		t.Errorf("no error-level log line with session %s and what was recorded:\n%v", id, logBuf.lines(t))
	}
	if n := len(h.aws.StartedExperiments()); n != 0 {
		t.Errorf("a declined start started %d experiments", n)
	}
}
