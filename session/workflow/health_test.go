package workflow_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/workflow"
)

// The HealthCheck step without MCP: the skip template resolves its empty target to a
// skipped target (not a block); an override needs the human's reason; a blocked check
// with wait=true rechecks on the configured cadence and reports progress.
func TestEngineHealthCheck(t *testing.T) {
	srv := awstest.New()
	t.Cleanup(srv.Close)
	dir := "2026-06-03-14-00-00-ec2-stop-skip-canary-EXT7c3d4e5f6a7b8"
	cfn, err := os.ReadFile(filepath.Join("..", "..", "testdata", "experiments", dir, "cfn-template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.DeployStack("fis-ec2-stop-skip-canary-r2d5v8", "EXT7c3d4e5f6a7b8", cfn, awstest.DeployOptions{}); err != nil {
		t.Fatal(err)
	}
	srv.AddInstance(awstest.Instance{ID: "i-0batch00000000001", State: "running", AZ: "us-east-1a", Tags: map[string]string{"fis-target": "batch"}})
	e := newEngine(t, srv)
	ctx := context.Background()
	res, err := e.Resolve(ctx, workflow.ResolveRequest{TemplateID: "EXT7c3d4e5f6a7b8"})
	if err != nil {
		t.Fatal(err)
	}
	id := res.Session.ID

	if _, _, err := e.HealthCheck(ctx, workflow.HealthRequest{SessionID: id, Override: true}, nil); err == nil || !strings.Contains(err.Error(), "override_reason") {
		t.Errorf("override without a reason: %v", err)
	}
	sess, hr, err := e.HealthCheck(ctx, workflow.HealthRequest{SessionID: id}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if hr.Verdict != session.VerdictHealthy || len(hr.SkippedTargets) != 1 || hr.SkippedTargets[0].Target != "Canary-Instances" ||
		sess.State != session.StateHealthChecked || sess.Health == nil {
		t.Fatalf("health: verdict %s skipped %+v state %s", hr.Verdict, hr.SkippedTargets, sess.State)
	}

	srv.SetInstanceStatus("i-0batch00000000001", "impaired", "ok") // (a stopped one would be filtered out by State.Name and skipped)
	var steps []string
	_, hr, err = e.HealthCheck(ctx, workflow.HealthRequest{SessionID: id, Wait: true}, func(done, total float64, msg string) { steps = append(steps, msg) })
	if err != nil {
		t.Fatal(err)
	}
	if hr.Verdict != session.VerdictBlocked || hr.WaitedSeconds < 540 || len(steps) < 9 || !strings.Contains(steps[0], "i-0batch00000000001") {
		t.Fatalf("wait: verdict %s waited %ds, %d progress steps %q", hr.Verdict, hr.WaitedSeconds, len(steps), steps)
	}
}
