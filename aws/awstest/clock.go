package awstest

import (
	"context"
	"sync"
	"time"
)

// Clock tells the simulation time.
type Clock interface{ Now() time.Time }

// RealClock is the wall clock.
type RealClock struct{}

// Now returns time.Now().
func (RealClock) Now() time.Time { return time.Now() }

// FakeClock is a clock tests move by hand. Safe for concurrent use.
type FakeClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewFakeClock returns a clock stopped at t.
func NewFakeClock(t time.Time) *FakeClock { return &FakeClock{t: t} }

// Now returns the clock's time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Set moves the clock to t.
func (c *FakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Advancer is a clock that can be moved by hand, like FakeClock.
type Advancer interface {
	Now() time.Time
	Advance(time.Duration)
}

// SteppingClock is a clock whose Sleep advances an Advancer at once instead of
// waiting: code that sleeps between polls runs through simulated time in tests.
// It satisfies tools.Clock.
type SteppingClock struct{ A Advancer }

// Now returns the advancer's time.
func (c SteppingClock) Now() time.Time { return c.A.Now() }

// Sleep advances the clock by d without waiting; it fails if ctx is done.
func (c SteppingClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.A.Advance(d)
	return nil
}
