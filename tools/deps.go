// Package tools defines fis-mcp's MCP tools: one file per tool with its schema,
// annotations and a thin handler that calls the workflow engine (session/workflow) and
// renders its typed result.
package tools

import (
	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/rs/zerolog"

	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/workflow"
)

// Config are the operator settings and workflow timings (workflow.Config).
type Config = workflow.Config

// Clock tells time and waits (workflow.Clock); tests drive a fake one.
type Clock = workflow.Clock

// RealClock is the wall clock.
type RealClock = workflow.RealClock

// Deps are what the tools use: the workflow engine (its Store, Config, Clock, Log, Health
// and AWS clients are promoted). Build with NewDeps.
type Deps struct {
	*workflow.Engine
}

// NewDeps wires the tools' dependencies. base is the AWS configuration from
// awsapi.LoadConfig; each experiment's region gets its own clients.
func NewDeps(store *session.Store, base awssdk.Config, cfg Config, clock Clock, log zerolog.Logger) *Deps {
	return &Deps{Engine: workflow.New(store, base, cfg, clock, log)}
}
