package report

import (
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fis-mcp/fis-mcp/session"
)

// renderedFixture analyses and renders s, returning the rendering and its HTML page.
func renderedFixture(t *testing.T, s *session.Session, lang string) (*Analysis, *rendered, string) {
	t.Helper()
	a, err := Analyze(s, Options{Now: fixtureNow, Language: lang})
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	out, err := render(s, a, lang)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	page, err := htmlPage(s, a, out)
	if err != nil {
		t.Fatalf("htmlPage: %v", err)
	}
	return a, out, string(page)
}

var (
	// htmlTag is a start tag: its name and attributes (escaped text has no literal '<').
	htmlTag = regexp.MustCompile(`<([a-zA-Z][\w:-]*)([^>]*)>`)
	// fetchAttr is an attribute a browser fetches (or runs).
	fetchAttr  = regexp.MustCompile(`(?i)\s(src|srcset|poster|data|xlink:href|href|action|formaction|background|on\w+)\s*=`)
	styleBlock = regexp.MustCompile(`(?s)<style>(.*?)</style>`)
)

// forbiddenTags would run or fetch something.
var forbiddenTags = map[string]bool{"script": true, "link": true, "img": true, "iframe": true, "frame": true, "object": true,
	"embed": true, "base": true, "audio": true, "video": true, "source": true, "track": true, "image": true, "use": true, "foreignobject": true}

// checkSelfContained fails when the page would run a script or fetch anything: no
// such element, no fetching attribute (href only on <a>, never javascript:), no CSS
// import or url().
func checkSelfContained(t *testing.T, page string) {
	t.Helper()
	for _, m := range htmlTag.FindAllStringSubmatch(page, -1) {
		name, attrs := strings.ToLower(m[1]), m[2]
		if forbiddenTags[name] {
			t.Errorf("page has a <%s> element: %q", name, m[0])
		}
		for _, a := range fetchAttr.FindAllStringSubmatch(attrs, -1) {
			if !(strings.EqualFold(a[1], "href") && name == "a") {
				t.Errorf("<%s> has a %s attribute: %q", name, a[1], m[0])
			}
		}
		if strings.Contains(strings.ToLower(attrs), "javascript:") {
			t.Errorf("javascript: URL in %q", m[0])
		}
	}
	for _, m := range styleBlock.FindAllStringSubmatch(page, -1) {
		if strings.Contains(m[1], "@import") || strings.Contains(m[1], "url(") {
			t.Error("the style sheet imports or fetches something")
		}
	}
	if strings.Contains(page, "raw HTML omitted") {
		t.Error("raw HTML was dropped instead of shown escaped")
	}
}

func TestHTMLTwinChartsAndPage(t *testing.T) {
	for _, lang := range []string{"en", "zh"} {
		t.Run(lang, func(t *testing.T) {
			s := baseSession()
			a, out, page := renderedFixture(t, s, lang)
			if len(out.charts) < 3 {
				t.Fatalf("want the gantt, app and metric charts, got %d", len(out.charts))
			}
			if n := strings.Count(string(out.markdown), "```mermaid\n"); n != len(out.charts) {
				t.Fatalf("%d mermaid blocks but %d charts captured", n, len(out.charts))
			}
			if n := strings.Count(page, "<svg "); n != len(out.charts) {
				t.Errorf("%d <svg> for %d charts", n, len(out.charts))
			}
			if strings.Contains(page, "language-mermaid") {
				t.Error("a mermaid block was left as code")
			}
			for _, c := range out.charts {
				title := "<title>" + esc(c.Title) + "</title>"
				if !strings.Contains(page, title) || !strings.Contains(page, `aria-label="`+esc(c.Title)+`"`) {
					t.Errorf("chart %q has no <title>/aria-label in the page", c.Title)
				}
			}
			wantLang := map[string]string{"en": `<html lang="en">`, "zh": `<html lang="zh-CN">`}[lang]
			wantAxis := map[string]string{"en": "Time (UTC), 2026-04-11", "zh": "时间（UTC），2026-04-11"}[lang]
			for _, want := range []string{"<!DOCTYPE html>", wantLang, `<meta charset="utf-8">`, "@media print", `role="img"`,
				"<title>" + esc(htmlTitle(s, a, lang)) + "</title>", strings.ToUpper(a.Verdict), wantAxis} {
				if !strings.Contains(page, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			if !strings.Contains(htmlTitle(s, a, lang), s.Experiment.Scenario) {
				t.Errorf("title %q does not name the scenario", htmlTitle(s, a, lang))
			}
			// The Markdown's tables are tables.
			if !strings.Contains(page, "<table>") || !strings.Contains(page, "<th>") {
				t.Error("no GFM table rendered")
			}
			checkSelfContained(t, page)
		})
	}
}

// The gantt SVG draws one bar per task, the line SVG one marker per point, with UTC
// times and values in their titles.
func TestChartSVGFromData(t *testing.T) {
	var b strings.Builder
	g := renderGantt(&b, "Actions & <impact>", []ganttTask{
		{section: "FIS actions", name: "failover <writer>", tag: "active", start: at(10, 30, 0), end: at(10, 30, 5)},
		{section: "Application errors", name: "prod/shop/orders", tag: "crit", start: at(10, 30, 4), end: at(10, 31, 10)},
	})
	svg := chartSVG(g, "en")
	if strings.Count(svg, "<rect ") != 3 || !strings.Contains(svg, "<title>Actions &amp; &lt;impact&gt;</title>") ||
		!strings.Contains(svg, "failover &lt;writer&gt;: 10:30:00 – 10:30:05 UTC") || !strings.Contains(svg, ">10:30:00<") ||
		!strings.Contains(svg, "Time (UTC), 2026-04-11") || strings.Contains(svg, "<writer>") {
		t.Errorf("gantt svg:\n%s", svg)
	}
	b.Reset()
	ts := []time.Time{at(10, 0, 0), at(10, 1, 0), at(10, 2, 0)}
	c := renderXYScaled(&b, "CPU", "Percent", ts, []float64{18, 18, 18}, false, true)
	svg = chartSVG(c, "en")
	if strings.Count(svg, "<circle ") != 3 || !strings.Contains(svg, "10:01:00 UTC: 18 Percent") || !strings.Contains(svg, ">Percent<") ||
		!strings.Contains(svg, ">16<") || !strings.Contains(svg, ">20<") || strings.Contains(svg, ">0<") {
		t.Errorf("line svg:\n%s", svg)
	}
}

func TestHTMLEscapesHostileText(t *testing.T) {
	const hostile = `<script>alert(1)</script><img src=x onerror=alert(2)>`
	dir := t.TempDir()
	orig, err := os.ReadFile(filepath.Join("testdata", "logs", "orders.log"))
	if err != nil {
		t.Fatal(err)
	}
	var extra strings.Builder
	for i := 0; i < 5; i++ {
		extra.WriteString("2026-04-11T10:30:1" + string(rune('0'+i)) + ".000000000Z [orders-7f9c8d-abcde/app] ERROR [exec-9] c.e.Evil - " + hostile + "\n")
	}
	logPath := filepath.Join(dir, "orders.log")
	if err := os.WriteFile(logPath, append(orig, extra.String()...), 0o644); err != nil {
		t.Fatal(err)
	}
	s := baseSession()
	s.Experiment.Scenario = "Failover " + hostile
	s.Experiment.AffectedResources[0].Impact = "Writer " + hostile
	s.Observations.ServiceEvents = append(s.Observations.ServiceEvents,
		session.Event{Time: at(10, 30, 2), Source: "rds:DescribeEvents", Subject: "demo-aurora", Message: "event " + hostile})
	for i := range s.Logs.Streams {
		if s.Logs.Streams[i].App == "prod/shop/orders" {
			s.Logs.Streams[i].File = logPath
		}
	}
	_, out, page := renderedFixture(t, s, "en")
	if !strings.Contains(string(out.markdown), "alert(1)") {
		t.Fatal("the hostile text did not reach the Markdown: the test proves nothing")
	}
	if low := strings.ToLower(page); strings.Contains(low, "<script") || strings.Contains(low, "<img") {
		t.Errorf("hostile markup passed through")
	}
	if n := strings.Count(page, "&lt;script&gt;alert(1)&lt;/script&gt;"); n < 3 {
		t.Errorf("hostile text shown escaped %d times, want it in the title, the resources and the log lines", n)
	}
	checkSelfContained(t, page)
}

func TestWriteHTMLTwin(t *testing.T) {
	dir := t.TempDir()
	s := baseSession()
	a, err := Analyze(s, Options{Now: fixtureNow})
	if err != nil {
		t.Fatal(err)
	}
	// A stale HTML file of the first name makes the whole report take the -2 name.
	base := BaseName(s, a)
	if err := os.WriteFile(filepath.Join(dir, base+".html"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Write(s, a, dir)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(p.HTML) != base+"-2.html" || filepath.Base(p.Markdown) != base+"-2.md" || filepath.Base(p.JSON) != base+"-2.json" {
		t.Fatalf("paths %+v", p)
	}
	if old, _ := os.ReadFile(filepath.Join(dir, base+".html")); string(old) != "old" {
		t.Fatal("an existing HTML file was overwritten")
	}
	page, err := os.ReadFile(p.HTML)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(page), "<!DOCTYPE html>") || !strings.Contains(string(page), "<svg ") {
		t.Fatalf("html twin:\n%.300s", page)
	}
}

func TestMetricRange(t *testing.T) {
	tests := []struct {
		name   string
		values []float64
		lo, hi float64
	}{
		{"flat", []float64{18, 18, 18}, 16, 20},
		{"flat zero", []float64{0, 0}, 0, 1},
		{"flat large", []float64{2000, 2000}, 1800, 2200},
		{"spread", []float64{41, 42, 43}, 40.6, 43.4},
		{"connections dip", []float64{42, 41, 3, 18, 39, 42, 43, 42}, 0, 50},
		{"negative", []float64{-5, 5}, -6, 6},
	}
	for _, tc := range tests {
		lo, hi := metricRange(tc.values)
		mn, mx := tc.values[0], tc.values[0]
		for _, v := range tc.values {
			mn, mx = min(mn, v), max(mx, v)
		}
		if lo > mn || hi < mx || !(hi > lo) {
			t.Errorf("%s: range %v..%v does not hold %v..%v", tc.name, lo, hi, mn, mx)
		}
		if lo > tc.lo || hi < tc.hi || lo < tc.lo-(tc.hi-tc.lo) || hi > tc.hi+(tc.hi-tc.lo) {
			t.Errorf("%s: range %v..%v, want about %v..%v", tc.name, lo, hi, tc.lo, tc.hi)
		}
	}
	// A flat series is not drawn from 0.
	if lo, _ := metricRange([]float64{18, 18}); lo == 0 {
		t.Error("flat series at 18 starts at 0")
	}
}

// The metric chart's y-axis is scaled to the data in the Mermaid too, and the caption
// names the period and the resolution.
func TestMetricChartMarkdown(t *testing.T) {
	m := session.MetricSeries{Service: "rds", Identifier: "demo-aurora", Namespace: "AWS/RDS", Metric: "CPUUtilization", Stat: "Average", Unit: "Percent",
		PeriodSeconds: 60, Points: metricPoints(at(10, 28, 0), time.Minute, []float64{18, 18, 18, 18, 18, 18, 18, 18, 18, 18, 18, 18})}
	tests := []struct {
		lang  string
		edit  func(*session.MetricSeries)
		wants []string
	}{
		{"en", nil, []string{`y-axis "Percent" 16 --> 20`, "_Period 60 s (standard-resolution metric); 12 points; y-axis 16 to 20 Percent, scaled to the data_"}},
		{"zh", nil, []string{`y-axis "Percent" 16 --> 20`, "周期 60 秒（标准分辨率指标）", "12 个数据点"}},
		{"en", func(m *session.MetricSeries) { m.Points = m.Points[:4] }, []string{"only 4 points: a standard-resolution metric has at most one point per minute"}},
		{"en", func(m *session.MetricSeries) { m.PeriodSeconds, m.HighResolution = 10, true }, []string{"Period 10 s (high-resolution metric)"}},
		{"en", func(m *session.MetricSeries) { m.PeriodSeconds = 0 }, []string{"Period not recorded"}},
	}
	for i, tc := range tests {
		mm := m
		mm.Points = append([]session.MetricPoint(nil), m.Points...)
		if tc.edit != nil {
			tc.edit(&mm)
		}
		var b strings.Builder
		c := renderMetricChart(&b, tc.lang, mm)
		if c == nil || c.Kind != ChartLine || c.YMin != 16 || c.YMax != 20 {
			t.Fatalf("case %d: chart %+v", i, c)
		}
		for _, w := range tc.wants {
			if !strings.Contains(b.String(), w) {
				t.Errorf("case %d: lacks %q:\n%s", i, w, b.String())
			}
		}
		if strings.Contains(b.String(), "0 --> 20") {
			t.Errorf("case %d: flat series drawn from 0", i)
		}
	}
}

func TestAxisTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi time.Time
		want   []string
	}{
		{at(10, 28, 0), at(10, 35, 0), []string{"10:28:00", "10:30:00", "10:32:00", "10:34:00"}},
		{at(10, 29, 58), at(10, 32, 34), []string{"10:30:00", "10:30:30", "10:31:00", "10:31:30", "10:32:00", "10:32:30"}},
		{at(10, 0, 0), at(10, 0, 0), []string{"10:00:00"}},
		{at(10, 0, 1), at(10, 0, 4), []string{"10:00:01", "10:00:02", "10:00:03", "10:00:04"}},
	} {
		var got []string
		for _, tk := range timeTicks(tc.lo, tc.hi) {
			got = append(got, tk.UTC().Format("15:04:05"))
		}
		if strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("timeTicks(%s, %s) = %v, want %v", tc.lo.Format("15:04:05"), tc.hi.Format("15:04:05"), got, tc.want)
		}
	}
	for _, tc := range []struct {
		lo, hi float64
		want   string
	}{
		{0, 13, "0 5 10"},
		{16, 20, "16 17 18 19 20"},
		{0, 1.5, "0 0.5 1 1.5"},
		{-6, 6, "-5 0 5"},
		{-0.0001, 10, "0 5 10"}, // never -0
	} {
		var got []string
		for _, v := range valueTicks(tc.lo, tc.hi) {
			if v == 0 && math.Signbit(v) {
				t.Errorf("valueTicks(%v, %v) has -0", tc.lo, tc.hi)
			}
			got = append(got, num(v))
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("valueTicks(%v, %v) = %v, want %s", tc.lo, tc.hi, got, tc.want)
		}
	}
}
