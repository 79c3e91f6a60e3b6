package report

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/hypothesis"
)

// verdictBase is the completed fixture without the prose expected-behavior.md section.
func verdictBase() *session.Session {
	s := baseSession()
	s.Experiment.ExpectedBehavior = nil
	return s
}

func stuckOrders(s *session.Session) *session.Session {
	for i := range s.Logs.Streams {
		if s.Logs.Streams[i].App == "prod/shop/orders" {
			s.Logs.Streams[i].File = "testdata/logs/orders-stuck.log"
		}
	}
	return s
}

func parsed(source string, texts ...string) []session.Criterion {
	var out []session.Criterion
	for _, t := range texts {
		out = append(out, hypothesis.Parse(t, source))
	}
	return out
}

func TestComputeVerdict(t *testing.T) {
	cases := []struct {
		name    string
		session func() *session.Session
		given   []session.Criterion
		// adjust changes the analysis before the verdict is computed again.
		adjust      func(a *Analysis)
		verdict     string
		results     []string // per criterion, in order
		reasons     []string // substrings, each in some reason
		sources     string   // the criteria's source
		notReasons  []string // substrings no reason may hold
		noteContain string
	}{
		{name: "passed: default hypothesis", session: verdictBase, verdict: VerdictPassed,
			results: []string{CriterionMet, CriterionMet, CriterionMet, CriterionMet}, reasons: []string{"All 4 criteria were met."}, sources: hypothesis.SourceDefault},
		{name: "failed: an app never recovers", session: func() *session.Session { return stuckOrders(verdictBase()) }, verdict: VerdictFailed,
			results: []string{CriterionNotMet, CriterionMet, CriterionMet, CriterionMet}, reasons: []string{"Not met: every impacted app", "prod/shop/orders: Not Recovered"}},
		{name: "inconclusive: experiment state unknown", session: func() *session.Session {
			s := stuckOrders(verdictBase())
			s.Run.State, s.Run.Reason = "unknown", "experiment not found in FIS: ResourceNotFoundException"
			return s
		}, verdict: VerdictInconclusive, reasons: []string{"The experiment state is unknown (experiment not found in FIS", "Not met:"}},
		{name: "inconclusive: actions never left pending", session: func() *session.Session {
			s := verdictBase()
			for i := range s.Run.Actions {
				s.Run.Actions[i].State, s.Run.Actions[i].StartTime, s.Run.Actions[i].EndTime = "pending", nil, nil
			}
			return s
		}, verdict: VerdictInconclusive, reasons: []string{"No action ever left the pending state"}},
		{name: "inconclusive: no logs for an affected service", session: func() *session.Session {
			s := verdictBase()
			var streams []session.LogStream
			for _, st := range s.Logs.Streams {
				if st.App != "prod/shop/cart" {
					streams = append(streams, st)
				}
			}
			s.Logs.Streams = streams
			s.Logs.Apps = []session.App{fixtureApps()[0], fixtureApps()[2], fixtureApps()[3]}
			return s
		}, verdict: VerdictInconclusive, reasons: []string{"No application logs were collected for demo-redis (ElastiCache Redis)"}},
		{name: "inconclusive: no application logs at all", session: func() *session.Session {
			s := verdictBase()
			s.Logs = nil
			return s
		}, verdict: VerdictInconclusive, results: []string{CriterionNotMeasurable, CriterionMet, CriterionMet, CriterionMet},
			reasons: []string{"No application logs were collected (no app was followed)"}},
		{name: "inconclusive: unparseable criterion", session: func() *session.Session {
			s := verdictBase()
			s.Run.Criteria = parsed(hypothesis.SourceStart, "every action completes", "the checkout stays usable for most users")
			return s
		}, verdict: VerdictInconclusive, results: []string{CriterionMet, CriterionNotMeasurable}, sources: hypothesis.SourceStart,
			reasons: []string{"Not evaluated: “the checkout stays usable for most users”"}},
		{name: "failed: Chinese criterion not met", session: func() *session.Session {
			s := verdictBase()
			s.Run.Criteria = parsed(hypothesis.SourceStart, "orders 在 60 秒内恢复", "告警保持 OK")
			return s
		}, verdict: VerdictFailed, results: []string{CriterionNotMet, CriterionMet}, reasons: []string{"Not met: orders 在 60 秒内恢复 — prod/shop/orders: back at the pre-fault error rate from 10:31:10; recovery 1 min 10 s after 10:30:00"}},
		{name: "passed: Chinese criteria met", session: func() *session.Session {
			s := verdictBase()
			s.Run.Criteria = parsed(hypothesis.SourceStart, "orders 在 2 分钟内恢复", "所有动作都完成", "demo-aurora 恢复为 available")
			return s
		}, verdict: VerdictPassed, results: []string{CriterionMet, CriterionMet, CriterionMet}},
		{name: "given criteria used when the start fixed none", session: verdictBase,
			given:   parsed(hypothesis.SourceFinalize, "peak errors per 10s <= 1"),
			verdict: VerdictFailed, results: []string{CriterionNotMet}, sources: hypothesis.SourceFinalize},
		{name: "the start's criteria win over the given ones", session: func() *session.Session {
			s := verdictBase()
			s.Run.Criteria = parsed(hypothesis.SourceStart, "every action completes")
			return s
		}, given: parsed(hypothesis.SourceFinalize, "peak errors per 10s <= 1"),
			verdict: VerdictPassed, results: []string{CriterionMet}, sources: hypothesis.SourceStart, noteContain: "were not used"},
		{name: "README hypothesis", session: func() *session.Session {
			s := verdictBase()
			s.Experiment.Hypothesis = []string{"no more than 5 errors", "catalog has no errors"}
			return s
		}, verdict: VerdictFailed, results: []string{CriterionNotMet, CriterionMet}, sources: hypothesis.SourceReadme},
		{name: "expected-behavior.md criterion about its service", session: func() *session.Session {
			s := verdictBase()
			s.Experiment.ExpectedBehavior = map[string]string{"RDS Aurora Cluster (demo-aurora)": "- Writer fails over within 30-60 s.\n- apps recover within 90 seconds"}
			return s
		}, verdict: VerdictPassed, results: []string{CriterionMet}, sources: hypothesis.SourceExpected, noteContain: "expected-behavior.md: 1 statement(s) describe behaviour"},
		{name: "prose expected-behavior.md falls back to the default", session: baseSession, verdict: VerdictPassed,
			sources: hypothesis.SourceDefault, noteContain: "expected-behavior.md states no criterion"},
		{name: "unknown subject is not measurable", session: func() *session.Session {
			s := verdictBase()
			s.Run.Criteria = parsed(hypothesis.SourceStart, "payments recovers within 60 seconds")
			return s
		}, verdict: VerdictInconclusive, results: []string{CriterionNotMeasurable}, reasons: []string{"no monitored app or affected service is named payments"}},
		{name: "alarm in INSUFFICIENT_DATA is not measurable", session: func() *session.Session {
			s := verdictBase()
			s.Run.AlarmStates = map[string][]string{"fis-stop-aurora-failover": {"OK", "INSUFFICIENT_DATA"}}
			return s
		}, verdict: VerdictInconclusive, results: []string{CriterionMet, CriterionMet, CriterionNotMeasurable, CriterionMet}},
		{name: "fault not observed cannot pass", session: verdictBase, adjust: func(a *Analysis) {
			a.Faults[0].Observed, a.Faults[0].Evidence = FaultNotObserved, "no failover event"
		}, verdict: VerdictInconclusive, reasons: []string{"The fault of action failover-writer was not observed (no failover event): a run whose fault was not observed cannot pass."}},
		{name: "dry run cannot pass", session: func() *session.Session {
			s := verdictBase()
			s.Run.DryRun = true
			return s
		}, verdict: VerdictInconclusive, reasons: []string{"Dry run"}},
		{name: "aborted: no experiment ran", session: fixtures()["aborted"], verdict: VerdictInconclusive,
			results: []string{}, reasons: []string{"No experiment ran: the session was aborted before starting one (CloudFormation stack"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.session()
			a, err := Analyze(s, Options{Now: fixtureNow, Criteria: tc.given})
			if err != nil {
				t.Fatal(err)
			}
			if tc.adjust != nil {
				tc.adjust(a)
				a.Verdict, a.VerdictReasons, a.Criteria = computeVerdict(s, a, tc.given, "en")
			}
			if a.Verdict != tc.verdict {
				t.Fatalf("verdict %s, want %s; reasons:\n%s", a.Verdict, tc.verdict, strings.Join(a.VerdictReasons, "\n"))
			}
			if tc.results != nil {
				var got []string
				for _, c := range a.Criteria {
					got = append(got, c.Result)
				}
				if strings.Join(got, ",") != strings.Join(tc.results, ",") {
					t.Errorf("results %v, want %v", got, tc.results)
				}
			}
			all := strings.Join(a.VerdictReasons, "\n")
			for _, want := range tc.reasons {
				if !strings.Contains(all, want) {
					t.Errorf("no reason contains %q; reasons:\n%s", want, all)
				}
			}
			for _, c := range a.Criteria {
				if tc.sources != "" && c.Source != tc.sources {
					t.Errorf("criterion %q from %q, want %q", c.Text, c.Source, tc.sources)
				}
				if c.Evidence == "" {
					t.Errorf("criterion %q has no evidence", c.Text)
				}
			}
			if tc.noteContain != "" && !strings.Contains(strings.Join(a.Notes, "\n"), tc.noteContain) {
				t.Errorf("notes %q lack %q", a.Notes, tc.noteContain)
			}
		})
	}
}

// TestVerdictEvidenceQuotesFacts checks the evidence names the value, the time and the source.
func TestVerdictEvidenceQuotesFacts(t *testing.T) {
	s := verdictBase()
	s.Run.Criteria = parsed(hypothesis.SourceStart, "orders recovers within 90 seconds", "cart peak errors per 10s <= 100",
		"first error within 30 s", "demo-aurora is back to available", "action failover-writer completes")
	a, err := Analyze(s, Options{Now: fixtureNow})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"prod/shop/orders", "10:31:10", "1 min 10 s", "orders.log", "lines"},
		{"prod/shop/cart", "peak", "10 s bucket starting", "cart.log"},
		{"first error at", "after the fault start 10:30:00"},
		{"demo-aurora: available at the last check", "10:31:00"},
		{"failover-writer: completed 10:30:00–10:30:05", "FIS action record"},
	}
	for i, c := range a.Criteria {
		for _, w := range want[i] {
			if !strings.Contains(c.Evidence, w) {
				t.Errorf("criterion %q evidence %q lacks %q", c.Text, c.Evidence, w)
			}
		}
	}
}

func TestVerdictSectionLeadsTheReport(t *testing.T) {
	for _, tc := range []struct {
		lang, heading, word, header string
	}{
		{"en", "### Verdict", "**FAILED**", "| Criterion | Source | Result | Evidence |"},
		{"zh", "### 结论", "**未通过**", "| 判据 | 来源 | 结果 | 证据 |"},
	} {
		s := stuckOrders(verdictBase())
		s.Language = tc.lang
		a, err := Analyze(s, Options{Now: fixtureNow})
		if err != nil {
			t.Fatal(err)
		}
		md, _, err := Render(s, a, "")
		if err != nil {
			t.Fatal(err)
		}
		text := string(md)
		i := strings.Index(text, tc.heading+"\n")
		if i < 0 {
			t.Fatalf("%s: no %q in\n%s", tc.lang, tc.heading, text)
		}
		if j := strings.Index(text, "\n### "); j+1 != i {
			t.Errorf("%s: the verdict is not the first section", tc.lang)
		}
		sec := text[i:]
		if k := strings.Index(sec[4:], "\n### "); k >= 0 {
			sec = sec[:k+4]
		}
		for _, w := range []string{tc.word, tc.header, "prod/shop/orders"} {
			if !strings.Contains(sec, w) {
				t.Errorf("%s: verdict section lacks %q:\n%s", tc.lang, w, sec)
			}
		}
		sum := Summary(s, a)
		if first := strings.SplitN(sum, "\n", 2)[0]; !strings.Contains(first, strings.Trim(tc.word, "*")) {
			t.Errorf("%s: summary starts %q", tc.lang, first)
		}
	}
}

// verdictFixtures are the golden reports of the verdict.
func verdictFixtures() map[string]func() *session.Session {
	return map[string]func() *session.Session{
		"verdict-passed": func() *session.Session {
			s := verdictBase()
			s.Run.Criteria = parsed(hypothesis.SourceStart, "orders recovers within 90 seconds", "peak errors per 10s <= 100",
				"no stop-condition alarm fires", "every action completes")
			return s
		},
		"verdict-failed": func() *session.Session { return stuckOrders(verdictBase()) },
		"verdict-inconclusive-unknown": func() *session.Session {
			s := verdictBase()
			s.Run.State, s.Run.Reason = "unknown", "experiment not found in FIS: ResourceNotFoundException: experiment EXPq1w2e3r4t5y6 not found"
			for i := range s.Run.Actions {
				s.Run.Actions[i].State, s.Run.Actions[i].StartTime, s.Run.Actions[i].EndTime = "pending", nil, nil
			}
			s.Run.StartTime = nil
			return s
		},
		"verdict-inconclusive-nologs": func() *session.Session {
			s := verdictBase()
			s.Discovery.Apps = nil
			s.Logs = &session.LogCollection{Dir: "/tmp/fis-mcp/sess-0001/logs", StartedAt: at(10, 25, 0), StoppedAt: tp(at(10, 35, 30)),
				Skipped: "no app depends on the affected resources", Apps: []session.App{}, Streams: []session.LogStream{}}
			return s
		},
		"verdict-zh": func() *session.Session {
			s := verdictBase()
			s.Language, s.Experiment.ReadmeLanguage = "zh", "zh"
			s.Experiment.Hypothesis = []string{"orders 在 2 分钟内恢复", "错误率低于每 10 秒 100 次", "告警保持 OK", "所有动作都完成"}
			return s
		},
	}
}

func TestVerdictGolden(t *testing.T) {
	fx := verdictFixtures()
	names := make([]string, 0, len(fx))
	for n := range fx {
		names = append(names, n)
	}
	sort.Strings(names)
	want := map[string]string{"verdict-passed": "**PASSED**", "verdict-failed": "**FAILED**", "verdict-inconclusive-unknown": "**INCONCLUSIVE**",
		"verdict-inconclusive-nologs": "**INCONCLUSIVE**", "verdict-zh": "**通过**"}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			s := fx[name]()
			a, err := Analyze(s, Options{Now: fixtureNow})
			if err != nil {
				t.Fatal(err)
			}
			md, js, err := Render(s, a, "")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(md), want[name]) {
				t.Errorf("report lacks %s", want[name])
			}
			compareGolden(t, filepath.Join("testdata", "golden", name+".md"), md)
			compareGolden(t, filepath.Join("testdata", "golden", name+".json"), js)
		})
	}
}
