package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/rs/zerolog"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	simpkg "github.com/fis-mcp/fis-mcp/cmd/fis-mcp/sim"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/tools"
)

// runDemo runs the whole workflow against the simulated account through the real MCP
// tools (in-process client), printing each step as a chat host would show it.
func runDemo(ctx context.Context, c config, out io.Writer, log zerolog.Logger) error {
	_, err := demo(ctx, c, out, log)
	return err
}

// demoResult is what a demo run wrote.
type demoResult struct {
	ReportPath, JSONPath, HTMLPath, Verdict string
}

// demo is runDemo in c.Scenario (c.Baseline, when set, overrides the simulation's
// post-experiment baseline), with simOpts for the simulated account; it returns the report.
func demo(ctx context.Context, c config, out io.Writer, log zerolog.Logger, simOpts ...simpkg.Option) (demoResult, error) {
	// Progress notifications arrive on the client's own goroutine while a step prints.
	out = &lockedWriter{w: out}
	var res demoResult
	started := time.Now()
	work, err := os.MkdirTemp("", "fis-mcp-demo-")
	if err != nil {
		return res, err
	}
	sim, err := startSimulation(ctx, work, c.Scenario, log, simOpts...)
	if err != nil {
		return res, err
	}
	defer sim.Close()
	store, err := session.Open(work, log, nil)
	if err != nil {
		return res, err
	}
	base, err := awsapi.LoadConfig(ctx, awsapi.Options{Region: sim.Region(), Endpoint: sim.AWSURL()})
	if err != nil {
		return res, err
	}
	cfg := sim.Configure(tools.Config{})
	cfg.DefaultRegion = base.Region
	if c.Baseline > 0 {
		cfg.Baseline = c.Baseline
	}
	deps := tools.NewDeps(store, base, cfg, nil, log)
	defer deps.Close()
	srv := tools.NewServer(deps, buildVersion())
	cl, err := client.NewInProcessClient(srv)
	if err != nil {
		return res, err
	}
	defer cl.Close()
	if err := cl.Start(ctx); err != nil {
		return res, err
	}
	cl.OnNotification(func(n mcp.JSONRPCNotification) {
		if n.Method == string(mcp.MethodNotificationProgress) {
			if msg, ok := n.Params.AdditionalFields["message"].(string); ok {
				fmt.Fprintf(out, "    … %s\n", msg)
			}
		}
	})
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "fis-mcp-demo", Version: buildVersion()}
	if _, err := cl.Initialize(ctx, init); err != nil {
		return res, fmt.Errorf("initialize: %w", err)
	}
	banner := strings.Repeat("=", 78)
	fmt.Fprintf(out, "%s\nfis-mcp demo — SIMULATED AWS account and EKS cluster (nothing real is touched)\nScenario: %s\n%s\n", banner, scenarioLine(sim.Scenario), banner)
	fmt.Fprintf(out, "Simulated AWS endpoint %s, Kubernetes API %s\nWork directory (sessions, logs, experiment copy): %s\n\n", sim.AWS.URL, sim.Kube.URL, work)

	step := 0
	callTool := func(name string, args map[string]any) (map[string]any, error) {
		step++
		argJSON, _ := json.Marshal(args)
		fmt.Fprintf(out, "── Step %d: %s %s\n", step, name, argJSON)
		req := mcp.CallToolRequest{}
		req.Params.Name = name
		req.Params.Arguments = args
		req.Params.Meta = &mcp.Meta{ProgressToken: fmt.Sprintf("demo-%d", step)}
		res, err := cl.CallTool(ctx, req)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for _, ct := range res.Content {
			if tc, ok := ct.(mcp.TextContent); ok {
				fmt.Fprintln(out, indent(tc.Text))
			}
		}
		if res.IsError {
			return nil, fmt.Errorf("%s returned an error", name)
		}
		structured, _ := json.Marshal(res.StructuredContent)
		var m map[string]any
		_ = json.Unmarshal(structured, &m)
		return m, nil
	}

	r, err := callTool("resolve_experiment", map[string]any{"template_id": "EXT1a2b3c4d5e6f7"})
	if err != nil {
		return res, err
	}
	id, _ := r["session_id"].(string)
	if _, err := callTool("health_check", map[string]any{"session_id": id}); err != nil {
		return res, err
	}
	if _, err := callTool("discover_apps", map[string]any{"session_id": id}); err != nil {
		return res, err
	}
	if _, err := callTool("start_logs", map[string]any{"session_id": id}); err != nil {
		return res, err
	}
	conf, err := callTool("start_experiment", map[string]any{"session_id": id})
	if err != nil {
		return res, err
	}
	token, _ := conf["confirmation_token"].(string)
	fmt.Fprintf(out, "\n>>> SIMULATION: a human would now read the warning above and type \"Yes, start experiment\".\n>>> The demo answers for them ONLY because this is a simulated account. fis-mcp never does this against real AWS.\n\n")
	if _, err := callTool("start_experiment", map[string]any{"session_id": id, "confirmation_token": token}); err != nil {
		return res, err
	}
	for i := 0; i < 60; i++ {
		p, err := callTool("poll", map[string]any{"session_id": id, "wait_seconds": 4})
		if err != nil {
			return res, err
		}
		if term, _ := p["terminal"].(bool); term {
			break
		}
	}
	fin, err := callTool("finalize_report", map[string]any{"session_id": id, "wait": true})
	if err != nil {
		return res, err
	}
	res.ReportPath, _ = fin["report_path"].(string)
	res.JSONPath, _ = fin["json_path"].(string)
	res.HTMLPath, _ = fin["html_path"].(string)
	res.Verdict, _ = fin["verdict"].(string)
	verdict := ""
	if res.Verdict != "" {
		verdict = "Verdict: " + strings.ToUpper(res.Verdict) + "\n"
	}
	fmt.Fprintf(out, "%s\nDemo finished in %s (SIMULATED, scenario %s).\n%sReport: %v\nJSON:   %v\nHTML:   %v\n%s\n", banner, time.Since(started).Round(time.Second), sim.Scenario, verdict, res.ReportPath, res.JSONPath, res.HTMLPath, banner)
	return res, nil
}

// scenarioLine describes the simulated scenario in the demo's banner.
func scenarioLine(scenario string) string {
	if scenario == simpkg.ScenarioFailing {
		return scenario + " — " + simpkg.FailingApp + " keeps failing after the fault: the run does not pass"
	}
	return scenario + " — every app recovers after the fault"
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}

// lockedWriter serialises writes from the demo's steps and its progress notifications.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
