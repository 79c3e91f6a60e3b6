// Command fis-mcp is an MCP server (stdio) that runs prepared AWS FIS experiments
// safely, step by step, with a human confirming the start.
//
//	fis-mcp [serve] [flags]        serve MCP over stdio (the default)
//	fis-mcp serve --simulate       serve the built-in simulated account (no AWS credentials needed)
//	fis-mcp demo                   run the whole workflow against the simulated account and print it
//	fis-mcp demo --scenario failing  the same, with an app that never recovers (a run that does not pass)
//	fis-mcp audit verify <id>      recompute a stored session's tamper-evident audit chain
//	fis-mcp --version
//
// stdout carries MCP JSON-RPC only; logs go to stderr or --log-file.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/kube"
)

// version is set with -ldflags "-X main.version=..."; otherwise the module version is used.
var version = ""

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// config is everything the flags and environment set.
type config struct {
	Region         string
	Profile        string
	StateDir       string
	LogLevel       string
	LogFile        string
	ExperimentsDir string
	ReadOnly       bool
	Simulate       bool
	Baseline       time.Duration
	MaxLogStreams  int
	ShowVersion    bool
	// FinalizeGrace is how long after the baseline the run supervisor waits for finalize_report.
	FinalizeGrace time.Duration
	// StopIfUnattended is the dead-man's switch (0 = off).
	StopIfUnattended time.Duration
	// AccountRoles is the --account-roles file's content: target account → role ARN to assume.
	AccountRoles map[string]string
	// Scenario is the simulated account's scenario (--scenario: default or failing).
	Scenario string
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func envBool(key string) bool {
	switch strings.ToLower(os.Getenv(key)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

// envInt reads a whole number; an unset variable gives def.
func envInt(key string, def int) (int, error) {
	v := strings.TrimSpace(os.Getenv(key))
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return def, fmt.Errorf("%s=%q is not a whole number", key, v)
	}
	return n, nil
}

func envDuration(key string) time.Duration {
	d, _ := time.ParseDuration(os.Getenv(key))
	return d
}

// envDurationErr reads a duration such as 2m; an unset variable gives def.
func envDurationErr(key string, def time.Duration) (time.Duration, error) {
	v := strings.TrimSpace(os.Getenv(key))
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return def, fmt.Errorf("%s=%q is not a duration (e.g. 2m, 90s)", key, v)
	}
	return d, nil
}

func defaultStateDir() string {
	if x := os.Getenv("XDG_STATE_HOME"); x != "" {
		return filepath.Join(x, "fis-mcp")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "state", "fis-mcp")
	}
	return filepath.Join(os.TempDir(), "fis-mcp-state")
}

func parseFlags(name string, args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.Region, "region", envOr("FIS_MCP_REGION", ""), "AWS region used when an experiment README has none (default: the AWS config chain)")
	fs.StringVar(&c.Profile, "profile", envOr("AWS_PROFILE", ""), "AWS shared-config profile (SSO profiles included)")
	fs.StringVar(&c.StateDir, "state-dir", envOr("FIS_MCP_STATE_DIR", defaultStateDir()), "where sessions and collected logs are kept")
	fs.StringVar(&c.LogLevel, "log-level", envOr("FIS_MCP_LOG_LEVEL", "info"), "log level: debug, info, warn, error")
	fs.StringVar(&c.LogFile, "log-file", envOr("FIS_MCP_LOG_FILE", ""), "write logs to this file instead of stderr")
	fs.StringVar(&c.ExperimentsDir, "experiments-dir", envOr("FIS_MCP_EXPERIMENTS_DIR", ""), "default directory searched for template IDs (default: working directory)")
	fs.BoolVar(&c.ReadOnly, "read-only", envBool("FIS_MCP_READ_ONLY"), "never call StartExperiment (stop, health checks, logs and reports still work)")
	fs.DurationVar(&c.Baseline, "baseline", envDuration("FIS_MCP_BASELINE"), "post-experiment baseline of log collection before the report (0: 3m, or 40s with --simulate)")
	maxStreams, maxStreamsErr := envInt("FIS_MCP_MAX_LOG_STREAMS", kube.DefaultMaxStreams)
	fs.IntVar(&c.MaxLogStreams, "max-log-streams", maxStreams,
		"pod log streams (pod, container) followed at once per session; those beyond it are named as not followed and wait for a slot")
	fs.BoolVar(&c.Simulate, "simulate", envBool("FIS_MCP_SIMULATE"), "serve the built-in simulated AWS account and EKS cluster instead of real AWS")
	fs.StringVar(&c.Scenario, "scenario", envOr("FIS_MCP_SCENARIO", "default"), scenarioFlagHelp())
	rolesFile := fs.String("account-roles", envOr("FIS_MCP_ACCOUNT_ROLES", ""), "YAML or JSON file mapping target account IDs to IAM role ARNs fis-mcp assumes (read-only) to health-check multi-account templates")
	grace, graceErr := envDurationErr("FIS_MCP_FINALIZE_GRACE", 2*time.Minute)
	fs.DurationVar(&c.FinalizeGrace, "finalize-grace", grace, "after the post-experiment baseline, how long the run supervisor waits for finalize_report before writing the report itself")
	unattended, unattendedErr := envDurationErr("FIS_MCP_STOP_IF_UNATTENDED", 0)
	fs.DurationVar(&c.StopIfUnattended, "stop-if-unattended", unattended, "dead-man's switch: stop a running experiment when no tool call for its session arrives for this long (0: off)")
	fs.BoolVar(&c.ShowVersion, "version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.Baseline < 0 {
		return c, fmt.Errorf("--baseline must not be negative")
	}
	if err := checkScenario(c.Scenario); err != nil {
		return c, err
	}
	if graceErr != nil && !flagGiven(fs, "finalize-grace") {
		return c, graceErr
	}
	if unattendedErr != nil && !flagGiven(fs, "stop-if-unattended") {
		return c, unattendedErr
	}
	if c.FinalizeGrace <= 0 {
		return c, fmt.Errorf("--finalize-grace (FIS_MCP_FINALIZE_GRACE) must be a positive duration such as 2m, not %s", c.FinalizeGrace)
	}
	if c.StopIfUnattended < 0 {
		return c, fmt.Errorf("--stop-if-unattended (FIS_MCP_STOP_IF_UNATTENDED) must not be negative (0 turns it off)")
	}
	if maxStreamsErr != nil && !flagGiven(fs, "max-log-streams") {
		return c, maxStreamsErr
	}
	if c.MaxLogStreams < 1 {
		return c, fmt.Errorf("--max-log-streams (FIS_MCP_MAX_LOG_STREAMS) must be a whole number of at least 1, not %d", c.MaxLogStreams)
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	roles, err := awsapi.LoadAccountRoles(*rolesFile)
	if err != nil {
		return c, fmt.Errorf("--account-roles (FIS_MCP_ACCOUNT_ROLES): %w", err)
	}
	c.AccountRoles = roles
	return c, nil
}

func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

func newLogger(c config) (zerolog.Logger, func(), error) {
	lvl, err := zerolog.ParseLevel(c.LogLevel)
	if err != nil {
		return zerolog.Nop(), nil, fmt.Errorf("--log-level %q: %w", c.LogLevel, err)
	}
	var w io.Writer = os.Stderr
	closeFn := func() {}
	if c.LogFile != "" {
		f, err := os.OpenFile(c.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return zerolog.Nop(), nil, fmt.Errorf("open log file: %w", err)
		}
		w = f
		closeFn = func() { _ = f.Close() }
	}
	return zerolog.New(w).Level(lvl).With().Timestamp().Str("component", "fis-mcp").Logger(), closeFn, nil
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch cmd {
	case "serve", "demo":
	case "audit":
		return runAudit(args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "fis-mcp", buildVersion())
		return 0
	case "help":
		fmt.Fprintln(stderr, "usage: fis-mcp [serve|demo|audit|version] [flags]; fis-mcp serve -h lists the flags; fis-mcp audit verify <session-id> checks a session's audit chain")
		return 0
	default:
		fmt.Fprintf(stderr, "fis-mcp: unknown command %q (serve, demo, audit, version)\n", cmd)
		return 2
	}
	c, err := parseFlags("fis-mcp "+cmd, args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "fis-mcp:", err)
		return 2
	}
	if c.ShowVersion {
		fmt.Fprintln(stdout, "fis-mcp", buildVersion())
		return 0
	}
	log, closeLog, err := newLogger(c)
	if err != nil {
		fmt.Fprintln(stderr, "fis-mcp:", err)
		return 2
	}
	defer closeLog()
	if cmd == "demo" {
		err = runDemo(ctx, c, stdout, log)
	} else {
		err = serve(ctx, c, stdin, stdout, log)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		log.Error().Err(err).Msg("fis-mcp stopped")
		fmt.Fprintln(stderr, "fis-mcp:", err)
		return 1
	}
	return 0
}
