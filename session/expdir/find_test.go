package expdir

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// mkdirs creates directories (names ending in "/") and files under root.
func mkdirs(t *testing.T, root string, names ...string) {
	t.Helper()
	for _, n := range names {
		p := filepath.Join(root, filepath.FromSlash(n))
		if strings.HasSuffix(n, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("symlinks unavailable: %v", err)
	}
}

func TestFind(t *testing.T) {
	const id = "EXT1a2b3c4d5e6f7"
	tests := []struct {
		name      string
		setup     func(t *testing.T, root string)
		id        string
		want      string // base name of the match
		ambiguous []string
		errIs     error
		errHas    []string
	}{
		{
			name: "one match",
			setup: func(t *testing.T, root string) {
				mkdirs(t, root, "2026-04-11-10-30-15-az-power-int-my-cluster-"+id+"/", "other-EXT9/")
			},
			id: id, want: "2026-04-11-10-30-15-az-power-int-my-cluster-" + id,
		},
		{
			name:  "name equals the ID",
			setup: func(t *testing.T, root string) { mkdirs(t, root, id+"/") },
			id:    id, want: id,
		},
		{
			name: "longer ID and prefix-only matches are not matches",
			setup: func(t *testing.T, root string) {
				mkdirs(t, root, "a-"+id+"9/", "b-"+id+"-old/", "c"+id+"/", "d-"+id+"/")
			},
			id: id, want: "d-" + id,
		},
		{
			name: "several matches",
			setup: func(t *testing.T, root string) {
				mkdirs(t, root, "2026-04-12-b-"+id+"/", "2026-04-11-a-"+id+"/")
			},
			id:        id,
			ambiguous: []string{"2026-04-11-a-" + id, "2026-04-12-b-" + id},
			errHas:    []string{"2 directories", `pass the one you mean as "path"`},
		},
		{
			name:   "no match",
			setup:  func(t *testing.T, root string) { mkdirs(t, root, "x-EXTother/") },
			id:     id,
			errIs:  ErrNotFound,
			errHas: []string{"no directory ending with \"-" + id + "\"", `"path"`},
		},
		{
			name:   "case differs",
			setup:  func(t *testing.T, root string) { mkdirs(t, root, "x-"+strings.ToLower(id)+"/") },
			id:     id,
			errIs:  ErrNotFound,
			errHas: []string{"case-sensitive", "x-ext1a2b3c4d5e6f7"},
		},
		{
			name:   "regular file is not a match",
			setup:  func(t *testing.T, root string) { mkdirs(t, root, "notes-"+id) },
			id:     id,
			errIs:  ErrNotFound,
			errHas: []string{"no directory"},
		},
		{
			name: "symlink refused",
			setup: func(t *testing.T, root string) {
				outside := t.TempDir()
				mkdirs(t, outside, "real-"+id+"/")
				symlink(t, filepath.Join(outside, "real-"+id), filepath.Join(root, "link-"+id))
			},
			id:     id,
			errIs:  ErrSymlink,
			errHas: []string{"link-" + id, "symbolic link"},
		},
		{
			name: "symlink ignored next to a real match",
			setup: func(t *testing.T, root string) {
				mkdirs(t, root, "real-"+id+"/")
				symlink(t, filepath.Join(root, "real-"+id), filepath.Join(root, "link-"+id))
			},
			id: id, want: "real-" + id,
		},
		{
			name:   "invalid ID",
			setup:  func(t *testing.T, root string) {},
			id:     "EXT*",
			errIs:  ErrInvalidTemplateID,
			errHas: []string{`"EXT*"`},
		},
		{
			name:   "glob injection",
			setup:  func(t *testing.T, root string) { mkdirs(t, root, "a-EXTabc/") },
			id:     "EXT[a-z]*",
			errIs:  ErrInvalidTemplateID,
			errHas: []string{"invalid"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			tc.setup(t, root)
			got, err := Find(root, tc.id)
			if tc.want != "" {
				if err != nil {
					t.Fatalf("Find: %v", err)
				}
				if want := filepath.Join(root, tc.want); got != want || !filepath.IsAbs(got) {
					t.Fatalf("Find = %q, want %q", got, want)
				}
				return
			}
			if err == nil {
				t.Fatalf("Find = %q, want an error", got)
			}
			if tc.ambiguous != nil {
				var amb *AmbiguousError
				if !errors.As(err, &amb) {
					t.Fatalf("error %v is not *AmbiguousError", err)
				}
				if len(amb.Candidates) != len(tc.ambiguous) {
					t.Fatalf("candidates %q, want %q", amb.Candidates, tc.ambiguous)
				}
				for i, c := range amb.Candidates {
					if c != filepath.Join(root, tc.ambiguous[i]) {
						t.Errorf("candidate %d = %q, want %q", i, c, filepath.Join(root, tc.ambiguous[i]))
					}
					if !strings.Contains(err.Error(), c) {
						t.Errorf("message %q does not list %q", err, c)
					}
				}
			}
			if tc.errIs != nil && !errors.Is(err, tc.errIs) {
				t.Errorf("error %v is not %v", err, tc.errIs)
			}
			for _, s := range tc.errHas {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
		})
	}
}

func TestFindInvalidIDBeforeFileAccess(t *testing.T) {
	_, err := Find(filepath.Join(t.TempDir(), "does-not-exist"), "../etc")
	if !errors.Is(err, ErrInvalidTemplateID) {
		t.Fatalf("Find with invalid ID and missing root = %v, want ErrInvalidTemplateID", err)
	}
}

func TestFindRootErrors(t *testing.T) {
	root := t.TempDir()
	if _, err := Find(filepath.Join(root, "missing"), "EXTabc"); err == nil || errors.Is(err, ErrNotFound) {
		t.Fatalf("missing root: %v, want a search directory error", err)
	}
	mkdirs(t, root, "file")
	if _, err := Find(filepath.Join(root, "file"), "EXTabc"); err == nil {
		t.Fatal("root is a file: want an error")
	}
	// Not-found message names the (absolute) search root.
	_, err := Find(root, "EXTabc")
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), root) {
		t.Fatalf("not found error %v should wrap ErrNotFound and name %s", err, root)
	}
}

func TestFindRelativeAndEmptyRoot(t *testing.T) {
	root := t.TempDir()
	mkdirs(t, root, "x-EXTabc/")
	t.Chdir(root)
	for _, r := range []string{"", "."} {
		got, err := Find(r, "EXTabc")
		if err != nil {
			t.Fatalf("Find(%q): %v", r, err)
		}
		want, _ := filepath.Abs("x-EXTabc")
		if got != want {
			t.Errorf("Find(%q) = %q, want %q", r, got, want)
		}
	}
}

func TestFindTestdata(t *testing.T) {
	got, err := Find("../../testdata/experiments", "EXT3c4d5e6f7a8b9")
	if err != nil || filepath.Base(got) != "2026-05-03-14-20-00-redis-az-power-cache-EXT3c4d5e6f7a8b9" {
		t.Fatalf("Find = %q, %v", got, err)
	}
	_, err = Find("../../testdata/experiments-broken", "EXT7a8b9c0d1e2f3")
	var amb *AmbiguousError
	if !errors.As(err, &amb) || len(amb.Candidates) != 2 || amb.TemplateID != "EXT7a8b9c0d1e2f3" {
		t.Fatalf("duplicate pair: %v", err)
	}
}
