package report

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/logline"
)

// The chunked, parallel scanner must give exactly the results of the original
// line-by-line scanner (refScanner), whatever the chunk size and worker count.

type scanVariant struct {
	name string
	mk   func(cls *classifier, faultStart, closeAt time.Time) fileScanner
}

func scanVariants() []scanVariant {
	cfg := func(workers, chunk int) func(*classifier, time.Time, time.Time) fileScanner {
		return func(cls *classifier, f, c time.Time) fileScanner { return newScannerConfig(cls, f, c, workers, chunk) }
	}
	return []scanVariant{
		{"sequential-1MiB", cfg(1, 1<<20)},
		{"sequential-4093B", cfg(1, 4093)},
		{"parallel2-4KiB", cfg(2, 4<<10)},
		{"parallel4-5000B", cfg(4, 5000)},
		{"parallel3-64KiB", cfg(3, 64<<10)},
		{"default", func(cls *classifier, f, c time.Time) fileScanner { return newScanner(cls, f, c) }},
	}
}

func refAnalyze(t *testing.T, s *session.Session, opts Options) *Analysis {
	t.Helper()
	a, err := analyze(s, opts, func(cls *classifier, f, c time.Time) fileScanner { return newRefScanner(cls, f, c) })
	if err != nil {
		t.Fatalf("reference analyze: %v", err)
	}
	return a
}

func compareAnalyses(t *testing.T, s *session.Session, opts Options, variants []scanVariant) {
	t.Helper()
	want := refAnalyze(t, s, opts)
	wantMD, wantJS, err := Render(s, want, "")
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	for _, v := range variants {
		got, err := analyze(s, opts, v.mk)
		if err != nil {
			t.Fatalf("%s: %v", v.name, err)
		}
		if !reflect.DeepEqual(got, want) {
			for i := range want.Apps {
				if i < len(got.Apps) && !reflect.DeepEqual(got.Apps[i], want.Apps[i]) {
					t.Fatalf("%s: app %d differs:\n got %+v\nwant %+v", v.name, i, got.Apps[i], want.Apps[i])
				}
			}
			t.Fatalf("%s: analysis differs:\n got %+v\nwant %+v", v.name, got, want)
		}
		md, js, err := Render(s, got, "")
		if err != nil || !bytes.Equal(md, wantMD) || !bytes.Equal(js, wantJS) {
			t.Fatalf("%s: rendered report differs (err %v)", v.name, err)
		}
	}
}

func TestScanEquivalenceGolden(t *testing.T) {
	fx := fixtures()
	names := make([]string, 0, len(fx))
	for n := range fx {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			compareAnalyses(t, fx[name](), Options{Now: fixtureNow}, scanVariants())
		})
	}
}

// genPatternLog writes a log with many distinct templates (more than maxClusters),
// errors, warnings, recovery lines, malformed, blank, CRLF and over-long lines,
// timestamps of every precision (some out of order, some before the baseline
// limit and after the window), so that chunk boundaries fall everywhere.
func genPatternLog(t *testing.T, dir string, seed int64, start time.Time, n int) string {
	t.Helper()
	p := filepath.Join(dir, fmt.Sprintf("patterns-%d.log", seed))
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	rng := rand.New(rand.NewSource(seed))
	words := []string{"alpha", "beta", "gamma", "delta", "orders", "cart", "db", "shard", "queue", "worker", "cache", "pool"}
	levels := []string{"ERROR", "WARN ", "INFO", "level=error", "level=warn", "DEBUG", `{"level":"error","msg":`, "FATAL", "[warn]"}
	faults := []string{"connection refused", "context deadline exceeded", "READONLY You can't write", "Communications link failure",
		"no such host", "ThrottlingException: Rate exceeded", "MOVED 3999 10.0.0.1:6379", "broken pipe", "healthy again",
		"reconnected to primary", "connection restored", "token=abcd1234secret password=hunter2", "AKIAIOSFODNN7EXAMPLE"}
	var line []byte
	for i := 0; i < n; i++ {
		ts := start.Add(time.Duration(i)*37*time.Millisecond + time.Duration(rng.Intn(1000))*time.Microsecond)
		switch rng.Intn(400) {
		case 0:
			ts = ts.Add(-time.Duration(rng.Intn(3600)) * time.Second) // out of order
		case 1:
			ts = ts.Add(-30 * time.Hour) // too old
		case 2:
			ts = ts.Add(3 * time.Hour) // after the window
		case 3:
			ts = time.Unix(0, 0)
		}
		var msg strings.Builder
		k := rng.Intn(300) // template family: more than maxClusters distinct first tokens
		if rng.Intn(2) == 0 {
			msg.WriteString(levels[rng.Intn(len(levels))])
			msg.WriteByte(' ')
		}
		fmt.Fprintf(&msg, "fam%c%c %s ", 'a'+k%26, 'a'+k/26, levels[rng.Intn(len(levels))])
		for j := 0; j < k%7; j++ {
			msg.WriteString(words[(k*j+rng.Intn(2))%len(words)])
			msg.WriteByte(' ')
		}
		if rng.Intn(3) == 0 {
			msg.WriteString(faults[rng.Intn(len(faults))])
		}
		fmt.Fprintf(&msg, " id=%d took=%dms uuid=%08x-1234-5678-9abc-%012x", rng.Intn(1e6), rng.Intn(900), rng.Uint32(), rng.Int63n(1<<40))
		line = line[:0]
		switch r := rng.Intn(300); {
		case r == 0:
			line = append(line, "garbage without a timestamp\n"...)
		case r == 1:
			line = append(line, "   \t\n"...)
		case r == 2:
			line = append(line, '\n')
		case r == 3:
			line = logline.Append(line, ts, "pod", "c", []byte(msg.String()+" "+strings.Repeat("x", maxLineLen-40+rng.Intn(80))))
		case r == 4:
			line = logline.Append(line, ts, "pod", "c", []byte(strings.Repeat("y", 3*readBufSize)))
		case r == 5:
			line = append(line, ts.Format(time.RFC3339Nano)...)
			line = append(line, " [nopodslash] "...)
			line = append(line, msg.String()...)
			line = append(line, '\n')
		case r == 6:
			line = append(line, ts.In(time.FixedZone("x", 7200)).Format(time.RFC3339Nano)...)
			line = append(line, " [p/c] "...)
			line = append(line, msg.String()...)
			line = append(line, '\n')
		case r < 20:
			line = logline.Append(line, ts, fmt.Sprintf("pod-%d", r), "app", []byte(msg.String()))
			line = append(line[:len(line)-1], "\r\n"...)
		default:
			line = logline.Append(line, ts, fmt.Sprintf("pod-%d", rng.Intn(4)), "app", []byte(msg.String()))
		}
		w.Write(line)
	}
	// A last line without its newline.
	w.WriteString(start.Add(time.Duration(n) * 37 * time.Millisecond).Format(time.RFC3339Nano))
	w.WriteString(" [pod-1/app] ERROR final line without newline")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return p
}

func TestScanEquivalenceGenerated(t *testing.T) {
	dir := t.TempDir()
	start := time.Date(2026, 4, 11, 10, 0, 0, 0, time.UTC)
	n := 6000
	if testing.Short() {
		n = 3000
	}
	files := []string{genPatternLog(t, dir, 1, start, n), genPatternLog(t, dir, 2, start.Add(time.Minute), n/2)}
	end := start.Add(time.Duration(n) * 37 * time.Millisecond)
	cases := []struct {
		name       string
		faultStart time.Time
		instant    bool
	}{
		{"fault mid-file", start.Add(end.Sub(start) / 2), false},
		{"fault at a fractional second", start.Add(end.Sub(start)/3 + 123456789*time.Nanosecond), true},
		{"fault before the logs", start.Add(-time.Hour), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			app := session.App{Cluster: "c", Namespace: "n", Workload: "w", Service: "db"}
			other := session.App{Cluster: "c", Namespace: "n", Workload: "other", Service: "cache"}
			fEnd := tc.faultStart.Add(90 * time.Second)
			actionID := "aws:ecs:stop-task"
			if tc.instant {
				actionID, fEnd = "aws:rds:failover-db-cluster", tc.faultStart
			}
			s := &session.Session{
				Experiment: session.Experiment{AffectedResources: []session.AffectedResource{{Type: "RDS", Identifier: "db"}}},
				Logs: &session.LogCollection{StartedAt: start, Apps: []session.App{app, other}, Streams: []session.LogStream{
					{App: app.Key(), File: files[0]}, {App: app.Key(), File: files[1]}, {App: app.Key(), File: filepath.Join(dir, "missing.log")},
					{App: other.Key(), File: files[1]}}},
				Run: &session.Run{ExperimentID: "EXP", State: "completed", StartTime: &tc.faultStart, EndTime: &end,
					Actions: []session.ActionRun{{Name: "a", ActionID: actionID, StartTime: &tc.faultStart, EndTime: &fEnd}}},
			}
			opts := Options{Now: end.Add(time.Hour)}
			ref := refAnalyze(t, s, opts).Apps[0]
			hasOther := false
			for _, p := range ref.Patterns {
				hasOther = hasOther || p.Template == otherTemplate
			}
			if !hasOther || ref.LongLines == 0 || ref.Malformed == 0 || ref.AfterWindow == 0 || ref.Warnings == 0 ||
				ref.Errors == 0 || len(ref.Categories) < 3 || (tc.faultStart.After(start) && len(ref.RecoverySignals) == 0) {
				t.Fatalf("generated log does not cover the edge cases: other=%v long=%d malformed=%d after=%d warnings=%d errors=%d categories=%d recovery=%d",
					hasOther, ref.LongLines, ref.Malformed, ref.AfterWindow, ref.Warnings, ref.Errors, len(ref.Categories), len(ref.RecoverySignals))
			}
			// The small-chunk variants put chunk boundaries everywhere; the default one is what Analyze uses.
			var vs []scanVariant
			for _, v := range scanVariants() {
				if v.name != "sequential-1MiB" && v.name != "parallel3-64KiB" {
					vs = append(vs, v)
				}
			}
			compareAnalyses(t, s, opts, vs)
		})
	}
}

// TestChunkReaderLongLines checks the line-length limit at chunk edges: a line of
// maxLineLen bytes is kept, one byte more is dropped, with or without a newline.
func TestChunkReaderLongLines(t *testing.T) {
	ts := "2026-04-11T10:00:00.5Z [p/c] "
	mk := func(n int) string { return ts + strings.Repeat("m", n-len(ts)) }
	for _, tc := range []struct {
		name string
		in   string
	}{
		{"max then eof", mk(maxLineLen)},
		{"max+1 then eof", mk(maxLineLen + 1)},
		{"max with newline", mk(maxLineLen) + "\n" + mk(40) + "\n"},
		{"max+1 with newline", mk(maxLineLen+1) + "\n" + mk(40) + "\n"},
		{"crlf at the limit", mk(maxLineLen-1) + "\r\n" + mk(maxLineLen) + "\r\n"},
		{"huge", mk(5*readBufSize) + "\n" + mk(50)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cls := newClassifier(signatures)
			f, c := time.Date(2026, 4, 11, 9, 0, 0, 0, time.UTC), time.Date(2026, 4, 11, 11, 0, 0, 0, time.UTC)
			ref := newAppAcc(len(cls.sigs))
			if err := newRefScanner(cls, f, c).scan(strings.NewReader(tc.in), ref); err != nil {
				t.Fatal(err)
			}
			for _, chunk := range []int{509, 4096, readBufSize, 1 << 20} {
				for _, workers := range []int{1, 2} {
					acc := newAppAcc(len(cls.sigs))
					if err := newScannerConfig(cls, f, c, workers, chunk).scan(iotestHalf(tc.in), acc); err != nil {
						t.Fatal(err)
					}
					if acc.lines != ref.lines || acc.long != ref.long || acc.malformed != ref.malformed {
						t.Fatalf("chunk %d workers %d: lines/long/malformed = %d/%d/%d, want %d/%d/%d", chunk, workers,
							acc.lines, acc.long, acc.malformed, ref.lines, ref.long, ref.malformed)
					}
				}
			}
		})
	}
}

// halfReader returns at most half of what is asked, to exercise short reads.
type halfReader struct{ r *strings.Reader }

func (h halfReader) Read(p []byte) (int, error) { return h.r.Read(p[:max(1, len(p)/2)]) }

func iotestHalf(s string) halfReader { return halfReader{strings.NewReader(s)} }
