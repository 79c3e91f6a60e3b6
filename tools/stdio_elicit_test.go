package tools_test

import (
	"context"
	"io"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/fis-mcp/fis-mcp/tools"
)

// TestStartExperimentElicitationOverStdio drives tools.NewServer over a stdio pipe (as
// `fis-mcp serve` runs) with a client that supports elicitation and negotiates the newest
// protocol: the human must be asked directly, not only through the token fallback.
func TestStartExperimentElicitationOverStdio(t *testing.T) {
	h := newHarness(t)
	id := h.healthyDemo()

	sr, cw := io.Pipe()
	cr, sw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = server.NewStdioServer(tools.NewServer(h.deps, "test")).Listen(ctx, sr, sw)
	}()
	t.Cleanup(func() {
		cancel()
		_ = cw.Close()
		_ = sw.Close()
		<-done
	})
	el := &elicitor{action: mcp.ElicitationResponseActionAccept, content: map[string]any{"confirm": true}}
	cl := client.NewClient(transport.NewIO(cr, cw, io.NopCloser(nil)), client.WithElicitationHandler(el))
	if err := cl.Start(ctx); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "stdio-test", Version: "1"}
	init.Params.Capabilities.Elicitation = &mcp.ElicitationCapability{}
	res, err := cl.Initialize(ctx, init)
	if err != nil {
		t.Fatal(err)
	}
	r := callTool(t, cl, "start_experiment", map[string]any{"session_id": id})
	status := output[tools.StartExperimentOutput](t, r).Status
	t.Logf("negotiated %s; result status %q, %d elicitation request(s)", res.ProtocolVersion, status, el.count())
	if el.count() != 1 || status != "started" {
		t.Errorf("over stdio (protocol %s) the human was not asked by elicitation: status %q, %d requests", res.ProtocolVersion, status, el.count())
	}
}
