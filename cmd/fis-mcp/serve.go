package main

import (
	"context"
	"fmt"
	"io"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/tools"
)

// serve runs the MCP server over stdio until stdin closes or ctx ends.
func serve(ctx context.Context, c config, stdin io.Reader, stdout io.Writer, log zerolog.Logger) error {
	store, err := session.Open(c.StateDir, log, nil)
	if err != nil {
		return err
	}
	var base awssdk.Config
	cfg := tools.Config{ExperimentsDir: c.ExperimentsDir, ReadOnly: c.ReadOnly}
	if c.Simulate {
		sim, err := startSimulation(ctx, c.StateDir, c.Scenario, log)
		if err != nil {
			return err
		}
		defer sim.Close()
		base, err = awsapi.LoadConfig(ctx, awsapi.Options{Region: sim.Region(), Endpoint: sim.AWSURL()})
		if err != nil {
			return err
		}
		cfg = sim.Configure(cfg)
	} else {
		base, err = awsapi.LoadConfig(ctx, awsapi.Options{Region: c.Region, Profile: c.Profile})
		if err != nil {
			return err
		}
	}
	if c.Baseline > 0 {
		cfg.Baseline = c.Baseline
	}
	cfg.MaxLogStreams = c.MaxLogStreams
	cfg.AccountRoles = c.AccountRoles
	cfg.DefaultRegion = base.Region
	cfg.Supervise = true
	cfg.FinalizeGrace = c.FinalizeGrace
	cfg.StopIfUnattended = c.StopIfUnattended
	deps := tools.NewDeps(store, base, cfg, nil, log)
	defer deps.WaitSupervisors()
	defer deps.Close()
	deps.ResumeLogCollection()
	if n := deps.ResumeSupervision(); n > 0 {
		log.Info().Int("sessions", n).Msg("run supervision resumed for the sessions with a running or unreported experiment")
	}
	srv := tools.NewServer(deps, buildVersion())
	log.Info().Str("state_dir", c.StateDir).Bool("read_only", c.ReadOnly).Bool("simulated", c.Simulate).Str("region", base.Region).Dur("finalize_grace", deps.Config.FinalizeGrace).Dur("stop_if_unattended", c.StopIfUnattended).Msg("fis-mcp serving MCP on stdio")
	stdio := server.NewStdioServer(srv)
	stdio.SetErrorLogger(stdLogger(log))
	if err := stdio.Listen(ctx, stdin, stdout); err != nil && ctx.Err() == nil {
		return fmt.Errorf("stdio server: %w", err)
	}
	return nil
}
