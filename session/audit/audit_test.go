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
	if got := r.TakeUnsaved(); len(got) != 50 || len(r.Calls()) != 50 {
		t.Fatalf("TakeUnsaved returned %d, Calls %d", len(got), len(r.Calls()))
	}
	Record(ctx, session.APICall{Service: "fis", Operation: "StopExperiment"})
	if got := r.TakeUnsaved(); len(got) != 1 || got[0].Operation != "StopExperiment" || len(r.Calls()) != 51 {
		t.Fatalf("second TakeUnsaved returned %v, Calls %d", got, len(r.Calls()))
	}
	if got := r.TakeUnsaved(); len(got) != 0 {
		t.Fatalf("third TakeUnsaved returned %d calls, want 0", len(got))
	}
	// No recorder: recording is a no-op, not a panic.
	Record(context.Background(), session.APICall{Service: "x"})
	if From(context.Background()) != nil {
		t.Fatal("recorder from an empty context")
	}
	var nilRec *Recorder
	nilRec.Add(session.APICall{})
	if nilRec.Calls() != nil || nilRec.TakeUnsaved() != nil {
		t.Fatal("nil recorder returned calls")
	}
}
