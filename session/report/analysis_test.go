package report

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/logline"
)

func TestMaskLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"order 12345 created in 45ms", "order <NUM> created in <DUR>"},
		{"took 1.5s then 2m30s", "took <DUR> then <DUR>"},
		{"request 3f2b8c1e-9d4a-4b7e-8f00-123456789abc failed", "request <UUID> failed"},
		{"connect 10.0.1.23:5432 refused", "connect <IP> refused"},
		{"subnet 10.0.0.0/16", "subnet <IP>"},
		{"ptr 0xdeadBEEF and deadbeef01", "ptr <HEX> and <HEX>"},
		{`relation "users" does not exist`, "relation <STR> does not exist"},
		{"can't connect to 'db-1'", "can't connect to <STR>"},
		{`err="MOVED 3999 10.0.2.5:6379"`, `err="MOVED <NUM> <IP>"`},
		{"pod orders-7f9c8d-abcde restarted", "pod orders-<HEX>-abcde restarted"},
		{"user_id=42 retries=3", "user_id=<NUM> retries=<NUM>"},
		{"load 97.5% (of 100)", "load <NUM> (of <NUM>)"},
		{"v1.2.3 build x9z", "<*>.<NUM>.<NUM> build <*>"},
		{`{"latency_ms":123,"msg":"ok"}`, `{"latency_ms":<NUM>,"msg":"ok"}`},
		{"no digits here", "no digits here"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := string(maskLine(nil, []byte(tc.in))); got != tc.want {
			t.Errorf("maskLine(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestDrainClusters(t *testing.T) {
	d := newDrain(3)
	t0 := at(10, 0, 0)
	add := func(msg string, sec int, inFault bool) {
		d.add([]byte(msg), t0.Add(time.Duration(sec)*time.Second), inFault, SevError, -1, []byte(msg))
	}
	add("connect to db-1 failed after 3 tries", 0, false)
	add("connect to db-2 failed after 5 tries", 10, true)
	add("connect to db-3 failed after 7 tries", 20, true)
	add("password=hunter2 rejected for user bob", 30, true)
	add("cache miss for key user:1", 40, true)
	add("totally different message one two three", 50, true) // over the limit of 3
	add("yet another message", 60, true)
	ps := d.patterns(signatures)
	if len(ps) != 4 {
		t.Fatalf("want 3 templates + other, got %d: %+v", len(ps), ps)
	}
	if ps[0].Template != "connect to db-<NUM> failed after <NUM> tries" || ps[0].Count != 3 || ps[0].New {
		t.Errorf("first template: %+v", ps[0])
	}
	if !ps[0].First.Equal(t0) || !ps[0].Last.Equal(t0.Add(20*time.Second)) {
		t.Errorf("first/last: %v %v", ps[0].First, ps[0].Last)
	}
	var other, pw *Pattern
	for i := range ps {
		switch {
		case ps[i].Template == otherTemplate:
			other = &ps[i]
		case strings.Contains(ps[i].Template, "password"):
			pw = &ps[i]
		}
	}
	if other == nil || other.Count != 2 || other.New {
		t.Errorf("other cluster: %+v", other)
	}
	if pw == nil || strings.Contains(pw.Template, "hunter2") || !pw.New {
		t.Errorf("password template must be redacted and new: %+v", pw)
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"key AKIAIOSFODNN7EXAMPLE used", "key *** used"},
		{"sts ASIAY34FZKBOKMUTVV7A token", "sts *** token"},
		{"Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig", "Authorization: ***"},
		{"header bearer abc.def-ghi", "header bearer ***"},
		{"login password=hunter2 ok", "login password=*** ok"},
		{"pwd=s3cr3t&user=x", "pwd=***&user=x"},
		{"SECRET= topsecret", "SECRET= ***"},
		{`{"password":"p@ss word"}`, `{"password":"***"}`},
		{"postgres://app:hunter2@db:5432/x", "postgres://app:***@db:5432/x"},
		{"redis://default:pa55@cache:6379", "redis://default:***@cache:6379"},
		{"https://example.com/path@v2", "https://example.com/path@v2"},
		{"nothing secret here", "nothing secret here"},
	}
	for _, tc := range tests {
		if got := redact(tc.in); got != tc.want {
			t.Errorf("redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func i64(v int64) *int64 { return &v }

func TestComputeRecovery(t *testing.T) {
	tests := []struct {
		name     string
		in       recoveryInput
		status   string
		run      *int64
		relapse  *int64
		impactAt int64
	}{
		{"not impacted: no errors", recoveryInput{errs: []int{0, 0, 0, 0, 0, 0}, startIdx: -2, endIdx: 4, lastIdx: 3}, StatusNotImpacted, nil, nil, -1},
		{"not impacted: errors at baseline rate", recoveryInput{errs: []int{2, 2, 2, 2, 2, 2}, startIdx: -2, threshold: 2, endIdx: 4, lastIdx: 3}, StatusNotImpacted, nil, nil, -1},
		{"recovered after fault end", recoveryInput{errs: []int{0, 5, 9, 4, 2, 0, 0, 0, 0}, startIdx: 0, recIdx: 2, endIdx: 9, lastIdx: 8}, StatusRecovered, i64(5), nil, 1},
		{"recovered: quiet before fault end counts from fault end", recoveryInput{errs: []int{4, 0, 0, 0, 0, 0, 0}, startIdx: 0, recIdx: 4, endIdx: 7, lastIdx: 6}, StatusRecovered, i64(4), nil, 0},
		{"instantaneous: delayed impact, run must follow the impact", recoveryInput{errs: []int{0, 0, 0, 0, 3, 1, 0, 0, 0}, startIdx: 0, recIdx: 0, endIdx: 9, lastIdx: 8}, StatusRecovered, i64(6), nil, 4},
		{"quiet run interrupted", recoveryInput{errs: []int{5, 0, 0, 3, 0, 0, 0}, startIdx: 0, recIdx: 0, endIdx: 7, lastIdx: 6}, StatusRecovered, i64(4), nil, 0},
		{"partially: relapse after recovery", recoveryInput{errs: []int{5, 0, 0, 0, 0, 6, 0}, startIdx: 0, recIdx: 0, endIdx: 7, lastIdx: 6}, StatusPartiallyRecovered, i64(1), i64(5), 0},
		{"partially: rate fell below half the peak", recoveryInput{errs: []int{10, 8, 3, 1, 2, 1}, startIdx: 0, recIdx: 0, endIdx: 6, lastIdx: 5}, StatusPartiallyRecovered, nil, nil, 0},
		{"not recovered: errors to the end", recoveryInput{errs: []int{5, 6, 7, 6, 7, 8}, startIdx: 0, recIdx: 0, endIdx: 6, lastIdx: 5}, StatusNotRecovered, nil, nil, 0},
		{"not recovered: run would end after the close", recoveryInput{errs: []int{5, 5, 5, 0, 0}, startIdx: 0, recIdx: 0, endIdx: 5, lastIdx: 5, threshold: 0}, StatusPartiallyRecovered, nil, nil, 0},
		{"noisy baseline, falling but never quiet", recoveryInput{errs: []int{1, 2, 1, 9, 9, 2, 1, 2, 1}, startIdx: -3, threshold: 1.5, recIdx: 1, endIdx: 6, lastIdx: 5}, StatusPartiallyRecovered, nil, nil, 0},
		{"noisy baseline, still high", recoveryInput{errs: []int{1, 2, 1, 9, 9, 8, 9, 7, 9}, startIdx: -3, threshold: 1.5, recIdx: 1, endIdx: 6, lastIdx: 5}, StatusNotRecovered, nil, nil, 0},
		{"noisy baseline recovered", recoveryInput{errs: []int{1, 2, 1, 9, 9, 1, 1, 0, 1}, startIdx: -3, threshold: 1.5, recIdx: 1, endIdx: 6, lastIdx: 5}, StatusRecovered, i64(2), nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := computeRecovery(tc.in)
			if got.status != tc.status {
				t.Fatalf("status %s, want %s (%+v)", got.status, tc.status, got)
			}
			if fmt.Sprint(deref64(got.runIdx)) != fmt.Sprint(deref64(tc.run)) || fmt.Sprint(deref64(got.relapseIdx)) != fmt.Sprint(deref64(tc.relapse)) {
				t.Fatalf("run %v relapse %v, want %v %v", deref64(got.runIdx), deref64(got.relapseIdx), deref64(tc.run), deref64(tc.relapse))
			}
			if got.impactIdx != tc.impactAt {
				t.Fatalf("impact at %d, want %d", got.impactIdx, tc.impactAt)
			}
		})
	}
}

func deref64(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// writeLog writes collected lines: one per (second offset, message) from base.
func writeLog(t *testing.T, dir, name string, base time.Time, lines map[int]string, every int, until int) string {
	t.Helper()
	var b []byte
	for sec := 0; sec <= until; sec += every {
		msg := "INFO tick"
		if m, ok := lines[sec]; ok {
			msg = m
		}
		b = logline.Append(b, base.Add(time.Duration(sec)*time.Second), "p-1", "c", []byte(msg))
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// runSession is a one-app session with one action from 10:30:00 to end.
func runSession(file, actionID string, params map[string]string, end time.Time) *session.Session {
	app := session.App{Cluster: "c", Namespace: "n", Workload: "w", Service: "db"}
	return &session.Session{
		ID: "s", Experiment: session.Experiment{Scenario: "x", AffectedResources: []session.AffectedResource{{Type: "RDS Aurora Cluster", Identifier: "db"}},
			Template: session.Template{Actions: []session.Action{{Name: "a", ActionID: actionID, Parameters: params}}}},
		Logs: &session.LogCollection{StartedAt: at(10, 28, 0), Apps: []session.App{app}, Streams: []session.LogStream{{App: app.Key(), File: file}}},
		Run: &session.Run{ExperimentID: "EXP1", State: "completed", StartTime: tp(at(10, 30, 0)), EndTime: tp(end),
			Actions: []session.ActionRun{{Name: "a", ActionID: actionID, State: "completed", StartTime: tp(at(10, 30, 0)), EndTime: tp(end)}}},
	}
}

func TestAnalyzeRecoveryEdgeCases(t *testing.T) {
	dir := t.TempDir()
	base := at(10, 28, 0) // fault at +120 s
	errs := func(from, to int) map[int]string {
		m := map[int]string{}
		for s := from; s <= to; s++ {
			m[s] = "ERROR connection refused"
		}
		return m
	}
	tests := []struct {
		name     string
		errs     map[int]string
		actionID string
		params   map[string]string
		end      time.Time
		status   string
		recovery *float64
		impact   *float64
	}{
		{"instantaneous failover recovered", errs(125, 164), "aws:rds:failover-db-cluster", nil, at(10, 30, 5), StatusRecovered, fptr(50), fptr(5)},
		{"duration fault, recovered after end", errs(121, 200), "aws:network:disrupt-connectivity", map[string]string{"duration": "PT1M"}, at(10, 31, 0), StatusRecovered, fptr(30), fptr(1)},
		{"not recovered", errs(130, 700), "aws:rds:reboot-db-instances", nil, at(10, 30, 1), StatusNotRecovered, nil, fptr(10)},
		{"not impacted", map[int]string{10: "ERROR one baseline error"}, "aws:rds:failover-db-cluster", nil, at(10, 30, 5), StatusNotImpacted, nil, nil},
		{"partially recovered (relapse)", func() map[int]string {
			m := errs(122, 140)
			m[300] = "ERROR connection refused"
			return m
		}(), "aws:rds:failover-db-cluster", nil, at(10, 30, 5), StatusPartiallyRecovered, fptr(30), fptr(2)},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := writeLog(t, dir, fmt.Sprintf("%d.log", i), base, tc.errs, 1, 600)
			s := runSession(f, tc.actionID, tc.params, tc.end)
			a, err := Analyze(s, Options{Now: at(10, 40, 0)})
			if err != nil {
				t.Fatal(err)
			}
			ap := a.Apps[0]
			if ap.RecoveryStatus != tc.status {
				t.Fatalf("status %s want %s (note %q)", ap.RecoveryStatus, tc.status, ap.RecoveryNote)
			}
			if fmt.Sprint(deref(ap.RecoverySeconds)) != fmt.Sprint(deref(tc.recovery)) || (ap.RecoverySeconds == nil) != (tc.recovery == nil) {
				t.Errorf("recovery %v want %v", ap.RecoverySeconds, tc.recovery)
			}
			if (ap.TimeToImpact == nil) != (tc.impact == nil) || fmt.Sprint(deref(ap.TimeToImpact)) != fmt.Sprint(deref(tc.impact)) {
				t.Errorf("time to impact %v want %v", ap.TimeToImpact, tc.impact)
			}
		})
	}
}

func TestAnalyzeMissingFileIsANote(t *testing.T) {
	s := runSession(filepath.Join(t.TempDir(), "nope.log"), "aws:rds:failover-db-cluster", nil, at(10, 30, 5))
	a, err := Analyze(s, Options{Now: at(10, 40, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Apps[0].Notes) == 0 || !strings.Contains(a.Apps[0].Notes[0], "missing") {
		t.Fatalf("want a missing-file note, got %v", a.Apps[0].Notes)
	}
	if a.Apps[0].RecoveryStatus != StatusNotImpacted {
		t.Fatalf("status %s", a.Apps[0].RecoveryStatus)
	}
}

func TestAnalyzeWindowClosedEarly(t *testing.T) {
	f := writeLog(t, t.TempDir(), "x.log", at(10, 28, 0), map[int]string{130: "ERROR boom"}, 1, 200)
	s := runSession(f, "aws:rds:failover-db-cluster", nil, at(10, 30, 5))
	a, err := Analyze(s, Options{Now: at(10, 31, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if !a.WindowClose.Equal(at(10, 31, 0)) || len(a.Notes) == 0 {
		t.Fatalf("window close %v notes %v", a.WindowClose, a.Notes)
	}
	if a.Apps[0].AfterWindow == 0 {
		t.Fatalf("lines after the close must be ignored")
	}
}

func TestWriteNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	s := baseSession()
	a, err := Analyze(s, Options{Now: fixtureNow})
	if err != nil {
		t.Fatal(err)
	}
	want := "2026-04-11-10-29-58-aurora-failover-writer-redis-az-power-experiment-results"
	var paths []string
	for i := 0; i < 3; i++ {
		w, err := Write(s, a, dir)
		if err != nil {
			t.Fatal(err)
		}
		md, js, page := w.Markdown, w.JSON, w.HTML
		paths = append(paths, md)
		if strings.TrimSuffix(md, ".md") != strings.TrimSuffix(js, ".json") || strings.TrimSuffix(md, ".md") != strings.TrimSuffix(page, ".html") {
			t.Fatalf("md %s, json %s and html %s differ", md, js, page)
		}
		for _, p := range []string{md, js, page} {
			st, err := os.Stat(p)
			if err != nil || st.Mode().Perm() != 0o644 {
				t.Fatalf("%s: %v %v", p, err, st)
			}
		}
	}
	for i, suffix := range []string{"", "-2", "-3"} {
		if filepath.Base(paths[i]) != want+suffix+".md" {
			t.Errorf("report %d named %s, want %s", i, filepath.Base(paths[i]), want+suffix+".md")
		}
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 9 {
		t.Fatalf("want 9 files (no temp left), got %d", len(ents))
	}
	// Aborted: named after the abort time.
	ab := fixtures()["aborted"]()
	aa, _ := Analyze(ab, Options{Now: fixtureNow})
	if got := BaseName(ab, aa); got != "2026-04-11-10-20-05-aurora-failover-writer-redis-az-power-experiment-results" {
		t.Fatalf("aborted name %s", got)
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"AZ Power Interruption":  "az-power-interruption",
		"RDS: Failover / Reboot": "rds-failover-reboot",
		"  ":                     "experiment",
		"Aurora 故障转移":            "aurora",
		"故障转移":                   "experiment",
		`a\b`:                    "a-b",
		"Multi--Dash: x":         "multi-dash-x",
		"AZ Power (moto)":        "az-power-moto",
		"../../etc/passwd":       "etc-passwd",
		"Ünïcode_under.score":    "n-code-under-score",
	} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSummary(t *testing.T) {
	s := fixtures()["stopped"]()
	a, err := Analyze(s, Options{Now: fixtureNow})
	if err != nil {
		t.Fatal(err)
	}
	s.Report = &session.ReportRef{Path: "/x/report.md"}
	out := Summary(s, a)
	for _, want := range []string{"Report: /x/report.md", "Experiment EXPq1w2e3r4t5y6: stopped", "action interrupt-redis", "RDS Aurora Cluster (demo-aurora): Not Recovered",
		"prod/shop/orders:", "Issues requiring attention:", "aws cloudformation delete-stack --stack-name fis-aurora-failover-demo-x1y2z3 --region us-east-1"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
}

func TestInsights(t *testing.T) {
	dir := t.TempDir()
	base := at(10, 0, 0)
	lines := map[int]string{}
	for s := 0; s <= 3600; s += 2 {
		if s >= 3500 && s%4 == 0 {
			lines[s] = "ERROR db password=hunter2 connection refused"
		}
	}
	lines[3590] = "INFO reconnected to db"
	f := writeLog(t, dir, "a.log", base, lines, 2, 3600)
	// A partial last line being written must be left alone.
	fh, _ := os.OpenFile(f, os.O_APPEND|os.O_WRONLY, 0)
	fh.WriteString("2026-04-11T11:00:01Z [p-1/c] ERROR half")
	fh.Close()
	s := runSession(f, "aws:rds:failover-db-cluster", nil, at(10, 30, 5))
	s.Logs.Streams = append(s.Logs.Streams, session.LogStream{App: "c/n/w", File: filepath.Join(dir, "gone.log")})
	ins := Insights(s, base.Add(3540*time.Second), base.Add(3600*time.Second))
	if len(ins) != 1 {
		t.Fatalf("want 1 insight, got %d", len(ins))
	}
	in := ins[0]
	// errors at 3540..3600 step 4 → 16 lines
	if in.Errors != 16 || in.Lines != 31 {
		t.Fatalf("errors %d lines %d", in.Errors, in.Lines)
	}
	if len(in.LastErrors) != 5 || strings.Contains(strings.Join(in.LastErrors, ""), "hunter2") || strings.Contains(in.LastErrors[4], "half") {
		t.Fatalf("last errors %q", in.LastErrors)
	}
	if len(in.RecoverySignals) != 1 || in.Categories["connection"] != 16 {
		t.Fatalf("recovery %v categories %v", in.RecoverySignals, in.Categories)
	}
	// 30 s window: errors at 3572..3600 step 4 → 8 → 8 per 30 s = 2.67 per 10 s
	if in.ErrorsPer10s != 2.67 {
		t.Fatalf("rate %v", in.ErrorsPer10s)
	}
	st, _ := os.Stat(f)
	if len(in.Files) != 1 || in.Files[0].Offset == 0 || in.Files[0].Offset > st.Size()-int64(30*60) {
		t.Fatalf("the file must be read from near its end: %+v (size %d)", in.Files, st.Size())
	}
	if len(in.Notes) != 1 {
		t.Fatalf("missing file note: %v", in.Notes)
	}
}

// TestChineseTableComplete checks every translated string literal has a Chinese
// entry whose format verbs match.
func TestChineseTableComplete(t *testing.T) {
	fset := token.NewFileSet()
	files, _ := filepath.Glob("*.go")
	keys := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(af, func(n ast.Node) bool {
			ce, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			var name string
			switch fn := ce.Fun.(type) {
			case *ast.Ident:
				name = fn.Name
			case *ast.SelectorExpr:
				name = fn.Sel.Name
			}
			var args []ast.Expr
			switch name {
			case "tr":
				if len(ce.Args) > 1 {
					args = ce.Args[1:2]
				}
			case "t", "p", "fact", "line":
				if len(ce.Args) > 0 {
					args = ce.Args[:1]
				}
			case "header":
				args = ce.Args
			}
			for _, a := range args {
				if bl, ok := a.(*ast.BasicLit); ok && bl.Kind == token.STRING {
					s, _ := strconv.Unquote(bl.Value)
					keys[s] = true
				}
			}
			return true
		})
	}
	for _, v := range advice {
		keys[v] = true
	}
	verb := regexp.MustCompile(`%(?:\[\d+\])?[-+# 0]*\d*(?:\.\d+)?(?:\[\d+\])?[a-zA-Z%]`)
	norm := func(s string) []string {
		var out []string
		for _, v := range verb.FindAllString(s, -1) {
			out = append(out, v[len(v)-1:])
		}
		return out
	}
	for k := range keys {
		z, ok := zh[k]
		if !ok {
			t.Errorf("no Chinese for %q", k)
			continue
		}
		if len(norm(k)) != len(norm(z)) {
			t.Errorf("verbs differ: %q vs %q", k, z)
		}
		args := make([]any, 0)
		for _, v := range norm(k) {
			switch v {
			case "d":
				args = append(args, 1)
			case "f":
				args = append(args, 1.5)
			default:
				args = append(args, "x")
			}
		}
		if out := fmt.Sprintf(z, args...); len(args) > 0 && strings.Contains(out, "%!") {
			t.Errorf("Chinese format %q breaks: %s", z, out)
		}
	}
}

func TestRenderLanguageOverride(t *testing.T) {
	s := baseSession()
	a, _ := Analyze(s, Options{Now: fixtureNow})
	md, _, err := Render(s, a, "zh")
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"## FIS 实验结果", "### 动作结果", "### 停止条件告警", "### 时间线", "### 各服务影响分析", "### 应用日志分析", "### 恢复状态汇总", "### 需要关注的问题", "### 清理", "### 附录：日志文件位置"} {
		if !strings.Contains(string(md), h) {
			t.Errorf("zh report lacks %q", h)
		}
	}
}

func TestSectionsInOrder(t *testing.T) {
	for name, mk := range fixtures() {
		s := mk()
		a, _ := Analyze(s, Options{Now: fixtureNow, Language: "en"})
		md, _, _ := Render(s, a, "en")
		last := -1
		for _, h := range []string{"## FIS Experiment Results", "### Action Results", "### Stop Condition Alarms", "### Timeline", "### Per-Service Impact Analysis",
			"### Application Log Analysis", "### Recovery Status Summary", "### Issues Requiring Attention", "### Cleanup", "### Appendix: Log File Locations"} {
			i := strings.Index(string(md), h)
			if i <= last {
				t.Errorf("%s: section %q missing or out of order", name, h)
			}
			last = i
		}
		if strings.Contains(string(md), "hunter2") || strings.Contains(string(md), "eyJhbGciOiJIUzI1NiJ9") {
			t.Errorf("%s: a secret leaked into the report", name)
		}
	}
}

func TestMermaidSafe(t *testing.T) {
	var b strings.Builder
	renderGantt(&b, "t: x", []ganttTask{{section: "s:1", name: "a:b;c#d", start: at(23, 59, 0), end: at(23, 59, 0)}})
	out := b.String()
	if strings.Contains(out, "a:b") || !strings.Contains(out, "a b c d :t0, 23:59:00, 23:59:01") {
		t.Fatalf("gantt:\n%s", out)
	}
	b.Reset()
	var ts []time.Time
	var vs []float64
	for i := 0; i < 150; i++ {
		ts = append(ts, at(10, 0, 0).Add(time.Duration(i)*10*time.Second))
		vs = append(vs, 1)
	}
	renderXY(&b, `say "hi"`, "y", ts, vs, true)
	out = b.String()
	if strings.Count(out, `", "`)+1 > maxPoints || !strings.Contains(out, `title "say 'hi'"`) || !strings.Contains(out, "line [3, 3,") {
		t.Fatalf("xychart:\n%s", out)
	}
}
