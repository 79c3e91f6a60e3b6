package expdir

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const goodName = "2026-04-11-10-30-15-az-power-int-my-cluster-EXT1a2b3c4d5e6f7"

func TestOpen(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(t *testing.T, root string)
		path   func(root string) string // the path argument
		root   bool                     // pass root as Open's root
		want   string                   // base name of the opened directory
		errIs  error
		errHas []string
	}{
		{
			name:  "absolute path",
			setup: func(t *testing.T, root string) { mkdirs(t, root, goodName+"/README.md", goodName+"/cfn-template.yaml") },
			path:  func(root string) string { return filepath.Join(root, goodName) },
			want:  goodName,
		},
		{
			name: "relative to root, unclean",
			setup: func(t *testing.T, root string) {
				mkdirs(t, root, goodName+"/README.md", goodName+"/cfn-template.yaml", "sub/")
			},
			path: func(string) string { return "./sub/../" + goodName + "/" },
			root: true,
			want: goodName,
		},
		{
			name:   "relative escaping root",
			setup:  func(t *testing.T, root string) {},
			path:   func(string) string { return "../" + goodName },
			root:   true,
			errIs:  ErrOutsideRoot,
			errHas: []string{"leaves"},
		},
		{
			name: "relative through a symlinked parent outside root",
			setup: func(t *testing.T, root string) {
				outside := t.TempDir()
				mkdirs(t, outside, goodName+"/README.md", goodName+"/cfn-template.yaml")
				symlink(t, outside, filepath.Join(root, "elsewhere"))
			},
			path:   func(string) string { return "elsewhere/" + goodName },
			root:   true,
			errIs:  ErrOutsideRoot,
			errHas: []string{"symbolic link"},
		},
		{
			name: "symlinked directory",
			setup: func(t *testing.T, root string) {
				mkdirs(t, root, "real/"+goodName+"/README.md", "real/"+goodName+"/cfn-template.yaml")
				symlink(t, filepath.Join(root, "real", goodName), filepath.Join(root, goodName))
			},
			path:   func(root string) string { return filepath.Join(root, goodName) },
			errIs:  ErrSymlink,
			errHas: []string{"is a symbolic link"},
		},
		{
			name:   "does not exist",
			setup:  func(t *testing.T, root string) {},
			path:   func(root string) string { return filepath.Join(root, goodName) },
			errHas: []string{"does not exist"},
		},
		{
			name:   "not a directory",
			setup:  func(t *testing.T, root string) { mkdirs(t, root, goodName) },
			path:   func(root string) string { return filepath.Join(root, goodName) },
			errHas: []string{"is not a directory"},
		},
		{
			name: "no template ID suffix",
			setup: func(t *testing.T, root string) {
				mkdirs(t, root, "2026-04-11-no-ext/README.md", "2026-04-11-no-ext/cfn-template.yaml")
			},
			path:   func(root string) string { return filepath.Join(root, "2026-04-11-no-ext") },
			errIs:  ErrNoTemplateID,
			errHas: []string{"must end with the FIS experiment template ID", "EXT1a2b3c4d5e6f7"},
		},
		{
			name:   "both files missing, one error",
			setup:  func(t *testing.T, root string) { mkdirs(t, root, goodName+"/") },
			path:   func(root string) string { return filepath.Join(root, goodName) },
			errIs:  ErrMissingFiles,
			errHas: []string{"README.md, cfn-template.yaml"},
		},
		{
			name:   "cfn missing",
			setup:  func(t *testing.T, root string) { mkdirs(t, root, goodName+"/README.md") },
			path:   func(root string) string { return filepath.Join(root, goodName) },
			errIs:  ErrMissingFiles,
			errHas: []string{": cfn-template.yaml"},
		},
		{
			name: "README is a symlink",
			setup: func(t *testing.T, root string) {
				mkdirs(t, root, goodName+"/cfn-template.yaml", "secret.md")
				symlink(t, filepath.Join(root, "secret.md"), filepath.Join(root, goodName, "README.md"))
			},
			path:   func(root string) string { return filepath.Join(root, goodName) },
			errIs:  ErrSymlink,
			errHas: []string{"README.md is a symbolic link"},
		},
		{
			name: "cfn is a directory",
			setup: func(t *testing.T, root string) {
				mkdirs(t, root, goodName+"/README.md", goodName+"/cfn-template.yaml/")
			},
			path:   func(root string) string { return filepath.Join(root, goodName) },
			errHas: []string{"cfn-template.yaml is a directory"},
		},
		{
			name: "README too big and cfn missing",
			setup: func(t *testing.T, root string) {
				mkdirs(t, root, goodName+"/")
				if err := os.WriteFile(filepath.Join(root, goodName, "README.md"), make([]byte, MaxFileSize+1), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			path:   func(root string) string { return filepath.Join(root, goodName) },
			errIs:  ErrMissingFiles,
			errHas: []string{"1 MiB", "cfn-template.yaml"},
		},
		{
			name:   "empty path",
			setup:  func(t *testing.T, root string) {},
			path:   func(string) string { return "  " },
			errHas: []string{"empty"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			tc.setup(t, root)
			r := ""
			if tc.root {
				r = root
			}
			d, err := Open(tc.path(root), r)
			if tc.want != "" {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				want := filepath.Join(root, tc.want)
				if d.Path != want || d.Name != tc.want || d.TemplateID != "EXT1a2b3c4d5e6f7" ||
					d.Readme != filepath.Join(want, "README.md") || d.CFNTemplate != filepath.Join(want, "cfn-template.yaml") {
					t.Fatalf("Open = %+v", d)
				}
				return
			}
			if err == nil {
				t.Fatalf("Open = %+v, want an error", d)
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

func TestOpenSizeLimitBoundary(t *testing.T) {
	root := t.TempDir()
	mkdirs(t, root, goodName+"/cfn-template.yaml")
	if err := os.WriteFile(filepath.Join(root, goodName, "README.md"), make([]byte, MaxFileSize), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(filepath.Join(root, goodName), ""); err != nil {
		t.Fatalf("exactly 1 MiB should be accepted: %v", err)
	}
}

func TestOpenCaseHint(t *testing.T) {
	root := t.TempDir()
	mkdirs(t, root, goodName+"/readme.md", goodName+"/cfn-template.yaml")
	_, err := Open(filepath.Join(root, goodName), "")
	if err == nil {
		t.Skip("case-insensitive file system")
	}
	if !strings.Contains(err.Error(), "rename it to README.md") {
		t.Fatalf("error %q lacks the rename hint", err)
	}
}

func TestOpenOptionalFiles(t *testing.T) {
	root := t.TempDir()
	mkdirs(t, root,
		goodName+"/README.md", goodName+"/cfn-template.yaml", goodName+"/expected-behavior.md",
		goodName+"/alarms/dashboard.json",
		goodName+"/2026-04-11-11-00-00-az-power-interruption-experiment-results.md",
		goodName+"/2026-04-10-11-00-00-az-power-interruption-experiment-results.md",
		goodName+"/notes.md")
	d, err := Open(filepath.Join(root, goodName), "")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, goodName)
	if d.ExpectedBehavior != filepath.Join(dir, "expected-behavior.md") || d.Dashboard != filepath.Join(dir, "alarms", "dashboard.json") {
		t.Errorf("optional files: %+v", d)
	}
	if len(d.Reports) != 2 || !strings.HasSuffix(d.Reports[0], "2026-04-10-11-00-00-az-power-interruption-experiment-results.md") {
		t.Errorf("reports: %q", d.Reports)
	}
}

func TestOpenRelativeToWorkingDirectory(t *testing.T) {
	root := t.TempDir()
	mkdirs(t, root, goodName+"/README.md", goodName+"/cfn-template.yaml")
	t.Chdir(root)
	d, err := Open(goodName, "")
	if err != nil {
		t.Fatal(err)
	}
	if !filepath.IsAbs(d.Path) || d.Name != goodName {
		t.Fatalf("Open = %+v", d)
	}
}

func TestReadFile(t *testing.T) {
	root := t.TempDir()
	mkdirs(t, root, "a.md", "dir/")
	if b, err := ReadFile(filepath.Join(root, "a.md")); err != nil || string(b) != "x" {
		t.Fatalf("ReadFile = %q, %v", b, err)
	}
	if _, err := ReadFile(filepath.Join(root, "dir")); err == nil {
		t.Error("directory: want an error")
	}
	if _, err := ReadFile(filepath.Join(root, "missing")); err == nil {
		t.Error("missing: want an error")
	}
	symlink(t, filepath.Join(root, "a.md"), filepath.Join(root, "link.md"))
	if _, err := ReadFile(filepath.Join(root, "link.md")); !errors.Is(err, ErrSymlink) {
		t.Errorf("symlink: %v, want ErrSymlink", err)
	}
	big := filepath.Join(root, "big.md")
	if err := os.WriteFile(big, make([]byte, MaxFileSize+10), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(big); err == nil || !strings.Contains(err.Error(), "1 MiB") {
		t.Errorf("big file: %v", err)
	}
}

func TestOpenTestdata(t *testing.T) {
	good, err := os.ReadDir("../../testdata/experiments")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range good {
		if _, err := Open(e.Name(), "../../testdata/experiments"); err != nil {
			t.Errorf("Open(%s): %v", e.Name(), err)
		}
	}
	broken := map[string]error{
		"2026-04-11-no-ext-suffix":                ErrNoTemplateID,
		"2026-04-11-missing-cfn-EXT5e6f7a8b9c0d1": ErrMissingFiles,
		"2026-04-11-no-stack-EXT6f7a8b9c0d1e2":    nil,
		"2026-04-11-dup-a-EXT7a8b9c0d1e2f3":       nil,
		"2026-04-12-dup-b-EXT7a8b9c0d1e2f3":       nil,
	}
	for name, want := range broken {
		_, err := Open(name, "../../testdata/experiments-broken")
		if want == nil && err != nil || want != nil && !errors.Is(err, want) {
			t.Errorf("Open(%s) = %v, want %v", name, err, want)
		}
	}
}
