package awstest

import (
	"strings"
	"time"

	"github.com/fis-mcp/fis-mcp/session/isoduration"
)

// FIS experiment report generation states (API_ExperimentReportState: pending | running |
// completed | cancelled | failed,
// https://docs.aws.amazon.com/fis/latest/APIReference/API_ExperimentReportState.html).
const (
	fisReportPending   = "pending"
	fisReportRunning   = "running"
	fisReportCompleted = "completed"
	fisReportCancelled = "cancelled"
)

// fisJSONExperimentReport is GetExperiment's experimentReport
// (https://docs.aws.amazon.com/fis/latest/APIReference/API_ExperimentReport.html).
type fisJSONExperimentReport struct {
	State     fisJSONState            `json:"state"`
	S3Reports []fisJSONReportS3Report `json:"s3Reports,omitempty"`
}

// fisJSONReportS3Report is one generated report
// (https://docs.aws.amazon.com/fis/latest/APIReference/API_ExperimentReportS3Report.html).
type fisJSONReportS3Report struct {
	Arn        string `json:"arn"`
	ReportType string `json:"reportType"`
}

// ReportKey is the S3 key of the report the fake generates for an experiment. The docs name
// no key layout nor report type; the fake writes {prefix}/{experiment ID}/{experiment ID}.pdf
// of type "PDF".
func ReportKey(prefix, experimentID string) string {
	key := experimentID + "/" + experimentID + ".pdf"
	if p := strings.Trim(prefix, "/"); p != "" {
		key = p + "/" + key
	}
	return key
}

// ExperimentReportDoneAt is when the experiment's report completes in the fake: its end, plus
// the template's postExperimentDuration (the data the report covers after the end), plus
// FISTiming.ReportGeneration. ok is false while the experiment has not ended or has no report.
func (s *Server) ExperimentReportDoneAt(id string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.fis.experiments[id]
	if e == nil || e.tmpl.ReportConfiguration == nil {
		return time.Time{}, false
	}
	v := e.view(s.clock.Now())
	if !fisTerminal(v.status) || v.end.IsZero() {
		return time.Time{}, false
	}
	return e.reportDoneAt(v.end), true
}

func (e *fisExperiment) reportDoneAt(end time.Time) time.Time {
	post, _ := isoduration.Parse(e.tmpl.ReportConfiguration.PostExperimentDuration)
	return end.Add(post + e.timing.ReportGeneration)
}

// reportJSON is the experiment's experimentReport as of now, for templates with a report
// configuration (nil otherwise). The docs say the report covers postExperimentDuration after
// the experiment's end (API_ExperimentReportConfiguration) but not when generation starts or
// how long it takes; the fake models the less convenient behaviour: pending until the
// experiment ends, running through the post-experiment duration and FISTiming.ReportGeneration,
// then completed with the report's S3 ARN. An experiment that never ran (cancelled by the
// safety lever, or failed resolving its targets) gets a cancelled report.
func (e *fisExperiment) reportJSON(v fisView, now time.Time) *fisJSONExperimentReport {
	rc := e.tmpl.ReportConfiguration
	if rc == nil {
		return nil
	}
	switch {
	case e.cancelled != "" || e.resolveFail != "":
		return &fisJSONExperimentReport{State: fisJSONState{Status: fisReportCancelled, Reason: "Experiment report cancelled: the experiment did not run."}}
	case !fisTerminal(v.status) || v.end.IsZero():
		return &fisJSONExperimentReport{State: fisJSONState{Status: fisReportPending, Reason: "Experiment report is pending until the experiment ends."}}
	case now.Before(e.reportDoneAt(v.end)):
		return &fisJSONExperimentReport{State: fisJSONState{Status: fisReportRunning, Reason: "Experiment report is being generated."}}
	}
	return &fisJSONExperimentReport{
		State:     fisJSONState{Status: fisReportCompleted, Reason: "Experiment report generated."},
		S3Reports: []fisJSONReportS3Report{{Arn: "arn:aws:s3:::" + rc.S3Bucket + "/" + ReportKey(rc.S3Prefix, e.id), ReportType: "PDF"}},
	}
}
