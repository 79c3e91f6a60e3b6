package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden")

func TestGolden(t *testing.T) {
	fx := fixtures()
	names := make([]string, 0, len(fx))
	for n := range fx {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			s := fx[name]()
			a, err := Analyze(s, Options{Now: fixtureNow})
			if err != nil {
				t.Fatalf("Analyze: %v", err)
			}
			md, js, err := Render(s, a, "")
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			var probe map[string]any
			if err := json.Unmarshal(js, &probe); err != nil {
				t.Fatalf("JSON twin does not parse: %v", err)
			}
			compareGolden(t, filepath.Join("testdata", "golden", name+".md"), md)
			compareGolden(t, filepath.Join("testdata", "golden", name+".json"), js)
		})
	}
}

func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./session/report -update)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if gl[i] != wl[i] {
				t.Fatalf("%s differs at line %d:\n got: %s\nwant: %s\n(run go test ./session/report -update to accept)", path, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s differs in length: got %d lines, want %d", path, len(gl), len(wl))
	}
}
