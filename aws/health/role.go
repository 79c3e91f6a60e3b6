package health

import (
	"context"

	awsx "github.com/fis-mcp/fis-mcp/aws"
	"github.com/fis-mcp/fis-mcp/session"
)

// CheckRole reports whether the template's IAM role exists (iam:GetRole). Stub: to be filled.
func CheckRole(ctx context.Context, c *awsx.Clients, roleArn string) *session.RoleCheck {
	return nil
}

// addIAMCheckers registers aws:iam:role. Stub: to be filled.
func addIAMCheckers(r Registry) {}
