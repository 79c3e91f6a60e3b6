package expdir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ErrNotFound is returned (wrapped) by Find when no directory matches the template ID.
var ErrNotFound = errors.New("experiment directory not found")

// ErrSymlink is returned (wrapped) when the experiment directory or one of its files is a symbolic link.
var ErrSymlink = errors.New("symbolic links are not followed")

// ErrOutsideRoot is returned (wrapped) for a path that resolves outside the search root.
var ErrOutsideRoot = errors.New("path resolves outside the search directory")

// AmbiguousError is returned by Find when several directories end with the same template ID.
type AmbiguousError struct {
	TemplateID string
	// Candidates are the absolute paths of every matching directory, sorted.
	Candidates []string
}

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("%d directories end with template ID %s: %s; pass the one you mean as \"path\"",
		len(e.Candidates), e.TemplateID, strings.Join(e.Candidates, ", "))
}

// Find searches root, one level deep, for the directory whose name ends with "-"+templateID
// (or equals templateID) and returns its absolute path. root "" means the working directory.
// Symbolic links and anything resolving outside root are refused. Several matches give an
// *AmbiguousError; none gives an error wrapping ErrNotFound.
func Find(root, templateID string) (string, error) {
	if err := checkTemplateID(templateID); err != nil {
		return "", err
	}
	if root == "" {
		root = "."
	}
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return "", fmt.Errorf("search directory %q: %w", root, err)
	}
	realRoot, err := filepath.EvalSymlinks(absRoot)
	if err != nil {
		return "", fmt.Errorf("search directory %s: %w", absRoot, err)
	}
	entries, err := os.ReadDir(absRoot)
	if err != nil {
		return "", fmt.Errorf("search directory %s: %w", absRoot, err)
	}

	var matches, links, nearMisses []string
	for _, e := range entries {
		name := e.Name()
		if !matchesTemplateID(name, templateID) {
			if matchesTemplateID(strings.ToLower(name), strings.ToLower(templateID)) {
				nearMisses = append(nearMisses, name)
			}
			continue
		}
		p := filepath.Join(absRoot, name)
		// DirEntry types come from lstat; check again to be sure about what we return.
		fi, err := os.Lstat(p)
		if err != nil {
			continue // vanished since ReadDir
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			links = append(links, p)
			continue
		}
		if !fi.IsDir() {
			continue
		}
		if !within(realRoot, p) {
			links = append(links, p)
			continue
		}
		matches = append(matches, p)
	}
	sort.Strings(matches)
	switch {
	case len(matches) == 1:
		return matches[0], nil
	case len(matches) > 1:
		return "", &AmbiguousError{TemplateID: templateID, Candidates: matches}
	case len(links) > 0:
		sort.Strings(links)
		return "", fmt.Errorf("%w: %s ends with template ID %s but is a symbolic link or resolves outside %s; pass the real directory as \"path\"",
			ErrSymlink, strings.Join(links, ", "), templateID, absRoot)
	}
	msg := fmt.Sprintf("%v: no directory ending with \"-%s\" in %s", ErrNotFound, templateID, absRoot)
	if len(nearMisses) > 0 {
		sort.Strings(nearMisses)
		msg += fmt.Sprintf(" (template IDs are case-sensitive; similar: %s)", strings.Join(nearMisses, ", "))
	}
	return "", &notFoundError{msg: msg + "; pass the full path to the experiment directory as \"path\", or the directory that contains it as \"search_dir\""}
}

type notFoundError struct{ msg string }

func (e *notFoundError) Error() string { return e.msg }
func (e *notFoundError) Unwrap() error { return ErrNotFound }

// within reports whether p, with every symbolic link resolved, lies inside realRoot
// (itself already resolved); p may be realRoot itself.
func within(realRoot, p string) bool {
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return false
	}
	rel, err := filepath.Rel(realRoot, real)
	if err != nil {
		return false
	}
	return filepath.IsLocal(rel)
}
