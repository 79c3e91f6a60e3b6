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

func renderGantt(b *strings.Builder, title string, tasks []ganttTask) {
	if len(tasks) == 0 {
		return
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
	b.WriteString("```mermaid\ngantt\n")
	fmt.Fprintf(b, "    title %s\n", ganttName(title))
	fmt.Fprintf(b, "    dateFormat %s\n    axisFormat %%H:%%M:%%S\n", df)
	section := ""
	for i, t := range tasks {
		if t.section != section {
			section = t.section
			fmt.Fprintf(b, "    section %s\n", ganttName(section))
		}
		end := t.end
		if !end.After(t.start) {
			end = t.start.Add(time.Second)
		}
		tag := ""
		if t.tag != "" {
			tag = t.tag + ", "
		}
		fmt.Fprintf(b, "    %s :%st%d, %s, %s\n", ganttName(t.name), tag, i, t.start.UTC().Format(layout), end.UTC().Format(layout))
	}
	b.WriteString("```\n\n")
}

// renderXY writes an xychart-beta line chart; points beyond maxPoints are merged
// (summed when sum is true, else averaged).
func renderXY(b *strings.Builder, title, yTitle string, times []time.Time, values []float64, sum bool) {
	if len(values) == 0 {
		return
	}
	times, values = downsample(times, values, sum)
	lo, hi := values[0], values[0]
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
	b.WriteString("```mermaid\nxychart-beta\n")
	fmt.Fprintf(b, "    title \"%s\"\n", chartLabel(title))
	b.WriteString("    x-axis [")
	for i, t := range times {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(b, "\"%s\"", t.UTC().Format("15:04:05"))
	}
	b.WriteString("]\n")
	fmt.Fprintf(b, "    y-axis \"%s\" %s --> %s\n", chartLabel(yTitle), num(lo), num(hi))
	b.WriteString("    line [")
	for i, v := range values {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(num(v))
	}
	b.WriteString("]\n```\n\n")
}

func num(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "0"
	}
	return strconv.FormatFloat(math.Round(v*1000)/1000, 'f', -1, 64)
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

func renderAppChart(b *strings.Builder, lang string, a *Analysis, ap *AppAnalysis) {
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
		return
	}
	w := groupWidth(len(vals))
	renderXY(b, tr(lang, "%s errors per %d s", ap.Key(), int(w.Seconds())), tr(lang, "Errors"), times, vals, true)
}

func renderMetricChart(b *strings.Builder, lang string, m session.MetricSeries) {
	if len(m.Points) == 0 {
		return
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
	renderXY(b, title, y, times, vals, false)
}
