package experiment_test

import (
	"context"
	"testing"
	"time"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/aws/experiment"
)

// seedReportTemplate seeds a template of one 30-s action whose experiment report covers
// 2 min after the end, into s3://fis-reports/runs/ (reportCfg false: no report configuration).
func seedReportTemplate(srv *awstest.Server, id string, reportCfg bool) {
	t := awstest.ExperimentTemplate{
		ID: id, RoleArn: "arn:aws:iam::123456789012:role/fis",
		Actions:        map[string]awstest.TemplateAction{"wait": {ActionID: "aws:fis:wait", Parameters: map[string]string{"duration": "PT30S"}}},
		Targets:        map[string]awstest.TemplateTarget{},
		StopConditions: []awstest.StopCondition{{Source: "none"}},
	}
	if reportCfg {
		t.ReportConfiguration = &awstest.TemplateReportConfiguration{S3Bucket: "fis-reports", S3Prefix: "runs/", PostExperimentDuration: "PT2M"}
	}
	srv.AddExperimentTemplate(t)
}

// TestExperimentReportProgression: GetExperiment's experimentReport, through the fake and the
// mapping, is pending while the experiment runs, running after it ends through the
// post-experiment duration and the generation time, then completed with the report's S3 ARN.
func TestExperimentReportProgression(t *testing.T) {
	clock := awstest.NewFakeClock(epoch)
	srv := awstest.New(awstest.WithClock(clock))
	defer srv.Close()
	seedReportTemplate(srv, tmplID, true)
	api := newClient(srv)
	ctx := context.Background()
	st, err := experiment.Start(ctx, api, experiment.StartInput{TemplateID: tmplID, ClientToken: "tok-report"})
	if err != nil {
		t.Fatal(err)
	}
	// Initiating 3 s + 30 s action: the experiment ends at 33 s; post PT2M + generation 30 s.
	steps := []struct {
		at     time.Duration
		exp    string
		report string
		files  int
	}{
		{0, "pending", "pending", 0},
		{10 * time.Second, "running", "pending", 0},
		{33 * time.Second, "completed", "running", 0},
		{182 * time.Second, "completed", "running", 0},
		{183 * time.Second, "completed", "completed", 1},
	}
	var last time.Duration
	for _, s := range steps {
		clock.Advance(s.at - last)
		last = s.at
		got, err := experiment.Get(ctx, api, st.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != s.exp {
			t.Fatalf("at %s: experiment %s, want %s", s.at, got.State, s.exp)
		}
		if got.Report == nil {
			t.Fatalf("at %s: no experiment report for a template with a report configuration", s.at)
		}
		if got.Report.Status != s.report || len(got.Report.S3Reports) != s.files {
			t.Errorf("at %s: report %+v, want %s with %d files", s.at, *got.Report, s.report, s.files)
		}
	}
	got, _ := experiment.Get(ctx, api, st.ID)
	want := "arn:aws:s3:::fis-reports/runs/" + st.ID + "/" + st.ID + ".pdf"
	if f := got.Report.S3Reports; len(f) != 1 || f[0].Arn != want || f[0].ReportType != "PDF" {
		t.Errorf("s3Reports %+v, want %s (PDF)", f, want)
	}
	if done, ok := srv.ExperimentReportDoneAt(st.ID); !ok || !done.Equal(epoch.Add(183*time.Second)) {
		t.Errorf("ExperimentReportDoneAt = %s %v, want %s", done, ok, epoch.Add(183*time.Second))
	}
}

// TestExperimentReportAbsentOrCancelled: a template without a report configuration gets no
// experimentReport; an experiment the safety lever cancelled gets a cancelled report.
func TestExperimentReportAbsentOrCancelled(t *testing.T) {
	clock := awstest.NewFakeClock(epoch)
	srv := awstest.New(awstest.WithClock(clock))
	defer srv.Close()
	seedReportTemplate(srv, "EXTnoreport", false)
	seedReportTemplate(srv, tmplID, true)
	api := newClient(srv)
	ctx := context.Background()
	plain, err := experiment.Start(ctx, api, experiment.StartInput{TemplateID: "EXTnoreport", ClientToken: "tok-plain"})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(5 * time.Minute)
	if got, err := experiment.Get(ctx, api, plain.ID); err != nil || got.Report != nil {
		t.Errorf("no report configuration: report %+v (err %v), want none", got.Report, err)
	}
	srv.SetSafetyLever("engaged", "game day freeze")
	cancelled, err := experiment.Start(ctx, api, experiment.StartInput{TemplateID: tmplID, ClientToken: "tok-cancelled"})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(5 * time.Minute)
	got, err := experiment.Get(ctx, api, cancelled.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Report == nil || got.Report.Status != "cancelled" || len(got.Report.S3Reports) != 0 {
		t.Errorf("lever-cancelled experiment: report %+v, want cancelled without files", got.Report)
	}
}
