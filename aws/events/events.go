// Package events reads AWS's own records of what happened to each affected resource
// in a time window (RDS/ElastiCache/MemoryDB events, Auto Scaling activities, EC2
// state transitions, EKS nodegroup health, MSK operations), as timeline events.
package events

import (
	"context"
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
