// Package managedlogs finds, for each affected managed service, whether its
// CloudWatch logging is enabled and which log groups it writes to.
package managedlogs

import (
	"context"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/session"
)

// DetectFunc reports the CloudWatch logging of one resource of its FIS type
// (Enabled false plus a Recommendation when logging is off).
type DetectFunc func(ctx context.Context, c *awsapi.Clients, r health.Resource) (session.ManagedLogGroup, error)

// DefaultDetectors maps FIS resource types to their detectors.
func DefaultDetectors() map[string]DetectFunc {
	m := map[string]DetectFunc{}
	addRDSDetectors(m)
	addCacheDetectors(m)
	addEKSDetectors(m)
	addMSKDetectors(m)
	addOpenSearchDetectors(m)
	return m
}
