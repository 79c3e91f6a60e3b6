package workflow_test

import (
	"context"
	"testing"
	"time"

	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/workflow"
)

// A poll lists its changes by their own time (ties in recorded order), although AWS's event
// records read after a transition was recorded carry earlier times; the session's timeline
// keeps the recorded order.
func TestEnginePollListsChangesByEventTime(t *testing.T) {
	f := newPollFixture(t)
	f.start()
	now := f.clock.Now().UTC()
	recorded := []session.Event{
		{Time: now.Add(-10 * time.Second), Source: session.SourceResource, Subject: "billing-db", Message: "late: resource state", RecordedBy: session.RecordedByPoll},
		{Time: now.Add(-40 * time.Second), Source: "rds:DescribeEvents", Subject: "billing-db", Message: "early: failover started", RecordedBy: session.RecordedByPoll},
		{Time: now.Add(-20 * time.Second), Source: "rds:DescribeEvents", Subject: "billing-db", Message: "tie 1", RecordedBy: session.RecordedByPoll},
		{Time: now.Add(-20 * time.Second), Source: "rds:DescribeEvents", Subject: "billing-db", Message: "tie 2", RecordedBy: session.RecordedByPoll},
	}
	if _, err := f.e.Store.Update(f.id, func(s *session.Session) error {
		s.Run.PolledThrough = len(s.Timeline)
		for _, e := range recorded {
			s.AddEvent(e)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	_, res, err := f.e.Poll(context.Background(), workflow.PollRequest{SessionID: f.id}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for i, e := range res.NewEvents {
		if i > 0 && e.Time.Before(res.NewEvents[i-1].Time) {
			t.Errorf("new event %d %q at %s comes after %q at %s", i, e.Message, e.Time, res.NewEvents[i-1].Message, res.NewEvents[i-1].Time)
		}
		for _, r := range recorded {
			if r.Message == e.Message {
				order = append(order, e.Message)
			}
		}
	}
	want := []string{"early: failover started", "tie 1", "tie 2", "late: resource state"}
	if len(order) != len(want) {
		t.Fatalf("injected events in the poll: %q, want %q", order, want)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("injected events in the poll: %q, want %q", order, want)
		}
	}
	sess, err := f.e.Get(f.id)
	if err != nil {
		t.Fatal(err)
	}
	var stored []string
	for _, e := range sess.Timeline {
		for _, r := range recorded {
			if r.Message == e.Message {
				stored = append(stored, e.Message)
			}
		}
	}
	if len(stored) != 4 || stored[0] != "late: resource state" || stored[1] != "early: failover started" {
		t.Errorf("the session's timeline was reordered: %q", stored)
	}
}
