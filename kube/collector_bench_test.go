package kube

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fis-mcp/fis-mcp/kube/kubetest"
	"github.com/fis-mcp/fis-mcp/session"
)

// BenchmarkFollow500Streams follows 500 containers (10 apps of 50 pods) with the
// default stream limit, against the fake API server on loopback speaking HTTP/2
// with kube-apiserver's 100 streams per connection. Time is compressed as in
// BenchmarkIngest: every stream has its backlog of b.N/500 lines to send at once
// and the collector ingests as fast as it can; one op is one line. It reports
// lines/s, the peak Go heap and the peak RSS of the process (which also holds the
// fake server), both sampled every 10 ms, the live heap (after a GC, every stream
// still open) in all and per stream, and the connections client-go opened. Memory must stay flat as b.N (the volume) grows:
// compare -benchtime=1000000x with -benchtime=10000000x. BENCH_HTTP1=1 serves
// HTTP/1.1 instead; BENCH_HEAPPROFILE=file writes the heap profile at that point.
func BenchmarkFollow500Streams(b *testing.B) {
	const (
		apps    = 10
		perApp  = 50
		streams = apps * perApp
	)
	perPod := b.N / streams
	if perPod < 1 {
		perPod = 1
	}
	total := int64(perPod * streams)
	clock := newFakeClock()
	srvOpts := []kubetest.Option{kubetest.WithClock(clock)}
	if os.Getenv("BENCH_HTTP1") != "" {
		srvOpts = append(srvOpts, kubetest.WithMaxConcurrentStreams(0))
	}
	srv, cs := newTestCluster(b, srvOpts...)
	every := time.Millisecond
	msg := func(buf []byte, i int64, _ time.Time) []byte {
		buf = append(buf, `level=info msg="GET /api/orders 200" latency_ms=12 trace=`...)
		return strconv.AppendInt(buf, 1e15+i, 16)
	}
	var selected []session.App
	for a := 0; a < apps; a++ {
		name := fmt.Sprintf("svc-%02d", a)
		labels := map[string]string{"app": name}
		for _, p := range srv.AddDeployment("shop", name, labels, podSpec("app"), perApp) {
			if err := srv.SetLogs("shop", p, "app", kubetest.Periodic(t0, every, msg)); err != nil {
				b.Fatal(err)
			}
		}
		selected = append(selected, session.App{Cluster: "c1", Namespace: "shop", Workload: name, Kind: "Deployment", Service: "db1", Selector: labels})
	}
	clock.Advance(time.Duration(perPod) * every)
	c := NewCollector(CollectorOptions{Dir: b.TempDir(), Clock: clock, Since: -1})

	var peakHeap, peakRSS atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peakHeap.Load() {
				peakHeap.Store(ms.HeapInuse)
			}
			if rss := vmRSS(); rss > peakRSS.Load() {
				peakRSS.Store(rss)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	if err := c.Start(context.Background(), map[string]Interface{"c1": cs}, selected); err != nil {
		b.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Minute)
	for c.LinesWritten() < total {
		if time.Now().After(deadline) {
			b.Fatalf("ingested %d of %d lines", c.LinesWritten(), total)
		}
		time.Sleep(time.Millisecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	// What 500 followed streams keep: the live heap with every stream still open
	// (two collections: the first only moves sync.Pool caches aside).
	runtime.GC()
	runtime.GC()
	var live runtime.MemStats
	runtime.ReadMemStats(&live)
	if p := os.Getenv("BENCH_HEAPPROFILE"); p != "" {
		if f, err := os.Create(p); err == nil {
			_ = pprof.WriteHeapProfile(f)
			_ = f.Close()
		}
	}
	got := c.Streams()
	c.Stop()
	close(stop)
	wg.Wait()
	if len(got) != streams {
		b.Fatalf("%d streams, want %d", len(got), streams)
	}
	if nf := NotFollowed(got); len(nf) > 0 {
		b.Fatalf("%d streams not followed with the default limit", len(nf))
	}
	if n := c.LinesWritten(); n != total {
		b.Fatalf("wrote %d lines, want %d", n, total)
	}
	b.ReportMetric(float64(total)/elapsed.Seconds(), "lines/s")
	b.ReportMetric(float64(peakHeap.Load())/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(peakRSS.Load())/(1<<20), "peak-RSS-MB")
	b.ReportMetric(float64(live.HeapAlloc)/(1<<20), "live-heap-MB")
	b.ReportMetric(float64(live.HeapAlloc-min(live.HeapAlloc, before.HeapAlloc))/streams/(1<<10), "live-KB/stream")
	b.ReportMetric(float64(srv.Connections()), "conns")
}

// vmRSS is the process's resident set size from /proc/self/status (0 where unknown).
func vmRSS() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}
