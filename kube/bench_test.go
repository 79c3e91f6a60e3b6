package kube

import (
	"context"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fis-mcp/fis-mcp/kube/kubetest"
	"github.com/fis-mcp/fis-mcp/session"
)

// BenchmarkIngest follows 100 pods logging 1,000 lines/s each, time compressed:
// the fake clock is set ahead so every stream has its whole backlog to send at
// once, and the collector ingests as fast as it can. One op is one line.
// Reports lines/s, allocations and the peak heap seen while ingesting, which must
// stay flat as b.N (the volume) grows.
func BenchmarkIngest(b *testing.B) {
	const pods = 100
	perPod := b.N / pods
	if perPod < 1 {
		perPod = 1
	}
	total := int64(perPod * pods)
	clock := newFakeClock()
	srv, cs := newTestCluster(b, kubetest.WithClock(clock))
	names := srv.AddDeployment("shop", "api", map[string]string{"app": "api"}, podSpec("api"), pods)
	every := time.Millisecond // 1,000 lines/s per pod
	msg := func(buf []byte, i int64, _ time.Time) []byte {
		buf = append(buf, `level=info msg="GET /api/orders 200" latency_ms=12 trace=`...)
		return strconv.AppendInt(buf, 1e15+i, 16)
	}
	for _, n := range names {
		if err := srv.SetLogs("shop", n, "api", kubetest.Periodic(t0, every, msg)); err != nil {
			b.Fatal(err)
		}
	}
	clock.Advance(time.Duration(perPod) * every)
	dir := b.TempDir()
	c := NewCollector(CollectorOptions{Dir: dir, Clock: clock, Since: -1, MaxStreams: pods})
	app := session.App{Cluster: "c1", Namespace: "shop", Workload: "api", Kind: "Deployment", Service: "db1", Selector: map[string]string{"app": "api"}}

	var peak atomic.Uint64
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
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	runtime.GC()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	if err := c.Start(context.Background(), map[string]Interface{"c1": cs}, []session.App{app}); err != nil {
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
	c.Stop()
	close(stop)
	wg.Wait()
	if got := c.LinesWritten(); got != total {
		b.Fatalf("wrote %d lines, want %d", got, total)
	}
	b.ReportMetric(float64(total)/elapsed.Seconds(), "lines/s")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
}
