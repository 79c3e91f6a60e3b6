package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/fis-mcp/fis-mcp/session"
)

const auditUsage = "usage: fis-mcp audit verify [--state-dir DIR] [--head sha256:HASH] <session-id>"

// runAudit is `fis-mcp audit verify <session-id>`: it reads the session file from the
// state directory (never writing anything: no lock, no store, a corrupt file is not moved
// aside) and recomputes its audit chain. Exit 0: the chain verifies; 1: it is broken (or
// does not hold the given --head); 2: the session cannot be verified (unknown, no chain,
// unreadable, bad arguments).
func runAudit(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprintln(stderr, auditUsage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			return 0
		}
		return 2
	}
	fs := flag.NewFlagSet("fis-mcp audit verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	stateDir := fs.String("state-dir", envOr("FIS_MCP_STATE_DIR", defaultStateDir()), "where sessions are kept (as for serve)")
	head := fs.String("head", "", "also check the chain holds this head (as printed by a report or get_session): catches a file rewritten since")
	var ids []string
	rest := args[1:]
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		ids = append(ids, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(ids) != 1 {
		fmt.Fprintln(stderr, auditUsage)
		return 2
	}
	id := strings.TrimSpace(ids[0])
	if !session.ValidID(id) {
		fmt.Fprintf(stderr, "fis-mcp audit verify: %q is not a session ID (expected e.g. fis-20260411-103015-a1b2c3; list_sessions shows them)\n", id)
		return 2
	}
	path := filepath.Join(*stateDir, "sessions", id+".json")
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(stderr, "fis-mcp audit verify: no session %s in %s (wrong --state-dir or FIS_MCP_STATE_DIR?)\n", id, filepath.Dir(path))
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "fis-mcp audit verify: cannot read the session file: %v\n", err)
		return 2
	}
	var sess session.Session
	if err := json.Unmarshal(b, &sess); err != nil {
		fmt.Fprintf(stdout, "audit chain BROKEN: the session file %s is not valid JSON (%v)\n", path, err)
		return 1
	}
	if sess.ID != id {
		fmt.Fprintf(stdout, "audit chain BROKEN: the file %s holds session %q, not %s\n", path, sess.ID, id)
		return 1
	}
	err = sess.VerifyAudit()
	var brk *session.AuditBreak
	switch {
	case errors.Is(err, session.ErrNoAuditChain):
		fmt.Fprintf(stderr, "fis-mcp audit verify: session %s: %v\n", id, err)
		return 2
	case errors.As(err, &brk):
		fmt.Fprintln(stdout, brk.Error())
		return 1
	case err != nil:
		fmt.Fprintf(stdout, "audit chain BROKEN: %v\n", err)
		return 1
	}
	last, n := sess.ChainHead()
	if want := strings.TrimPrefix(strings.TrimSpace(*head), "sha256:"); want != "" {
		seq := 0
		for _, r := range sess.Audit {
			if r.Hash == want {
				seq = r.Seq
			}
		}
		if seq == 0 {
			fmt.Fprintf(stdout, "audit chain BROKEN: no record has the head sha256:%s: the session file was rewritten since that head was printed (its own chain is consistent: %d records, head sha256:%s)\n", want, n, last)
			return 1
		}
		fmt.Fprintf(stdout, "audit chain OK: %d records, head sha256:%s (sha256:%s is record #%d)\n", n, last, want, seq)
		return 0
	}
	fmt.Fprintf(stdout, "audit chain OK: %d records, head sha256:%s\n", n, last)
	return 0
}
