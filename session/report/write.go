package report

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fis-mcp/fis-mcp/session"
)

// Slug turns a scenario name into the file-name slug of FORMATS.md: lower case, and
// only [a-z0-9-]: every other run of characters (spaces, ':', '/', brackets, non-ASCII
// letters) becomes one '-' ("AZ Power (moto)" → "az-power-moto"); an empty result is
// "experiment".
func Slug(name string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(name) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
			dash = false
			continue
		}
		if !dash && b.Len() > 0 {
			b.WriteByte('-')
		}
		dash = true
	}
	s := strings.TrimRight(b.String(), "-")
	if s == "" {
		s = "experiment"
	}
	return s
}

// reportTime is the time in the file name: the experiment start, or the abort time.
func reportTime(s *session.Session, a *Analysis) time.Time {
	if !a.Aborted && !a.ExperimentStart.IsZero() {
		return a.ExperimentStart
	}
	if s.Abort != nil && !s.Abort.At.IsZero() {
		return s.Abort.At
	}
	if !a.ExperimentStart.IsZero() {
		return a.ExperimentStart
	}
	return s.CreatedAt
}

// BaseName is the report file name without extension:
// {yyyy-mm-dd-HH-MM-SS}-{scenario-slug}-experiment-results (UTC).
func BaseName(s *session.Session, a *Analysis) string {
	return reportTime(s, a).UTC().Format("2006-01-02-15-04-05") + "-" + Slug(s.Experiment.Scenario) + "-experiment-results"
}

// Paths are the files of one written report: the Markdown, its JSON twin and its
// single-file HTML twin, sharing one base name.
type Paths struct {
	Markdown string
	JSON     string
	HTML     string
}

// Write renders the report in the analysis language and writes the Markdown file, its
// JSON twin and its HTML twin into dir (the experiment directory when dir is ""). It
// never overwrites an existing report: a -2, -3... suffix is added when any of the
// three names is taken. Files are written atomically (temporary file, then
// link/rename) with mode 0644.
func Write(s *session.Session, a *Analysis, dir string) (Paths, error) {
	if s == nil || a == nil {
		return Paths{}, errors.New("report: Write needs a session and an analysis")
	}
	if dir == "" {
		dir = s.Experiment.Dir
	}
	if dir == "" {
		return Paths{}, errors.New("report: no directory to write the report to")
	}
	out, err := render(s, a, a.Language)
	if err != nil {
		return Paths{}, err
	}
	page, err := htmlPage(s, a, out)
	if err != nil {
		return Paths{}, err
	}
	base := BaseName(s, a)
	for n := 1; n < 1000; n++ {
		name := base
		if n > 1 {
			name = fmt.Sprintf("%s-%d", base, n)
		}
		p := Paths{
			Markdown: filepath.Join(dir, name+".md"),
			JSON:     filepath.Join(dir, name+".json"),
			HTML:     filepath.Join(dir, name+".html"),
		}
		if exists(p.Markdown) || exists(p.JSON) || exists(p.HTML) {
			continue
		}
		var written []string
		taken := false
		for _, f := range []struct {
			path string
			data []byte
		}{{p.Markdown, out.markdown}, {p.JSON, out.json}, {p.HTML, page}} {
			err := writeNew(f.path, f.data)
			if errors.Is(err, fs.ErrExist) {
				// Raced with another writer on this name: drop what we wrote and try the next suffix.
				taken = true
				break
			}
			if err != nil {
				return Paths{}, errors.Join(err, removeAll(written))
			}
			written = append(written, f.path)
		}
		if taken {
			if err := removeAll(written); err != nil {
				return Paths{}, err
			}
			continue
		}
		return p, nil
	}
	return Paths{}, fmt.Errorf("report: too many reports named %s in %s", base, dir)
}

// removeAll removes files this call wrote (after a failure or a lost race).
func removeAll(paths []string) error {
	var errs []error
	for _, p := range paths {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("report: remove %s: %w", p, err))
		}
	}
	return errors.Join(errs...)
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// writeNew writes data to a temporary file in the same directory, then links it to
// path, failing with fs.ErrExist if path exists (no overwrite, no partial file).
func writeNew(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("report: create temp for %s: %w", path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("report: write %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("report: sync %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("report: close %s: %w", tmp, err)
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return fmt.Errorf("report: chmod %s: %w", tmp, err)
	}
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return err
		}
		// Filesystems without hard links: rename after an existence check.
		if exists(path) {
			return fs.ErrExist
		}
		if err := os.Rename(tmp, path); err != nil {
			return fmt.Errorf("report: rename %s: %w", path, err)
		}
	}
	return nil
}
