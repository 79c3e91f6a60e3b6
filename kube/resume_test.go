package kube

import (
	"hash/maphash"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fis-mcp/fis-mcp/session/logline"
)

func TestReadResumePoints(t *testing.T) {
	seed := maphash.MakeSeed()
	dir := t.TempDir()
	path := filepath.Join(dir, "db1", "shop_api.log")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	var buf []byte
	add := func(d time.Duration, pod, container, msg string) {
		buf = logline.Append(buf, t0.Add(d), pod, container, []byte(msg))
	}
	add(0, "a", "api", "old")
	add(900*time.Millisecond, "a", "api", "x")
	add(1100*time.Millisecond, "b", "api", "b1")
	add(1200*time.Millisecond, "a", "api", "same")
	add(1200*time.Millisecond, "a", "api", "same")
	add(1500*time.Millisecond, "a", "api", "last")
	add(1600*time.Millisecond, "b", "api", "b2")
	buf = append(buf, "2026-04-11T10:00:01.7Z [a/api] torn wri"...) // a crash mid-write
	if err := os.WriteFile(path, buf, 0o600); err != nil {
		t.Fatal(err)
	}
	pts, err := readResumePoints(path, map[string]bool{"a/api": true, "b/api": true, "c/api": true}, seed, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	a := pts["a/api"]
	if a == nil || !a.last.Equal(t0.Add(1700*time.Millisecond)) {
		// The torn line parses (its timestamp and prefix are whole): it counts.
		t.Fatalf("a = %+v", a)
	}
	if a.seen[lineHash(seed, t0.Add(1200*time.Millisecond), []byte("same"))] != 2 || a.seen[lineHash(seed, t0.Add(1500*time.Millisecond), []byte("last"))] != 1 {
		t.Fatalf("a seen = %v", a.seen)
	}
	if a.seen[lineHash(seed, t0.Add(900*time.Millisecond), []byte("x"))] != 0 {
		t.Fatal("a line of an earlier second is in the skip set")
	}
	if b := pts["b/api"]; b == nil || !b.last.Equal(t0.Add(1600*time.Millisecond)) || len(b.seen) != 2 {
		t.Fatalf("b = %+v", b)
	}
	if pts["c/api"] != nil {
		t.Fatal("a stream absent from the whole file gets no point")
	}

	// Bounded: only the last 100 bytes are read; a stream not in them resumes at the window's oldest line.
	pts, err = readResumePoints(path, map[string]bool{"a/api": true, "z/api": true}, seed, 100)
	if err != nil {
		t.Fatal(err)
	}
	if z := pts["z/api"]; z == nil || z.last.IsZero() || len(z.seen) != 0 {
		t.Fatalf("z = %+v", z)
	}
	// The sink never glues a new line to a torn one.
	s, err := openSink(path)
	if err != nil {
		t.Fatal(err)
	}
	_ = s.write(logline.Append(nil, t0.Add(2*time.Second), "a", "api", []byte("next")))
	if err := s.close(); err != nil {
		t.Fatal(err)
	}
	lines := readLines(t, path)
	if got := string(lines[len(lines)-1].Message); got != "next" {
		t.Fatalf("last line %q", got)
	}
	if pts, _ := readResumePoints(filepath.Join(dir, "missing.log"), nil, seed, 1<<20); pts != nil {
		t.Fatal("missing file gives points")
	}
}
