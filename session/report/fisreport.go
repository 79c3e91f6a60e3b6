package report

import (
	"strings"
	"time"

	"github.com/fis-mcp/fis-mcp/session"
)

// FIS experiment report states (API_ExperimentReportState: pending | running | completed |
// cancelled | failed, https://docs.aws.amazon.com/fis/latest/APIReference/API_ExperimentReportState.html).
const (
	fisReportPending   = "pending"
	fisReportRunning   = "running"
	fisReportCompleted = "completed"
)

// fisExperimentReport is FIS's own experiment report of a run, as the report shows it
// (the JSON twin's fis_experiment_report).
type fisExperimentReport struct {
	// State is the report generation state last read from GetExperiment (null: never read).
	State     *string `json:"state"`
	Reason    *string `json:"reason"`
	ErrorCode *string `json:"error_code"`
	ReadAt    *string `json:"read_at"`
	// StillGenerating is true while the state is pending or running (or not read yet).
	StillGenerating bool `json:"still_generating"`
	// Destination is the template's configured S3 destination (s3://bucket/prefix).
	Destination string              `json:"destination"`
	Dashboards  []string            `json:"cloudwatch_dashboards,omitempty"`
	Reports     []fisReportLocation `json:"reports"`
	ConsoleURL  string              `json:"console_url"`
}

type fisReportLocation struct {
	Arn        string `json:"arn"`
	ReportType string `json:"report_type,omitempty"`
	// S3URI is s3://bucket/key ("" when the ARN is not an S3 object ARN).
	S3URI string `json:"s3_uri"`
}

// fisReportOf is the FIS experiment report of the session's run, or nil when the
// template has no experiment report configuration or no experiment was started.
func fisReportOf(s *session.Session) *fisExperimentReport {
	rc := s.Experiment.Template.ReportConfiguration
	if rc == nil || s.Run == nil || s.Run.ExperimentID == "" {
		return nil
	}
	out := &fisExperimentReport{Reports: []fisReportLocation{}, Dashboards: rc.CloudWatchDashboards, StillGenerating: true,
		ConsoleURL: fisConsoleURL(s.Experiment.Region, s.Run.ExperimentID)}
	if rc.S3Bucket != "" {
		out.Destination = "s3://" + rc.S3Bucket + "/" + strings.TrimPrefix(rc.S3Prefix, "/")
	}
	rep := s.Run.ExperimentReport
	if rep == nil {
		return out
	}
	out.State, out.Reason, out.ErrorCode = optString(rep.Status), optString(rep.Reason), optString(rep.ErrorCode)
	if !rep.ReadAt.IsZero() {
		t := rep.ReadAt.UTC().Format(time.RFC3339)
		out.ReadAt = &t
	}
	out.StillGenerating = rep.Status == "" || rep.Status == fisReportPending || rep.Status == fisReportRunning
	for _, f := range rep.S3Reports {
		out.Reports = append(out.Reports, fisReportLocation{Arn: f.Arn, ReportType: f.ReportType, S3URI: s3URI(f.Arn)})
	}
	return out
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// s3URI turns an S3 object ARN (arn:aws:s3:::bucket/key) into s3://bucket/key ("" otherwise).
func s3URI(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "s3" || !strings.Contains(parts[5], "/") {
		return ""
	}
	return "s3://" + parts[5]
}

// fisConsoleURL is the FIS console page of an experiment, where its report can be downloaded.
func fisConsoleURL(region, id string) string {
	if region == "" || id == "" {
		return ""
	}
	host := region + ".console.aws.amazon.com"
	switch {
	case strings.HasPrefix(region, "cn-"):
		host = region + ".console.amazonaws.cn"
	case strings.HasPrefix(region, "us-gov-"):
		host = "console.amazonaws-us-gov.com"
	}
	return "https://" + host + "/fis/home?region=" + region + "#ExperimentDetails:ExperimentId=" + id
}

// fisReport links FIS's own experiment report, when the template configures one.
func (r *renderer) fisReport() {
	fr := fisReportOf(r.s)
	if fr == nil {
		return
	}
	r.p("### FIS Experiment Report")
	r.nl()
	dest := orDash(fr.Destination)
	if fr.Destination != "" {
		dest = "`" + fr.Destination + "`"
	}
	r.raw("- " + r.t("The template asks FIS for its own experiment report, delivered to %s.", dest) + "\n")
	rep := r.s.Run.ExperimentReport
	switch {
	case rep == nil || rep.Status == "":
		r.raw("- " + r.t("State: not known — GetExperiment returned no experiment report state.") + "\n")
	default:
		st := "**" + rep.Status + "**"
		if rep.Reason != "" {
			st += " — " + cleanText(rep.Reason)
		}
		if rep.ErrorCode != "" {
			st += " " + r.t("(error code %s)", rep.ErrorCode)
		}
		r.raw("- " + r.t("State: %s (read %s)", st, iso(rep.ReadAt)) + "\n")
	}
	for _, f := range fr.Reports {
		loc := "`" + f.Arn + "`"
		if f.S3URI != "" {
			loc = "`" + f.S3URI + "`"
		}
		if f.ReportType != "" {
			loc += " (" + f.ReportType + ")"
		}
		r.raw("- " + r.t("Report file: %s", loc) + "\n")
	}
	if fr.ConsoleURL != "" {
		r.raw("- " + r.t("FIS console: %s", fr.ConsoleURL) + "\n")
	}
	r.nl()
	switch {
	case fr.StillGenerating:
		state := fisReportPending
		if rep != nil && rep.Status != "" {
			state = rep.Status
		}
		r.p("> FIS is still generating it (state %s): check again later — %s shows its state and S3 location.", state,
			"`aws fis get-experiment --id "+r.s.Run.ExperimentID+" --query experiment.experimentReport`")
		r.nl()
	case rep.Status == fisReportCompleted && len(fr.Reports) == 0:
		r.p("> FIS reports its experiment report as completed but named no S3 location.")
		r.nl()
	case rep.Status != fisReportCompleted:
		r.p("> FIS did not generate its experiment report (state %s).", rep.Status)
		r.nl()
	}
}
