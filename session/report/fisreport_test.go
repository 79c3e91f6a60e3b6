package report

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/fis-mcp/fis-mcp/session"
)

// The FIS Experiment Report section, for each state of FIS's own report: the S3 location and
// console link once completed, "still generating" while pending or running (or not read),
// "did not generate" when failed; nothing without a report configuration. The JSON twin
// carries the same facts under fis_experiment_report.
func TestFISExperimentReportSection(t *testing.T) {
	const arn = "arn:aws:s3:::fis-reports/runs/EXPq1w2e3r4t5y6/report.pdf"
	tests := []struct {
		name       string
		noConfig   bool
		report     *session.ExperimentReport
		lang       string
		want       []string
		absent     []string
		generating bool
	}{
		{name: "no configuration", noConfig: true},
		{name: "not read", report: nil, generating: true,
			want: []string{"State: not known", "still generating it (state pending)", "#ExperimentDetails:ExperimentId=EXPq1w2e3r4t5y6"}},
		{name: "pending", report: &session.ExperimentReport{Status: "pending", ReadAt: at(10, 31, 0)}, generating: true,
			want: []string{"State: **pending** (read 2026-04-11T10:31:00+00:00)", "still generating it (state pending)", "aws fis get-experiment --id EXPq1w2e3r4t5y6"}},
		{name: "running", report: &session.ExperimentReport{Status: "running", Reason: "Generating", ReadAt: at(10, 35, 0)}, generating: true,
			want: []string{"State: **running** — Generating", "still generating it (state running)"}, absent: []string{"s3://fis-reports/runs/EXP"}},
		{name: "completed", report: &session.ExperimentReport{Status: "completed", ReadAt: at(10, 35, 0),
			S3Reports: []session.ExperimentReportS3File{{Arn: arn, ReportType: "PDF"}}},
			want:   []string{"State: **completed**", "Report file: `s3://fis-reports/runs/EXPq1w2e3r4t5y6/report.pdf` (PDF)", "FIS console: https://us-east-1.console.aws.amazon.com/fis/home?region=us-east-1#ExperimentDetails:ExperimentId=EXPq1w2e3r4t5y6"},
			absent: []string{"still generating"}},
		{name: "failed", report: &session.ExperimentReport{Status: "failed", Reason: "Access denied to bucket", ErrorCode: "S3AccessDenied", ReadAt: at(10, 35, 0)},
			want: []string{"**failed** — Access denied to bucket (error code S3AccessDenied)", "FIS did not generate its experiment report (state failed)"}, absent: []string{"still generating"}},
		{name: "zh running", lang: "zh", report: &session.ExperimentReport{Status: "running", ReadAt: at(10, 35, 0)}, generating: true,
			want: []string{"### FIS 实验报告", "FIS 仍在生成该报告（状态 running）"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := baseSession()
			if !tt.noConfig {
				s.Experiment.Template.ReportConfiguration = &session.ReportConfiguration{S3Bucket: "fis-reports", S3Prefix: "runs/", PostExperimentSecond: 120}
			}
			s.Run.ExperimentReport = tt.report
			a, err := Analyze(s, Options{Now: fixtureNow, Language: tt.lang})
			if err != nil {
				t.Fatal(err)
			}
			md, js, err := Render(s, a, "")
			if err != nil {
				t.Fatal(err)
			}
			title := "FIS Experiment Report"
			if tt.lang == "zh" {
				title = "FIS 实验报告"
			}
			sec := sectionOf(string(md), title)
			var doc struct {
				FIS *fisExperimentReport `json:"fis_experiment_report"`
			}
			if err := json.Unmarshal(js, &doc); err != nil {
				t.Fatal(err)
			}
			if tt.noConfig {
				if strings.Contains(string(md), "### FIS Experiment Report") || doc.FIS != nil {
					t.Errorf("a FIS report without a report configuration: %q %+v", sec, doc.FIS)
				}
				return
			}
			if sec == "" {
				t.Fatalf("no section:\n%s", md)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(md), w) {
					t.Errorf("missing %q in:\n%s", w, sec)
				}
			}
			for _, w := range tt.absent {
				if strings.Contains(sec, w) {
					t.Errorf("unexpected %q in:\n%s", w, sec)
				}
			}
			if doc.FIS == nil || doc.FIS.StillGenerating != tt.generating || doc.FIS.Destination != "s3://fis-reports/runs/" {
				t.Fatalf("JSON: %+v", doc.FIS)
			}
			if tt.report != nil && (doc.FIS.State == nil || *doc.FIS.State != tt.report.Status) {
				t.Errorf("JSON state %v, want %s", doc.FIS.State, tt.report.Status)
			}
			if tt.name == "completed" && (len(doc.FIS.Reports) != 1 || doc.FIS.Reports[0].S3URI != "s3://fis-reports/runs/EXPq1w2e3r4t5y6/report.pdf") {
				t.Errorf("JSON reports: %+v", doc.FIS.Reports)
			}
		})
	}
}

func TestS3URIAndConsoleURL(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:s3:::bucket/a/b.pdf":   "s3://bucket/a/b.pdf",
		"arn:aws-cn:s3:::bucket/k":      "s3://bucket/k",
		"arn:aws:s3:::bucket":           "",
		"arn:aws:fis:us-east-1:1:exp/x": "",
		"not an arn":                    "",
	} {
		if got := s3URI(arn); got != want {
			t.Errorf("s3URI(%q) = %q, want %q", arn, got, want)
		}
	}
	for region, host := range map[string]string{"eu-west-1": "https://eu-west-1.console.aws.amazon.com/", "cn-north-1": "https://cn-north-1.console.amazonaws.cn/", "us-gov-west-1": "https://console.amazonaws-us-gov.com/"} {
		if got := fisConsoleURL(region, "EXP1"); !strings.HasPrefix(got, host) || !strings.HasSuffix(got, "region="+region+"#ExperimentDetails:ExperimentId=EXP1") {
			t.Errorf("console URL for %s: %s", region, got)
		}
	}
}
