package report

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/logline"
)

// Benchmarks: Analyze over a generated log file against a grep -c style baseline
// (lines containing "ERROR", bufio.Scanner + bytes.Count). Compare the MB/s columns.
// The 1 GB variants run only with an explicit -benchtime (e.g. -benchtime 1x) or
// FIS_BENCH_1GB=1, so a plain go test -bench . stays quick.

const benchStart = "2026-04-11T10:00:00Z"

var benchMessages = []string{
	"2026-04-11 10:00:00.123 INFO  [http-nio-8080-exec-%d] c.e.OrderController - order %d created in %dms",
	"level=info msg=\"cart updated\" cart_id=%d items=%d took=%dms",
	`{"level":"info","msg":"GET /products/%d 200","latency_ms":%d,"trace":"%x"}`,
	"I0411 10:00:00.000000 1 controller.go:%d] synced %d objects in %dms",
	"DEBUG pool stats active=%d idle=%d waiting=%d",
}

var benchErrors = []string{
	"ERROR [http-nio-8080-exec-%d] o.h.e.j.s.SqlExceptionHelper - Communications link failure: last packet %d ms ago (%d)",
	"level=error msg=\"redis write failed\" err=\"READONLY You can't write against a read only replica.\" slot=%d try=%d/%d",
	`{"level":"error","msg":"upstream call failed: context deadline exceeded","status":%d,"latency_ms":%d,"id":%d}`,
	"WARN  retrying request %d after %dms (attempt %d)",
	"ERROR dial tcp 10.0.1.%d:5432: connect: connection refused (pool=%d, waiters=%d)",
}

func benchEnabled1GB() bool {
	if os.Getenv("FIS_BENCH_1GB") == "1" {
		return true
	}
	f := flag.Lookup("test.benchtime")
	return f != nil && f.Value.String() != f.DefValue
}

// genLog writes about size bytes of collected lines (~5% errors/warnings, 1000 lines/s).
func genLog(tb testing.TB, dir string, size int64) (string, time.Time, time.Time) {
	tb.Helper()
	p := filepath.Join(dir, "bench.log")
	f, err := os.Create(p)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	rng := rand.New(rand.NewSource(1))
	start, _ := time.Parse(time.RFC3339, benchStart)
	pods := []string{"orders-7f9c8d-abcde", "orders-7f9c8d-fghij", "cart-5d6f7-x2kq9"}
	var line, msg []byte
	var written int64
	n := 0
	for written < size {
		t := start.Add(time.Duration(n) * time.Millisecond)
		var tmpl string
		if rng.Intn(100) < 5 {
			tmpl = benchErrors[rng.Intn(len(benchErrors))]
		} else {
			tmpl = benchMessages[rng.Intn(len(benchMessages))]
		}
		msg = fmt.Appendf(msg[:0], tmpl, rng.Intn(100000), rng.Intn(1000), rng.Intn(100))
		line = logline.Append(line[:0], t, pods[n%len(pods)], "app", msg)
		w.Write(line)
		written += int64(len(line))
		n++
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	f.Close()
	end := start.Add(time.Duration(n) * time.Millisecond)
	return p, start, end
}

func benchSession(file string, start, end time.Time) *session.Session {
	mid := start.Add(end.Sub(start) / 2)
	app := session.App{Cluster: "c", Namespace: "n", Workload: "w", Service: "db"}
	return &session.Session{
		Experiment: session.Experiment{AffectedResources: []session.AffectedResource{{Type: "RDS", Identifier: "db"}}},
		Logs:       &session.LogCollection{StartedAt: start, Apps: []session.App{app}, Streams: []session.LogStream{{App: app.Key(), File: file}}},
		Run: &session.Run{ExperimentID: "EXP", State: "completed", StartTime: &mid, EndTime: &end,
			Actions: []session.ActionRun{{Name: "a", ActionID: "aws:rds:failover-db-cluster", StartTime: &mid, EndTime: &mid}}},
	}
}

// peakHeap samples the live heap while fn runs.
func peakHeap(fn func()) uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	var mu sync.Mutex
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tk := time.NewTicker(20 * time.Millisecond)
		defer tk.Stop()
		for {
			metrics.Read(sample)
			mu.Lock()
			peak = max(peak, sample[0].Value.Uint64())
			mu.Unlock()
			select {
			case <-done:
				return
			case <-tk.C:
			}
		}
	}()
	fn()
	close(done)
	wg.Wait()
	return peak
}

func benchAnalyze(b *testing.B, size int64) {
	p, start, end := genLog(b, b.TempDir(), size)
	st, _ := os.Stat(p)
	s := benchSession(p, start, end)
	runtime.GC()
	b.SetBytes(st.Size())
	b.ResetTimer()
	var peak uint64
	for i := 0; i < b.N; i++ {
		pk := peakHeap(func() {
			a, err := Analyze(s, Options{Now: end.Add(time.Hour)})
			if err != nil || a.Apps[0].Errors == 0 {
				b.Fatalf("analyze: %v", err)
			}
		})
		peak = max(peak, pk)
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

func benchGrep(b *testing.B, size int64) {
	p, _, _ := genLog(b, b.TempDir(), size)
	st, _ := os.Stat(p)
	b.SetBytes(st.Size())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f, err := os.Open(p)
		if err != nil {
			b.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 64<<10)
		n := 0
		needle := []byte("ERROR")
		for sc.Scan() {
			if bytes.Count(sc.Bytes(), needle) > 0 {
				n++
			}
		}
		f.Close()
		if n == 0 {
			b.Fatal("no ERROR lines")
		}
	}
}

func BenchmarkAnalyze50MB(b *testing.B)      { benchAnalyze(b, 50<<20) }
func BenchmarkGrepBaseline50MB(b *testing.B) { benchGrep(b, 50<<20) }

func BenchmarkAnalyze1GB(b *testing.B) {
	if !benchEnabled1GB() {
		b.Skip("1 GB benchmark: run with -benchtime 1x (or FIS_BENCH_1GB=1)")
	}
	benchAnalyze(b, 1<<30)
}

func BenchmarkGrepBaseline1GB(b *testing.B) {
	if !benchEnabled1GB() {
		b.Skip("1 GB benchmark: run with -benchtime 1x (or FIS_BENCH_1GB=1)")
	}
	benchGrep(b, 1<<30)
}
