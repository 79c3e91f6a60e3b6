package workflow_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/report"
	"github.com/fis-mcp/fis-mcp/session/workflow"
)

// newSession resolves and health-checks another session of the billing-db experiment on
// the fixture's engine (the same experiment directory) and makes it the fixture's session.
func (f *pollFixture) newSession() {
	f.t.Helper()
	ctx := context.Background()
	res, err := f.e.Resolve(ctx, workflow.ResolveRequest{TemplateID: billingTemplate})
	if err != nil || res.Aborted {
		f.t.Fatalf("resolve: %+v %v", res, err)
	}
	if _, hr, err := f.e.HealthCheck(ctx, workflow.HealthRequest{SessionID: res.Session.ID}, nil); err != nil || hr.Verdict != session.VerdictHealthy {
		f.t.Fatalf("health check: %+v %v", hr, err)
	}
	f.id = res.Session.ID
}

// runAndFinalize starts the fixture's session's experiment, polls it to its end and
// finalizes it (waiting out the baseline on the fake clock).
func (f *pollFixture) runAndFinalize() (*session.Session, workflow.FinalizeResult) {
	f.t.Helper()
	f.start()
	f.pollUntilTerminal()
	sess, res, err := f.e.Finalize(context.Background(), workflow.FinalizeRequest{SessionID: f.id, Wait: true}, nil)
	if err != nil || res.Status != workflow.FinalizeWritten {
		f.t.Fatalf("finalize: %+v %v", res, err)
	}
	return sess, res
}

// runLines reads runs.jsonl's session IDs, in order.
func runLines(t *testing.T, dir string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, report.RunsFile))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, l := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		var rec report.RunRecord
		if err := json.Unmarshal(l, &rec); err != nil {
			t.Fatalf("runs.jsonl line %q: %v", l, err)
		}
		ids = append(ids, rec.SessionID)
	}
	return ids
}

// Three sessions of the same template finalized in the same experiment directory append
// three lines to runs.jsonl, in order; finalizing again appends nothing; the third report
// compares with the two earlier runs (and not with itself); the verdict is on the session.
func TestEngineFinalizeAppendsRunHistory(t *testing.T) {
	f := newPollFixture(t)
	var ids []string
	var last workflow.FinalizeResult
	var dir string
	for i := range 3 {
		if i > 0 {
			f.newSession()
		}
		sess, res := f.runAndFinalize()
		ids = append(ids, sess.ID)
		dir, last = sess.Experiment.Dir, res
		if sess.Report == nil || sess.Report.Verdict == "" {
			t.Errorf("run %d: the stored report has no verdict: %+v", i+1, sess.Report)
		}
		if _, again, err := f.e.Finalize(context.Background(), workflow.FinalizeRequest{SessionID: f.id, Wait: true}, nil); err != nil || !again.AlreadyWritten {
			t.Fatalf("run %d: second finalize %+v %v", i+1, again, err)
		}
		if got := runLines(t, dir); len(got) != i+1 {
			t.Fatalf("after run %d (finalized twice): runs.jsonl holds %v, want %d lines", i+1, got, i+1)
		}
	}
	if got := runLines(t, dir); strings.Join(got, ",") != strings.Join(ids, ",") {
		t.Errorf("runs.jsonl sessions %v, want %v", got, ids)
	}
	md, err := os.ReadFile(last.ReportPath)
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(md), "### Compared with earlier runs")
	if !ok {
		t.Fatalf("the third report has no comparison section:\n%s", md)
	}
	section, _, _ = strings.Cut(section, "\n### ")
	t.Logf("comparison section:%s", section)
	for _, id := range ids[:2] {
		if !strings.Contains(section, "| `"+id+"` |") {
			t.Errorf("the comparison lacks earlier run %s:\n%s", id, section)
		}
	}
	if !strings.Contains(section, "this run `"+ids[2]+"`") || strings.Count(section, ids[2]) != 1 {
		t.Errorf("the comparison does not end with this run %s (once):\n%s", ids[2], section)
	}
	var doc struct {
		History struct {
			Earlier []report.RunRecord `json:"earlier"`
			ThisRun report.RunRecord   `json:"this_run"`
		} `json:"history"`
	}
	b, err := os.ReadFile(last.JSONPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.History.Earlier) != 2 || doc.History.ThisRun.SessionID != ids[2] || doc.History.ThisRun.ExperimentID == "" {
		t.Errorf("JSON history: %+v", doc.History)
	}
}

// The run supervisor and finalize_report racing to write the same report append one line.
func TestEngineFinalizeRaceAppendsOneRun(t *testing.T) {
	f := newPollFixture(t)
	f.start()
	f.pollUntilTerminal()
	var wg sync.WaitGroup
	for _, by := range []string{session.FinalizedByTool, session.FinalizedBySupervisor} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, _, err := f.e.Finalize(context.Background(), workflow.FinalizeRequest{SessionID: f.id, Wait: true, By: by}, nil); err != nil {
				t.Errorf("finalize by %s: %v", by, err)
			}
		}()
	}
	wg.Wait()
	sess, err := f.e.Get(f.id)
	if err != nil || sess.Report == nil {
		t.Fatalf("no report: %v", err)
	}
	if got := runLines(t, sess.Experiment.Dir); len(got) != 1 || got[0] != f.id {
		t.Errorf("runs.jsonl after a racing finalize: %v, want one line for %s", got, f.id)
	}
}

// reportCfnSnippet adds an experiment report configuration to the billing-db template.
const reportCfnSnippet = `      ExperimentReportConfiguration:
        Outputs:
          ExperimentReportS3Configuration:
            BucketName: fis-reports-billing
            Prefix: billing
        PostExperimentDuration: %s
`

// newReportFixture is newPollFixture with the billing-db template asking FIS for its own
// experiment report, covering post after the end.
func newReportFixture(t *testing.T, post string) *pollFixture {
	t.Helper()
	clock := awstest.NewFakeClock(time.Date(2026, 6, 5, 8, 15, 0, 0, time.UTC))
	srv := awstest.New(awstest.WithClock(clock))
	t.Cleanup(srv.Close)
	root := filepath.Join(t.TempDir(), "experiments")
	if err := os.CopyFS(root, os.DirFS(filepath.Join("..", "..", "testdata", "experiments"))); err != nil {
		t.Fatal(err)
	}
	cfnPath := filepath.Join(root, billingDir, "cfn-template.yaml")
	cfn, err := os.ReadFile(cfnPath)
	if err != nil {
		t.Fatal(err)
	}
	anchor := "      Description: Aurora failover of billing-db\n"
	if !bytes.Contains(cfn, []byte(anchor)) {
		t.Fatal("the billing-db template changed: no description line to add the report configuration after")
	}
	cfn = bytes.Replace(cfn, []byte(anchor), []byte(anchor+strings.Replace(reportCfnSnippet, "%s", post, 1)), 1)
	if err := os.WriteFile(cfnPath, cfn, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.DeployStack(billingStack, billingTemplate, cfn, awstest.DeployOptions{}); err != nil {
		t.Fatal(err)
	}
	srv.AddDBCluster(awstest.DBCluster{ID: billingCluster, MultiAZ: true, Members: []awstest.DBClusterMember{
		{InstanceID: billingCluster + "-1", Writer: true, AZ: "us-east-1a"},
		{InstanceID: billingCluster + "-2", AZ: "us-east-1b"},
	}})
	store, err := session.Open(filepath.Join(t.TempDir(), "state"), zerolog.Nop(), clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	awsCfg, err := awsapi.LoadConfig(context.Background(), awsapi.Options{Region: srv.Region, Endpoint: srv.URL, MaxAttempts: 2, MaxBackoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	e := workflow.New(store, awsCfg, workflow.Config{ExperimentsDir: root}, awstest.SteppingClock{A: clock}, zerolog.Nop())
	t.Cleanup(e.Close)
	f := &pollFixture{t: t, clock: clock, srv: srv, e: e}
	f.newSession()
	return f
}

// FIS's own experiment report is read while the run is polled (pending) and again at
// finalize: with a short post-experiment duration it is completed by then and the report
// names its S3 object; with a long one it is still being generated and the report says so.
func TestEngineFinalizeReadsFISExperimentReport(t *testing.T) {
	tests := []struct {
		post       string
		state      string
		generating bool
	}{
		{post: "PT1M", state: "completed"},
		{post: "PT30M", state: "running", generating: true},
	}
	for _, tc := range tests {
		t.Run(tc.post, func(t *testing.T) {
			f := newReportFixture(t, tc.post)
			exp := f.start()
			f.pollUntilTerminal()
			polled, err := f.e.Get(f.id)
			if err != nil {
				t.Fatal(err)
			}
			if polled.Run.ExperimentReport == nil || polled.Run.ExperimentReport.Status == "" {
				t.Fatalf("poll recorded no experiment report state: %+v", polled.Run.ExperimentReport)
			}
			sess, res := f.runAndFinalizeStarted()
			rep := sess.Run.ExperimentReport
			if rep == nil || rep.Status != tc.state {
				t.Fatalf("at finalize the experiment report is %+v, want %s", rep, tc.state)
			}
			md, err := os.ReadFile(res.ReportPath)
			if err != nil {
				t.Fatal(err)
			}
			_, section, ok := strings.Cut(string(md), "### FIS Experiment Report")
			if !ok {
				t.Fatalf("no FIS Experiment Report section:\n%s", md)
			}
			section, _, _ = strings.Cut(section, "\n### ")
			t.Logf("FIS report section:%s", section)
			uri := "s3://fis-reports-billing/" + awstest.ReportKey("billing", exp)
			if got := strings.Contains(section, uri); got == tc.generating {
				t.Errorf("S3 location %s shown: %v, want %v:\n%s", uri, got, !tc.generating, section)
			}
			if got := strings.Contains(section, "still generating it (state running)"); got != tc.generating {
				t.Errorf("'still generating' shown: %v, want %v:\n%s", got, tc.generating, section)
			}
			if !strings.Contains(section, "#ExperimentDetails:ExperimentId="+exp) {
				t.Errorf("no console link:\n%s", section)
			}
			var doc struct {
				FIS *struct {
					State           *string `json:"state"`
					StillGenerating bool    `json:"still_generating"`
					Reports         []struct {
						S3URI string `json:"s3_uri"`
					} `json:"reports"`
				} `json:"fis_experiment_report"`
			}
			b, _ := os.ReadFile(res.JSONPath)
			if err := json.Unmarshal(b, &doc); err != nil {
				t.Fatal(err)
			}
			if doc.FIS == nil || doc.FIS.State == nil || *doc.FIS.State != tc.state || doc.FIS.StillGenerating != tc.generating ||
				(!tc.generating && (len(doc.FIS.Reports) != 1 || doc.FIS.Reports[0].S3URI != uri)) {
				t.Errorf("JSON fis_experiment_report: %+v", doc.FIS)
			}
		})
	}
}

// runAndFinalizeStarted finalizes the fixture's ended session (waiting out the baseline).
func (f *pollFixture) runAndFinalizeStarted() (*session.Session, workflow.FinalizeResult) {
	f.t.Helper()
	sess, res, err := f.e.Finalize(context.Background(), workflow.FinalizeRequest{SessionID: f.id, Wait: true}, nil)
	if err != nil || res.Status != workflow.FinalizeWritten {
		f.t.Fatalf("finalize: %+v %v", res, err)
	}
	return sess, res
}

// Without a report configuration the report has no FIS Experiment Report section and the
// JSON twin's fis_experiment_report is null.
func TestEngineFinalizeWithoutFISReportConfiguration(t *testing.T) {
	f := newPollFixture(t)
	_, res := f.runAndFinalize()
	md, err := os.ReadFile(res.ReportPath)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(md), "### FIS Experiment Report") {
		t.Errorf("a FIS Experiment Report section without a report configuration")
	}
	var doc map[string]json.RawMessage
	b, _ := os.ReadFile(res.JSONPath)
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if v, ok := doc["fis_experiment_report"]; !ok || string(v) != "null" {
		t.Errorf("fis_experiment_report = %s (present %v), want null", v, ok)
	}
}
