package awstest

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestSteppingClockSleep(t *testing.T) {
	start := time.Date(2026, 4, 11, 10, 0, 0, 0, time.UTC)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	cases := []struct {
		name    string
		ctx     context.Context
		sleep   time.Duration
		wantErr error
		wantNow time.Time
	}{
		{"advances at once", context.Background(), 90 * time.Second, nil, start.Add(90 * time.Second)},
		{"a done context neither waits nor advances", cancelled, time.Minute, context.Canceled, start},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fc := NewFakeClock(start)
			c := SteppingClock{A: fc}
			if err := c.Sleep(tc.ctx, tc.sleep); !errors.Is(err, tc.wantErr) {
				t.Fatalf("Sleep: %v, want %v", err, tc.wantErr)
			}
			if got := c.Now(); !got.Equal(tc.wantNow) || !fc.Now().Equal(tc.wantNow) {
				t.Fatalf("now %s (fake %s), want %s", got, fc.Now(), tc.wantNow)
			}
		})
	}
}
