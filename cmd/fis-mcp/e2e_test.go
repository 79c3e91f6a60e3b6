package main

// End-to-end tests of the built binary: a host (mcp-go's client) drives `fis-mcp serve`
// over stdio through the whole workflow against the simulated account, and the report's
// figures are checked against what the simulation did.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/fis-mcp/fis-mcp/cmd/fis-mcp/sim"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/tools"
)

const templateID = sim.TemplateID

var toolNames = []string{
	"resolve_experiment", "health_check", "discover_apps", "start_logs", "start_experiment",
	"poll", "stop_experiment", "finalize_report", "list_sessions", "get_session", "check_setup",
}

// The resolve_experiment result keys of TOOLS.md, plus api_calls.
var resolveKeys = []string{
	"session_id", "directory", "template_id", "scenario", "region", "target_az", "estimated_duration",
	"stack_name", "stack_status", "affected_resources", "actions", "targets", "stop_conditions", "warnings", "api_calls",
}

// The report sections of FORMATS.md, in order.
var reportHeadings = []string{
	"## FIS Experiment Results",
	"### Action Results",
	"### Stop Condition Alarms",
	"### Timeline",
	"### Per-Service Impact Analysis",
	"### Application Log Analysis",
	"### Recovery Status Summary",
	"### Issues Requiring Attention",
	"### Cleanup",
	"### Appendix: Log File Locations",
}

var snakeCase = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

func TestVersion(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--version"}, {"version"}, {"serve", "--version"}} {
		out, err := exec.Command(fisBin, args...).Output()
		if err != nil {
			t.Fatalf("fis-mcp %v: %v", args, err)
		}
		if got, want := strings.TrimSpace(string(out)), "fis-mcp "+e2eVersion; got != want {
			t.Errorf("fis-mcp %v printed %q, want %q", args, got, want)
		}
	}
	// A bad flag is an error on stderr with exit status 2, never output on stdout.
	cmd := exec.Command(fisBin, "serve", "--no-such-flag")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Errorf("fis-mcp serve --no-such-flag: got %v, want exit status 2", err)
	}
	if len(out) != 0 {
		t.Errorf("fis-mcp serve --no-such-flag wrote to stdout: %q", out)
	}
	if !strings.Contains(stderr.String(), "no-such-flag") {
		t.Errorf("stderr does not name the bad flag: %q", stderr.String())
	}
}

// Test 1: the basics a host sees first, on both protocol generations.
func TestE2EBasics(t *testing.T) {
	t.Parallel()
	for _, proto := range []string{legacyProtocol, mcp.LATEST_PROTOCOL_VERSION} {
		t.Run(proto, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, serverOpts{stateDir: t.TempDir(), simulate: true, protocol: proto})

			if s.init.ServerInfo.Name != "fis-mcp" || s.init.ServerInfo.Version != e2eVersion {
				t.Errorf("serverInfo = %+v, want fis-mcp %s", s.init.ServerInfo, e2eVersion)
			}
			if !strings.Contains(s.init.Instructions, "SIMULATED") {
				t.Errorf("the instructions do not say the account is SIMULATED: %q", s.init.Instructions)
			}
			if s.init.Capabilities.Tools == nil || s.init.Capabilities.Resources == nil || s.init.Capabilities.Prompts == nil {
				t.Errorf("capabilities lack tools/resources/prompts: %+v", s.init.Capabilities)
			}

			// tools/list: the 10 tools of TOOLS.md with schemas and annotations.
			var names []string
			for _, tool := range s.tools {
				names = append(names, tool.Name)
			}
			sort.Strings(names)
			want := append([]string(nil), toolNames...)
			sort.Strings(want)
			if strings.Join(names, ",") != strings.Join(want, ",") {
				t.Fatalf("tools = %v, want %v", names, want)
			}
			for _, tool := range s.tools {
				var raw struct {
					InputSchema  map[string]any `json:"inputSchema"`
					OutputSchema map[string]any `json:"outputSchema"`
					Annotations  map[string]any `json:"annotations"`
				}
				if err := json.Unmarshal(s.rawTools[tool.Name], &raw); err != nil {
					t.Fatal(err)
				}
				if raw.InputSchema["type"] != "object" {
					t.Errorf("%s: inputSchema type = %v, want object", tool.Name, raw.InputSchema["type"])
				}
				props, _ := raw.OutputSchema["properties"].(map[string]any)
				if raw.OutputSchema["type"] != "object" || len(props) == 0 {
					t.Errorf("%s: outputSchema missing or empty: %v", tool.Name, raw.OutputSchema)
				}
				for _, k := range []string{"api_calls", "abort"} {
					if _, ok := props[k]; !ok {
						t.Errorf("%s: outputSchema has no %s", tool.Name, k)
					}
				}
				if s.schemas[tool.Name] == nil {
					t.Errorf("%s: outputSchema did not compile", tool.Name)
				}
				if tool.Description == "" {
					t.Errorf("%s: no description", tool.Name)
				}
				ro, _ := raw.Annotations["readOnlyHint"].(bool)
				destructive, _ := raw.Annotations["destructiveHint"].(bool)
				switch tool.Name {
				case "start_experiment", "stop_experiment":
					if !destructive || ro {
						t.Errorf("%s: annotations %v, want destructiveHint true and readOnlyHint false", tool.Name, raw.Annotations)
					}
				case "finalize_report":
					if destructive {
						t.Errorf("%s: destructiveHint true", tool.Name)
					}
				default:
					if !ro || destructive {
						t.Errorf("%s: annotations %v, want readOnlyHint true, destructiveHint false", tool.Name, raw.Annotations)
					}
				}
			}

			// The report resource template and the workflow prompt.
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			tmpls, err := s.cl.ListResourceTemplates(ctx, mcp.ListResourceTemplatesRequest{})
			if err != nil {
				t.Fatal(err)
			}
			if len(tmpls.ResourceTemplates) != 1 || tmpls.ResourceTemplates[0].URITemplate == nil ||
				tmpls.ResourceTemplates[0].URITemplate.Raw() != "fis-mcp://reports/{session_id}" {
				t.Errorf("resource templates = %+v, want fis-mcp://reports/{session_id}", tmpls.ResourceTemplates)
			}
			prompts, err := s.cl.ListPrompts(ctx, mcp.ListPromptsRequest{})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, p := range prompts.Prompts {
				found = found || p.Name == "run_fis_experiment"
			}
			if !found {
				t.Errorf("prompt run_fis_experiment not listed: %+v", prompts.Prompts)
			}

			// list_sessions on an empty state dir.
			ls := decodeAs[tools.ListSessionsOutput](t, s.ok("list_sessions", map[string]any{}))
			if len(ls.Sessions) != 0 {
				t.Errorf("list_sessions on an empty state dir: %+v", ls.Sessions)
			}

			// resolve_experiment by template ID.
			r := s.ok("resolve_experiment", map[string]any{"template_id": templateID})
			for _, k := range resolveKeys {
				if _, ok := r.SC[k]; !ok {
					t.Errorf("resolve_experiment: structured content has no %q (keys %v)", k, sortedKeys(r.SC))
				}
			}
			for k := range r.SC {
				if !snakeCase.MatchString(k) {
					t.Errorf("resolve_experiment: key %q is not snake_case", k)
				}
			}
			out := decodeAs[tools.ResolveExperimentOutput](t, r)
			checks := []struct{ key, got, want string }{
				{"template_id", out.TemplateID, templateID}, {"region", out.Region, "us-east-1"},
				{"stack_name", out.StackName, sim.StackName}, {"stack_status", out.StackStatus, "CREATE_COMPLETE"},
				{"scenario", out.Scenario, "AZ Power Interruption"}, {"state", string(out.State), "resolved"},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("resolve_experiment %s = %q, want %q", c.key, c.got, c.want)
				}
			}
			if !strings.HasPrefix(out.SessionID, "fis-") {
				t.Errorf("session_id = %q", out.SessionID)
			}
			if dir := out.Directory; filepath.Base(dir) != sim.ExperimentDirName {
				t.Errorf("directory = %q, want …/%s", dir, sim.ExperimentDirName)
			}
			if out.EstimatedDuration == "" || out.TargetAZ == "" {
				t.Errorf("estimated_duration %q / target_az %q empty", out.EstimatedDuration, out.TargetAZ)
			}
			lens := []struct {
				key       string
				got, want int
			}{
				{"affected_resources", len(out.AffectedResources), 3}, {"actions", len(out.Actions), 3},
				{"targets", len(out.Targets), 3}, {"stop_conditions", len(out.StopConditions), 1},
			}
			for _, l := range lens {
				if l.got != l.want {
					t.Errorf("resolve_experiment %s: %d entries, want %d: %v", l.key, l.got, l.want, r.SC[l.key])
				}
			}
			var actions []string
			for _, a := range out.Actions {
				actions = append(actions, a.Name)
			}
			sort.Strings(actions)
			if strings.Join(actions, ",") != "Failover-RDS,Interrupt-ElastiCache,Stop-EKS-Nodes" {
				t.Errorf("actions = %v", actions)
			}
			calls := out.APICalls
			if _, ok := hasCall(calls, "CloudFormation", "DescribeStacks"); !ok {
				t.Errorf("api_calls lack CloudFormation DescribeStacks: %+v", calls)
			}
			if _, ok := hasCall(calls, "fis", "GetExperimentTemplate"); !ok {
				t.Errorf("api_calls lack FIS GetExperimentTemplate: %+v", calls)
			}
			if !strings.Contains(r.Text, "stop_experiment") {
				t.Errorf("the text does not end with how to abort: %q", r.Text)
			}

			// Bad inputs are isError results that say what to do, never protocol errors.
			bad := []struct {
				name string
				args map[string]any
				want []string
			}{
				{"unknown template ID", map[string]any{"template_id": "EXT9z9z9z9z9z9z9z"}, []string{"EXT9z9z9z9z9z9z9z"}},
				{"invalid template ID", map[string]any{"template_id": "../etc"}, []string{"not a FIS experiment template ID"}},
				{"path and template_id", map[string]any{"template_id": templateID, "path": out.Directory}, []string{"exactly one"}},
				{"neither", map[string]any{}, []string{"exactly one"}},
				{"path without EXT suffix", map[string]any{"path": t.TempDir()}, []string{"must end with the FIS experiment template ID"}},
				{"missing path", map[string]any{"path": filepath.Join(t.TempDir(), "gone-EXT1a2b3c4d5e6f7")}, []string{"does not exist"}},
			}
			for _, b := range bad {
				res := s.refused("resolve_experiment", b.args, b.want...)
				if !strings.Contains(res.Text, "Error") {
					t.Errorf("%s: the error text has no Error: %q", b.name, res.Text)
				}
			}
			s.refused("health_check", map[string]any{"session_id": "fis-nope"}, "fis-nope")
			s.refused("get_session", map[string]any{"session_id": "../../etc/passwd"}, "not a session ID")
		})
	}
}

// Test 2: the whole workflow as a host drives it, with the refusals, and the report
// checked against the simulation's truth.
func TestE2EWorkflow(t *testing.T) {
	if testing.Short() {
		t.Skip("about 60 s: the whole workflow with the 40 s simulated baseline")
	}
	t.Parallel()
	stateDir := t.TempDir()
	s := startServer(t, serverOpts{stateDir: stateDir, simulate: true, protocol: legacyProtocol})

	r := decodeAs[tools.ResolveExperimentOutput](t, s.ok("resolve_experiment", map[string]any{"template_id": templateID}))
	id := r.SessionID
	expDir := r.Directory

	s.refused("start_experiment", map[string]any{"session_id": id}, "health_check")

	hr := s.ok("health_check", map[string]any{"session_id": id})
	h := decodeAs[tools.HealthCheckOutput](t, hr)
	if h.Verdict != "healthy" || !h.AllHealthy {
		t.Fatalf("health_check verdict %q all_healthy %v: %s", h.Verdict, h.AllHealthy, hr.Text)
	}
	if len(h.Resources) != 3 {
		t.Errorf("health_check resources: %+v", h.Resources)
	}

	d := decodeAs[tools.DiscoverAppsOutput](t, s.ok("discover_apps", map[string]any{"session_id": id}))
	apps := map[string]session.App{}
	for _, a := range d.Apps {
		apps[a.Workload] = a
	}
	if got := sortedKeys(apps); strings.Join(got, ",") != "cart-service,orders-api,payments-worker,storefront-web" {
		t.Fatalf("discover_apps apps = %v, want cart-service, orders-api, payments-worker and storefront-web (indirect)", got)
	}
	if sf := apps["storefront-web"]; sf.Service != "" || sf.Confidence != "indirect" {
		t.Errorf("storefront-web calls orders-api only: %+v, want an indirect app with no service", sf)
	}
	for name, want := range map[string]string{"orders-api": sim.Aurora, "payments-worker": sim.Aurora, "cart-service": sim.Redis} {
		if app := apps[name]; app.Service != want || app.Confidence != "confirmed" || app.Cluster != sim.Cluster {
			t.Errorf("app %s: %+v, want service %s, confirmed, cluster %s", name, app, want, sim.Cluster)
		}
	}

	l := decodeAs[tools.StartLogsOutput](t, s.ok("start_logs", map[string]any{"session_id": id}))
	if len(l.Streams) != 8 {
		t.Errorf("start_logs streams: %d, want 8 (2 pods × 4 apps): %+v", len(l.Streams), l.Streams)
	}
	logDir := l.LogDir

	cr := s.ok("start_experiment", map[string]any{"session_id": id})
	c := decodeAs[tools.StartExperimentOutput](t, cr)
	if c.Status != "confirmation_required" || c.ConfirmationToken == "" || c.ExpiresAt == nil {
		t.Fatalf("start_experiment without a token: %v", cr.SC)
	}
	warning := c.Warning
	for _, w := range []string{"REAL impact", sim.Aurora, sim.Redis, "i-0a1b2c3d4e5f60002", "Failover-RDS", sim.AlarmName, "orders-api"} {
		if !strings.Contains(warning, w) {
			t.Errorf("the impact warning does not mention %q:\n%s", w, warning)
		}
	}
	if _, has := cr.SC["experiment_id"]; has {
		t.Errorf("confirmation_required result carries an experiment_id: %v", cr.SC)
	}
	token := c.ConfirmationToken

	s.refused("start_experiment", map[string]any{"session_id": id, "confirmation_token": token + "x"}, "refused")
	sr := s.ok("start_experiment", map[string]any{"session_id": id, "confirmation_token": token})
	st := decodeAs[tools.StartExperimentOutput](t, sr)
	expID := st.ExperimentID
	if st.Status != "started" || expID == "" {
		t.Fatalf("start_experiment with the token: %v", sr.SC)
	}
	s.refused("start_experiment", map[string]any{"session_id": id, "confirmation_token": token})

	states, last := s.pollUntilTerminal(id, 4, 90*time.Second, "poll")
	t.Logf("polled states: %v", states)
	assertStateOrder(t, states, "completed")
	if !contains(states, "running") {
		t.Errorf("no poll saw the experiment running: %v", states)
	}
	if last.ExperimentID != expID {
		t.Errorf("poll experiment_id %q, want %q", last.ExperimentID, expID)
	}
	pollProgress := 0
	for i := 0; i < 100; i++ {
		pollProgress += len(s.progressFor(fmt.Sprintf("poll-%d", i)))
	}
	if pollProgress == 0 {
		t.Errorf("no progress notification during poll wait_seconds")
	}

	fr := s.callP("finalize_report", map[string]any{"session_id": id, "wait": true}, "finalize")
	f := decodeAs[tools.FinalizeReportOutput](t, fr) // the zero value for an isError result
	if fr.IsError || f.Status != "written" {
		t.Fatalf("finalize_report wait=true: %s", fr.Text)
	}
	if msgs := s.progressFor("finalize"); len(msgs) == 0 || !strings.Contains(msgs[0], "baseline") {
		t.Errorf("progress notifications during finalize_report wait=true: %v", msgs)
	}
	mdPath, jsonPath := f.ReportPath, f.JSONPath
	if filepath.Dir(mdPath) != expDir || filepath.Dir(jsonPath) != expDir {
		t.Errorf("report %s / %s not in the experiment directory %s", mdPath, jsonPath, expDir)
	}
	if !regexp.MustCompile(`^\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-az-power-interruption-experiment-results\.md$`).MatchString(filepath.Base(mdPath)) ||
		strings.TrimSuffix(mdPath, ".md")+".json" != jsonPath {
		t.Errorf("report file names: %s, %s", mdPath, jsonPath)
	}
	if f.ResourceURI != "fis-mcp://reports/"+id || f.Summary == "" {
		t.Errorf("finalize_report resource_uri %q summary %q", f.ResourceURI, f.Summary)
	}

	checkReportAgainstTruth(t, jsonPath, expID, id, "completed", true)
	t.Run("verdict-html-history", func(t *testing.T) {
		// The wire keys of TOOLS.md "Additions (2026-12)", as a client sees them.
		for _, k := range []string{"verdict", "criteria", "faults", "html_path"} {
			if _, ok := fr.SC[k]; !ok {
				t.Errorf("finalize_report result has no %q: %v", k, fr.SC)
			}
		}
		text := fr.Text
		if first, rest, ok := strings.Cut(text, "\n"); ok && strings.HasPrefix(first, "[SIMULATED") {
			text = rest // the simulated-account banner comes first
		}
		if !strings.HasPrefix(text, "Verdict: ") {
			t.Errorf("finalize_report text does not begin with the verdict: %.80q", fr.Text)
		}
		var rep struct {
			Verdict  string `json:"verdict"`
			Criteria []struct {
				Result string `json:"result"`
			} `json:"criteria"`
			Faults []struct {
				Action   string `json:"action"`
				Observed string `json:"observed"`
			} `json:"faults"`
		}
		readJSON(t, jsonPath, &rep)
		if rep.Verdict != f.Verdict || (f.Verdict != "passed" && f.Verdict != "failed" && f.Verdict != "inconclusive") {
			t.Errorf("verdict: result %q, JSON twin %q", f.Verdict, rep.Verdict)
		}
		if len(rep.Criteria) == 0 || len(rep.Faults) == 0 {
			t.Errorf("JSON twin: %d criteria, %d faults; want the default hypothesis and one row per action", len(rep.Criteria), len(rep.Faults))
		}
		if strings.TrimSuffix(mdPath, ".md")+".html" != f.HTMLPath {
			t.Errorf("html_path %q is not the Markdown's twin", f.HTMLPath)
		}
		if html, err := os.ReadFile(f.HTMLPath); err != nil || !strings.Contains(string(html), strings.ToUpper(f.Verdict)) || strings.Contains(string(html), "<script") {
			t.Errorf("HTML twin (err %v): want the verdict %s and no script", err, strings.ToUpper(f.Verdict))
		}
		runs, err := os.ReadFile(filepath.Join(expDir, "runs.jsonl"))
		if err != nil || strings.Count(string(runs), "\n") != 1 || !strings.Contains(string(runs), id) {
			t.Errorf("runs.jsonl (err %v): %q, want one line for %s", err, runs, id)
		}
	})
	t.Run("ec2-node-recovery", func(t *testing.T) {
		var rep struct {
			Services []struct {
				Identifier     string `json:"identifier"`
				RecoveryStatus string `json:"recovery_status"`
				Notes          string `json:"notes"`
			} `json:"services"`
		}
		readJSON(t, jsonPath, &rep)
		found := false
		for _, svc := range rep.Services {
			if svc.Identifier == "i-0a1b2c3d4e5f60002" {
				found = true
				if svc.RecoveryStatus != "recovered" {
					t.Errorf("EKS node %s: recovery_status %q (%s), want recovered: it runs again after the fault", svc.Identifier, svc.RecoveryStatus, svc.Notes)
				}
			}
		}
		if !found {
			t.Errorf("the report has no service row for the EKS node: %+v", rep.Services)
		}
	})

	md, err := os.ReadFile(mdPath)
	if err != nil {
		t.Fatal(err)
	}
	assertHeadingsInOrder(t, string(md))

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rr, err := s.cl.ReadResource(ctx, mcp.ReadResourceRequest{Params: mcp.ReadResourceParams{URI: "fis-mcp://reports/" + id}})
	if err != nil {
		t.Fatalf("read the report resource: %v", err)
	}
	if len(rr.Contents) != 1 {
		t.Fatalf("report resource: %d contents", len(rr.Contents))
	}
	if tc, ok := rr.Contents[0].(mcp.TextResourceContents); !ok || tc.Text != string(md) || tc.MIMEType != "text/markdown" {
		t.Errorf("the report resource is not the Markdown file (%T)", rr.Contents[0])
	}
	if _, err := s.cl.ReadResource(ctx, mcp.ReadResourceRequest{Params: mcp.ReadResourceParams{URI: "fis-mcp://reports/fis-nope"}}); err == nil {
		t.Errorf("reading the report of an unknown session succeeded")
	}

	ar := s.ok("finalize_report", map[string]any{"session_id": id})
	again := decodeAs[tools.FinalizeReportOutput](t, ar)
	if again.ReportPath != mdPath || again.JSONPath != jsonPath || again.Status != "written" {
		t.Errorf("finalize_report again: %v, want the same paths", ar.SC)
	}
	if entries, _ := filepath.Glob(filepath.Join(expDir, "*-experiment-results.md")); len(entries) != 1 {
		t.Errorf("report files in the experiment directory: %v, want exactly one", entries)
	}
	if runs, _ := os.ReadFile(filepath.Join(expDir, "runs.jsonl")); strings.Count(string(runs), "\n") != 1 {
		t.Errorf("runs.jsonl after a second finalize_report: %q, want still one line", runs)
	}

	// The audit trail.
	gs := s.getSession(id)
	if gs.Session.State != "reported" || gs.Session.Run == nil || gs.Session.Run.ExperimentID != expID {
		t.Errorf("get_session: state %s run %+v", gs.Session.State, gs.Session.Run)
	}
	trail := gs.Session.APICalls
	for _, want := range [][2]string{
		{"CloudFormation", "DescribeStacks"}, {"fis", "GetExperimentTemplate"}, {"fis", "StartExperiment"},
		{"fis", "GetExperiment"}, {"EKS", "DescribeCluster"},
	} {
		if _, ok := hasCall(trail, want[0], want[1]); !ok {
			t.Errorf("the audit trail lacks %s %s", want[0], want[1])
		}
	}
	if kc, ok := hasCall(trail, "kubernetes", ""); !ok || kc.Operation == "" {
		t.Errorf("the audit trail has no Kubernetes call")
	}
	if start, _ := hasCall(trail, "fis", "StartExperiment"); !strings.Contains(start.CLI, "aws fis start-experiment") || !strings.Contains(start.CLI, templateID) {
		t.Errorf("StartExperiment has no CLI equivalent: %+v", start)
	}
	if n := countCalls(trail, "fis", "StartExperiment"); n != 1 {
		t.Errorf("StartExperiment called %d times, want 1 (the token is single use)", n)
	}
	for _, c := range trail {
		if c.Time.IsZero() || c.Result == "" || c.Tool == "" {
			t.Errorf("incomplete audit entry %+v", c)
			break
		}
	}
	kinds := map[string]int{}
	for _, e := range gs.Session.Timeline {
		kinds[e.Kind]++
	}
	for _, k := range []string{"resolved", "health-check", "logs-started", "confirmation-issued", "start-refused", "confirmed", "started", "experiment-state", "action-state", "logs-stopped", "reported"} {
		if kinds[k] == 0 {
			t.Errorf("the timeline has no %q event (kinds %v)", k, kinds)
		}
	}

	// No secret anywhere: session, report, JSON twin, collected logs, server log, stdout.
	assertNoSecrets(t, sessionFile(stateDir, id), mdPath, jsonPath, logDir, s.logFile)
	lines, _, _ := s.out.snapshot()
	assertNoSecretsIn(t, "stdout", []byte(strings.Join(lines, "\n")))
	assertJSONLogFile(t, s.logFile)
}

// assertJSONLogFile checks the --log-file got the server's logs, one JSON object a line.
func assertJSONLogFile(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil || len(b) == 0 {
		t.Errorf("the --log-file %s is empty (%v)", path, err)
		return
	}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil || m["level"] == nil || m["message"] == nil {
			t.Errorf("log line is not a zerolog JSON object: %q", truncate(line, 300))
		}
	}
}

// checkReportAgainstTruth reads the JSON twin and checks its figures against what the
// simulation did: the apps' first and last errors sit at FaultStart + ErrorsFrom/ErrorsTo.
func checkReportAgainstTruth(t *testing.T, jsonPath, expID, sessionID, status string, checkApps bool) {
	t.Helper()
	var rep struct {
		SessionID    string  `json:"session_id"`
		ExperimentID string  `json:"experiment_id"`
		TemplateID   string  `json:"template_id"`
		Status       string  `json:"status"`
		Start        string  `json:"start"`
		End          string  `json:"end"`
		Duration     float64 `json:"duration_seconds"`
		Health       struct {
			Verdict string `json:"verdict"`
		} `json:"health"`
		ConfirmedAt *string `json:"confirmed_at"`
		Actions     []struct {
			Name   string  `json:"name"`
			Status string  `json:"status"`
			Start  *string `json:"start"`
			End    *string `json:"end"`
		} `json:"actions"`
		StopConditions []struct {
			Alarm      string `json:"alarm"`
			FinalState string `json:"final_state"`
		} `json:"stop_conditions"`
		Timeline []map[string]any `json:"timeline"`
		Apps     []struct {
			Workload       string  `json:"workload"`
			Service        string  `json:"service"`
			Errors         int     `json:"errors"`
			FirstError     *string `json:"first_error"`
			LastError      *string `json:"last_error"`
			RecoveryStatus string  `json:"recovery_status"`
		} `json:"apps"`
		Services []struct {
			Identifier     string `json:"identifier"`
			RecoveryStatus string `json:"recovery_status"`
		} `json:"services"`
		Issues []map[string]any `json:"issues"`
	}
	readJSON(t, jsonPath, &rep)
	if rep.SessionID != sessionID || rep.ExperimentID != expID || rep.TemplateID != templateID {
		t.Errorf("report ids: session %s experiment %s template %s", rep.SessionID, rep.ExperimentID, rep.TemplateID)
	}
	if rep.Status != status {
		t.Errorf("report status %q, want %q", rep.Status, status)
	}
	if rep.Health.Verdict != "healthy" || rep.ConfirmedAt == nil {
		t.Errorf("report health %q confirmed_at %v", rep.Health.Verdict, rep.ConfirmedAt)
	}
	start, err1 := time.Parse(time.RFC3339, rep.Start)
	end, err2 := time.Parse(time.RFC3339, rep.End)
	if err1 != nil || err2 != nil || !end.After(start) {
		t.Errorf("report start %q end %q", rep.Start, rep.End)
	}
	if len(rep.StopConditions) != 1 || rep.StopConditions[0].Alarm != sim.AlarmName {
		t.Errorf("report stop conditions: %+v", rep.StopConditions)
	}
	if len(rep.Timeline) == 0 {
		t.Errorf("report timeline empty")
	}
	var names []string
	var faultStart time.Time
	stoppedActions := 0
	for _, a := range rep.Actions {
		names = append(names, a.Name)
		switch {
		case status == "completed" && a.Status != "completed":
			t.Errorf("action %s status %q, want completed", a.Name, a.Status)
		case status == "stopped" && a.Status != "stopped" && a.Status != "completed" && a.Status != "cancelled":
			t.Errorf("action %s status %q after a stop, want stopped, completed or cancelled", a.Name, a.Status)
		}
		if a.Status == "stopped" {
			stoppedActions++
		}
		if a.Start == nil {
			t.Errorf("action %s has no start", a.Name)
			continue
		}
		ts, err := time.Parse(time.RFC3339, *a.Start)
		if err != nil {
			t.Errorf("action %s start %q: %v", a.Name, *a.Start, err)
			continue
		}
		if faultStart.IsZero() || ts.Before(faultStart) {
			faultStart = ts
		}
	}
	sort.Strings(names)
	if strings.Join(names, ",") != "Failover-RDS,Interrupt-ElastiCache,Stop-EKS-Nodes" {
		t.Errorf("report actions %v", names)
	}
	if status == "stopped" && stoppedActions == 0 {
		t.Errorf("no action is stopped in the report of a stopped experiment: %+v", rep.Actions)
	}
	if !checkApps {
		return
	}
	if faultStart.IsZero() {
		t.Fatal("no action start time in the report: cannot derive the fault start")
	}
	const tolerance = 3 * time.Second
	near := func(label, got string, want time.Time) {
		t.Helper()
		ts, err := time.Parse(time.RFC3339Nano, got)
		if err != nil {
			t.Errorf("%s %q: %v", label, got, err)
			return
		}
		if diff := ts.Sub(want); diff < -tolerance || diff > tolerance {
			t.Errorf("%s = %s, want %s ± %s (fault start %s): off by %s", label, ts.Format(time.RFC3339Nano), want.Format(time.RFC3339Nano), tolerance, faultStart.Format(time.RFC3339), diff)
		}
	}
	storefront := sim.Storefront(sim.DefaultTiming()) // indirectly affected: no service
	truth := append(sim.Apps(sim.DefaultTiming()), storefront)
	if len(rep.Apps) != len(truth) {
		t.Errorf("report apps: %d, want %d", len(rep.Apps), len(truth))
	}
	for _, app := range truth {
		found := false
		for _, got := range rep.Apps {
			if got.Workload != app.Name {
				continue
			}
			found = true
			if got.Service != app.Service || got.Errors == 0 {
				t.Errorf("app %s: service %q errors %d, want service %s and errors", app.Name, got.Service, got.Errors, app.Service)
			}
			if got.FirstError == nil || got.LastError == nil {
				t.Errorf("app %s: first_error %v last_error %v", app.Name, got.FirstError, got.LastError)
				continue
			}
			near("app "+app.Name+" first_error", *got.FirstError, faultStart.Add(app.ErrorsFrom))
			near("app "+app.Name+" last_error", *got.LastError, faultStart.Add(app.ErrorsTo))
			if got.RecoveryStatus != "recovered" {
				t.Errorf("app %s recovery_status %q, want recovered (its errors stop at fault start + %s)", app.Name, got.RecoveryStatus, app.ErrorsTo)
			}
		}
		if !found {
			t.Errorf("report has no app %s", app.Name)
		}
	}
	for _, svc := range rep.Services {
		if svc.Identifier == sim.Aurora || svc.Identifier == sim.Redis {
			if svc.RecoveryStatus != "recovered" {
				t.Errorf("service %s recovery_status %q, want recovered", svc.Identifier, svc.RecoveryStatus)
			}
		}
	}
}

func assertHeadingsInOrder(t *testing.T, md string) {
	t.Helper()
	lines := strings.Split(md, "\n")
	pos := -1
	for _, h := range reportHeadings {
		found := -1
		for i := pos + 1; i < len(lines); i++ {
			if strings.TrimSpace(lines[i]) == h {
				found = i
				break
			}
		}
		if found < 0 {
			t.Errorf("the report has no %q after line %d", h, pos+1)
			continue
		}
		pos = found
	}
	if !strings.HasPrefix(md, "## FIS Experiment Results") {
		t.Errorf("the report does not start with its title: %q", truncate(md, 80))
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// runToStarted drives a fresh session through resolve, health check, discovery, logs and
// a confirmed start; it returns the session and experiment IDs.
func runToStarted(t *testing.T, s *proc) (id, expID string) {
	t.Helper()
	id = decodeAs[tools.ResolveExperimentOutput](t, s.ok("resolve_experiment", map[string]any{"template_id": templateID})).SessionID
	if v := decodeAs[tools.HealthCheckOutput](t, s.ok("health_check", map[string]any{"session_id": id})).Verdict; v != "healthy" {
		t.Fatalf("verdict %s", v)
	}
	s.ok("discover_apps", map[string]any{"session_id": id})
	s.ok("start_logs", map[string]any{"session_id": id})
	token := decodeAs[tools.StartExperimentOutput](t, s.ok("start_experiment", map[string]any{"session_id": id})).ConfirmationToken
	sr := s.ok("start_experiment", map[string]any{"session_id": id, "confirmation_token": token})
	st := decodeAs[tools.StartExperimentOutput](t, sr)
	if st.Status != "started" || st.ExperimentID == "" {
		t.Fatalf("start: %v", sr.SC)
	}
	return id, st.ExperimentID
}

// Test 3: stop mid-run.
func TestE2EStopMidRun(t *testing.T) {
	if testing.Short() {
		t.Skip("about 50 s: waits out the 40 s simulated baseline")
	}
	t.Parallel()
	stateDir := t.TempDir()
	s := startServer(t, serverOpts{stateDir: stateDir, simulate: true})
	id, expID := runToStarted(t, s)

	// Poll until the actions run, so the stop lands mid-fault.
	deadline := time.Now().Add(30 * time.Second)
	for {
		pr := s.ok("poll", map[string]any{"session_id": id, "wait_seconds": 2})
		p := decodeAs[tools.PollOutput](t, pr)
		if p.Terminal {
			t.Fatalf("the experiment ended before it could be stopped: %v", pr.SC)
		}
		if p.State == "running" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the experiment did not reach running: %v", pr.SC)
		}
	}
	stopR := s.ok("stop_experiment", map[string]any{"session_id": id, "reason": "e2e: stop mid-run"})
	stop := decodeAs[tools.StopExperimentOutput](t, stopR)
	if stop.State != "stopped" || stop.SessionState != "ended" || stop.ExperimentID != expID || !stop.LogsStopped {
		t.Fatalf("stop_experiment: %v\n%s", stopR.SC, stopR.Text)
	}
	calls := stop.APICalls
	if sc, ok := hasCall(calls, "fis", "StopExperiment"); !ok || !strings.Contains(sc.CLI, "aws fis stop-experiment") {
		t.Errorf("stop_experiment api_calls lack StopExperiment with its CLI equivalent: %+v", calls)
	}
	ar := s.ok("stop_experiment", map[string]any{"session_id": id})
	again := decodeAs[tools.StopExperimentOutput](t, ar)
	if again.State != "stopped" {
		t.Errorf("second stop_experiment: %v", ar.SC)
	}
	if n := countCalls(again.APICalls, "fis", "StopExperiment"); n != 0 {
		t.Errorf("a second stop_experiment called StopExperiment %d times, want 0", n)
	}
	pr := s.ok("poll", map[string]any{"session_id": id})
	if p := decodeAs[tools.PollOutput](t, pr); p.State != "stopped" || !p.Terminal {
		t.Errorf("poll after the stop: %v", pr.SC)
	}
	s.refused("start_experiment", map[string]any{"session_id": id})

	fr := s.ok("finalize_report", map[string]any{"session_id": id, "wait": true})
	f := decodeAs[tools.FinalizeReportOutput](t, fr)
	if f.Status != "written" {
		t.Fatalf("finalize_report: %v", fr.SC)
	}
	checkReportAgainstTruth(t, f.JSONPath, expID, id, "stopped", false)
	gs := s.getSession(id)
	if gs.Session.State != "reported" {
		t.Errorf("session state %s, want reported", gs.Session.State)
	}
	stopEvent := false
	for _, e := range gs.Session.Timeline {
		if e.Kind == "stop-requested" && strings.Contains(e.Message, "e2e: stop mid-run") {
			stopEvent = true
		}
	}
	if !stopEvent {
		t.Errorf("the timeline does not record the stop request with its reason")
	}
	md, err := os.ReadFile(f.ReportPath)
	if err != nil {
		t.Fatal(err)
	}
	assertHeadingsInOrder(t, string(md))
	if !strings.Contains(string(md), "stopped") {
		t.Errorf("the Markdown report does not say the experiment was stopped")
	}
	assertNoSecrets(t, stateDir, f.ReportPath, f.JSONPath, s.logFile)
	assertJSONLogFile(t, s.logFile)
}

// Test 4: kill -9 mid-run, restart on the same state dir. The simulated account runs in
// this test process (it must outlive the killed server), so the binary runs in its
// production mode (no --simulate), pointed at it through AWS_ENDPOINT_URL.
func TestE2EKillAndRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("about 25 s")
	}
	t.Parallel()
	acct, err := sim.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(acct.Close)
	expParent := t.TempDir()
	if _, err := sim.WriteExperiment(expParent); err != nil {
		t.Fatal(err)
	}
	stateDir := t.TempDir()
	opts := serverOpts{stateDir: stateDir, env: acct.AWS.Env(), args: []string{"--experiments-dir", expParent, "--baseline", "20s"}}

	s1 := startServer(t, opts)
	if strings.Contains(s1.init.Instructions, "SIMULATED") {
		t.Errorf("a server without --simulate says it is simulated: %q", s1.init.Instructions)
	}
	id, expID := runToStarted(t, s1)
	if expID != acct.Truth().ExperimentID {
		t.Fatalf("experiment %s, the account started %s", expID, acct.Truth().ExperimentID)
	}
	// Poll until the fault is under way, so the kill lands mid-run.
	deadline := time.Now().Add(30 * time.Second)
	for {
		pr := s1.ok("poll", map[string]any{"session_id": id, "wait_seconds": 2})
		p := decodeAs[tools.PollOutput](t, pr)
		if p.Terminal {
			t.Fatalf("the experiment ended before the kill: %v", pr.SC)
		}
		if p.State == "running" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the experiment did not reach running: %v", pr.SC)
		}
	}
	before := s1.getSession(id)
	logDir := filepath.Join(stateDir, "logs", id)
	waitFor(t, 15*time.Second, "pod log lines on disk before the kill", func() bool {
		lines, _ := readPodLogs(t, logDir)
		return len(lines) > 0
	})

	s1.kill()
	restartedAt := time.Now()

	s2 := startServer(t, opts)
	ls := decodeAs[tools.ListSessionsOutput](t, s2.ok("list_sessions", map[string]any{}))
	var listed *tools.SessionSummary
	for i := range ls.Sessions {
		if ls.Sessions[i].ID == id {
			listed = &ls.Sessions[i]
		}
	}
	if listed == nil || listed.State != "running" || listed.ExperimentID != expID {
		t.Fatalf("list_sessions after the restart: %+v, want session %s running experiment %s", ls.Sessions, id, expID)
	}

	states, _ := s2.pollUntilTerminal(id, 3, 60*time.Second, "")
	if states[len(states)-1] != "completed" {
		t.Errorf("after the restart the experiment ended %v, want completed", states)
	}
	after := s2.getSession(id)
	if after.Session.State != "ended" || after.Session.Run == nil || after.Session.Run.ExperimentID != expID {
		t.Errorf("session after the run: state %s run %+v", after.Session.State, after.Session.Run)
	}
	// The timeline has no gap: everything recorded before the kill is still its prefix.
	if len(after.Session.Timeline) <= len(before.Session.Timeline) {
		t.Fatalf("timeline: %d events after, %d before", len(after.Session.Timeline), len(before.Session.Timeline))
	}
	for i, e := range before.Session.Timeline {
		if got := after.Session.Timeline[i]; !got.Time.Equal(e.Time) || got.Kind != e.Kind || got.Message != e.Message {
			t.Errorf("timeline event %d changed across the restart: %+v → %+v", i, e, got)
			break
		}
	}
	var resumed, completed bool
	actionsDone := map[string]bool{}
	for _, e := range after.Session.Timeline {
		switch {
		case e.Kind == "logs-resumed":
			resumed = true
		case e.Kind == "experiment-state" && strings.HasSuffix(strings.SplitN(e.Message, " (", 2)[0], "→ completed"):
			completed = true
		case e.Kind == "action-state" && strings.Contains(e.Message, "→ completed"):
			actionsDone[e.Subject] = true
		}
	}
	if !resumed {
		t.Errorf("the timeline has no logs-resumed event")
	}
	if !completed || len(actionsDone) != 3 {
		t.Errorf("timeline after the restart: experiment completed %v, actions completed %v", completed, actionsDone)
	}
	if n := acct.AWS.CallCount("fis", "StartExperiment"); n != 1 {
		t.Errorf("StartExperiment called %d times across the restart, want 1", n)
	}

	// Log collection resumed: lines from after the restart, none duplicated.
	var lines []logLine
	waitFor(t, 20*time.Second, "pod log lines written after the restart", func() bool {
		lines, _ = readPodLogs(t, logDir)
		for _, l := range lines {
			if l.Time.After(restartedAt.Add(time.Second)) {
				return true
			}
		}
		return false
	})
	_, malformed := readPodLogs(t, logDir)
	for _, m := range malformed {
		t.Errorf("malformed log line (torn by the kill?): %q", truncate(m, 300))
	}
	seen := map[string]string{}
	dups := 0
	for _, l := range lines {
		key := l.Time.Format(time.RFC3339Nano) + "|" + l.Pod + "|" + l.Msg
		if prev, ok := seen[key]; ok {
			dups++
			if dups <= 5 {
				t.Errorf("duplicated log line (%s and %s): %s", filepath.Base(prev), filepath.Base(l.File), l.Raw)
			}
		}
		seen[key] = l.File
	}
	if dups > 5 {
		t.Errorf("… %d duplicated log lines in all", dups)
	}
	pods := map[string]bool{}
	afterRestart := 0
	for _, l := range lines {
		pods[l.Pod] = true
		if l.Time.After(restartedAt) {
			afterRestart++
		}
	}
	t.Logf("states after the restart %v; %d timeline events before the kill, %d after; %d pod log lines, %d after the restart, %d duplicated",
		states, len(before.Session.Timeline), len(after.Session.Timeline), len(lines), afterRestart, dups)
	if len(pods) != 8 {
		t.Errorf("log lines from %d pods, want 8 (4 apps × 2 replicas): %v", len(pods), sortedKeys(pods))
	}
	// No gap either: every simulated pod logs a line each 500 ms, so the lines written
	// while no server ran must have been fetched on resume.
	byPod := map[string][]time.Time{}
	for _, l := range lines {
		byPod[l.Pod] = append(byPod[l.Pod], l.Time)
	}
	for pod, times := range byPod {
		sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
		for i := 1; i < len(times); i++ {
			if gap := times[i].Sub(times[i-1]); gap > 600*time.Millisecond {
				t.Errorf("pod %s: no log line between %s and %s (%s gap; the server was down from %s)", pod,
					times[i-1].Format("15:04:05.000"), times[i].Format("15:04:05.000"), gap, restartedAt.Format("15:04:05.000"))
				break
			}
		}
	}

	// Production timings but for a --baseline of 20 s: the baseline is still ahead.
	fr := s2.ok("finalize_report", map[string]any{"session_id": id})
	f := decodeAs[tools.FinalizeReportOutput](t, fr)
	if f.Status != "collecting_baseline" {
		t.Fatalf("finalize_report without wait: %v", fr.SC)
	}
	if rem := f.RemainingSeconds; rem <= 0 || rem > 20 {
		t.Errorf("remaining_seconds = %v, want within the 20 s baseline", rem)
	}
	if f.ReportPath != "" {
		t.Errorf("a report path before the baseline ended: %v", fr.SC)
	}

	stopR := s2.ok("stop_experiment", map[string]any{"session_id": id})
	if stop := decodeAs[tools.StopExperimentOutput](t, stopR); stop.State != "completed" || stop.SessionState != "ended" {
		t.Errorf("stop_experiment after completion: %v", stopR.SC)
	}
	if n := acct.AWS.CallCount("fis", "StopExperiment"); n != 0 {
		t.Errorf("stop_experiment after completion called StopExperiment %d times, want 0", n)
	}
	// The restarted server writes the report of the run the killed one started.
	wr := s2.ok("finalize_report", map[string]any{"session_id": id, "wait": true})
	w := decodeAs[tools.FinalizeReportOutput](t, wr)
	if w.Status != "written" || w.ReportPath == "" {
		t.Fatalf("finalize_report wait=true after the restart: %v", wr.SC)
	}
	var twin struct {
		Status       string `json:"status"`
		ExperimentID string `json:"experiment_id"`
	}
	if b, err := os.ReadFile(w.JSONPath); err != nil || json.Unmarshal(b, &twin) != nil || twin.Status != "completed" || twin.ExperimentID != expID {
		t.Errorf("report twin after the restart: %+v (%v)", twin, err)
	}
	assertNoSecrets(t, stateDir, s1.logFile, s2.logFile)
}

func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// The checks the end-to-end tests rely on must themselves catch what they look for.
func TestE2ECheckers(t *testing.T) {
	t.Parallel()
	rec := &lineRecorder{}
	for _, chunk := range []string{`{"jsonrpc":"2.0","id":1,"res`, "ult\":{}}\n{\"level\":\"info\",\"message\":\"log on stdout\"}\n", `{"jsonrpc":"2.0","method":"notifications/progress","params":{}}` + "\nplain text\n", `{"jsonrpc":"2.0","id":2}` + "\n", "tail"} {
		if _, err := rec.Write([]byte(chunk)); err != nil {
			t.Fatal(err)
		}
	}
	lines, bad, partial := rec.snapshot()
	if len(lines) != 5 || partial != "tail" {
		t.Errorf("lines %q partial %q", lines, partial)
	}
	wantBad := []string{`{"level":"info","message":"log on stdout"}`, "plain text", `{"jsonrpc":"2.0","id":2}`}
	if strings.Join(bad, "|") != strings.Join(wantBad, "|") {
		t.Errorf("bad lines %q, want %q", bad, wantBad)
	}

	secrets := []struct {
		in     string
		secret bool
	}{
		{"aws_secret_access_key=fake-secret", true},
		{"static creds simulated-secret", true},
		{"Credential=AKIDSIMULATED/20260411/us-east-1/fis/aws4_request", true},
		{"Authorization: Bearer k8s-aws-v1.aHR0cHM6Ly9zdHM", true},
		{"DB_PASSWORD=sim-0123456789abcdef01234567", true},
		{"secret orders-db key DB_PASSWORD (value not read)", false},
		{"pod orders-api-bn24gkgt6k-bn9vz", false},
		{"AKID", false},
	}
	for _, c := range secrets {
		found := false
		for _, re := range secretPatterns {
			found = found || re.MatchString(c.in)
		}
		if found != c.secret {
			t.Errorf("secret patterns on %q: found %v, want %v", c.in, found, c.secret)
		}
	}

	if m := logLineRE.FindStringSubmatch("2026-11-25T18:24:51.722355698Z [orders-api-bn24gkgt6k-bn9vz/orders-api] INFO orders-api: GET /api/v1/items/240 200 in 5ms"); m == nil ||
		m[2] != "orders-api-bn24gkgt6k-bn9vz/orders-api" || !strings.HasPrefix(m[3], "INFO orders-api") {
		t.Errorf("log line pattern: %q", m)
	}
}
