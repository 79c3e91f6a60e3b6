package expdir

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// MaxFileSize is the largest README.md, cfn-template.yaml or expected-behavior.md read: 1 MiB.
const MaxFileSize = 1 << 20

// File names inside an experiment directory.
const (
	ReadmeFile           = "README.md"
	CFNTemplateFile      = "cfn-template.yaml"
	ExpectedBehaviorFile = "expected-behavior.md"
	DashboardFile        = "alarms/dashboard.json"
	resultsSuffix        = "-experiment-results.md"
)

// ErrMissingFiles is returned (wrapped) by Open when required files are absent.
var ErrMissingFiles = errors.New("experiment directory is missing required files")

// Dir is a validated experiment directory.
type Dir struct {
	// Path is the absolute, cleaned path of the directory.
	Path string
	// Name is the directory's base name.
	Name string
	// TemplateID is the FIS experiment template ID from the directory name.
	TemplateID string
	// Readme and CFNTemplate are the absolute paths of the required files.
	Readme      string
	CFNTemplate string
	// ExpectedBehavior is the path of expected-behavior.md, "" when absent.
	ExpectedBehavior string
	// Dashboard is the path of alarms/dashboard.json, "" when absent.
	Dashboard string
	// Reports are earlier results reports (*-experiment-results.md), sorted.
	Reports []string
}

// Open validates the experiment directory at path. A relative path is taken relative to
// root (or the working directory when root is ""); with a root, a relative path must not
// escape it. The directory must not be a symbolic link, its name must end with the
// template ID, and README.md and cfn-template.yaml must be regular files of at most
// MaxFileSize bytes; every missing file is named in one error.
func Open(path, root string) (*Dir, error) {
	if strings.TrimSpace(path) == "" {
		return nil, errors.New("experiment directory path is empty: pass the full path to the experiment directory")
	}
	if strings.ContainsRune(path, 0) {
		return nil, fmt.Errorf("experiment directory path %q contains a NUL byte", path)
	}
	clean := filepath.Clean(path)
	var abs string
	if !filepath.IsAbs(clean) && root != "" {
		if !filepath.IsLocal(clean) {
			return nil, fmt.Errorf("%w: %q leaves %s; pass an absolute path or a path inside it", ErrOutsideRoot, path, root)
		}
		absRoot, err := filepath.Abs(root)
		if err != nil {
			return nil, fmt.Errorf("search directory %q: %w", root, err)
		}
		abs = filepath.Join(absRoot, clean)
		realRoot, err := filepath.EvalSymlinks(absRoot)
		if err != nil {
			return nil, fmt.Errorf("search directory %s: %w", absRoot, err)
		}
		if _, err := os.Lstat(abs); err == nil && !within(realRoot, abs) {
			return nil, fmt.Errorf("%w: %s resolves outside %s (through a symbolic link); pass the real path", ErrOutsideRoot, abs, absRoot)
		}
	} else {
		var err error
		if abs, err = filepath.Abs(clean); err != nil {
			return nil, fmt.Errorf("experiment directory %q: %w", path, err)
		}
	}

	fi, err := os.Lstat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("experiment directory %s does not exist: check the path (or pass the template ID to search for it)", abs)
	case err != nil:
		return nil, fmt.Errorf("experiment directory %s: %w", abs, err)
	case fi.Mode()&fs.ModeSymlink != 0:
		return nil, fmt.Errorf("%w: experiment directory %s is a symbolic link; pass the real directory", ErrSymlink, abs)
	case !fi.IsDir():
		return nil, fmt.Errorf("experiment directory %s is not a directory", abs)
	}
	id, err := TemplateIDFromDir(abs)
	if err != nil {
		return nil, fmt.Errorf("experiment directory %s: %w", abs, err)
	}
	d := &Dir{Path: abs, Name: filepath.Base(abs), TemplateID: id}

	var missing []string
	var problems []error
	for _, f := range []struct {
		name string
		dst  *string
	}{{ReadmeFile, &d.Readme}, {CFNTemplateFile, &d.CFNTemplate}} {
		p := filepath.Join(abs, f.name)
		ok, err := checkRegular(p)
		switch {
		case err != nil:
			problems = append(problems, err)
		case !ok:
			missing = append(missing, f.name)
		default:
			*f.dst = p
		}
	}
	if len(missing) > 0 || len(problems) > 0 {
		var parts []string
		if len(missing) > 0 {
			m := fmt.Sprintf("%v %s: %s", ErrMissingFiles, abs, strings.Join(missing, ", "))
			if hint := caseVariants(abs, missing); hint != "" {
				m += " (" + hint + ")"
			}
			m += "; the prepare step writes both README.md and cfn-template.yaml"
			parts = append(parts, m)
		}
		for _, p := range problems {
			parts = append(parts, p.Error())
		}
		return nil, &openError{msg: strings.Join(parts, "; "), missing: len(missing) > 0, causes: problems}
	}

	for _, f := range []struct {
		name string
		dst  *string
	}{{ExpectedBehaviorFile, &d.ExpectedBehavior}, {DashboardFile, &d.Dashboard}} {
		p := filepath.Join(abs, filepath.FromSlash(f.name))
		if ok, err := checkRegular(p); ok && err == nil {
			*f.dst = p
		}
	}
	if entries, err := os.ReadDir(abs); err == nil {
		for _, e := range entries {
			if e.Type().IsRegular() && strings.HasSuffix(e.Name(), resultsSuffix) {
				d.Reports = append(d.Reports, filepath.Join(abs, e.Name()))
			}
		}
		sort.Strings(d.Reports)
	}
	return d, nil
}

// openError is why a directory cannot be opened: missing files (ErrMissingFiles) and the
// problems of the files that exist (each kept, so errors.Is finds ErrSymlink among them).
type openError struct {
	msg     string
	missing bool
	causes  []error
}

func (e *openError) Error() string { return e.msg }
func (e *openError) Unwrap() []error {
	errs := append([]error(nil), e.causes...)
	if e.missing {
		errs = append(errs, ErrMissingFiles)
	}
	return errs
}

// checkRegular says whether p exists (false, nil when it does not) and returns an error
// when it exists but is not a regular file of at most MaxFileSize bytes.
func checkRegular(p string) (bool, error) {
	fi, err := os.Lstat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, err
	case fi.Mode()&fs.ModeSymlink != 0:
		return true, fmt.Errorf("%s is a symbolic link (%w); copy the file into the experiment directory", p, ErrSymlink)
	case fi.IsDir():
		return true, fmt.Errorf("%s is a directory, not a file", p)
	case !fi.Mode().IsRegular():
		return true, fmt.Errorf("%s is not a regular file", p)
	case fi.Size() > MaxFileSize:
		return true, fmt.Errorf("%s is %d bytes, more than the %d-byte (1 MiB) limit", p, fi.Size(), MaxFileSize)
	}
	return true, nil
}

// caseVariants names files that differ from the missing ones only by case.
func caseVariants(dir string, missing []string) string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return ""
	}
	var hints []string
	for _, m := range missing {
		for _, e := range entries {
			if e.Name() != m && strings.EqualFold(e.Name(), m) {
				hints = append(hints, fmt.Sprintf("found %s: rename it to %s", e.Name(), m))
			}
		}
	}
	return strings.Join(hints, "; ")
}

// ReadFile reads a file of the experiment directory (a path returned in Dir) safely: it
// must still be a regular file, not a symbolic link, and at most MaxFileSize bytes.
func ReadFile(p string) ([]byte, error) {
	before, err := os.Lstat(p)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	if before.Mode()&fs.ModeSymlink != 0 {
		return nil, fmt.Errorf("read %s: %w", p, ErrSymlink)
	}
	if !before.Mode().IsRegular() {
		return nil, fmt.Errorf("read %s: not a regular file", p)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	defer f.Close()
	after, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	if !os.SameFile(before, after) {
		return nil, fmt.Errorf("read %s: file changed while being opened", p)
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	if len(b) > MaxFileSize {
		return nil, fmt.Errorf("read %s: more than the %d-byte (1 MiB) limit", p, MaxFileSize)
	}
	return b, nil
}
