package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/rs/zerolog"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/aws/setup"
	"github.com/fis-mcp/fis-mcp/cmd/fis-mcp/sim"
)

// doctorFlags are the settings doctor shares with serve.
var doctorFlags = []string{"region", "profile", "state-dir", "experiments-dir", "account-roles", "simulate"}

// simulateDenyEnv is for tests only: a comma-separated list of what the simulated caller
// lacks, IAM actions ("fis:StartExperiment") and Kubernetes permissions ("get pods/log").
const simulateDenyEnv = "FIS_MCP_TEST_SIMULATE_DENY"

// templateIDs is the repeatable --template-id flag (also comma-separated).
type templateIDs []string

func (t *templateIDs) String() string { return strings.Join(*t, ",") }

func (t *templateIDs) Set(v string) error {
	for _, id := range strings.Split(v, ",") {
		if id = strings.TrimSpace(id); id != "" {
			*t = append(*t, id)
		}
	}
	return nil
}

// runDoctor is `fis-mcp doctor`: it prints the setup checks as a table; exit 1 when one
// blocks an experiment, 2 on bad usage.
func runDoctor(ctx context.Context, args []string, io cmdIO) int {
	var c config
	fs := newFlagSet("fis-mcp doctor", io.stderr)
	check := bindSettings(fs, &c, doctorFlags...)
	var ids templateIDs
	fs.Var(&ids, "template-id", "FIS experiment template to check (readable, its role and trust); repeat or comma-separate for several")
	if err := parseCommandFlags(fs, doctorSynopsis, args, io.stdout, io.stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(io.stderr, "fis-mcp doctor: unexpected arguments: %s\n", strings.Join(fs.Args(), " "))
		return 2
	}
	if err := check(); err != nil {
		fmt.Fprintln(io.stderr, "fis-mcp doctor:", err)
		return 2
	}
	r, err := doctor(ctx, c, ids)
	if err != nil {
		fmt.Fprintln(io.stderr, "fis-mcp doctor:", err)
		return 1
	}
	printReport(io.stdout, r)
	if r.Blocking {
		return 1
	}
	return 0
}

// doctor runs the setup checks against AWS (or the simulated account).
func doctor(ctx context.Context, c config, ids []string) (setup.Report, error) {
	opts := setup.Options{TemplateIDs: ids, StateDir: c.StateDir, ExperimentsDir: c.ExperimentsDir, Simulated: c.Simulate, AccountRoles: c.AccountRoles}
	o := awsapi.Options{Region: c.Region, Profile: c.Profile}
	if c.Simulate {
		s, err := startSimulation(ctx, c.StateDir, sim.ScenarioDefault, zerolog.Nop())
		if err != nil {
			return setup.Report{}, fmt.Errorf("start the simulated account: %w", err)
		}
		defer s.Close()
		if err := denyInSimulation(s, os.Getenv(simulateDenyEnv)); err != nil {
			return setup.Report{}, err
		}
		o = awsapi.Options{Region: s.Region(), Endpoint: s.AWSURL()}
		if opts.ExperimentsDir == "" {
			opts.ExperimentsDir = s.experimentsDir
		}
		if len(opts.TemplateIDs) == 0 {
			opts.TemplateIDs = []string{sim.TemplateID}
		}
	}
	cfg, err := awsapi.LoadConfig(ctx, o)
	if err != nil {
		return setup.Report{}, err
	}
	d := setup.Deps{AWS: awsapi.NewClients(cfg), Profile: c.Profile, Kube: setup.KubeAccess(cfg)}
	return setup.Run(ctx, d, opts), nil
}

// denyInSimulation takes permissions away from the simulated caller (simulateDenyEnv).
func denyInSimulation(s *simulation, list string) error {
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		switch {
		case item == "":
		case strings.Contains(item, ":"):
			s.AWS.SimulateDecision(awstest.DecisionImplicitDeny, item)
		default:
			verb, res, ok := strings.Cut(item, " ")
			if !ok {
				return fmt.Errorf("%s: %q is neither an IAM action nor \"verb resource[/subresource]\"", simulateDenyEnv, item)
			}
			resource, sub, _ := strings.Cut(res, "/")
			s.Kube.Deny(verb, resource, sub)
		}
	}
	return nil
}

// printReport writes the checks as a table: check, result (with its detail), remedy.
func printReport(w io.Writer, r setup.Report) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tRESULT\tREMEDY")
	for _, c := range r.Checks {
		fmt.Fprintf(tw, "%s\t%s: %s\t%s\n", c.Name, resultWord(c), c.Detail, c.Remedy)
	}
	_ = tw.Flush()
	switch {
	case r.Blocking:
		fmt.Fprintln(w, "\nBLOCKED: fix the BLOCKING checks before a first experiment.")
	default:
		fmt.Fprintln(w, "\nReady: nothing blocks an experiment (warnings only narrow what fis-mcp can check).")
	}
}

func resultWord(c setup.Check) string {
	switch {
	case c.OK:
		return "ok"
	case c.Blocking:
		return "BLOCKING"
	}
	return "warning"
}
