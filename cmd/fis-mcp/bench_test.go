package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/rs/zerolog"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/cmd/fis-mcp/sim"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/tools"
)

// BenchmarkStartupToToolsList measures a cold start of the binary to its first
// tools/list answer over stdio (target: under 50 ms).
func BenchmarkStartupToToolsList(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "fis-mcp")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	state := b.TempDir()
	const initReq = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}`
	const listReq = `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`
	b.ResetTimer()
	for b.Loop() {
		cmd := exec.Command(bin, "serve", "--state-dir", state, "--log-level", "error", "--region", "us-east-1")
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIDBENCH", "AWS_SECRET_ACCESS_KEY=bench", "AWS_EC2_METADATA_DISABLED=true")
		stdin, _ := cmd.StdinPipe()
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		fmt.Fprintln(stdin, initReq)
		r := bufio.NewReader(stdout)
		if _, err := r.ReadBytes('\n'); err != nil {
			b.Fatal(err)
		}
		fmt.Fprintln(stdin, `{"jsonrpc":"2.0","method":"notifications/initialized"}`)
		fmt.Fprintln(stdin, listReq)
		line, err := r.ReadBytes('\n')
		if err != nil {
			b.Fatal(err)
		}
		var resp struct {
			Result struct {
				Tools []json.RawMessage `json:"tools"`
			} `json:"result"`
		}
		if err := json.Unmarshal(line, &resp); err != nil || len(resp.Result.Tools) != 11 {
			b.Fatalf("tools/list answer %q: %v", line, err)
		}
		b.StopTimer()
		_ = stdin.Close()
		_, _ = io.Copy(io.Discard, r)
		_ = cmd.Wait()
		b.StartTimer()
	}
}

// BenchmarkResolveExperiment measures resolve_experiment in-process against the fake
// account (target: under 20 ms beyond the AWS calls, which take ~1 ms each here).
func BenchmarkResolveExperiment(b *testing.B) {
	acct, err := sim.New()
	if err != nil {
		b.Fatal(err)
	}
	defer acct.Close()
	dir := b.TempDir()
	if _, err := sim.WriteExperiment(dir); err != nil {
		b.Fatal(err)
	}
	store, err := session.Open(b.TempDir(), zerolog.Nop(), nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	base, err := awsapi.LoadConfig(ctx, awsapi.Options{Region: acct.Region(), Endpoint: acct.AWS.URL})
	if err != nil {
		b.Fatal(err)
	}
	deps := tools.NewDeps(store, base, tools.Config{ExperimentsDir: dir}, nil, zerolog.Nop())
	defer deps.Close()
	tool := tools.ResolveExperiment(deps)
	req := mcp.CallToolRequest{}
	req.Params.Name = "resolve_experiment"
	req.Params.Arguments = map[string]any{"template_id": sim.TemplateID}
	b.ResetTimer()
	for b.Loop() {
		res, err := tool.Handler(ctx, req)
		if err != nil || res.IsError {
			b.Fatalf("resolve: %v %+v", err, res)
		}
	}
	b.StopTimer()
	if n := acct.AWS.CallCount("", ""); n == 0 || !strings.Contains(fmt.Sprint(acct.AWS.Calls("fis", "")), "GetExperimentTemplate") {
		b.Fatalf("no AWS calls recorded (%d)", n)
	}
}
