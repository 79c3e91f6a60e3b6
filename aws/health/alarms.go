package health

import (
	"context"

	awsx "github.com/fis-mcp/fis-mcp/aws"
	"github.com/fis-mcp/fis-mcp/session"
)

// CheckAlarms checks each stop-condition CloudWatch alarm exists and is OK
// (an alarm already in ALARM would stop the experiment at once). Stub: to be filled.
func CheckAlarms(ctx context.Context, c *awsx.Clients, conds []session.StopCondition) []session.AlarmHealth {
	return nil
}
