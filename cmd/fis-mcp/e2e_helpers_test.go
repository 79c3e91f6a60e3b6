package main

// Helpers of the end-to-end tests: they build the real binary once (TestMain; `make test`
// builds it once and passes FIS_MCP_E2E_BIN), start it as a subprocess speaking MCP over
// stdio to mcp-go's client, record every stdout line
// (each must be JSON-RPC), validate every structured tool result against the tool's
// declared outputSchema (santhosh-tekuri/jsonschema), and collect progress notifications.

import (
	"bufio"
	"bytes"
	"context"
	"debug/buildinfo"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/tools"
)

// e2eVersion is stamped into the test binary with -ldflags.
const e2eVersion = "v0.0.0-e2e"

// legacyProtocol is what most stdio hosts negotiate today; mcp.LATEST_PROTOCOL_VERSION
// is the stateless core mcp-go clients prefer. The tests use both.
const legacyProtocol = "2025-11-25"

// fisBin is the server binary built once by TestMain.
var fisBin string

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(e2eMain(m))
}

func e2eMain(m *testing.M) int {
	if bin := os.Getenv("FIS_MCP_E2E_BIN"); bin != "" {
		if err := checkE2EBinary(bin); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: FIS_MCP_E2E_BIN:", err)
			return 1
		}
		fisBin = bin
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "fis-mcp-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: temp dir:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	fisBin = filepath.Join(dir, "fis-mcp")
	cmd := exec.Command(goTool(), append(e2eBuildArgs(fisBin), ".")...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: go build of the fis-mcp binary failed:", err)
		return 1
	}
	return m.Run()
}

// e2eBuildArgs is the `go build` the end-to-end tests need: the e2e version stamp, and
// -race when the tests run with -race. `make test` builds the same once (bin/fis-mcp-e2e)
// and passes it in FIS_MCP_E2E_BIN; without it, TestMain builds it into a temp dir.
func e2eBuildArgs(out string) []string {
	args := []string{"build", "-o", out, "-ldflags", "-X main.version=" + e2eVersion}
	if raceBuild {
		args = append(args, "-race")
	}
	return args
}

// checkE2EBinary refuses a prebuilt binary that is not what e2eBuildArgs would build: a
// missing file, a race setting other than the test run's (its build info), or another
// version stamp (what `fis-mcp version` prints: -trimpath builds record no -ldflags).
func checkE2EBinary(bin string) error {
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		return fmt.Errorf("%s is not a readable Go binary (%v); %s", bin, err, e2eBuildHint(bin))
	}
	race := false
	for _, s := range info.Settings {
		if s.Key == "-race" {
			race = s.Value == "true"
		}
	}
	out, err := exec.Command(bin, "version").Output()
	if race != raceBuild || err != nil || !strings.Contains(string(out), e2eVersion) {
		return fmt.Errorf("%s was built with -race=%v and says %q to `version` (%v); these tests need -race=%v and main.version=%s; %s",
			bin, race, strings.TrimSpace(string(out)), err, raceBuild, e2eVersion, e2eBuildHint(bin))
	}
	return nil
}

func e2eBuildHint(bin string) string {
	race := ""
	if raceBuild {
		race = " -race"
	}
	return fmt.Sprintf("build it with `go build%s -ldflags '-X main.version=%s' -o %s ./cmd/fis-mcp` or unset FIS_MCP_E2E_BIN", race, e2eVersion, bin)
}

func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

// hermeticEnv is the test process's environment without anything that could point the
// binary at a real AWS account, profile or kubeconfig.
func hermeticEnv(t *testing.T) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AWS_") || strings.HasPrefix(k, "FIS_MCP_") || k == "KUBECONFIG" || k == "GORACE" {
			continue
		}
		env = append(env, kv)
	}
	none := filepath.Join(t.TempDir(), "none")
	return append(env, "AWS_CONFIG_FILE="+none, "AWS_SHARED_CREDENTIALS_FILE="+none, "AWS_EC2_METADATA_DISABLED=true")
}

// lineRecorder sees every byte the server writes to stdout and checks each line is a
// JSON-RPC 2.0 message (the client silently skips anything else, so it would not notice).
type lineRecorder struct {
	mu      sync.Mutex
	partial []byte
	lines   []string
	bad     []string
}

func (r *lineRecorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.partial = append(r.partial, p...)
	for {
		i := bytes.IndexByte(r.partial, '\n')
		if i < 0 {
			break
		}
		line := string(bytes.TrimRight(r.partial[:i], "\r"))
		r.partial = r.partial[i+1:]
		r.lines = append(r.lines, line)
		if !isJSONRPC(line) {
			r.bad = append(r.bad, line)
		}
	}
	return len(p), nil
}

func isJSONRPC(line string) bool {
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(line), &m); err != nil {
		return false
	}
	var v string
	if err := json.Unmarshal(m["jsonrpc"], &v); err != nil || v != "2.0" {
		return false
	}
	_, hasID := m["id"]
	_, hasMethod := m["method"]
	_, hasResult := m["result"]
	_, hasError := m["error"]
	return hasMethod || (hasID && (hasResult || hasError))
}

func (r *lineRecorder) snapshot() (lines, bad []string, partial string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.lines...), append([]string(nil), r.bad...), string(r.partial)
}

// syncBuffer is a goroutine-safe bytes.Buffer (the child's stderr).
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

type serverOpts struct {
	stateDir string
	simulate bool
	args     []string // extra flags
	env      []string // extra environment
	protocol string
}

// server is one running fis-mcp process and its MCP client.
type proc struct {
	t        *testing.T
	cmd      *exec.Cmd
	cl       *client.Client
	out      *lineRecorder
	stderr   *syncBuffer
	logFile  string
	init     *mcp.InitializeResult
	tools    []mcp.Tool
	rawTools map[string]json.RawMessage
	schemas  map[string]*jsonschema.Schema
	exited   chan struct{}
	waitErr  error
	killed   bool
	stopOnce sync.Once

	progMu   sync.Mutex
	progress map[string][]string // progress token → messages
}

// startServer starts the binary (fis-mcp serve ...) and initializes an MCP session.
func startServer(t *testing.T, o serverOpts) *proc {
	t.Helper()
	if o.protocol == "" {
		o.protocol = mcp.LATEST_PROTOCOL_VERSION
	}
	s := &proc{t: t, out: &lineRecorder{}, stderr: &syncBuffer{}, progress: map[string][]string{}, exited: make(chan struct{})}
	s.logFile = filepath.Join(t.TempDir(), "fis-mcp.log")
	args := []string{"serve"}
	if o.simulate {
		args = append(args, "--simulate")
	}
	args = append(args, "--state-dir", o.stateDir, "--log-level", "debug", "--log-file", s.logFile)
	args = append(args, o.args...)
	cmd := exec.Command(fisBin, args...)
	cmd.Env = append(hermeticEnv(t), o.env...)
	cmd.Dir = t.TempDir()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	// Our own pipe for stdout, so that Wait never closes it under the reader: every
	// byte the child wrote reaches the recorder.
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = pw
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", fisBin, err)
	}
	_ = pw.Close()
	s.cmd = cmd
	go func() {
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	tr := transport.NewIO(io.TeeReader(pr, s.out), stdin, nil)
	s.cl = client.NewClient(tr)
	t.Cleanup(func() {
		s.stop()
		_ = pr.Close()
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.cl.Start(ctx); err != nil {
		t.Fatalf("client start: %v", err)
	}
	s.cl.OnNotification(s.onNotification)
	req := mcp.InitializeRequest{}
	req.Params.ProtocolVersion = o.protocol
	req.Params.ClientInfo = mcp.Implementation{Name: "fis-mcp-e2e", Version: "1.0.0"}
	s.init, err = s.cl.Initialize(ctx, req)
	if err != nil {
		t.Fatalf("initialize (protocol %s): %v; stderr: %s", o.protocol, err, s.stderr.String())
	}
	s.loadTools()
	return s
}

func (s *proc) onNotification(n mcp.JSONRPCNotification) {
	if n.Method != string(mcp.MethodNotificationProgress) {
		return
	}
	tok := fmt.Sprint(n.Params.AdditionalFields["progressToken"])
	msg, _ := n.Params.AdditionalFields["message"].(string)
	s.progMu.Lock()
	s.progress[tok] = append(s.progress[tok], msg)
	s.progMu.Unlock()
}

func (s *proc) progressFor(token string) []string {
	s.progMu.Lock()
	defer s.progMu.Unlock()
	return append([]string(nil), s.progress[token]...)
}

// loadTools lists the tools and compiles each declared outputSchema exactly as it came
// over the wire (the raw tools/list response line).
func (s *proc) loadTools() {
	t := s.t
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := s.cl.ListTools(ctx, mcp.ListToolsRequest{})
	if err != nil {
		t.Fatalf("tools/list: %v", err)
	}
	s.tools = res.Tools
	s.rawTools = map[string]json.RawMessage{}
	lines, _, _ := s.out.snapshot()
	for i := len(lines) - 1; i >= 0 && len(s.rawTools) == 0; i-- {
		var msg struct {
			Result struct {
				Tools []json.RawMessage `json:"tools"`
			} `json:"result"`
		}
		if json.Unmarshal([]byte(lines[i]), &msg) != nil {
			continue
		}
		for _, raw := range msg.Result.Tools {
			var head struct {
				Name string `json:"name"`
			}
			if json.Unmarshal(raw, &head) == nil {
				s.rawTools[head.Name] = raw
			}
		}
	}
	if len(s.rawTools) == 0 {
		t.Fatal("the tools/list response was not found among the recorded stdout lines")
	}
	s.schemas = map[string]*jsonschema.Schema{}
	for name, raw := range s.rawTools {
		var tool struct {
			OutputSchema json.RawMessage `json:"outputSchema"`
		}
		if err := json.Unmarshal(raw, &tool); err != nil || len(tool.OutputSchema) == 0 {
			continue
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(tool.OutputSchema))
		if err != nil {
			t.Fatalf("tool %s: outputSchema is not JSON: %v", name, err)
		}
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		url := "https://fis-mcp.invalid/tools/" + name + "/output.json"
		if err := c.AddResource(url, doc); err != nil {
			t.Fatalf("tool %s: outputSchema: %v", name, err)
		}
		sch, err := c.Compile(url)
		if err != nil {
			t.Fatalf("tool %s: outputSchema does not compile: %v", name, err)
		}
		s.schemas[name] = sch
	}
}

// result is a tool result as it came over the wire. Tests read values through
// decodeAs; SC (the structured content as a map) is for checks of the wire contract
// itself (which keys are there) and for printing.
type result struct {
	IsError bool
	Text    string
	SC      map[string]any
	Raw     json.RawMessage
}

// call calls a tool and validates its structured content against the declared outputSchema.
func (s *proc) call(name string, args map[string]any) result {
	s.t.Helper()
	return s.callP(name, args, "")
}

// callP is call with a progress token.
func (s *proc) callP(name string, args map[string]any, progressToken string) result {
	t := s.t
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	if progressToken != "" {
		req.Params.Meta = &mcp.Meta{ProgressToken: progressToken}
	}
	res, err := s.cl.CallTool(ctx, req)
	if err != nil {
		t.Fatalf("%s %v: protocol error: %v; stderr: %s", name, args, err, s.stderr.String())
	}
	var r result
	r.IsError = res.IsError
	var texts []string
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			texts = append(texts, tc.Text)
		}
	}
	r.Text = strings.Join(texts, "\n")
	r.Raw = res.RawStructuredContent
	if len(r.Raw) > 0 {
		if err := json.Unmarshal(r.Raw, &r.SC); err != nil {
			t.Fatalf("%s: structuredContent is not an object: %v", name, err)
		}
	}
	if r.IsError {
		return r
	}
	if len(r.Raw) == 0 {
		t.Fatalf("%s: a successful result without structuredContent: %s", name, r.Text)
	}
	sch := s.schemas[name]
	if sch == nil {
		t.Fatalf("%s: no outputSchema declared in tools/list", name)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(r.Raw))
	if err != nil {
		t.Fatalf("%s: structuredContent: %v", name, err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("%s: structuredContent does not match the declared outputSchema: %v\n%s", name, err, truncate(string(r.Raw), 2000))
	}
	if r.Text == "" {
		t.Errorf("%s: no text content next to the structured content", name)
	}
	return r
}

// ok calls a tool and fails the test on an isError result.
func (s *proc) ok(name string, args map[string]any) result {
	s.t.Helper()
	r := s.call(name, args)
	if r.IsError {
		s.t.Fatalf("%s %v returned isError: %s", name, args, r.Text)
	}
	return r
}

// refused calls a tool and fails the test unless the result is isError and its text contains every want.
func (s *proc) refused(name string, args map[string]any, want ...string) result {
	s.t.Helper()
	r := s.call(name, args)
	if !r.IsError {
		s.t.Fatalf("%s %v: expected an isError result, got: %s", name, args, truncate(r.Text, 1500))
	}
	for _, w := range want {
		if !strings.Contains(strings.ToLower(r.Text), strings.ToLower(w)) {
			s.t.Errorf("%s %v: the error does not mention %q: %s", name, args, w, r.Text)
		}
	}
	return r
}

// kill sends SIGKILL (kill -9) and waits for the process to be gone.
func (s *proc) kill() {
	s.t.Helper()
	s.killed = true
	if err := s.cmd.Process.Kill(); err != nil {
		s.t.Fatalf("kill: %v", err)
	}
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		s.t.Fatal("the killed process did not exit")
	}
	_ = s.cl.Close()
}

// stop closes stdin (the host going away) and checks the process exits cleanly by
// itself, with nothing but JSON-RPC on stdout and nothing on stderr (logs go to --log-file).
func (s *proc) stop() {
	s.stopOnce.Do(func() {
		t := s.t
		done := make(chan struct{})
		go func() {
			_ = s.cl.Close() // closes stdin, then waits a little for the exit
			close(done)
		}()
		select {
		case <-s.exited:
		case <-time.After(15 * time.Second):
			t.Errorf("fis-mcp did not exit within 15 s of stdin closing; killing it")
			_ = s.cmd.Process.Kill()
			<-s.exited
		}
		<-done
		if !s.killed && s.waitErr != nil {
			t.Errorf("fis-mcp exited with %v after stdin closed (want exit status 0); stderr: %s", s.waitErr, truncate(s.stderr.String(), 4000))
		}
		lines, bad, partial := s.out.snapshot()
		if len(lines) == 0 {
			t.Errorf("no stdout line was recorded")
		}
		for _, b := range bad {
			t.Errorf("a stdout line is not JSON-RPC (stdout must carry MCP only): %q", truncate(b, 300))
		}
		if partial != "" && !s.killed {
			t.Errorf("stdout ends with an unterminated line: %q", truncate(partial, 300))
		}
		if e := s.stderr.String(); e != "" {
			t.Errorf("fis-mcp wrote to stderr although --log-file is set:\n%s", truncate(e, 4000))
		}
	})
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// sessionFile is where the store keeps a session.
func sessionFile(stateDir, id string) string {
	return filepath.Join(stateDir, "sessions", id+".json")
}

// secretPatterns must never appear in anything fis-mcp writes: the AWS credentials given
// to it (simulated and test), EKS bearer tokens, and the value of the simulated
// Kubernetes Secret (orders-db DB_PASSWORD, "sim-" + 24 hex digits).
var secretPatterns = []*regexp.Regexp{
	regexp.MustCompile(`fake-secret`),
	regexp.MustCompile(`simulated-secret`),
	regexp.MustCompile(`AKID[A-Z0-9]{4,}`),
	regexp.MustCompile(`k8s-aws-v1\.`),
	regexp.MustCompile(`sim-[0-9a-f]{24}`),
}

// assertNoSecrets scans a file or a directory tree.
func assertNoSecrets(t *testing.T, paths ...string) {
	t.Helper()
	scanned := 0
	for _, root := range paths {
		err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			scanned++
			assertNoSecretsIn(t, p, b)
			return nil
		})
		if err != nil {
			t.Errorf("scan %s for secrets: %v", root, err)
		}
	}
	if scanned == 0 {
		t.Errorf("no file scanned for secrets under %v", paths)
	}
}

func assertNoSecretsIn(t *testing.T, label string, b []byte) {
	t.Helper()
	for _, re := range secretPatterns {
		if loc := re.FindIndex(b); loc != nil {
			from, to := max(0, loc[0]-80), min(len(b), loc[1]+80)
			t.Errorf("secret-like %q found in %s: …%s…", re.String(), label, b[from:to])
		}
	}
}

// readJSON decodes a JSON file.
func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// decodeAs decodes a tool result's structured content into the tool's exported output
// type (tools.PollOutput, ...) with plain json.Unmarshal, failing the test when it does
// not decode. A successful result must carry structured content; an isError result
// carries none (the error travels in the text) and decodes to the zero value.
func decodeAs[T any](t *testing.T, r result) T {
	t.Helper()
	var v T
	if len(r.Raw) == 0 {
		if !r.IsError {
			t.Fatalf("decode %T: a successful result without structured content: %s", v, truncate(r.Text, 1500))
		}
		return v
	}
	if err := json.Unmarshal(r.Raw, &v); err != nil {
		t.Fatalf("decode the structured content into %T: %v\n%s", v, err, truncate(string(r.Raw), 2000))
	}
	return v
}

// getSession calls get_session and decodes its result; the session must be there.
func (s *proc) getSession(id string) tools.GetSessionOutput {
	s.t.Helper()
	out := decodeAs[tools.GetSessionOutput](s.t, s.ok("get_session", map[string]any{"session_id": id}))
	if out.Session == nil {
		s.t.Fatalf("get_session %s: no session in the structured content", id)
	}
	return out
}

// hasCall reports whether calls include service/operation (service compared case-insensitively).
func hasCall(calls []session.APICall, service, op string) (session.APICall, bool) {
	for _, c := range calls {
		if strings.EqualFold(c.Service, service) && (op == "" || c.Operation == op) {
			return c, true
		}
	}
	return session.APICall{}, false
}

func countCalls(calls []session.APICall, service, op string) int {
	n := 0
	for _, c := range calls {
		if strings.EqualFold(c.Service, service) && c.Operation == op {
			n++
		}
	}
	return n
}

// fisStates orders the FIS experiment states a poll may report.
var fisStates = map[string]int{"pending": 0, "initiating": 1, "running": 2, "stopping": 3, "completed": 4, "stopped": 4, "failed": 4, "cancelled": 4}

// pollUntilTerminal polls with wait_seconds until the experiment ends and returns the
// states seen and the last poll's output.
func (s *proc) pollUntilTerminal(id string, waitSeconds int, deadline time.Duration, tokenPrefix string) ([]string, tools.PollOutput) {
	s.t.Helper()
	end := time.Now().Add(deadline)
	var states []string
	for i := 0; ; i++ {
		tok := ""
		if tokenPrefix != "" {
			tok = fmt.Sprintf("%s-%d", tokenPrefix, i)
		}
		r := s.callP("poll", map[string]any{"session_id": id, "wait_seconds": waitSeconds}, tok)
		if r.IsError {
			s.t.Fatalf("poll: %s", r.Text)
		}
		p := decodeAs[tools.PollOutput](s.t, r)
		if len(states) == 0 || states[len(states)-1] != p.State {
			states = append(states, p.State)
		}
		if p.Terminal {
			return states, p
		}
		if time.Now().After(end) {
			s.t.Fatalf("the experiment did not end within %s (states %v)", deadline, states)
		}
	}
}

// assertStateOrder checks the polled states never go backwards in FIS's lifecycle.
func assertStateOrder(t *testing.T, states []string, final string) {
	t.Helper()
	prev := -1
	for _, st := range states {
		rank, ok := fisStates[st]
		if !ok {
			t.Errorf("unknown FIS state %q in %v", st, states)
			continue
		}
		if rank < prev {
			t.Errorf("FIS states went backwards: %v", states)
		}
		prev = rank
	}
	if len(states) == 0 || states[len(states)-1] != final {
		t.Errorf("final state: got %v, want it to end with %s", states, final)
	}
}

// logLine is one collected pod log line: "<RFC 3339 time> [pod/container] message".
type logLine struct {
	Time time.Time
	Pod  string
	Msg  string
	Raw  string
	File string
}

var logLineRE = regexp.MustCompile(`^(\S+) \[([^\]]+)\] (.*)$`)

// readPodLogs reads every pod log file (not the managed-service ones) under dir.
func readPodLogs(t *testing.T, dir string) ([]logLine, []string) {
	t.Helper()
	var lines []logLine
	var malformed []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "managed" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".log") {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			m := logLineRE.FindStringSubmatch(sc.Text())
			if m == nil {
				malformed = append(malformed, p+": "+sc.Text())
				continue
			}
			ts, err := time.Parse(time.RFC3339Nano, m[1])
			if err != nil {
				malformed = append(malformed, p+": "+sc.Text())
				continue
			}
			lines = append(lines, logLine{Time: ts, Pod: m[2], Msg: m[3], Raw: sc.Text(), File: p})
		}
		return sc.Err()
	})
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("read pod logs under %s: %v", dir, err)
	}
	return lines, malformed
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
