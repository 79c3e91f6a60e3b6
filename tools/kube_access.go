package tools

import (
	awsx "github.com/fis-mcp/fis-mcp/aws"
	"github.com/fis-mcp/fis-mcp/aws/health"
)

// podLister gives health checks of aws:eks:pod targets access to the clusters.
func (d *Deps) podLister(c *awsx.Clients) health.PodLister { return nil }
