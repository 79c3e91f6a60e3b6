package audit

import (
	"context"
	"sync"
	"testing"

	"github.com/fis-mcp/fis-mcp/session"
)

func TestRecorder(t *testing.T) {
	r := NewRecorder("poll")
	ctx := With(context.Background(), r)
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			Record(ctx, session.APICall{Service: "fis", Operation: "GetExperiment"})
		}()
	}
	wg.Wait()
	calls := r.Calls()
	if len(calls) != 50 || calls[0].Tool != "poll" {
		t.Fatalf("recorded %d calls, tool %q", len(calls), calls[0].Tool)
	}
	if got := r.Drain(); len(got) != 50 || len(r.Calls()) != 0 {
		t.Fatalf("drain returned %d, left %d", len(got), len(r.Calls()))
	}
	// No recorder: recording is a no-op, not a panic.
	Record(context.Background(), session.APICall{Service: "x"})
	if From(context.Background()) != nil {
		t.Fatal("recorder from an empty context")
	}
	var nilRec *Recorder
	nilRec.Add(session.APICall{})
	if nilRec.Calls() != nil || nilRec.Drain() != nil {
		t.Fatal("nil recorder returned calls")
	}
}
