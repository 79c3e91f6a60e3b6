package report

import (
	"fmt"
	"html"
	"math"
	"strings"
	"time"
)

// Inline SVG charts of the HTML twin, drawn from the Chart data the Markdown's
// Mermaid blocks were written from. Every text is escaped; times are UTC.

const (
	svgWidth  = 720
	svgLeft   = 72 // room for the y-axis labels
	svgRight  = 24
	svgTop    = 40 // room for the title
	svgBottom = 56 // room for the x-axis labels and title
	svgPlotH  = 200
	ganttRowH = 24
	ganttText = 190 // width of the gantt task names
)

func esc(s string) string { return html.EscapeString(s) }

// chartSVG draws c as an accessible inline SVG: role="img", an aria-label and a <title> naming it.
func chartSVG(c *Chart, lang string) string {
	if c.Kind == ChartGantt {
		return ganttSVG(c, lang)
	}
	return lineSVG(c, lang)
}

func svgOpen(b *strings.Builder, c *Chart, height int, desc string) {
	fmt.Fprintf(b, "<svg role=\"img\" aria-label=\"%s\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" font-family=\"system-ui, sans-serif\" font-size=\"12\">\n",
		esc(c.Title), svgWidth, height, svgWidth, height)
	fmt.Fprintf(b, "<title>%s</title>\n<desc>%s</desc>\n", esc(c.Title), esc(desc))
	fmt.Fprintf(b, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", svgWidth, height)
	fmt.Fprintf(b, "<text x=\"%d\" y=\"22\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\" fill=\"#1f2328\">%s</text>\n", svgWidth/2, esc(c.Title))
}

func f1(v float64) string { return fmt.Sprintf("%.1f", v) }

// utcDay is the date the x-axis title names ("2006-01-02", or a range when the data spans days).
func utcDay(lo, hi time.Time) string {
	a, b := lo.UTC().Format("2006-01-02"), hi.UTC().Format("2006-01-02")
	if a == b {
		return a
	}
	return a + " – " + b
}

// lineSVG draws a line chart: y-axis YMin..YMax with 5 gridlines, x by time, one
// marker per point whose <title> gives its time and value, the highest value labelled.
func lineSVG(c *Chart, lang string) string {
	n := min(len(c.Times), len(c.Values))
	height := svgTop + svgPlotH + svgBottom
	plotW := float64(svgWidth - svgLeft - svgRight)
	var b strings.Builder
	if n == 0 {
		svgOpen(&b, c, height, tr(lang, "No data points."))
		b.WriteString("</svg>\n")
		return b.String()
	}
	t0, tn := c.Times[0], c.Times[n-1]
	lo, hi := c.YMin, c.YMax
	if !(hi > lo) {
		hi = lo + 1
	}
	vmin, vmax, imax := c.Values[0], c.Values[0], 0
	for i := 0; i < n; i++ {
		v := c.Values[i]
		if v < vmin {
			vmin = v
		}
		if v > vmax {
			vmax, imax = v, i
		}
	}
	unit := strings.TrimSpace(c.YTitle)
	desc := tr(lang, "%d points from %s to %s UTC; values %s to %s %s; y-axis %s to %s.", n,
		t0.UTC().Format("15:04:05"), tn.UTC().Format("15:04:05"), num(vmin), num(vmax), unit, num(lo), num(hi))
	svgOpen(&b, c, height, desc)
	xOf := func(t time.Time) float64 {
		if !tn.After(t0) {
			return svgLeft + plotW/2
		}
		return svgLeft + plotW*float64(t.Sub(t0))/float64(tn.Sub(t0))
	}
	yOf := func(v float64) float64 {
		v = math.Max(lo, math.Min(hi, v))
		return svgTop + svgPlotH*(1-(v-lo)/(hi-lo))
	}
	// y-axis: gridlines and values at a step of 1, 2 or 5 × 10ⁿ.
	for _, v := range valueTicks(lo, hi) {
		y := yOf(v)
		fmt.Fprintf(&b, "<line x1=\"%d\" y1=\"%s\" x2=\"%d\" y2=\"%s\" stroke=\"#d0d7de\" stroke-width=\"1\"/>\n", svgLeft, f1(y), svgWidth-svgRight, f1(y))
		fmt.Fprintf(&b, "<text x=\"%d\" y=\"%s\" text-anchor=\"end\" fill=\"#57606a\">%s</text>\n", svgLeft-6, f1(y+4), esc(num(v)))
	}
	fmt.Fprintf(&b, "<text transform=\"translate(16 %d) rotate(-90)\" text-anchor=\"middle\" fill=\"#1f2328\">%s</text>\n", svgTop+svgPlotH/2, esc(unit))
	// x-axis: up to 6 time labels at points.
	base := svgTop + svgPlotH
	fmt.Fprintf(&b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#57606a\" stroke-width=\"1\"/>\n", svgLeft, base, svgWidth-svgRight, base)
	for _, tk := range timeTicks(t0, tn) {
		x := xOf(tk)
		fmt.Fprintf(&b, "<line x1=\"%s\" y1=\"%d\" x2=\"%s\" y2=\"%d\" stroke=\"#57606a\"/>\n", f1(x), base, f1(x), base+4)
		fmt.Fprintf(&b, "<text x=\"%s\" y=\"%d\" text-anchor=\"%s\" fill=\"#57606a\">%s</text>\n", f1(x), base+18, edgeAnchor(x, svgLeft, svgWidth-svgRight), tk.UTC().Format("15:04:05"))
	}
	fmt.Fprintf(&b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#1f2328\">%s</text>\n", svgLeft+int(plotW)/2, height-10,
		esc(tr(lang, "Time (UTC), %s", utcDay(t0, tn))))
	// The series.
	var pts []string
	for i := 0; i < n; i++ {
		pts = append(pts, f1(xOf(c.Times[i]))+","+f1(yOf(c.Values[i])))
	}
	fmt.Fprintf(&b, "<polyline fill=\"none\" stroke=\"#0969da\" stroke-width=\"2\" points=\"%s\"/>\n", strings.Join(pts, " "))
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "<circle cx=\"%s\" cy=\"%s\" r=\"2.5\" fill=\"#0969da\"><title>%s</title></circle>\n",
			f1(xOf(c.Times[i])), f1(yOf(c.Values[i])), esc(c.Times[i].UTC().Format("15:04:05")+" UTC: "+num(c.Values[i])+" "+unit))
	}
	x, y := xOf(c.Times[imax]), yOf(vmax)
	anchor := "middle"
	if x > float64(svgWidth-svgRight-40) {
		anchor = "end"
	} else if x < float64(svgLeft+40) {
		anchor = "start"
	}
	fmt.Fprintf(&b, "<text x=\"%s\" y=\"%s\" text-anchor=\"%s\" font-weight=\"bold\" fill=\"#0969da\">%s</text>\n", f1(x), f1(math.Max(y-7, svgTop-2)), anchor,
		esc(tr(lang, "max %s at %s", num(vmax), c.Times[imax].UTC().Format("15:04:05"))))
	b.WriteString("</svg>\n")
	return b.String()
}

// ganttSVG draws a gantt chart: one row per section heading and per task, bars on a
// UTC time axis, each bar's <title> giving its start and end.
func ganttSVG(c *Chart, lang string) string {
	var b strings.Builder
	if len(c.Tasks) == 0 {
		svgOpen(&b, c, svgTop+svgBottom, tr(lang, "No data points."))
		b.WriteString("</svg>\n")
		return b.String()
	}
	lo, hi := c.Tasks[0].start, c.Tasks[0].end
	rows := 0
	section := "\x00"
	for _, t := range c.Tasks {
		if t.start.Before(lo) {
			lo = t.start
		}
		if t.end.After(hi) {
			hi = t.end
		}
		if t.section != section {
			section = t.section
			rows++
		}
		rows++
	}
	if !hi.After(lo) {
		hi = lo.Add(time.Second)
	}
	axisY := svgTop + 12
	height := axisY + 8 + rows*ganttRowH + svgBottom/2 + 8
	left := float64(ganttText + 10)
	plotW := float64(svgWidth-svgRight) - left
	xOf := func(t time.Time) float64 { return left + plotW*float64(t.Sub(lo))/float64(hi.Sub(lo)) }
	desc := tr(lang, "%d bars from %s to %s UTC.", len(c.Tasks), lo.UTC().Format("15:04:05"), hi.UTC().Format("15:04:05"))
	svgOpen(&b, c, height, desc)
	bottom := axisY + 8 + rows*ganttRowH
	for _, t := range timeTicks(lo, hi) {
		x := xOf(t)
		fmt.Fprintf(&b, "<line x1=\"%s\" y1=\"%d\" x2=\"%s\" y2=\"%d\" stroke=\"#d0d7de\"/>\n", f1(x), axisY+4, f1(x), bottom)
		fmt.Fprintf(&b, "<text x=\"%s\" y=\"%d\" text-anchor=\"%s\" fill=\"#57606a\">%s</text>\n", f1(x), axisY, edgeAnchor(x, int(left), svgWidth-svgRight), t.UTC().Format("15:04:05"))
	}
	y := axisY + 8
	section = "\x00"
	for _, t := range c.Tasks {
		if t.section != section {
			section = t.section
			fmt.Fprintf(&b, "<text x=\"4\" y=\"%d\" font-weight=\"bold\" fill=\"#1f2328\">%s</text>\n", y+16, esc(truncate(section, 40)))
			y += ganttRowH
		}
		color := "#8c959f"
		switch t.tag {
		case "active":
			color = "#0969da"
		case "crit":
			color = "#cf222e"
		}
		x0, x1 := xOf(t.start), xOf(t.end)
		w := math.Max(x1-x0, 2)
		label := t.name + ": " + t.start.UTC().Format("15:04:05") + " – " + t.end.UTC().Format("15:04:05") + " UTC"
		fmt.Fprintf(&b, "<g><title>%s</title>\n", esc(label))
		fmt.Fprintf(&b, "<text x=\"14\" y=\"%d\" fill=\"#1f2328\">%s</text>\n", y+16, esc(truncate(t.name, 28)))
		fmt.Fprintf(&b, "<rect x=\"%s\" y=\"%d\" width=\"%s\" height=\"%d\" rx=\"3\" fill=\"%s\"/>\n</g>\n", f1(x0), y+4, f1(w), ganttRowH-8, color)
		y += ganttRowH
	}
	fmt.Fprintf(&b, "<text x=\"%s\" y=\"%d\" text-anchor=\"middle\" fill=\"#1f2328\">%s</text>\n", f1(left+plotW/2), height-10,
		esc(tr(lang, "Time (UTC), %s", utcDay(lo, hi))))
	b.WriteString("</svg>\n")
	return b.String()
}

// valueTicks are the gridline values in [lo, hi]: multiples of a 1, 2 or 5 × 10ⁿ step,
// about five of them, lo and hi included when they are multiples.
func valueTicks(lo, hi float64) []float64 {
	step := niceStep((hi - lo) / 5)
	var out []float64
	for v := math.Ceil(lo/step-1e-9) * step; v <= hi+step*1e-9; v += step {
		r := math.Round(v/step) * step
		if r == 0 {
			r = 0 // not -0
		}
		out = append(out, r)
		if len(out) > 12 {
			break
		}
	}
	return out
}

// tickSteps are the time-axis steps, shortest first.
var tickSteps = []time.Duration{time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour}

// timeTicks are up to 7 round UTC times in [lo, hi] (the shortest step that keeps
// them that few); lo alone when the range is empty.
func timeTicks(lo, hi time.Time) []time.Time {
	span := hi.Sub(lo)
	if span <= 0 {
		return []time.Time{lo}
	}
	step := tickSteps[len(tickSteps)-1]
	for _, s := range tickSteps {
		if span/s <= 6 {
			step = s
			break
		}
	}
	var out []time.Time
	t := lo.Truncate(step)
	if t.Before(lo) {
		t = t.Add(step)
	}
	for ; !t.After(hi) && len(out) < 40; t = t.Add(step) {
		out = append(out, t)
	}
	return out
}

// edgeAnchor keeps a label inside the plot: anchored at its start near the left edge,
// at its end near the right one.
func edgeAnchor(x float64, left, right int) string {
	switch {
	case x < float64(left)+28:
		return "start"
	case x > float64(right)-28:
		return "end"
	}
	return "middle"
}
