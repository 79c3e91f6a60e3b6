// Package events reads AWS's own records of what happened to each affected resource
// in a time window (RDS/ElastiCache/MemoryDB events, Auto Scaling activities, EC2
// state transitions, EKS nodegroup health, MSK operations), as timeline events.
package events

import (
	"context"
	"fmt"
	"sort"
	"time"

	awsx "github.com/fis-mcp/fis-mcp/aws"
	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/session"
)

// ReadFunc returns the events of the resources (all of one FIS type) in [start, end].
// Event.Source names the API (e.g. "rds:DescribeEvents"), Event.Subject the resource ID,
// Event.Time AWS's own timestamp.
type ReadFunc func(ctx context.Context, c *awsx.Clients, rs []health.Resource, start, end time.Time) ([]session.Event, error)

// DefaultReaders maps FIS resource types to their event readers.
func DefaultReaders() map[string]ReadFunc {
	m := map[string]ReadFunc{}
	addRDSReaders(m)
	addCacheReaders(m)
	addEC2Readers(m)
	addEKSReaders(m)
	addMSKReaders(m)
	return m
}

// ReadAll returns the events of every resource whose type has a reader, in
// [start, end], ordered by time, and the failures (one per resource type) of those
// that could not be read.
func ReadAll(ctx context.Context, c *awsx.Clients, resources []session.ResourceHealth, start, end time.Time) ([]session.Event, []error) {
	readers := DefaultReaders()
	byType := map[string][]health.Resource{}
	var types []string
	for _, r := range resources {
		if _, ok := readers[r.Type]; !ok {
			continue
		}
		if _, ok := byType[r.Type]; !ok {
			types = append(types, r.Type)
		}
		byType[r.Type] = append(byType[r.Type], health.Resource{ID: r.ID, ARN: r.ARN, Type: r.Type, Target: r.Target})
	}
	sort.Strings(types)
	var out []session.Event
	var errs []error
	for _, t := range types {
		evs, err := readers[t](ctx, c, byType[t], start, end)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s events: %w", t, err))
		}
		out = append(out, evs...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out, errs
}

// Read is ReadAll for the live view: best effort, failures are dropped.
func Read(ctx context.Context, c *awsx.Clients, resources []session.ResourceHealth, start, end time.Time) []session.Event {
	evs, _ := ReadAll(ctx, c, resources, start, end)
	return evs
}
