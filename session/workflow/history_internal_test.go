package workflow

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/rs/zerolog"

	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/report"
)

// A writeReport that loses the race (another call stored its report first, as the run
// supervisor and finalize_report can) keeps the first report and appends no second line
// to runs.jsonl.
func TestWriteReportLosingTheRaceAppendsNoRun(t *testing.T) {
	tmp := t.TempDir()
	expDir := filepath.Join(tmp, "experiment")
	if err := os.MkdirAll(expDir, 0o755); err != nil {
		t.Fatal(err)
	}
	store, err := session.Open(filepath.Join(tmp, "state"), zerolog.Nop(), nil)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 4, 11, 10, 30, 0, 0, time.UTC)
	end := start.Add(time.Minute)
	sess := &session.Session{ID: store.NewID(), CreatedAt: start, State: session.StateEnded, Language: "en",
		Experiment: session.Experiment{Dir: expDir, TemplateID: "EXTrace", Scenario: "race", Region: "us-east-1"},
		Run:        &session.Run{ExperimentID: "EXPrace", State: "completed", StartTime: &start, EndTime: &end, Actions: []session.ActionRun{}}}
	if err := store.Create(sess); err != nil {
		t.Fatal(err)
	}
	e := New(store, awssdk.Config{}, Config{}, nil, zerolog.Nop())
	t.Cleanup(e.Close)
	stale, err := store.Get(sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, first, err := e.writeReport(ctx, stale, "", session.FinalizedByTool, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The supervisor analysed the same ended session before the first report was stored.
	_, second, err := e.writeReport(ctx, stale, "", session.FinalizedBySupervisor, nil)
	if err != nil {
		t.Fatal(err)
	}
	if second.ReportPath != first.ReportPath {
		t.Errorf("the losing call returned %s, want the first report %s", second.ReportPath, first.ReportPath)
	}
	b, err := os.ReadFile(filepath.Join(expDir, report.RunsFile))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "\n"); n != 1 || !strings.Contains(string(b), `"session_id":"`+sess.ID+`"`) {
		t.Errorf("runs.jsonl after a lost race holds %d lines:\n%s", n, b)
	}
}
