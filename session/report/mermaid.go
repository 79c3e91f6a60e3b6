package report

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/fis-mcp/fis-mcp/session"
)

// Mermaid charts, kept to what GitHub renders: gantt task names without colons,
// dateFormat HH:mm:ss, xychart-beta with quoted labels and at most maxPoints points.

const maxPoints = 60

// ganttName makes a gantt task or section name safe: no colon, semicolon, hash or line break.
func ganttName(s string) string {
	r := strings.NewReplacer(":", " ", ";", " ", "#", " ", "\n", " ", "\r", " ", "\"", "'", "`", "'")
	s = strings.Join(strings.Fields(r.Replace(s)), " ")
	if s == "" {
		s = "-"
	}
	return truncate(s, 60)
}

// chartLabel makes a quoted xychart label safe.
func chartLabel(s string) string {
	r := strings.NewReplacer("\"", "'", "\n", " ", "\r", " ", "`", "'")
	return truncate(r.Replace(s), 80)
}

type ganttTask struct {
	section, name, tag string
	start, end         time.Time
}

// Chart kinds.
const (
	ChartGantt = "gantt"
	ChartLine  = "line"
)

// Chart is the data of one chart the Markdown draws as a Mermaid block, kept so the
// HTML twin draws the same data as inline SVG (svg.go) without parsing Mermaid text.
type Chart struct {
	// Kind is ChartGantt or ChartLine.
	Kind  string
	Title string
	// Mermaid is the body of the fenced block (between the fences): the HTML twin
	// replaces exactly the fence with this body.
	Mermaid string
	// Tasks are the bars of a gantt chart (end clamped to at least start + 1 s).
	Tasks []ganttTask
	// YTitle, Times, Values and YMin..YMax are a line chart's (after downsampling).
	YTitle     string
	Times      []time.Time
	Values     []float64
	YMin, YMax float64
}

// chart records a chart the renderer wrote (nil: none was written).
func (r *renderer) chart(c *Chart) {
	if c != nil {
		r.charts = append(r.charts, c)
	}
}

// renderGantt writes a gantt chart of tasks and returns its data (nil when there are no tasks).
func renderGantt(b *strings.Builder, title string, tasks []ganttTask) *Chart {
	if len(tasks) == 0 {
		return nil
	}
	lo, hi := tasks[0].start, tasks[0].end
	for _, t := range tasks {
		if t.start.Before(lo) {
			lo = t.start
		}
		if t.end.After(hi) {
			hi = t.end
		}
	}
	layout, df := "15:04:05", "HH:mm:ss"
	if lo.UTC().YearDay() != hi.UTC().YearDay() || lo.UTC().Year() != hi.UTC().Year() {
		layout, df = "2006-01-02 15:04:05", "YYYY-MM-DD HH:mm:ss"
	}
	c := &Chart{Kind: ChartGantt, Title: title}
	var m strings.Builder
	m.WriteString("gantt\n")
	fmt.Fprintf(&m, "    title %s\n", ganttName(title))
	fmt.Fprintf(&m, "    dateFormat %s\n    axisFormat %%H:%%M:%%S\n", df)
	section := ""
	for i, t := range tasks {
		if t.section != section {
			section = t.section
			fmt.Fprintf(&m, "    section %s\n", ganttName(section))
		}
		end := t.end
		if !end.After(t.start) {
			end = t.start.Add(time.Second)
		}
		tag := ""
		if t.tag != "" {
			tag = t.tag + ", "
		}
		fmt.Fprintf(&m, "    %s :%st%d, %s, %s\n", ganttName(t.name), tag, i, t.start.UTC().Format(layout), end.UTC().Format(layout))
		t.end = end
		c.Tasks = append(c.Tasks, t)
	}
	c.Mermaid = m.String()
	b.WriteString("```mermaid\n" + c.Mermaid + "```\n\n")
	return c
}

// renderXY writes an xychart-beta line chart whose y-axis starts at 0 (counts); points
// beyond maxPoints are merged (summed when sum is true, else averaged).
func renderXY(b *strings.Builder, title, yTitle string, times []time.Time, values []float64, sum bool) *Chart {
	return renderXYScaled(b, title, yTitle, times, values, sum, false)
}

// renderXYScaled is renderXY; with scaled the y-axis spans the data (metricRange)
// instead of 0 → max.
func renderXYScaled(b *strings.Builder, title, yTitle string, times []time.Time, values []float64, sum, scaled bool) *Chart {
	if len(values) == 0 {
		return nil
	}
	times, values = downsample(times, values, sum)
	var lo, hi float64
	if scaled {
		lo, hi = metricRange(values)
	} else {
		lo, hi = countRange(values)
	}
	var m strings.Builder
	m.WriteString("xychart-beta\n")
	fmt.Fprintf(&m, "    title \"%s\"\n", chartLabel(title))
	m.WriteString("    x-axis [")
	for i, t := range times {
		if i > 0 {
			m.WriteString(", ")
		}
		fmt.Fprintf(&m, "\"%s\"", t.UTC().Format("15:04:05"))
	}
	m.WriteString("]\n")
	fmt.Fprintf(&m, "    y-axis \"%s\" %s --> %s\n", chartLabel(yTitle), num(lo), num(hi))
	m.WriteString("    line [")
	for i, v := range values {
		if i > 0 {
			m.WriteString(", ")
		}
		m.WriteString(num(v))
	}
	m.WriteString("]\n")
	b.WriteString("```mermaid\n" + m.String() + "```\n\n")
	return &Chart{Kind: ChartLine, Title: title, Mermaid: m.String(), YTitle: yTitle,
		Times: append([]time.Time(nil), times...), Values: append([]float64(nil), values...), YMin: lo, YMax: hi}
}

// countRange is the y-axis of a count chart: 0 (or the lowest value, if negative) to the
// highest, whole numbers, never empty.
func countRange(values []float64) (lo, hi float64) {
	lo, hi = values[0], values[0]
	for _, v := range values {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if lo > 0 {
		lo = 0
	}
	lo, hi = math.Floor(lo), math.Ceil(hi)
	if hi <= lo {
		hi = lo + 1
	}
	return lo, hi
}

// metricRange is the y-axis of a metric chart, scaled to the data: min − 10 % … max + 10 %
// of the spread (a flat series gets a band of ±10 % of its value, at least ±1), rounded
// out to a step of 1, 2 or 5 × 10ⁿ, and not below 0 when no value is negative.
func metricRange(values []float64) (lo, hi float64) {
	mn, mx := math.Inf(1), math.Inf(-1)
	for _, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		mn, mx = math.Min(mn, v), math.Max(mx, v)
	}
	if math.IsInf(mn, 0) {
		return 0, 1
	}
	pad := (mx - mn) * 0.1
	if mx == mn {
		pad = math.Max(math.Abs(mx)*0.1, 1)
	}
	lo, hi = mn-pad, mx+pad
	if mn >= 0 && lo < 0 {
		lo = 0
	}
	step := niceStep((hi - lo) / 5)
	lo, hi = math.Floor(lo/step)*step, math.Ceil(hi/step)*step
	if hi <= lo {
		hi = lo + step
	}
	return lo, hi
}

// niceStep rounds x up to 1, 2 or 5 × 10ⁿ.
func niceStep(x float64) float64 {
	if x <= 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return 1
	}
	e := math.Pow(10, math.Floor(math.Log10(x)))
	switch f := x / e; {
	case f <= 1:
		return e
	case f <= 2:
		return 2 * e
	case f <= 5:
		return 5 * e
	}
	return 10 * e
}

func num(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "0"
	}
	r := math.Round(v*1000) / 1000
	if r == 0 {
		r = 0 // not -0
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// downsample merges consecutive points into groups so at most maxPoints remain.
func downsample(times []time.Time, values []float64, sum bool) ([]time.Time, []float64) {
	if len(values) <= maxPoints {
		return times, values
	}
	k := (len(values) + maxPoints - 1) / maxPoints
	var ot []time.Time
	var ov []float64
	for i := 0; i < len(values); i += k {
		j := min(i+k, len(values))
		acc := 0.0
		for _, v := range values[i:j] {
			acc += v
		}
		if !sum {
			acc /= float64(j - i)
		}
		ot = append(ot, times[i])
		ov = append(ov, acc)
	}
	return ot, ov
}

// groupWidth is the bucket width after downsampling n buckets.
func groupWidth(n int) time.Duration {
	if n <= maxPoints {
		return BucketWidth
	}
	return time.Duration((n+maxPoints-1)/maxPoints) * BucketWidth
}

func renderAppChart(b *strings.Builder, lang string, a *Analysis, ap *AppAnalysis) *Chart {
	// From one minute before the fault to the close.
	var times []time.Time
	var vals []float64
	from := a.FaultStart.Add(-time.Minute)
	for _, bk := range ap.Buckets {
		if bk.Start.Before(from) {
			continue
		}
		times = append(times, bk.Start)
		vals = append(vals, float64(bk.Errors))
	}
	if len(vals) == 0 {
		return nil
	}
	w := groupWidth(len(vals))
	return renderXY(b, tr(lang, "%s errors per %d s", ap.Key(), int(w.Seconds())), tr(lang, "Errors"), times, vals, true)
}

// minMetricPoints is the fewest points a metric chart should have over the window
// (aws/metrics picks the period for it); fewer are said so under the chart.
const minMetricPoints = 10

// renderMetricChart draws one CloudWatch metric, its y-axis scaled to the data, and
// says under it which period the points have and why.
func renderMetricChart(b *strings.Builder, lang string, m session.MetricSeries) *Chart {
	if len(m.Points) == 0 {
		return nil
	}
	pts := append([]session.MetricPoint(nil), m.Points...)
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].Time.Before(pts[j].Time) })
	times := make([]time.Time, len(pts))
	vals := make([]float64, len(pts))
	for i, p := range pts {
		times[i], vals[i] = p.Time, p.Value
	}
	title := m.Metric
	if m.Stat != "" {
		title += " (" + m.Stat + ")"
	}
	title += " - " + m.Identifier
	y := m.Unit
	if y == "" {
		y = m.Metric
	}
	c := renderXYScaled(b, title, y, times, vals, false, true)
	b.WriteString("_" + metricCaption(lang, m, len(pts), c) + "_\n\n")
	return c
}

// metricCaption says what a metric chart shows: its period and resolution, the
// number of points and that the y-axis is scaled to the data.
func metricCaption(lang string, m session.MetricSeries, n int, c *Chart) string {
	var parts []string
	switch {
	case m.PeriodSeconds > 0 && m.HighResolution:
		parts = append(parts, tr(lang, "Period %d s (high-resolution metric)", m.PeriodSeconds))
	case m.PeriodSeconds > 0:
		parts = append(parts, tr(lang, "Period %d s (standard-resolution metric)", m.PeriodSeconds))
	default:
		parts = append(parts, tr(lang, "Period not recorded"))
	}
	if n < minMetricPoints && !m.HighResolution {
		parts = append(parts, tr(lang, "only %d points: a standard-resolution metric has at most one point per minute", n))
	} else {
		parts = append(parts, tr(lang, "%d points", n))
	}
	parts = append(parts, tr(lang, "y-axis %s to %s %s, scaled to the data", num(c.YMin), num(c.YMax), c.YTitle))
	return strings.Join(parts, "; ")
}
