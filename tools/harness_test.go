package tools_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/tools"
)

// The sample experiment of testdata/experiments (EN README, us-east-1).
const (
	demoTemplate = "EXT1a2b3c4d5e6f7"
	demoStack    = "fis-az-power-int-demo-cluster-d5w1p7"
	demoDirName  = "2026-04-11-10-30-15-az-power-int-demo-cluster-EXT1a2b3c4d5e6f7"
	demoAlarm    = "fis-stop-az-power-int-demo-cluster"
	demoAurora   = "demo-aurora"
	demoRole     = "fis-az-power-int-demo-cluster-role"

	// The action that keeps the demo experiment running for a while (aws:fis:wait).
	demoWait = 6 * time.Minute

	// fakeSecret is the secret access key awsapi.LoadConfig uses with an Endpoint.
	fakeSecret = "simulated-secret"
)

var epoch = time.Date(2026, 4, 11, 2, 30, 0, 0, time.UTC)

// harness is one fake-backed fis-mcp server driven through a real MCP client:
// a fake AWS account on a fake clock, a session store, Deps whose clock steps the
// same fake clock on every Sleep (so waits are instant while the simulated world
// advances), and an in-process MCP client of tools.NewServer.
type harness struct {
	t      *testing.T
	clock  *awstest.FakeClock
	aws    *awstest.Server
	root   string // copy of testdata/experiments
	broken string // copy of testdata/experiments-broken
	state  string
	cfg    tools.Config
	http   *http.Client
	elicit client.ElicitationHandler
	log    zerolog.Logger // the tools' logger (Nop unless withLog)

	store  *session.Store
	deps   *tools.Deps
	client *client.Client

	mu       sync.Mutex
	progress []string
}

type harnessOption func(*harness)

// withConfig changes the tools configuration.
func withConfig(f func(*tools.Config)) harnessOption { return func(h *harness) { f(&h.cfg) } }

// withElicitation makes the client answer elicitation requests with e.
func withElicitation(e client.ElicitationHandler) harnessOption {
	return func(h *harness) { h.elicit = e }
}

// withLog sends the tools' log to w (JSON lines).
func withLog(w io.Writer) harnessOption { return func(h *harness) { h.log = zerolog.New(w) } }

// withHTTPClient sets the AWS SDK's HTTP client.
func withHTTPClient(c *http.Client) harnessOption { return func(h *harness) { h.http = c } }

func newHarness(t *testing.T, opts ...harnessOption) *harness {
	t.Helper()
	h := &harness{t: t, clock: awstest.NewFakeClock(epoch), log: zerolog.Nop()}
	for _, o := range opts {
		o(h)
	}
	if h.http != nil {
		// The SDK refuses a plain *http.Client when AWS_CA_BUNDLE is set (it cannot add the CA).
		t.Setenv("AWS_CA_BUNDLE", "")
	}
	h.aws = awstest.New(awstest.WithClock(h.clock))
	t.Cleanup(h.aws.Close)
	tmp := t.TempDir()
	h.root = filepath.Join(tmp, "experiments")
	h.broken = filepath.Join(tmp, "experiments-broken")
	copyTree(t, "../testdata/experiments", h.root)
	copyTree(t, "../testdata/experiments-broken", h.broken)
	h.state = filepath.Join(tmp, "state")
	if h.cfg.ExperimentsDir == "" {
		h.cfg.ExperimentsDir = h.root
	}
	h.seedDemo()
	h.connect()
	return h
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatalf("copy %s: %v", src, err)
	}
}

// connect builds a store, Deps and a connected MCP client on h.state (again after restart).
func (h *harness) connect() {
	t := h.t
	t.Helper()
	store, err := session.Open(h.state, zerolog.Nop(), h.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	base, err := awsapi.LoadConfig(context.Background(), awsapi.Options{
		Endpoint: h.aws.URL, Region: awstest.DefaultRegion, HTTPClient: h.http,
		MaxAttempts: 4, MaxBackoff: 2 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	deps := tools.NewDeps(store, base, h.cfg, awstest.SteppingClock{A: h.clock}, h.log)
	h.store, h.deps = store, deps
	h.client = connectClient(t, tools.NewServer(deps, "test"), h.elicit, h.onNotification)
	t.Cleanup(func() { h.close() })
}

// restart drops the client and Deps and builds new ones on the same state directory,
// as a restarted server process would.
func (h *harness) restart() {
	h.close()
	h.connect()
}

func (h *harness) close() {
	if h.client != nil {
		_ = h.client.Close()
		h.client = nil
	}
	if h.deps != nil {
		h.deps.Close()
		h.deps = nil
	}
}

func connectClient(t *testing.T, srv *server.MCPServer, elicit client.ElicitationHandler, onNote func(mcp.JSONRPCNotification)) *client.Client {
	t.Helper()
	var opts []client.ClientOption
	if elicit != nil {
		opts = append(opts, client.WithElicitationHandler(elicit))
	}
	cl, err := client.NewInProcessClientWithOptions(srv, opts...)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := cl.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if onNote != nil {
		cl.OnNotification(onNote)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "fis-mcp-tools-test", Version: "1"}
	if elicit != nil {
		init.Params.Capabilities.Elicitation = &mcp.ElicitationCapability{}
	}
	if _, err := cl.Initialize(ctx, init); err != nil {
		t.Fatalf("initialize: %v", err)
	}
	return cl
}

func (h *harness) onNotification(n mcp.JSONRPCNotification) {
	if n.Method != string(mcp.MethodNotificationProgress) {
		return
	}
	msg, _ := n.Params.AdditionalFields["message"].(string)
	h.mu.Lock()
	h.progress = append(h.progress, msg)
	h.mu.Unlock()
}

// progressSince returns the progress messages received after mark (see progressMark).
func (h *harness) progressSince(mark int) []string {
	// Notifications are delivered asynchronously: give them a moment.
	deadline := time.Now().Add(200 * time.Millisecond)
	var out []string
	for {
		h.mu.Lock()
		out = append([]string(nil), h.progress[min(mark, len(h.progress)):]...)
		h.mu.Unlock()
		if len(out) > 0 || time.Now().After(deadline) {
			return out
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (h *harness) progressMark() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.progress)
}

// result is one tool result: its text, its structured content as generic JSON, and isError.
type result struct {
	name    string
	isError bool
	text    string
	data    map[string]any
	raw     *mcp.CallToolResult
}

func (r result) str(key string) string {
	v, _ := r.data[key].(string)
	return v
}

func (r result) num(key string) float64 {
	v, _ := r.data[key].(float64)
	return v
}

func (r result) list(key string) []any {
	v, _ := r.data[key].([]any)
	return v
}

// decode re-decodes the structured content into v.
func (r result) decode(t *testing.T, v any) {
	t.Helper()
	b, err := json.Marshal(r.data)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: decode structured content: %v", r.name, err)
	}
}

// output decodes a tool result's structured content into its exported output type
// (tools.PollOutput, ...), failing the test when it does not fit.
func output[T any](t *testing.T, r result) T {
	t.Helper()
	var v T
	r.decode(t, &v)
	return v
}

// call invokes a tool with a progress token.
func (h *harness) call(name string, args map[string]any) result {
	h.t.Helper()
	return callTool(h.t, h.client, name, args)
}

func callTool(t *testing.T, cl *client.Client, name string, args map[string]any) result {
	t.Helper()
	h := &mcp.CallToolRequest{}
	h.Params.Name = name
	h.Params.Arguments = args
	h.Params.Meta = &mcp.Meta{ProgressToken: fmt.Sprintf("%s-%d", name, time.Now().UnixNano())}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := cl.CallTool(ctx, *h)
	if err != nil {
		t.Fatalf("%s(%v): protocol error: %v", name, args, err)
	}
	r := result{name: name, isError: res.IsError, raw: res}
	var texts []string
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			texts = append(texts, tc.Text)
		}
	}
	r.text = strings.Join(texts, "\n")
	if res.StructuredContent != nil {
		b, err := json.Marshal(res.StructuredContent)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &r.data); err != nil {
			t.Fatalf("%s: structured content is not an object: %s", name, b)
		}
	}
	return r
}

// ok calls a tool and fails the test on an error result.
func (h *harness) ok(name string, args map[string]any) result {
	h.t.Helper()
	r := h.call(name, args)
	if r.isError {
		h.t.Fatalf("%s(%v) failed:\n%s", name, args, r.text)
	}
	return r
}

// fail calls a tool and fails the test unless it returns an error result.
func (h *harness) fail(name string, args map[string]any) result {
	h.t.Helper()
	r := h.call(name, args)
	if !r.isError {
		h.t.Fatalf("%s(%v) succeeded, want an error result:\n%s", name, args, r.text)
	}
	return r
}

// session reads the stored session.
func (h *harness) session(id string) *session.Session {
	h.t.Helper()
	s, err := h.store.Get(id)
	if err != nil {
		h.t.Fatal(err)
	}
	return s
}

// ---- seeding ----

func (h *harness) arn(service, kind, id string) string {
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s:%s", service, h.aws.Region, h.aws.AccountID, kind, id)
}

// seedDemo seeds the sample experiment EXT1a2b3c4d5e6f7: its stack, role, stop-condition
// alarm, the Aurora cluster it fails over, and a template with two actions (the failover
// and a 6-minute wait that keeps the experiment running).
func (h *harness) seedDemo() {
	s := h.aws
	now := h.clock.Now()
	roleArn := fmt.Sprintf("arn:aws:iam::%s:role/%s", s.AccountID, demoRole)
	s.AddRole(demoRole, roleArn)
	s.SetFISTiming(awstest.FISTiming{Pending: time.Second, Initiating: 4 * time.Second, DefaultAction: 20 * time.Second, Stopping: 2 * time.Second})
	s.AddStack(awstest.Stack{Name: demoStack, Status: "CREATE_COMPLETE", CreationTime: now.Add(-time.Hour),
		Outputs: map[string]string{"ExperimentTemplateId": demoTemplate}})
	s.AddDBCluster(awstest.DBCluster{ID: demoAurora, Engine: "aurora-postgresql", MultiAZ: true,
		Members: []awstest.DBClusterMember{
			{InstanceID: demoAurora + "-instance-1", Writer: true, AZ: "us-east-1b"},
			{InstanceID: demoAurora + "-instance-2", AZ: "us-east-1a"},
		}})
	s.AddAlarm(awstest.Alarm{Name: demoAlarm, State: awstest.AlarmOK, Reason: "ok",
		Namespace: "AWS/ApplicationELB", MetricName: "HTTPCode_Target_5XX_Count", Statistic: "Sum", Period: 60,
		EvaluationPeriods: 3, Threshold: 500, ComparisonOperator: "GreaterThanThreshold"})
	s.AddExperimentTemplate(awstest.ExperimentTemplate{
		ID: demoTemplate, Description: "AZ power interruption (test)", RoleArn: roleArn,
		Actions: map[string]awstest.TemplateAction{
			"Failover-RDS": {ActionID: "aws:rds:failover-db-cluster", Targets: map[string]string{"Clusters": "RDS-Cluster"}},
			"Wait":         {ActionID: "aws:fis:wait", Parameters: map[string]string{"duration": "PT6M"}},
		},
		Targets: map[string]awstest.TemplateTarget{
			"RDS-Cluster": {ResourceType: "aws:rds:cluster", SelectionMode: "ALL", ResourceArns: []string{h.arn("rds", "cluster", demoAurora)}},
		},
		StopConditions: []awstest.StopCondition{{Source: "aws:cloudwatch:alarm", Value: h.arn("cloudwatch", "alarm", demoAlarm)}},
	})
}

// seedSimple seeds a deployed stack and a one-action template (an Aurora failover of
// cluster) for another experiment directory of testdata.
func (h *harness) seedSimple(templateID, stack, cluster string, stopCondition bool) {
	s := h.aws
	s.AddStack(awstest.Stack{Name: stack, Status: "CREATE_COMPLETE", Outputs: map[string]string{"ExperimentTemplateId": templateID}})
	s.AddDBCluster(awstest.DBCluster{ID: cluster, Members: []awstest.DBClusterMember{{InstanceID: cluster + "-1", Writer: true, AZ: "us-east-1a"}}})
	sc := []awstest.StopCondition{{Source: "none"}}
	if stopCondition {
		s.AddAlarm(awstest.Alarm{Name: "stop-" + cluster, State: awstest.AlarmOK, Namespace: "AWS/RDS", MetricName: "CPUUtilization",
			Statistic: "Average", Period: 60, EvaluationPeriods: 1, Threshold: 90, ComparisonOperator: "GreaterThanThreshold"})
		sc = []awstest.StopCondition{{Source: "aws:cloudwatch:alarm", Value: h.arn("cloudwatch", "alarm", "stop-"+cluster)}}
	}
	s.AddExperimentTemplate(awstest.ExperimentTemplate{
		ID: templateID,
		Actions: map[string]awstest.TemplateAction{
			"Failover": {ActionID: "aws:rds:failover-db-cluster", Targets: map[string]string{"Clusters": "Cluster"}},
		},
		Targets: map[string]awstest.TemplateTarget{
			"Cluster": {ResourceType: "aws:rds:cluster", SelectionMode: "ALL", ResourceArns: []string{h.arn("rds", "cluster", cluster)}},
		},
		StopConditions: sc,
	})
}

// ---- workflow steps ----

func (h *harness) demoPath() string { return filepath.Join(h.root, demoDirName) }

// resolveDemo seeds (once) and resolves the demo experiment; it returns the session ID.
func (h *harness) resolveDemo() string {
	h.t.Helper()
	r := h.ok("resolve_experiment", map[string]any{"path": h.demoPath()})
	id := r.str("session_id")
	if id == "" || r.str("state") != "resolved" {
		h.t.Fatalf("resolve: session %q state %q:\n%s", id, r.str("state"), r.text)
	}
	return id
}

// healthyDemo resolves the demo experiment and health-checks it (healthy).
func (h *harness) healthyDemo() string {
	h.t.Helper()
	id := h.resolveDemo()
	r := h.ok("health_check", map[string]any{"session_id": id})
	if r.str("verdict") != "healthy" {
		h.t.Fatalf("health verdict %q:\n%s", r.str("verdict"), r.text)
	}
	return id
}

// token asks start_experiment for a confirmation token.
func (h *harness) token(id string, dryRun bool) string {
	h.t.Helper()
	r := h.ok("start_experiment", map[string]any{"session_id": id, "dry_run": dryRun})
	if r.str("status") != "confirmation_required" || r.str("confirmation_token") == "" {
		h.t.Fatalf("start without a token: status %q:\n%s", r.str("status"), r.text)
	}
	return r.str("confirmation_token")
}

// startDemo runs the demo experiment up to a started experiment; it returns the session and experiment IDs.
func (h *harness) startDemo() (string, string) {
	h.t.Helper()
	id := h.healthyDemo()
	tok := h.token(id, false)
	r := h.ok("start_experiment", map[string]any{"session_id": id, "confirmation_token": tok})
	if r.str("status") != "started" || r.str("experiment_id") == "" {
		h.t.Fatalf("start: %q:\n%s", r.str("status"), r.text)
	}
	return id, r.str("experiment_id")
}

// pollUntilTerminal polls (blocking up to 5 minutes per call) until the experiment ends.
func (h *harness) pollUntilTerminal(id string) result {
	h.t.Helper()
	for i := 0; i < 40; i++ {
		r := h.ok("poll", map[string]any{"session_id": id, "wait_seconds": 300})
		if term, _ := r.data["terminal"].(bool); term {
			return r
		}
	}
	h.t.Fatalf("experiment of %s did not end", id)
	return result{}
}

// assertAbortLine checks that the text of r ends with how to abort right now: naming
// stop_experiment and the session (when there is one), the AWS CLI stop command once an
// experiment exists and runs, and that the structured "abort" field says the same.
func assertAbortLine(t *testing.T, r result, sessionID, experimentID string) {
	t.Helper()
	lines := strings.Split(strings.TrimRight(r.text, "\n"), "\n")
	last := lines[len(lines)-1]
	if !r.isError && r.data != nil && r.str("abort") != last {
		t.Errorf("%s: structured abort %q differs from the last text line %q", r.name, r.str("abort"), last)
	}
	switch {
	case sessionID == "":
		if !strings.Contains(last, "stop_experiment") && !strings.Contains(last, "Nothing is running") {
			t.Errorf("%s: last line %q does not say how to abort", r.name, last)
		}
	case experimentID != "":
		for _, want := range []string{"stop_experiment with session_id " + sessionID, "aws fis stop-experiment --id " + experimentID + " --region "} {
			if !strings.Contains(last, want) {
				t.Errorf("%s: last line %q lacks %q", r.name, last, want)
			}
		}
	default:
		if !strings.Contains(last, sessionID) || !(strings.Contains(last, "stop_experiment with session_id "+sessionID) || strings.Contains(last, "Nothing is running for session "+sessionID)) {
			t.Errorf("%s: last line %q does not say how to abort session %s", r.name, last, sessionID)
		}
	}
}

func awsFault(service, op string, status int, code string) awstest.Fault {
	return awstest.Fault{Service: service, Operation: op, Status: status, Code: code}
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

// syncWriter serialises writes (the server logs from several goroutines).
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
