package report

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// chromium finds a headless-capable Chromium: skipped when absent, except in CI
// (CI=true), which must have it (.ci/run installs Debian's chromium package).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed: CI must have it (apt-get install chromium)")
	}
	t.Skip("chromium not installed (apt-get install chromium)")
	return ""
}

// runChromium runs headless Chromium on the file with extra arguments and returns its stdout.
func runChromium(t *testing.T, bin, page string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
		"--disable-dev-shm-usage", "--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, bin, append(append(base, args...), "file://"+page)...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, tail(stderr.String(), 2000))
	}
	return stdout.Bytes()
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// TestHTMLRendersInChromium loads the HTML twin in headless Chromium and checks the DOM
// it built: the verdict, one <svg> per chart with its title, no script, nothing
// external; then prints it to PDF (the page is printable).
func TestHTMLRendersInChromium(t *testing.T) {
	bin := chromium(t)
	for _, lang := range []string{"en", "zh"} {
		t.Run(lang, func(t *testing.T) {
			s := baseSession()
			a, out, page := renderedFixture(t, s, lang)
			dir := t.TempDir()
			path := filepath.Join(dir, "report.html")
			if err := os.WriteFile(path, []byte(page), 0o644); err != nil {
				t.Fatal(err)
			}
			dom := string(runChromium(t, bin, path, "--dump-dom"))
			if !strings.Contains(dom, "</html>") {
				t.Fatalf("no DOM dumped:\n%.500s", dom)
			}
			if a.Verdict == "" || !strings.Contains(dom, strings.ToUpper(a.Verdict)) {
				t.Errorf("the DOM lacks the verdict %q", strings.ToUpper(a.Verdict))
			}
			if n := strings.Count(dom, "<svg "); n != len(out.charts) || n == 0 {
				t.Errorf("the DOM has %d <svg> for %d charts", n, len(out.charts))
			}
			for _, c := range out.charts {
				if !strings.Contains(dom, "<title>"+esc(c.Title)+"</title>") {
					t.Errorf("the DOM lacks the chart titled %q", c.Title)
				}
			}
			if strings.Contains(strings.ToLower(dom), "<script") {
				t.Error("the DOM has a script")
			}
			checkSelfContained(t, dom)
			if lang != "en" {
				return // one print is enough to prove the page prints (CI time)
			}
			pdf := filepath.Join(dir, "report.pdf")
			runChromium(t, bin, path, "--no-pdf-header-footer", "--print-to-pdf="+pdf)
			b, err := os.ReadFile(pdf)
			if err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) || len(b) < 10_000 {
				t.Fatalf("print to PDF: %v, %d bytes", err, len(b))
			}
		})
	}
}
