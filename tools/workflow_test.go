package tools_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/rs/zerolog"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/experiment"
	"github.com/fis-mcp/fis-mcp/cmd/fis-mcp/sim"
	"github.com/fis-mcp/fis-mcp/kube/kubetest"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/tools"
)

// A secret value that names the Aurora endpoint, so discovery has to look at it.
const seededSecretValue = "postgres://orders:Tr0ub4dor-and-3-correct-horse@demo-aurora.cluster-c1a2b3c4d5e6.us-east-1.rds.amazonaws.com:5432/orders"

// TestWorkflowAuditAndSecrets runs the whole workflow against the simulated account
// (fake AWS + fake EKS API, real clock, compressed timings) through the MCP tools, then
// checks the audit trail, the abort line of every result, and that no credential or
// secret value reached the session file, the report, the logs or any result.
func TestWorkflowAuditAndSecrets(t *testing.T) {
	acct, err := sim.New(sim.WithTiming(sim.Timing{Initiating: 300 * time.Millisecond, Fault: 2 * time.Second, Failover: time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(acct.Close)
	// An extra app whose database URL (with its password) lives in a Secret under a key
	// that names the cluster: discovery may only use the key name, never the value.
	acct.Kube.AddSecret(sim.Namespace, "billing-db", map[string]string{"DEMO_AURORA_URL": seededSecretValue})
	pods := acct.Kube.AddDeployment(sim.Namespace, "billing", map[string]string{"app": "billing"}, corev1.PodSpec{
		Containers: []corev1.Container{{Name: "billing", Image: "example.com/billing:1",
			EnvFrom: []corev1.EnvFromSource{{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "billing-db"}}}}}},
	}, 1)
	for _, p := range pods {
		if err := acct.Kube.SetLogs(sim.Namespace, p, "billing", kubetest.Counter(acct.Kube.Now().Add(-time.Minute), 200*time.Millisecond, "INFO billing tick")); err != nil {
			t.Fatal(err)
		}
	}

	tmp := t.TempDir()
	expRoot := filepath.Join(tmp, "experiments")
	if err := os.MkdirAll(expRoot, 0o755); err != nil {
		t.Fatal(err)
	}
	expDir, err := sim.WriteExperiment(expRoot)
	if err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(tmp, "state")
	store, err := session.Open(state, zerolog.Nop(), nil)
	if err != nil {
		t.Fatal(err)
	}
	base, err := awsapi.LoadConfig(context.Background(), awsapi.Options{Endpoint: acct.AWS.URL, Region: acct.Region(), MaxBackoff: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var logBuf bytes.Buffer
	cfg := tools.Config{Simulated: true, ExperimentsDir: expRoot, Baseline: 1500 * time.Millisecond, HealthWaitInterval: 100 * time.Millisecond,
		HealthWaitMax: time.Second, PollFast: time.Second, PollFastFor: time.Minute, PollSlow: 2 * time.Second, PollWaitStep: 100 * time.Millisecond}
	deps := tools.NewDeps(store, base, cfg, nil, zerolog.New(&syncWriter{w: &logBuf}).Level(zerolog.DebugLevel))
	t.Cleanup(deps.Close)
	cl := connectClient(t, tools.NewServer(deps, "test"), nil, nil)
	t.Cleanup(func() { _ = cl.Close() })

	var results []result
	step := func(name string, args map[string]any) result {
		t.Helper()
		r := callTool(t, cl, name, args)
		results = append(results, r)
		if r.isError {
			t.Fatalf("%s failed:\n%s", name, r.text)
		}
		if !strings.HasPrefix(r.text, "[SIMULATED account") {
			t.Errorf("%s: text does not start with the simulated banner", name)
		}
		return r
	}
	id := output[tools.ResolveExperimentOutput](t, step("resolve_experiment", map[string]any{"template_id": sim.TemplateID})).SessionID
	assertAbortLine(t, results[len(results)-1], id, "")
	hc := step("health_check", map[string]any{"session_id": id})
	if output[tools.HealthCheckOutput](t, hc).Verdict != "healthy" {
		t.Fatalf("sim health:\n%s", hc.text)
	}
	assertAbortLine(t, hc, id, "")
	disc := step("discover_apps", map[string]any{"session_id": id})
	assertAbortLine(t, disc, id, "")
	var billing *session.App
	for _, a := range output[tools.DiscoverAppsOutput](t, disc).Apps {
		if a.Workload == "billing" {
			billing = &a
		}
	}
	if billing == nil {
		t.Errorf("the app whose Secret key names the Aurora cluster was not discovered:\n%s", disc.text)
	} else if billing.Confidence != session.ConfidenceMayReference || !strings.Contains(strings.Join(billing.Evidence, " "), "value not read") {
		t.Errorf("billing app: %+v", billing)
	}
	logs := step("start_logs", map[string]any{"session_id": id})
	assertAbortLine(t, logs, id, "")
	if len(output[tools.StartLogsOutput](t, logs).Streams) == 0 {
		t.Errorf("no log streams:\n%s", logs.text)
	}
	conf := step("start_experiment", map[string]any{"session_id": id})
	assertAbortLine(t, conf, id, "")
	st := step("start_experiment", map[string]any{"session_id": id, "confirmation_token": output[tools.StartExperimentOutput](t, conf).ConfirmationToken})
	exp := output[tools.StartExperimentOutput](t, st).ExperimentID
	assertAbortLine(t, st, id, exp)
	for i := 0; ; i++ {
		if i == 100 {
			t.Fatal("the simulated experiment did not end")
		}
		p := step("poll", map[string]any{"session_id": id, "wait_seconds": 2})
		if output[tools.PollOutput](t, p).Terminal {
			assertAbortLine(t, p, id, "")
			break
		}
		assertAbortLine(t, p, id, exp)
	}
	fin := step("finalize_report", map[string]any{"session_id": id, "wait": true})
	assertAbortLine(t, fin, id, "")
	gs := step("get_session", map[string]any{"session_id": id})
	ls := step("list_sessions", map[string]any{})
	assertAbortLine(t, ls, "", "")

	// ---- the audit trail ----
	var got tools.GetSessionOutput
	gs.decode(t, &got)
	calls := got.Session.APICalls
	if len(calls) < 20 {
		t.Fatalf("only %d audited calls", len(calls))
	}
	order := []string{"resolve_experiment", "health_check", "discover_apps", "start_logs", "start_experiment", "poll", "finalize_report"}
	last := 0
	services := map[string]bool{}
	var start *session.APICall
	for i, c := range calls {
		if c.Service == "" || c.Operation == "" || c.Result == "" || c.Time.IsZero() || c.LatencyMS < 0 {
			t.Errorf("incomplete audit entry %d: %+v", i, c)
		}
		idx := slices.Index(order, c.Tool)
		if idx < 0 {
			t.Errorf("audit entry %d from unexpected tool %q", i, c.Tool)
			continue
		}
		if idx < last {
			t.Errorf("audit entry %d (%s %s by %s) is out of workflow order", i, c.Service, c.Operation, c.Tool)
		}
		last = idx
		services[c.Service] = true
		if c.Operation == "StartExperiment" {
			start = &calls[i]
		}
	}
	for _, s := range []string{"CloudFormation", "fis", "RDS", "kubernetes"} {
		if !services[s] {
			t.Errorf("no %s calls in the audit trail (services %v)", s, services)
		}
	}
	if start == nil {
		t.Fatal("StartExperiment is not in the audit trail")
	}
	if want := experiment.StartCLI(experiment.SessionStart(id, sim.TemplateID, false), acct.Region()); start.CLI != want {
		t.Errorf("StartExperiment CLI %q, want %q", start.CLI, want)
	}
	if start.Resource != sim.TemplateID || start.Result != "ok" || start.Tool != "start_experiment" {
		t.Errorf("StartExperiment entry %+v", start)
	}
	// The report's audit appendix and get_session agree on the count of start calls.
	if n := len(acct.AWS.StartedExperiments()); n != 1 {
		t.Errorf("%d experiments started", n)
	}

	// ---- no secret anywhere ----
	deps.Close()
	forbidden := []string{"simulated-secret", "k8s-aws-v1.", seededSecretValue, "Tr0ub4dor"}
	simSecret := regexp.MustCompile(`sim-[0-9a-f]{24}`)
	check := func(where string, b []byte) {
		for _, f := range forbidden {
			if bytes.Contains(b, []byte(f)) {
				t.Errorf("%s contains the secret %q", where, f)
			}
		}
		if m := simSecret.Find(b); m != nil {
			t.Errorf("%s contains the simulated DB password %q", where, m)
		}
	}
	files := 0
	var sawAppLog, sawSessionFile bool
	for _, root := range []string{state, expDir} {
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				t.Errorf("read %s: %v", p, err)
				return nil
			}
			files++
			check(p, b)
			// Positive controls: the files checked are the ones that matter.
			sawAppLog = sawAppLog || bytes.Contains(b, []byte("GET /api/v1/items/"))
			sawSessionFile = sawSessionFile || bytes.Contains(b, []byte(`"api_calls"`)) && bytes.Contains(b, []byte(exp))
			return nil
		})
	}
	if files < 5 || !sawAppLog || !sawSessionFile {
		t.Errorf("only %d files checked (app log seen %t, session file seen %t)", files, sawAppLog, sawSessionFile)
	}
	for _, r := range results {
		check("the text of "+r.name, []byte(r.text))
		b, _ := jsonMarshal(r.data)
		check("the structured content of "+r.name, b)
	}
	check("the server log", logBuf.Bytes())
	// The session file, the report and the log files were all among the checked files.
	sessFile := filepath.Join(state, "sessions", id+".json")
	if _, err := os.Stat(sessFile); err != nil {
		t.Errorf("session file: %v", err)
	}
	rp := output[tools.FinalizeReportOutput](t, fin).ReportPath
	if rp == "" || !strings.HasPrefix(rp, expDir) {
		t.Errorf("report path %q", rp)
	}
	// A run against the simulated account says so in the session and the report.
	if md, err := os.ReadFile(rp); err != nil || !strings.Contains(string(md), "**SIMULATED run:**") || !storedSimulated(t, state, id) {
		t.Errorf("the simulated run is not marked as such (report read error %v)", err)
	}
	logFiles, _ := filepath.Glob(filepath.Join(state, "logs", id, "*", "*"))
	if len(logFiles) == 0 {
		t.Errorf("no collected log files under %s", filepath.Join(state, "logs", id))
	}
}

// TestRestart builds a new server (Deps) on the same state directory mid-run: the running
// session is listed and poll, stop and finalize keep working.
func TestRestart(t *testing.T) {
	h := newHarness(t)
	id, exp := h.startDemo()
	h.clock.Advance(30 * time.Second)
	h.ok("poll", map[string]any{"session_id": id})

	h.restart()
	ls := h.ok("list_sessions", map[string]any{})
	var found bool
	for _, s := range output[tools.ListSessionsOutput](t, ls).Sessions {
		if s.ID == id {
			found = true
			if s.State != session.StateRunning || s.ExperimentID != exp {
				t.Errorf("listed %+v", s)
			}
		}
	}
	if !found || !strings.Contains(ls.text, "running experiment") {
		t.Fatalf("the running session is not listed after a restart:\n%s", ls.text)
	}
	p := h.ok("poll", map[string]any{"session_id": id})
	if po := output[tools.PollOutput](t, p); po.ExperimentID != exp || po.State != "running" {
		t.Errorf("poll after restart: %+v", po)
	}
	assertAbortLine(t, p, id, exp)
	h.restart()
	s := h.ok("stop_experiment", map[string]any{"session_id": id})
	if output[tools.StopExperimentOutput](t, s).State != "stopped" || h.aws.CallCount("fis", "StopExperiment") != 1 {
		t.Errorf("stop after restart: %s", s.text)
	}
	h.restart()
	f := h.ok("finalize_report", map[string]any{"session_id": id, "wait": true})
	if output[tools.FinalizeReportOutput](t, f).Status != "written" {
		t.Fatalf("finalize after restart: %s", f.text)
	}
	g := h.ok("get_session", map[string]any{"session_id": id})
	if !strings.Contains(g.text, "state reported") {
		t.Errorf("get_session: %s", g.text)
	}
	if n := len(h.aws.StartedExperiments()); n != 1 {
		t.Errorf("%d experiments started", n)
	}
}

// TestRestartRecoversLostExperimentID: the server died between StartExperiment and saving
// the experiment ID; poll finds the experiment by its fis-mcp-session tag.
func TestRestartRecoversLostExperimentID(t *testing.T) {
	h := newHarness(t)
	id, exp := h.startDemo()
	if _, err := h.store.Update(id, func(s *session.Session) error {
		s.Run.ExperimentID = ""
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	h.restart()
	p := h.ok("poll", map[string]any{"session_id": id})
	if got := output[tools.PollOutput](t, p).ExperimentID; got != exp {
		t.Fatalf("recovered %q, want %s:\n%s", got, exp, p.text)
	}
	sess := h.session(id)
	if sess.Run.ExperimentID != exp {
		t.Errorf("stored experiment ID %q", sess.Run.ExperimentID)
	}
	if !slices.ContainsFunc(sess.Timeline, func(e session.Event) bool { return e.Kind == "recovered" }) {
		t.Errorf("no recovered event")
	}
	if n := len(h.aws.StartedExperiments()); n != 1 {
		t.Errorf("%d experiments started", n)
	}
}

// storedSimulated reports whether the stored session file says the session was simulated.
func storedSimulated(t *testing.T, state, id string) bool {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(state, "sessions", id+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var s session.Session
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return s.Simulated
}
