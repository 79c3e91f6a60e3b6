package report

import (
	"bytes"
	"fmt"
	"html"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	gmrenderer "github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"

	"github.com/fis-mcp/fis-mcp/session"
)

// The HTML twin: the rendered Markdown converted with goldmark (CommonMark + GFM
// tables), raw HTML never passed through (it is shown escaped: the report quotes
// untrusted log text), every Mermaid chart replaced by an inline SVG drawn from the
// same data (svg.go), wrapped in one self-contained page: inline CSS, no JavaScript,
// nothing fetched (a Content-Security-Policy forbids it too).

// rendered is one rendering of a report: the Markdown, its JSON twin, the language
// and the charts the Markdown draws, in order.
type rendered struct {
	markdown []byte
	json     []byte
	lang     string
	charts   []*Chart
}

// htmlLang is the page's lang attribute.
func htmlLang(lang string) string {
	if lang == "zh" {
		return "zh-CN"
	}
	return "en"
}

// htmlTitle names the scenario and the verdict.
func htmlTitle(s *session.Session, a *Analysis, lang string) string {
	scenario := strings.TrimSpace(s.Experiment.Scenario)
	if scenario == "" {
		scenario = s.Experiment.TemplateID
	}
	if a.Verdict == "" {
		return tr(lang, "%s: experiment results", cleanText(scenario))
	}
	return tr(lang, "%s: experiment results, verdict %s", cleanText(scenario), strings.ToUpper(a.Verdict))
}

// htmlPage converts the Markdown of out into the page.
func htmlPage(s *session.Session, a *Analysis, out *rendered) ([]byte, error) {
	cr := &chartRenderer{charts: out.charts, used: make([]bool, len(out.charts)), lang: out.lang}
	md := goldmark.New(
		goldmark.WithExtensions(extension.Table, extension.Strikethrough),
		goldmark.WithRendererOptions(gmrenderer.WithNodeRenderers(util.Prioritized(cr, 100))),
	)
	var body bytes.Buffer
	if err := md.Convert(out.markdown, &body); err != nil {
		return nil, fmt.Errorf("report: convert the Markdown report to HTML: %w", err)
	}
	var b bytes.Buffer
	b.WriteString("<!DOCTYPE html>\n")
	fmt.Fprintf(&b, "<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n", htmlLang(out.lang))
	b.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	// Nothing may be fetched or run: only the inline style sheet applies.
	b.WriteString("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n")
	b.WriteString("<meta name=\"generator\" content=\"fis-mcp\">\n")
	fmt.Fprintf(&b, "<title>%s</title>\n<style>\n%s</style>\n</head>\n<body>\n", html.EscapeString(htmlTitle(s, a, out.lang)), pageCSS)
	if a.Verdict != "" {
		fmt.Fprintf(&b, "<header class=\"verdict verdict-%s\"><p>%s</p></header>\n", html.EscapeString(cssClass(a.Verdict)),
			html.EscapeString(tr(out.lang, "Verdict of this report: %s", strings.ToUpper(a.Verdict))))
	}
	b.WriteString("<main>\n")
	b.Write(body.Bytes())
	b.WriteString("</main>\n<footer><p>")
	b.WriteString(html.EscapeString(tr(out.lang, "Single-file copy of the Markdown report: no scripts, nothing fetched; the charts are drawn from the same data as its Mermaid charts.")))
	b.WriteString("</p></footer>\n</body>\n</html>\n")
	return b.Bytes(), nil
}

// cssClass keeps [a-z0-9-] of s.
func cssClass(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' {
			b.WriteRune(c)
		}
	}
	if b.Len() == 0 {
		return "none"
	}
	return b.String()
}

// chartRenderer renders the goldmark nodes the page treats differently: a mermaid
// fence whose body is one of the charts becomes that chart's SVG; raw HTML (blocks
// and inline) is shown escaped, never passed through; images are shown by their alt
// text (nothing is fetched).
type chartRenderer struct {
	charts []*Chart
	used   []bool
	next   int
	lang   string
}

// RegisterFuncs implements goldmark's renderer.NodeRenderer.
func (cr *chartRenderer) RegisterFuncs(reg gmrenderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindFencedCodeBlock, cr.fencedCode)
	reg.Register(ast.KindCodeBlock, cr.codeBlock)
	reg.Register(ast.KindHTMLBlock, cr.htmlBlock)
	reg.Register(ast.KindRawHTML, cr.rawHTML)
	reg.Register(ast.KindImage, cr.image)
}

func linesText(source []byte, n ast.Node) string {
	var b strings.Builder
	ls := n.Lines()
	for i := 0; i < ls.Len(); i++ {
		seg := ls.At(i)
		b.Write(seg.Value(source))
	}
	return b.String()
}

// match returns the chart whose Mermaid body is body: the next one in order, else
// any unused one with that body (nil: not a chart of this report).
func (cr *chartRenderer) match(body string) *Chart {
	body = strings.TrimSpace(body)
	if cr.next < len(cr.charts) && !cr.used[cr.next] && strings.TrimSpace(cr.charts[cr.next].Mermaid) == body {
		cr.used[cr.next] = true
		cr.next++
		return cr.charts[cr.next-1]
	}
	for i, c := range cr.charts {
		if !cr.used[i] && strings.TrimSpace(c.Mermaid) == body {
			cr.used[i] = true
			return c
		}
	}
	return nil
}

func (cr *chartRenderer) fencedCode(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*ast.FencedCodeBlock)
	lang := string(n.Language(source))
	body := linesText(source, n)
	if lang == "mermaid" {
		if c := cr.match(body); c != nil {
			_, _ = w.WriteString("<figure class=\"chart\">\n" + chartSVG(c, cr.lang) + "</figure>\n")
			return ast.WalkSkipChildren, nil
		}
	}
	_, _ = w.WriteString("<pre><code")
	if lang != "" {
		_, _ = w.WriteString(" class=\"language-" + html.EscapeString(lang) + "\"")
	}
	_, _ = w.WriteString(">" + html.EscapeString(body) + "</code></pre>\n")
	return ast.WalkSkipChildren, nil
}

func (cr *chartRenderer) codeBlock(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		_, _ = w.WriteString("<pre><code>" + html.EscapeString(linesText(source, node)) + "</code></pre>\n")
	}
	return ast.WalkSkipChildren, nil
}

func (cr *chartRenderer) htmlBlock(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	n := node.(*ast.HTMLBlock)
	text := linesText(source, n)
	if n.HasClosure() {
		text += string(n.ClosureLine.Value(source))
	}
	_, _ = w.WriteString("<p class=\"raw\">" + html.EscapeString(strings.TrimRight(text, "\n")) + "</p>\n")
	return ast.WalkSkipChildren, nil
}

func (cr *chartRenderer) rawHTML(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	n := node.(*ast.RawHTML)
	for i := 0; i < n.Segments.Len(); i++ {
		seg := n.Segments.At(i)
		_, _ = w.WriteString(html.EscapeString(string(seg.Value(source))))
	}
	return ast.WalkSkipChildren, nil
}

func (cr *chartRenderer) image(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		_, _ = w.WriteString("<span class=\"img-alt\">[")
	} else {
		_, _ = w.WriteString("]</span>")
	}
	return ast.WalkContinue, nil
}

// pageCSS is the page's only style sheet: readable on screen, printable.
const pageCSS = `:root { color-scheme: light; }
body { margin: 0 auto; max-width: 70rem; padding: 1.5rem; color: #1f2328; background: #fff;
  font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif, "Apple Color Emoji", "Segoe UI Emoji", "Noto Color Emoji"; }
h1, h2, h3, h4 { line-height: 1.25; margin: 1.6em 0 .6em; }
h1 { font-size: 1.8rem; border-bottom: 2px solid #d0d7de; padding-bottom: .3em; }
h2 { font-size: 1.4rem; border-bottom: 1px solid #d0d7de; padding-bottom: .2em; }
h3 { font-size: 1.15rem; }
table { border-collapse: collapse; margin: .8em 0; display: block; overflow-x: auto; max-width: 100%; }
th, td { border: 1px solid #d0d7de; padding: .3em .6em; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
tr:nth-child(even) td { background: #fbfcfd; }
code { font: .9em/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; background: #f3f4f6; padding: .1em .3em; border-radius: 4px; overflow-wrap: anywhere; }
pre { background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 6px; padding: .8em; overflow-x: auto; }
pre code { background: none; padding: 0; white-space: pre; }
blockquote { margin: .8em 0; padding: .2em 1em; border-left: 4px solid #d0d7de; color: #57606a; }
figure.chart { margin: 1em 0; }
figure.chart svg { display: block; width: 100%; max-width: 52rem; height: auto; }
.verdict { border-radius: 6px; padding: .6em 1em; font-weight: 700; font-size: 1.1rem; border: 2px solid #8c959f; background: #f6f8fa; }
.verdict p { margin: 0; }
.verdict-passed { border-color: #1a7f37; background: #dafbe1; color: #116329; }
.verdict-failed { border-color: #cf222e; background: #ffebe9; color: #a40e26; }
.verdict-inconclusive { border-color: #9a6700; background: #fff8c5; color: #7d4e00; }
.raw { white-space: pre-wrap; font-family: ui-monospace, monospace; }
footer { margin-top: 2.5em; border-top: 1px solid #d0d7de; color: #57606a; font-size: .85em; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  h1, h2, h3 { break-after: avoid; }
  table, figure, pre, blockquote, .verdict { break-inside: avoid; }
  table { display: table; font-size: 9pt; }
  pre, pre code { white-space: pre-wrap; overflow-wrap: anywhere; }
  a { color: inherit; text-decoration: underline; }
  .verdict { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`
