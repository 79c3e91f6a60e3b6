package report

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fis-mcp/fis-mcp/session"
)

// render analyses and renders s in lang.
func renderFixture(t *testing.T, s *session.Session, lang string) (*Analysis, string) {
	t.Helper()
	a, err := Analyze(s, Options{Now: fixtureNow, Language: lang})
	if err != nil {
		t.Fatal(err)
	}
	md, _, err := Render(s, a, "")
	if err != nil {
		t.Fatal(err)
	}
	return a, string(md)
}

// reassuringWords matches the statuses that say all is well, in both languages
// ("Recovered" alone, not "Not Recovered" or "Partially Recovered").
var reassuringWords = regexp.MustCompile(`(^|[^A-Za-z ]|[^tyd] )Recovered\b|Not Impacted|未受影响|(^|[^未部分])已恢复`)

// A run whose experiment state is unknown, or whose actions never left pending, says so
// first, never reads as recovered, not impacted or issue-free, and gets an issue naming the
// reason and what to check.
func TestUndeterminedRunSaysSoFirst(t *testing.T) {
	tests := []struct {
		name    string
		lang    string
		mutate  func(s *session.Session)
		warning string
		issue   string
		whole   bool // nothing may read as recovered / not impacted
	}{
		{"state unknown", "en", func(s *session.Session) {
			s.Run.State, s.Run.Reason = "unknown", "experiment not found in FIS: ResourceNotFoundException"
		}, "the experiment state is unknown (experiment not found in FIS: ResourceNotFoundException)",
			"experiment state unknown: experiment not found in FIS: ResourceNotFoundException", true},
		{"state unknown zh", "zh", func(s *session.Session) {
			s.Run.State, s.Run.Reason = "unknown", "experiment not found in FIS: ResourceNotFoundException"
		}, "实验状态未知（experiment not found in FIS: ResourceNotFoundException）", "实验状态未知：experiment not found in FIS: ResourceNotFoundException", true},
		{"actions never started", "en", func(s *session.Session) {
			s.Run.State, s.Run.Reason = "cancelled", "cancelled by the user"
			for i := range s.Run.Actions {
				s.Run.Actions[i].State, s.Run.Actions[i].StartTime, s.Run.Actions[i].EndTime = "pending", nil, nil
			}
		}, "these actions never left pending: failover-writer, interrupt-redis",
			"actions never started: failover-writer, interrupt-redis", true},
		{"one action never started", "en", func(s *session.Session) {
			s.Run.Actions[1].State, s.Run.Actions[1].StartTime, s.Run.Actions[1].EndTime = "pending", nil, nil
		}, "these actions never left pending: interrupt-redis", "actions never started: interrupt-redis", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := baseSession()
			tt.mutate(s)
			a, md := renderFixture(t, s, tt.lang)
			title, rest, _ := strings.Cut(md, "\n\n")
			first, _, _ := strings.Cut(rest, "\n\n")
			if !strings.HasPrefix(title, "## ") || !strings.Contains(first, "**") || !strings.Contains(first, tt.warning) {
				t.Errorf("the report does not open with the warning %q:\n%s\n\n%s", tt.warning, title, first)
			}
			if !strings.Contains(first, "aws fis get-experiment --id EXPq1w2e3r4t5y6 --region us-east-1") && tt.whole {
				t.Errorf("the warning does not say what to check: %s", first)
			}
			if len(a.Issues) == 0 || !strings.HasPrefix(a.Issues[0].Problem, tt.issue) ||
				!strings.Contains(a.Issues[0].Recommendation, "aws fis get-experiment --id EXPq1w2e3r4t5y6") {
				t.Errorf("first issue %+v, want problem %q with the get-experiment command", a.Issues, tt.issue)
			}
			if !tt.whole {
				return
			}
			if m := reassuringWords.FindString(md); m != "" {
				i := strings.Index(md, m)
				t.Errorf("the report reads %q: …%s…", m, md[max(0, i-120):min(len(md), i+60)])
			}
			for _, ap := range a.Apps {
				if reassuring(ap.RecoveryStatus) {
					t.Errorf("app %s is %s", ap.Key(), ap.RecoveryStatus)
				}
			}
			for _, sv := range a.Services {
				if reassuring(sv.RecoveryStatus) {
					t.Errorf("service %s is %s", sv.Identifier, sv.RecoveryStatus)
				}
			}
			issues := md[strings.Index(md, "### Issues Requiring Attention")+1:]
			if strings.HasPrefix(strings.TrimSpace(issues[strings.Index(issues, "\n"):]), "None.") {
				t.Error("Issues Requiring Attention reads None.")
			}
		})
	}
	// A completed run has no warning and keeps its statuses.
	a, md := renderFixture(t, baseSession(), "en")
	if strings.Contains(md, "⚠️ **Warning:") || a.StateUnknown || len(a.ActionsNeverStarted) > 0 {
		t.Error("a completed run is marked undetermined")
	}
	if a.Apps[0].RecoveryStatus != StatusRecovered {
		t.Errorf("completed run: orders is %q", a.Apps[0].RecoveryStatus)
	}
}

// The timeline is ordered by each event's own time (ties in recorded order), and a peak is
// placed at its bucket's first error, never before the app's first error, naming its bucket.
func TestTimelineOrderAndPeakBucket(t *testing.T) {
	s := baseSession()
	// Recorded out of time order: a late sampled state change recorded before an earlier AWS event.
	s.Timeline = append(s.Timeline,
		session.Event{Time: at(10, 31, 40), Source: "fis-mcp", Message: "tie A"},
		session.Event{Time: at(10, 30, 45), Source: "fis-mcp", Message: "early, recorded late"},
		session.Event{Time: at(10, 31, 40), Source: "fis-mcp", Message: "tie B"},
	)
	a, md := renderFixture(t, s, "en")
	idx := map[string]int{}
	for i, e := range a.Timeline {
		if i > 0 && e.Time.Before(a.Timeline[i-1].Time) {
			t.Errorf("timeline row %d (%s %q) is before row %d (%s)", i, hms(e.Time), e.Event, i-1, hms(a.Timeline[i-1].Time))
		}
		idx[e.Event] = i
	}
	if idx["tie A"] > idx["tie B"] {
		t.Error("events at the same time lost their recorded order")
	}
	if s.Timeline[len(s.Timeline)-2].Message != "early, recorded late" {
		t.Error("the session's recorded timeline was reordered")
	}
	for _, ap := range a.Apps {
		if ap.PeakAt == nil || ap.FirstError == nil {
			continue
		}
		peak := "peak " + strconv.Itoa(ap.PeakErrors) + " errors in the 10 s bucket starting " + hms(*ap.PeakAt) + " (" + ap.Key() + ")"
		first := "first application error (" + ap.Key() + ")"
		pi, ok := idx[peak]
		if !ok {
			t.Errorf("no timeline row %q", peak)
			continue
		}
		if pi < idx[first] || a.Timeline[pi].Time.Before(*ap.FirstError) {
			t.Errorf("%s: the peak (%s) reads before the first error (%s)", ap.Key(), hms(a.Timeline[pi].Time), hms(*ap.FirstError))
		}
	}
	if !strings.Contains(md, "Peak error rate: 13 errors in the 10 s bucket starting 10:30:20") {
		t.Error("the app section does not name the peak's bucket")
	}
}

// An Affected Resources row written as a tag or a name maps to the resolved resources it
// stands for: its section lists each one's states and its status comes from them.
func TestTagRowShowsItsResolvedResources(t *testing.T) {
	tests := []struct {
		name, id string
		tags     map[string]string
	}{
		{"tag: prefix", "tag:fis-target=web", map[string]string{"fis-target": "web"}},
		{"key=value", "fis-target=web", map[string]string{"fis-target": "web"}},
		{"tag value (a name)", "web-servers", map[string]string{"Name": "web-servers"}},
		{"target name", "web", map[string]string{"role": "frontend"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := baseSession()
			s.Experiment.AffectedResources = []session.AffectedResource{{Type: "EC2 Instances", Identifier: tt.id, Impact: "stopped for 2 minutes"}}
			s.Experiment.Template.Actions = []session.Action{{Name: "stop-web", ActionID: "aws:ec2:stop-instances",
				Parameters: map[string]string{"startInstancesAfterDuration": "PT2M"}, Targets: map[string]string{"Instances": "web"}}}
			s.Experiment.Template.Targets = []session.Target{{Name: "web", ResourceType: "aws:ec2:instance", ResourceTags: tt.tags, SelectionMode: "ALL"}}
			s.Health.Resources = []session.ResourceHealth{
				{ID: "i-0aaa", Type: "aws:ec2:instance", Target: "web", Status: "running/ok/ok", Healthy: true},
				{ID: "i-0bbb", Type: "aws:ec2:instance", Target: "web", Status: "running/ok/ok", Healthy: true},
			}
			s.Run.Actions = []session.ActionRun{{Name: "stop-web", ActionID: "aws:ec2:stop-instances", State: "completed", StartTime: tp(at(10, 30, 0)), EndTime: tp(at(10, 32, 0))}}
			s.Run.ResourceStates = map[string]string{"i-0aaa": "running/ok/ok", "i-0bbb": "running/ok/ok"}
			s.Run.ResourceHealthy = map[string]bool{"i-0aaa": true, "i-0bbb": true}
			s.Timeline = []session.Event{
				{Time: at(10, 30, 20), Source: session.SourceResource, Kind: session.EventResourceState, Subject: "i-0aaa", Message: "aws:ec2:instance i-0aaa: running/ok/ok → stopped", Observed: true},
				{Time: at(10, 32, 30), Source: session.SourceResource, Kind: session.EventResourceState, Subject: "i-0aaa", Message: "aws:ec2:instance i-0aaa: stopped → running/ok/ok (restarted)", Observed: true},
			}
			s.Discovery.Apps, s.Logs.Apps, s.Logs.Streams, s.Discovery.ManagedLogGroups = nil, nil, nil, nil
			s.Observations = nil
			a, md := renderFixture(t, s, "en")
			sv := a.Services[0]
			if sv.RecoveryStatus != StatusRecovered || len(sv.Resources) != 2 {
				t.Fatalf("service %+v, want recovered from 2 resolved resources", sv)
			}
			if got := strings.Join(sv.Resources[0].States, " → "); got != "running/ok/ok → stopped → running/ok/ok" {
				t.Errorf("i-0aaa states %q", got)
			}
			section := md[strings.Index(md, "#### EC2 Instances ("+tt.id+")"):]
			section = section[:strings.Index(section, "### Application Log Analysis")]
			for _, want := range []string{"`i-0aaa` (target web): before the run running/ok/ok; states seen running/ok/ok → stopped → running/ok/ok; last state running/ok/ok (healthy)",
				"`i-0bbb` (target web)", "Recovery: Recovered — 2 of 2 resolved resources healthy at the last check", "i-0aaa: stopped → running/ok/ok"} {
				if !strings.Contains(section, want) {
					t.Errorf("section lacks %q:\n%s", want, section)
				}
			}
			if strings.Contains(md, "no resource state observed") {
				t.Error("the row still reads: no resource state observed")
			}
		})
	}
	// One resource never sampled: the row is not called recovered.
	s := baseSession()
	s.Experiment.AffectedResources = []session.AffectedResource{{Type: "EC2 Instances", Identifier: "tag:fis-target=web"}}
	s.Experiment.Template.Targets = []session.Target{{Name: "web", ResourceType: "aws:ec2:instance", ResourceTags: map[string]string{"fis-target": "web"}}}
	s.Health.Resources = []session.ResourceHealth{{ID: "i-0aaa", Target: "web", Status: "running/ok/ok", Healthy: true}, {ID: "i-0ccc", Target: "web", Status: "running/ok/ok", Healthy: true}}
	s.Run.ResourceStates, s.Run.ResourceHealthy = map[string]string{"i-0aaa": "stopped"}, map[string]bool{"i-0aaa": false}
	s.Discovery.Apps, s.Logs.Apps, s.Logs.Streams = nil, nil, nil
	a, _ := renderFixture(t, s, "en")
	if sv := a.Services[0]; sv.RecoveryStatus != StatusNotRecovered || !strings.Contains(sv.Notes, "not healthy: i-0aaa (stopped)") {
		t.Errorf("service %+v, want not recovered naming i-0aaa", sv)
	}
}

// Every recovery time is measured the one explained way: the report states the rule, each
// app names its reference and shows the absolute time it went quiet; two apps whose logs
// went quiet together share that time, and a different reference is said per app.
func TestRecoveryReferenceIsExplained(t *testing.T) {
	s := baseSession()
	// A second app with the very same log as orders, tied to no affected resource.
	twin := session.App{Cluster: "prod", Namespace: "shop", Workload: "orders-twin", Kind: "Deployment", Containers: []string{"app"}}
	s.Discovery.Apps = append(s.Discovery.Apps, twin)
	s.Logs.Apps = append(s.Logs.Apps, twin)
	s.Logs.Streams = append(s.Logs.Streams, session.LogStream{App: "prod/shop/orders-twin", Pod: "twin-1", Container: "app", File: "testdata/logs/orders.log", Status: "stopped"})
	a, md := renderFixture(t, s, "en")
	get := func(w string) *AppAnalysis {
		for i := range a.Apps {
			if a.Apps[i].Workload == w {
				return &a.Apps[i]
			}
		}
		t.Fatalf("no app %s", w)
		return nil
	}
	orders, twinA, frontend := get("orders"), get("orders-twin"), get("frontend")
	if orders.QuietAt == nil || twinA.QuietAt == nil || !orders.QuietAt.Equal(*twinA.QuietAt) {
		t.Fatalf("apps with the same log went quiet at %v and %v", orders.QuietAt, twinA.QuietAt)
	}
	if orders.RecoveryRef != "the start of failover-writer, a one-shot fault" || !strings.HasPrefix(twinA.RecoveryRef, "the fault end") {
		t.Errorf("references %q / %q", orders.RecoveryRef, twinA.RecoveryRef)
	}
	// Same quiet time, references 10:30:00 and 10:32:00: the numbers differ only by them.
	if d := orders.QuietAt.Sub(orders.RecoveryFrom).Seconds(); *orders.RecoverySeconds != d {
		t.Errorf("orders: %v s, quiet %s − reference %s = %v s", *orders.RecoverySeconds, hms(*orders.QuietAt), hms(orders.RecoveryFrom), d)
	}
	if *twinA.RecoverySeconds != 0 {
		t.Errorf("twin quiet at %s before its reference %s reads %v s", hms(*twinA.QuietAt), hms(twinA.RecoveryFrom), *twinA.RecoverySeconds)
	}
	// frontend was back before the fault end: its quiet time is the real one, not the reference.
	if frontend.QuietAt == nil || !frontend.QuietAt.Before(frontend.RecoveryFrom) || *frontend.RecoverySeconds != 0 {
		t.Errorf("frontend quiet %v, reference %s, %v s", frontend.QuietAt, hms(frontend.RecoveryFrom), frontend.RecoverySeconds)
	}
	for _, want := range []string{
		"Recovery = time from the end of the fault on the app's dependency (or its start, for one-shot faults like a reboot or failover) to the first 10 s bucket back at the pre-fault error rate",
		"The impacted apps use different references: ",
		"prod/shop/orders from 10:30:00 (the start of failover-writer, a one-shot fault)",
		"- Back at the pre-fault error rate from: " + hms(*orders.QuietAt),
		"- Recovery measured from: 10:30:00 (the start of failover-writer, a one-shot fault)",
		"| " + hms(*frontend.QuietAt) + " | app | error rate back at baseline (prod/shop/frontend, Recovered) |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Count(md, "Recovery = time from") != 1 {
		t.Error("the recovery rule is not stated exactly once")
	}
}

// Durations read one human way everywhere in the report: no Go-style "2m 4s" / "5m".
func TestReportDurationsAreHuman(t *testing.T) {
	goStyle := regexp.MustCompile(`\b\d+m( \d+s)?\b|\b\d+s\b|\bPT\d`)
	for _, lang := range []string{"en", "zh"} {
		_, md := renderFixture(t, baseSession(), lang)
		md = regexp.MustCompile("(?s)```.*?```").ReplaceAllString(md, "") // quoted log lines and charts
		if m := goStyle.FindString(md); m != "" {
			i := strings.Index(md, m)
			t.Errorf("%s: duration %q: …%s…", lang, m, md[max(0, i-80):min(len(md), i+40)])
		}
	}
	_, md := renderFixture(t, baseSession(), "en")
	if !strings.Contains(md, "- **Duration:** 2 min 4 s (planned: 3 min)") {
		t.Error("the head does not show the duration and the planned PT3M as 3 min")
	}
}

// Log stream tables say stopped once collection stopped, and not before.
func TestLogStreamStatusAfterCollectionStopped(t *testing.T) {
	tests := []struct {
		name    string
		stopped bool
		status  string
		want    string
	}{
		{"following, stopped", true, "following", "stopped"},
		{"active, stopped", true, "active", "stopped"},
		{"queued, stopped", true, "queued", "not followed"},
		{"ended keeps", true, "ended", "ended"},
		{"following, still running", false, "following", "following"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := baseSession()
			if !tt.stopped {
				s.Logs.StoppedAt = nil
			}
			for i := range s.Logs.Streams {
				s.Logs.Streams[i].Status = tt.status
			}
			_, md := renderFixture(t, s, "en")
			app := md[strings.Index(md, "### Appendix: Log File Locations"):]
			if !strings.Contains(app, "| prod/shop/cart | cart-5d6f7-x2kq9/cart | `testdata/logs/cart.log` | "+tt.want+" |") {
				t.Errorf("appendix:\n%s", app[:min(len(app), 900)])
			}
			if tt.stopped != strings.Contains(app, "- **Collection stopped:** 2026-04-11T10:35:30+00:00") {
				t.Errorf("collection stopped line (stopped %t):\n%s", tt.stopped, app[:min(len(app), 400)])
			}
		})
	}
}

// A peak in the bucket that holds the app's first error is placed at that error, not at the
// bucket's start (which reads as a moment before the first error).
func TestPeakNeverBeforeTheFirstError(t *testing.T) {
	s := baseSession()
	s.Timeline = nil
	s.Observations = nil
	first, peakFirst := at(10, 30, 4), at(10, 30, 4)
	tests := []struct {
		name      string
		peakAt    time.Time
		peakFirst *time.Time
		want      time.Time
	}{
		{"peak bucket holds the first error", at(10, 30, 0), &peakFirst, first},
		{"peak bucket's first error unknown", at(10, 30, 0), nil, first},
		{"later peak bucket", at(10, 30, 20), tp(at(10, 30, 21)), at(10, 30, 21)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &Analysis{Apps: []AppAnalysis{{Cluster: "prod", Namespace: "shop", Workload: "orders", RecoveryStatus: StatusRecovered,
				PeakErrors: 9, PeakAt: tp(tt.peakAt), peakFirstErr: tt.peakFirst, FirstError: tp(first), LastError: tp(at(10, 31, 0))}}}
			tl := mergeTimeline(s, a, "en")
			var firstRow, peakRow = -1, -1
			for i, e := range tl {
				switch {
				case strings.HasPrefix(e.Event, "first application error"):
					firstRow = i
				case strings.HasPrefix(e.Event, "peak 9 errors in the 10 s bucket starting "+hms(tt.peakAt)):
					peakRow = i
				}
			}
			if firstRow < 0 || peakRow < 0 {
				t.Fatalf("timeline %+v", tl)
			}
			if peakRow < firstRow || !tl[peakRow].Time.Equal(tt.want) {
				t.Errorf("peak row %d at %s, first error row %d: want the peak at %s after the first error", peakRow, hms(tl[peakRow].Time), firstRow, hms(tt.want))
			}
		})
	}
}

// An app tied to a tag or name row is measured from the actions on that row's targets.
func TestTagRowTiesActionsToTargets(t *testing.T) {
	s := baseSession()
	s.Experiment.Template.Actions = append(s.Experiment.Template.Actions, session.Action{Name: "stop-web", ActionID: "aws:ec2:stop-instances",
		Targets: map[string]string{"Instances": "web"}})
	s.Experiment.Template.Targets = append(s.Experiment.Template.Targets, session.Target{Name: "web", ResourceType: "aws:ec2:instance",
		ResourceTags: map[string]string{"fis-target": "web"}})
	tests := []struct {
		id   string
		want bool
	}{
		{"tag:fis-target=web", true},
		{"fis-target=web", true},
		{"tag:fis-target:web", true},
		{"web", true},
		{"tag:fis-target=api", false},
		{"fis-target", false},
	}
	for _, tt := range tests {
		if got := serviceActionNames(s, tt.id)["stop-web"]; got != tt.want {
			t.Errorf("%q ties stop-web: %t, want %t", tt.id, got, tt.want)
		}
	}
}
