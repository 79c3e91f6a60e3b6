package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/fis-mcp/fis-mcp/cmd/fis-mcp/sim"
	"github.com/fis-mcp/fis-mcp/tools"
)

// simStateDirName is the simulated account's directory in the state directory.
const simStateDirName = "simulated-account"

// simulation is the built-in simulated account a server runs against with --simulate.
type simulation struct {
	*sim.Account
	experimentsDir string
}

// startSimulation starts the simulated AWS account and EKS API on loopback, in the given
// scenario (sim.ScenarioDefault or sim.ScenarioFailing), and writes the sample experiment
// directory under stateDir. The account keeps its state in stateDir/simulated-account, so
// a server started again on the same state directory (a client that starts one process
// per call) continues the same run, and experiment IDs are unique per state directory.
func startSimulation(_ context.Context, stateDir, scenario string, log zerolog.Logger, opts ...sim.Option) (*simulation, error) {
	base := []sim.Option{sim.WithScenario(scenario), sim.WithStateDir(filepath.Join(stateDir, simStateDirName), log)}
	acct, err := sim.New(append(base, opts...)...)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(stateDir, "simulated-experiments")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		acct.Close()
		return nil, err
	}
	path, err := sim.WriteExperiment(dir)
	if err != nil {
		acct.Close()
		return nil, err
	}
	log.Info().Str("aws", acct.AWS.URL).Str("kubernetes", acct.Kube.URL).Str("experiment", path).Str("scenario", acct.Scenario).Str("account_state", acct.StateDir()).Msg("SIMULATED account started")
	return &simulation{Account: acct, experimentsDir: dir}, nil
}

// AWSURL is the simulated AWS endpoint.
func (s *simulation) AWSURL() string { return s.AWS.URL }

// Configure marks the server as simulated and compresses the workflow's timings to
// match the simulation's (an experiment of seconds, not minutes).
func (s *simulation) Configure(cfg tools.Config) tools.Config {
	cfg.Simulated = true
	if cfg.ExperimentsDir == "" {
		cfg.ExperimentsDir = s.experimentsDir
	}
	cfg.Baseline = 40 * time.Second
	cfg.HealthWaitInterval = 2 * time.Second
	cfg.HealthWaitMax = 20 * time.Second
	cfg.PollFast = 3 * time.Second
	cfg.PollFastFor = time.Minute
	cfg.PollSlow = 5 * time.Second
	cfg.PollWaitStep = time.Second
	return cfg
}

// scenarioFlagHelp is the --scenario flag's help text.
func scenarioFlagHelp() string {
	return "simulated account scenario with --simulate and demo: " + strings.Join(sim.Scenarios(), " or ") +
		" (" + sim.ScenarioFailing + ": " + sim.FailingApp + " never recovers, so the report shows a run that did not pass)"
}

// checkScenario validates the --scenario flag (FIS_MCP_SCENARIO).
func checkScenario(name string) error {
	if _, err := sim.ParseScenario(name); err != nil {
		return fmt.Errorf("--scenario (FIS_MCP_SCENARIO): %w", err)
	}
	return nil
}
