package workflow_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/workflow"
)

const billingDir = "2026-06-05-08-15-00-aurora-failover-billing-db-EXT9e5f6a7b8c9d0"

// newEngine is an engine on a fresh state directory against the fake account srv.
func newEngine(t *testing.T, srv *awstest.Server) *workflow.Engine {
	t.Helper()
	store, err := session.Open(t.TempDir(), zerolog.Nop(), srv.Now)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := awsapi.LoadConfig(context.Background(), awsapi.Options{Region: srv.Region, Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	return workflow.New(store, cfg, workflow.Config{ExperimentsDir: filepath.Join("..", "..", "testdata", "experiments")},
		awstest.SteppingClock{A: awstest.NewFakeClock(srv.Now())}, zerolog.Nop())
}

// The engine's Resolve step runs without any MCP: a stable stack after a failed update
// resolves with a warning, a missing stack stores an aborted session, bad input opens none.
func TestEngineResolve(t *testing.T) {
	srv := awstest.New()
	t.Cleanup(srv.Close)
	cfn, err := os.ReadFile(filepath.Join("..", "..", "testdata", "experiments", billingDir, "cfn-template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	e := newEngine(t, srv)
	ctx := context.Background()

	if _, err := e.Resolve(ctx, workflow.ResolveRequest{Path: "x", TemplateID: "EXT9e5f6a7b8c9d0"}); err == nil || !strings.Contains(err.Error(), "exactly one of path") {
		t.Errorf("path and template_id together: %v", err)
	}
	res, err := e.Resolve(ctx, workflow.ResolveRequest{TemplateID: "EXT9e5f6a7b8c9d0"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Aborted || !strings.Contains(res.AbortReason, "does not exist") || res.Session.State != session.StateAborted {
		t.Fatalf("missing stack: %+v", res)
	}

	if _, err := srv.DeployStack("fis-aurora-failover-billing-db-c9x3z5", "EXT9e5f6a7b8c9d0", cfn, awstest.DeployOptions{Status: "UPDATE_ROLLBACK_COMPLETE"}); err != nil {
		t.Fatal(err)
	}
	res, err = e.Resolve(ctx, workflow.ResolveRequest{TemplateID: "EXT9e5f6a7b8c9d0"})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Session
	if res.Aborted || s.State != session.StateResolved || !strings.Contains(s.Experiment.StackWarning, "UPDATE_ROLLBACK_COMPLETE") ||
		len(s.Experiment.Template.Actions) != 1 {
		t.Fatalf("resolved session: aborted %v state %s warning %q actions %d", res.Aborted, s.State, s.Experiment.StackWarning, len(s.Experiment.Template.Actions))
	}
	list, err := e.List()
	if err != nil || len(list) != 2 {
		t.Fatalf("List: %v %v", list, err)
	}
	got, err := e.Get(s.ID)
	if err != nil || got.Experiment.TemplateID != "EXT9e5f6a7b8c9d0" {
		t.Fatalf("Get: %v %v", got, err)
	}
}
