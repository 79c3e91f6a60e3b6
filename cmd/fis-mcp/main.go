// Command fis-mcp is an MCP server (stdio) that runs prepared AWS FIS experiments
// safely, step by step, with a human confirming the start.
//
//	fis-mcp [serve] [flags]        serve MCP over stdio (the default)
//	fis-mcp serve --simulate       serve the built-in simulated account (no AWS credentials needed)
//	fis-mcp demo                   run the whole workflow against the simulated account and print it
//	fis-mcp demo --scenario failing  the same, with an app that never recovers (a run that does not pass)
//	fis-mcp doctor                 check what a first experiment needs (credentials, IAM, FIS, EKS, state dir)
//	fis-mcp audit verify <id>      recompute a stored session's tamper-evident audit chain
//	fis-mcp version                (or --version)
//	fis-mcp --help                 the commands and the FIS_MCP_* environment variables
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
	"text/tabwriter"
	"time"

	"github.com/rs/zerolog"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/kube"
)

// version is set with -ldflags "-X main.version=..."; otherwise the module version is used.
var version = ""

func buildVersion() string {
	return versionFrom(version, debug.ReadBuildInfo)
}

// versionFrom is the ldflags version, else the module version of a `go install` build
// (Main.Version, e.g. v1.2.0), else "dev" (a build from a work tree: "(devel)").
func versionFrom(ldflags string, readBuildInfo func() (*debug.BuildInfo, bool)) string {
	if ldflags != "" {
		return ldflags
	}
	if bi, ok := readBuildInfo(); ok && bi != nil && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
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

// envDuration reads a duration such as 2m; an unset variable gives def.
func envDuration(key string, def time.Duration) (time.Duration, error) {
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

// setting is one flag and the environment variable that sets its default: the single
// table behind every command's flags and the environment list in `fis-mcp --help`.
type setting struct {
	flag, env, usage string
	// bind defines the flag on fs (its default read from env), writing into c; the
	// returned check runs after parsing (given: the flag was on the command line).
	bind func(fs *flag.FlagSet, c *config, s setting) (check func(given bool) error)
}

// settings are all the flags with an environment variable, in the order --help lists them.
var settings = []setting{
	{flag: "region", env: "FIS_MCP_REGION", usage: "AWS region used when an experiment README has none (default: the AWS config chain)",
		bind: bindString(func(c *config) *string { return &c.Region }, func() string { return "" })},
	{flag: "profile", env: "AWS_PROFILE", usage: "AWS shared-config profile (SSO profiles included)",
		bind: bindString(func(c *config) *string { return &c.Profile }, func() string { return "" })},
	{flag: "state-dir", env: "FIS_MCP_STATE_DIR", usage: "where sessions and collected logs are kept",
		bind: bindString(func(c *config) *string { return &c.StateDir }, defaultStateDir)},
	{flag: "experiments-dir", env: "FIS_MCP_EXPERIMENTS_DIR", usage: "default directory searched for template IDs (default: working directory)",
		bind: bindString(func(c *config) *string { return &c.ExperimentsDir }, func() string { return "" })},
	{flag: "read-only", env: "FIS_MCP_READ_ONLY", usage: "never call StartExperiment (stop, health checks, logs and reports still work)",
		bind: bindBool(func(c *config) *bool { return &c.ReadOnly })},
	{flag: "simulate", env: "FIS_MCP_SIMULATE", usage: "serve the built-in simulated AWS account and EKS cluster instead of real AWS",
		bind: bindBool(func(c *config) *bool { return &c.Simulate })},
	{flag: "scenario", env: "FIS_MCP_SCENARIO", usage: scenarioFlagHelp(), bind: bindScenario},
	{flag: "baseline", env: "FIS_MCP_BASELINE", usage: "post-experiment baseline of log collection before the report (0: 3m, or 40s with --simulate)", bind: bindDuration(func(c *config) *time.Duration { return &c.Baseline }, 0, validBaseline)},
	{flag: "finalize-grace", env: "FIS_MCP_FINALIZE_GRACE", usage: "after the post-experiment baseline, how long the run supervisor waits for finalize_report before writing the report itself", bind: bindDuration(func(c *config) *time.Duration { return &c.FinalizeGrace }, 2*time.Minute, validFinalizeGrace)},
	{flag: "stop-if-unattended", env: "FIS_MCP_STOP_IF_UNATTENDED", usage: "dead-man's switch: stop a running experiment when no tool call for its session arrives for this long (0: off)", bind: bindDuration(func(c *config) *time.Duration { return &c.StopIfUnattended }, 0, validStopIfUnattended)},
	{flag: "account-roles", env: "FIS_MCP_ACCOUNT_ROLES", usage: "YAML or JSON file mapping target account IDs to IAM role ARNs fis-mcp assumes (read-only) to health-check multi-account templates", bind: bindAccountRoles},
	{flag: "max-log-streams", env: "FIS_MCP_MAX_LOG_STREAMS", usage: "pod log streams (pod, container) followed at once per session; those beyond it are named as not followed and wait for a slot", bind: bindMaxLogStreams},
	{flag: "log-level", env: "FIS_MCP_LOG_LEVEL", usage: "log level: debug, info, warn, error",
		bind: bindString(func(c *config) *string { return &c.LogLevel }, func() string { return "info" })},
	{flag: "log-file", env: "FIS_MCP_LOG_FILE", usage: "write logs to this file instead of stderr",
		bind: bindString(func(c *config) *string { return &c.LogFile }, func() string { return "" })},
}

func settingFor(name string) (setting, bool) {
	for _, s := range settings {
		if s.flag == name {
			return s, true
		}
	}
	return setting{}, false
}

// usageWithEnv is a flag's help line naming its environment variable.
func (s setting) usageWithEnv() string { return s.usage + " (env " + s.env + ")" }

func bindString(field func(*config) *string, def func() string) func(*flag.FlagSet, *config, setting) func(bool) error {
	return func(fs *flag.FlagSet, c *config, s setting) func(bool) error {
		fs.StringVar(field(c), s.flag, envOr(s.env, def()), s.usageWithEnv())
		return nil
	}
}

func bindBool(field func(*config) *bool) func(*flag.FlagSet, *config, setting) func(bool) error {
	return func(fs *flag.FlagSet, c *config, s setting) func(bool) error {
		fs.BoolVar(field(c), s.flag, envBool(s.env), s.usageWithEnv())
		return nil
	}
}

func bindScenario(fs *flag.FlagSet, c *config, s setting) func(bool) error {
	fs.StringVar(&c.Scenario, s.flag, envOr(s.env, "default"), s.usageWithEnv())
	return func(bool) error { return checkScenario(c.Scenario) }
}

// bindDuration is a duration setting defaulting to def: an environment value that is not
// a duration is an error unless the flag overrides it, and valid checks the value.
func bindDuration(field func(*config) *time.Duration, def time.Duration, valid func(time.Duration) error) func(*flag.FlagSet, *config, setting) func(bool) error {
	return func(fs *flag.FlagSet, c *config, s setting) func(bool) error {
		d, envErr := envDuration(s.env, def)
		fs.DurationVar(field(c), s.flag, d, s.usageWithEnv())
		return func(given bool) error {
			if envErr != nil && !given {
				return envErr
			}
			return valid(*field(c))
		}
	}
}

func validBaseline(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("--baseline must not be negative")
	}
	return nil
}

func validFinalizeGrace(d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("--finalize-grace (FIS_MCP_FINALIZE_GRACE) must be a positive duration such as 2m, not %s", d)
	}
	return nil
}

func validStopIfUnattended(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("--stop-if-unattended (FIS_MCP_STOP_IF_UNATTENDED) must not be negative (0 turns it off)")
	}
	return nil
}

func bindMaxLogStreams(fs *flag.FlagSet, c *config, s setting) func(bool) error {
	n, envErr := envInt(s.env, kube.DefaultMaxStreams)
	fs.IntVar(&c.MaxLogStreams, s.flag, n, s.usageWithEnv())
	return func(given bool) error {
		if envErr != nil && !given {
			return envErr
		}
		if c.MaxLogStreams < 1 {
			return fmt.Errorf("--max-log-streams (FIS_MCP_MAX_LOG_STREAMS) must be a whole number of at least 1, not %d", c.MaxLogStreams)
		}
		return nil
	}
}

func bindAccountRoles(fs *flag.FlagSet, c *config, s setting) func(bool) error {
	file := fs.String(s.flag, envOr(s.env, ""), s.usageWithEnv())
	return func(bool) error {
		roles, err := awsapi.LoadAccountRoles(*file)
		if err != nil {
			return fmt.Errorf("--account-roles (FIS_MCP_ACCOUNT_ROLES): %w", err)
		}
		c.AccountRoles = roles
		return nil
	}
}

// bindSettings defines the named settings' flags on fs, writing into c; the returned
// function, called after fs.Parse, validates them (environment values included). A
// command of its own (doctor) takes the settings it shares with serve this way.
func bindSettings(fs *flag.FlagSet, c *config, names ...string) func() error {
	type bound struct {
		name  string
		check func(bool) error
	}
	var checks []bound
	for _, name := range names {
		s, ok := settingFor(name)
		if !ok {
			continue // a name not in the table: TestCommandFlagsAreSettings catches it
		}
		if check := s.bind(fs, c, s); check != nil {
			checks = append(checks, bound{name, check})
		}
	}
	return func() error {
		for _, b := range checks {
			if err := b.check(flagGiven(fs, b.name)); err != nil {
				return err
			}
		}
		return nil
	}
}

// serveFlags and demoFlags are the settings each command takes, in --help order.
var (
	serveFlags = []string{"region", "profile", "state-dir", "experiments-dir", "read-only", "simulate", "scenario",
		"baseline", "finalize-grace", "stop-if-unattended", "account-roles", "max-log-streams", "log-level", "log-file"}
	demoFlags = []string{"scenario", "baseline", "log-level", "log-file"}
)

// newFlagSet is a command's own flag set (parse it with parseCommandFlags): errors go
// to stderr, and its --help lists only its own flags.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {} // a parse error names the bad flag; parseCommandFlags prints the rest
	return fs
}

// parseCommandFlags parses args with fs. --help prints the synopsis and fs's flags to
// stdout and returns flag.ErrHelp; a bad flag (already named on stderr by the flag
// package) adds a pointer to --help.
func parseCommandFlags(fs *flag.FlagSet, synopsis string, args []string, stdout, stderr io.Writer) error {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		printFlagHelp(stdout, fs, synopsis)
		return err
	}
	if err != nil {
		fmt.Fprintf(stderr, "run `%s --help` for its flags\n", fs.Name())
		return reportedError{err}
	}
	return nil
}

// reportedError is an error already printed to stderr (the flag package names a bad flag).
type reportedError struct{ error }

func (e reportedError) Unwrap() error { return e.error }

func printFlagHelp(w io.Writer, fs *flag.FlagSet, synopsis string) {
	fmt.Fprintf(w, "usage: %s\n\nflags:\n", synopsis)
	fs.SetOutput(w)
	fs.PrintDefaults()
}

// parseFlags parses the flags of `fis-mcp serve` or `fis-mcp demo` (name is "fis-mcp
// <command>"); errors and --help go to stderr (parseFlagsTo sends --help to stdout).
func parseFlags(name string, args []string, stderr io.Writer) (config, error) {
	return parseFlagsTo(name, args, stderr, stderr)
}

func parseFlagsTo(name string, args []string, stdout, stderr io.Writer) (config, error) {
	var c config
	names, synopsis := serveFlags, serveSynopsis
	if strings.HasSuffix(name, " demo") {
		names, synopsis = demoFlags, demoSynopsis
	}
	fs := newFlagSet(name, stderr)
	check := bindSettings(fs, &c, names...)
	fs.BoolVar(&c.ShowVersion, "version", false, "print the version and exit")
	if err := parseCommandFlags(fs, synopsis, args, stdout, stderr); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if err := check(); err != nil {
		return c, err
	}
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

// cmdIO is what a command reads and writes.
type cmdIO struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// command is one `fis-mcp <name>`: run gets the arguments after the name and returns the
// exit status (0 ok, 1 failed, 2 bad usage).
type command struct {
	name, synopsis, summary string
	run                     func(ctx context.Context, args []string, io cmdIO) int
}

const (
	serveSynopsis  = "fis-mcp [serve] [flags]"
	demoSynopsis   = "fis-mcp demo [--scenario default|failing] [--baseline D] [--log-level L] [--log-file F]"
	doctorSynopsis = "fis-mcp doctor [--experiments-dir D] [--region R] [--template-id EXT…] [--state-dir D] [--account-roles F] [--simulate]"
)

// commands are the subcommands, in the order `fis-mcp --help` lists them.
func commands() []command {
	return []command{
		{name: "serve", synopsis: serveSynopsis, summary: "serve MCP over stdio (the default command); --simulate serves a built-in simulated account",
			run: func(ctx context.Context, args []string, io cmdIO) int { return runServing(ctx, "serve", args, io) }},
		{name: "demo", synopsis: demoSynopsis, summary: "run the whole workflow against the simulated account and print each step",
			run: func(ctx context.Context, args []string, io cmdIO) int { return runServing(ctx, "demo", args, io) }},
		{name: "doctor", synopsis: doctorSynopsis, summary: "check what a first experiment needs (credentials, IAM, FIS, EKS, state dir); non-zero exit when something blocks",
			run: runDoctor},
		{name: "audit", synopsis: auditUsage[len("usage: "):], summary: "audit verify <session-id>: recompute a stored session's tamper-evident audit chain",
			run: func(_ context.Context, args []string, io cmdIO) int { return runAudit(args, io.stdout, io.stderr) }},
		{name: "version", synopsis: "fis-mcp version", summary: "print the version (also: fis-mcp --version)",
			run: func(_ context.Context, _ []string, io cmdIO) int {
				fmt.Fprintln(io.stdout, "fis-mcp", buildVersion())
				return 0
			}},
	}
}

// printHelp is `fis-mcp --help`: the commands, one line each, and the environment variables.
func printHelp(w io.Writer) {
	fmt.Fprintf(w, "fis-mcp %s: runs prepared AWS FIS experiments safely, step by step, as an MCP server (stdio)\n\n", buildVersion())
	fmt.Fprintf(w, "usage: fis-mcp <command> [flags]   (no command: serve)\n\ncommands:\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range commands() {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "\nfis-mcp <command> --help lists a command's flags.\n\nenvironment (a flag on the command line wins):\n")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, s := range settings {
		fmt.Fprintf(tw, "  %s\t--%s\t%s\n", s.env, s.flag, firstClause(s.usage))
	}
	_ = tw.Flush()
	fmt.Fprintln(w, "  (FIS_MCP_READ_ONLY and FIS_MCP_SIMULATE are on with 1, true, yes or on)")
}

// firstClause shortens a flag's help for the environment table: up to its first "; ",
// without a trailing parenthesis.
func firstClause(s string) string {
	if i := strings.Index(s, "; "); i > 0 {
		s = s[:i]
	}
	if strings.HasSuffix(s, ")") {
		if i := strings.LastIndex(s, " ("); i > 0 {
			s = s[:i]
		}
	}
	return s
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func isHelpArg(a string) bool {
	switch a {
	case "help", "-h", "-help", "--help":
		return true
	}
	return false
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cio := cmdIO{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) > 0 && isHelpArg(args[0]) {
		if len(args) > 1 { // fis-mcp help <command>
			return run([]string{args[1], "--help"}, stdin, stdout, stderr)
		}
		printHelp(stdout)
		return 0
	}
	name := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		if c.run == nil {
			fmt.Fprintf(stderr, "fis-mcp: %s is not available in this build (usage: %s)\n", name, c.synopsis)
			return 2
		}
		return c.run(ctx, args, cio)
	}
	fmt.Fprintf(stderr, "fis-mcp: unknown command %q (%s); fis-mcp --help lists them\n", name, strings.Join(commandNames(), ", "))
	return 2
}

func commandNames() []string {
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	return names
}

// runServing is `fis-mcp serve` and `fis-mcp demo`.
func runServing(ctx context.Context, cmd string, args []string, cio cmdIO) int {
	stdout, stderr := cio.stdout, cio.stderr
	c, err := parseFlagsTo("fis-mcp "+cmd, args, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if errors.As(err, new(reportedError)) {
		return 2
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
		err = serve(ctx, c, cio.stdin, stdout, log)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		log.Error().Err(err).Msg("fis-mcp stopped")
		fmt.Fprintln(stderr, "fis-mcp:", err)
		return 1
	}
	return 0
}
