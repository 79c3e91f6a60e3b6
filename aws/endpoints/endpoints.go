// Package endpoints finds the DNS names, addresses and identifiers by which
// applications reach each affected resource (for the EKS dependency scan).
package endpoints

import (
	"context"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/session"
)

// LookupFunc returns the endpoints of one resource of its FIS type. Every resource's
// identifier itself is added by Lookup, so a LookupFunc returns only what it describes.
type LookupFunc func(ctx context.Context, c *awsapi.Clients, r health.Resource) ([]session.ResourceEndpoint, error)

// DefaultLookups maps FIS resource types to their endpoint lookups.
func DefaultLookups() map[string]LookupFunc {
	m := map[string]LookupFunc{}
	addRDSLookups(m)
	addCacheLookups(m)
	addEC2Lookups(m)
	addMSKLookups(m)
	addOpenSearchLookups(m)
	return m
}
