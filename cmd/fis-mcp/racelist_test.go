package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// makeVarRE matches a Makefile variable assignment with its continuation lines.
var makeVarRE = regexp.MustCompile(`(?m)^([A-Z_]+)[ \t]*:=((?:[^\n]*\\\n)*[^\n]*)`)

// makeVars reads the `NAME := value` assignments of a Makefile (continuations joined).
func makeVars(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	vars := map[string]string{}
	for _, m := range makeVarRE.FindAllStringSubmatch(string(b), -1) {
		vars[m[1]] = strings.Join(strings.Fields(strings.ReplaceAll(m[2], "\\\n", " ")), " ")
	}
	return vars
}

// startsGoroutines reports whether a non-test .go file of dir has a `go` statement.
func startsGoroutines(t *testing.T, dir string) (bool, string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatalf("parse %s: %v", name, err)
		}
		found := ""
		ast.Inspect(f, func(n ast.Node) bool {
			if g, ok := n.(*ast.GoStmt); ok && found == "" {
				found = fset.Position(g.Pos()).String()
			}
			return found == ""
		})
		if found != "" {
			return true, found
		}
	}
	return false, ""
}

// TestRaceListCoversGoroutines keeps the Makefile's -race list from rotting: every
// package whose non-test code starts a goroutine must be in RACE_PKGS (or RACE_SUBSET_PKGS),
// and every listed package must exist.
func TestRaceListCoversGoroutines(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	vars := makeVars(t, filepath.Join(root, "Makefile"))
	listed := map[string]bool{}
	for _, v := range []string{"RACE_PKGS", "RACE_SUBSET_PKGS"} {
		if vars[v] == "" {
			t.Fatalf("the Makefile has no %s list", v)
		}
		for _, p := range strings.Fields(vars[v]) {
			p = strings.TrimPrefix(filepath.ToSlash(filepath.Clean(p)), "./")
			if st, err := os.Stat(filepath.Join(root, p)); err != nil || !st.IsDir() {
				t.Errorf("%s lists %s, which is not a directory of this module", v, p)
			}
			listed[p] = true
		}
	}
	if missing := missingFromRaceList(t, root, listed); len(missing) > 0 {
		t.Errorf("packages that start goroutines but are not tested with -race: add them to RACE_PKGS in the Makefile:\n  %s",
			strings.Join(missing, "\n  "))
	}
}

// missingFromRaceList walks the module under root and returns each package directory
// whose non-test code has a `go` statement and that listed does not have.
func missingFromRaceList(t *testing.T, root string, listed map[string]bool) []string {
	t.Helper()
	var missing []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "node_modules" || name == "bin") {
			return filepath.SkipDir
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if ok, where := startsGoroutines(t, path); ok && !listed[rel] {
			missing = append(missing, rel+" ("+strings.TrimPrefix(where, root+string(filepath.Separator))+")")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(missing)
	return missing
}

// TestMissingFromRaceList checks the walk on a small tree: a `go` statement in non-test
// code counts, one in a _test.go file or under testdata does not, and a listed package passes.
func TestMissingFromRaceList(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"a/a.go":            "package a\nfunc f() { go func() {}() }\n",
		"b/b.go":            "package b\nfunc f() {}\n",
		"b/b_test.go":       "package b\nfunc g() { go func() {}() }\n",
		"c/d/d.go":          "package d\nfunc f(x func()) { go x() }\n",
		"e/e.go":            "package e\nfunc f() { go func() {}() }\n",
		"e/testdata/x/x.go": "package x\nfunc f() { go func() {}() }\n",
		"f/chan.go":         "package f\nvar c = make(chan int) // go statement in a comment: go func()\n",
	}
	for name, src := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	got := missingFromRaceList(t, root, map[string]bool{"e": true})
	if len(got) != 2 || !strings.HasPrefix(got[0], "a (a/a.go:2:") || !strings.HasPrefix(got[1], "c/d (c/d/d.go:2:") {
		t.Errorf("missingFromRaceList = %q, want a and c/d", got)
	}
}

// TestMakeVarsParsesContinuations checks the Makefile reader the race-list test relies on.
func TestMakeVarsParsesContinuations(t *testing.T) {
	path := filepath.Join(t.TempDir(), "Makefile")
	src := "A := ./x \\\n\t./y \\\n\t./z\nB := one\nC = not-immediate\n\tD := indented\n"
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	got := makeVars(t, path)
	if got["A"] != "./x ./y ./z" || got["B"] != "one" {
		t.Errorf("makeVars = %q", got)
	}
	if _, ok := got["C"]; ok {
		t.Errorf("a recursive `=` assignment was read as `:=`: %q", got)
	}
	if _, ok := got["D"]; ok {
		t.Errorf("an indented (recipe) line was read as an assignment: %q", got)
	}
}
