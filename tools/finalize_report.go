package tools

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/cwlogs"
	"github.com/fis-mcp/fis-mcp/aws/observe"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/report"
)

// FinalizeReportInput selects the session.
type FinalizeReportInput struct {
	SessionID string `json:"session_id" jsonschema:"the session whose experiment has ended (or that was aborted)"`
	Wait      bool   `json:"wait,omitempty" jsonschema:"block through the rest of the {baseline-adj} post-experiment baseline (with a countdown) instead of returning the remaining time"`
	Language  string `json:"language,omitempty" jsonschema:"report language override: en or zh"`
}

// FinalizeReportOutput is the written report, or the baseline time still to wait.
type FinalizeReportOutput struct {
	SessionID        string `json:"session_id"`
	Status           string `json:"status" jsonschema:"written, or collecting_baseline (call again after remaining_seconds, or with wait=true)"`
	RemainingSeconds int    `json:"remaining_seconds"`
	ReportPath       string `json:"report_path,omitempty"`
	JSONPath         string `json:"json_path,omitempty"`
	ResourceURI      string `json:"resource_uri,omitempty"`
	Summary          string `json:"summary,omitempty"`
	Common
}

// FinalizeReport is the finalize_report tool.
func FinalizeReport(d *Deps) server.ServerTool {
	tool := mcp.NewTool("finalize_report",
		mcp.WithDescription("Step 6: after the experiment ends (or the session was aborted), finish the {baseline-adj} post-experiment baseline of log collection (wait=true blocks through it with a countdown; otherwise the remaining time is returned), stop log collection, fetch the managed-service CloudWatch logs, AWS's own event records and metrics of the run window, analyse the application logs and write the results report (Markdown + JSON twin) into the experiment directory. Never overwrites an earlier report. Calling it again returns the same report. The report is also the MCP resource fis-mcp://reports/{session_id}."),
		mcp.WithTitleAnnotation("Experiment: finalize report"),
		mcp.WithReadOnlyHintAnnotation(false),
		mcp.WithDestructiveHintAnnotation(false),
		mcp.WithIdempotentHintAnnotation(true),
		mcp.WithOpenWorldHintAnnotation(true),
		mcp.WithInputSchema[FinalizeReportInput](),
		mcp.WithOutputSchema[FinalizeReportOutput](),
		withTimings(d.Config),
	)
	return server.ServerTool{Tool: tool, Handler: handle(d, "finalize_report", (*Deps).finalize)}
}

func (d *Deps) finalize(c *call, in FinalizeReportInput) (*mcp.CallToolResult, error) {
	if in.Language != "" && in.Language != "en" && in.Language != "zh" {
		return c.fail("", fmt.Errorf("language must be en or zh, not %q", in.Language))
	}
	sess, err := d.Store.Get(in.SessionID)
	if err != nil {
		return c.fail("", err)
	}
	if sess.State == session.StateReported && sess.Report != nil {
		out := FinalizeReportOutput{SessionID: sess.ID, Status: "written", ReportPath: sess.Report.Path, JSONPath: sess.Report.JSONPath,
			ResourceURI: "fis-mcp://reports/" + sess.ID, Summary: sess.Report.Summary}
		return c.finish(sess.ID, &out, &out.Common, "The report was already written (unchanged):\n"+sess.Report.Summary)
	}
	if err := sess.Require("write the report (the experiment has not ended: poll until it does, or stop_experiment)", session.StateEnded, session.StateAborted); err != nil {
		return c.fail(sess.ID, err)
	}
	sess = d.EnsureLogs(c.ctx, sess)
	// The post-experiment baseline, measured from the experiment's end.
	if sess.State == session.StateEnded && sess.Run != nil {
		end := d.Clock.Now()
		if sess.Run.EndTime != nil {
			end = *sess.Run.EndTime
		}
		until := end.Add(d.Config.Baseline)
		for remaining := until.Sub(d.Clock.Now()); remaining > 0; remaining = until.Sub(d.Clock.Now()) {
			if !in.Wait {
				secs := int(remaining.Round(time.Second).Seconds())
				out := FinalizeReportOutput{SessionID: sess.ID, Status: "collecting_baseline", RemainingSeconds: secs}
				return c.finish(sess.ID, &out, &out.Common, fmt.Sprintf(
					"Experiment completed. Collecting post-experiment baseline logs...\nRemaining: %s (%s total). Call finalize_report again then, or with wait=true to block through it.\n",
					remaining.Round(time.Second), spellDuration(d.Config.Baseline, durLong)))
			}
			c.progress((d.Config.Baseline - remaining).Seconds(), d.Config.Baseline.Seconds(),
				fmt.Sprintf("Collecting post-experiment baseline logs... remaining %s", remaining.Round(time.Second)))
			if err := d.Clock.Sleep(c.ctx, min(remaining, 10*time.Second)); err != nil {
				return c.fail(sess.ID, fmt.Errorf("interrupted while waiting for the baseline: %w", err))
			}
		}
	}
	d.StopLogs(sess.ID)
	now := d.Clock.Now().UTC()
	sess, err = d.Store.Update(sess.ID, func(s *session.Session) error {
		if s.Logs != nil && s.Logs.StoppedAt == nil {
			s.Logs.StoppedAt = &now
			s.AddEvent(session.Event{Time: now, Source: session.SourceFISMCP, Kind: session.EventLogsStopped, Message: "log collection stopped after the post-experiment baseline"})
		}
		return nil
	})
	if err != nil {
		return c.fail(in.SessionID, err)
	}
	if sess.Run != nil && sess.Run.ExperimentID != "" {
		sess, _ = d.SampleLiveState(c.ctx, sess, true) // the resources' final state
		sess = d.collectAWSRecords(c, sess)
	}
	lang := in.Language
	if lang == "" {
		lang = sess.Language
	}
	an, err := report.Analyze(sess, report.Options{Now: d.Clock.Now(), Baseline: d.Config.Baseline, Language: lang})
	if err != nil {
		return c.fail(sess.ID, fmt.Errorf("analyse logs: %w", err))
	}
	// Record this tool's calls before rendering so the report's audit appendix is complete.
	c.flushCalls(sess.ID)
	if fresh, err := d.Store.Get(sess.ID); err == nil {
		sess = fresh
	}
	mdPath, jsonPath, err := report.Write(sess, an, "")
	if err != nil {
		return c.fail(sess.ID, fmt.Errorf("write the report into %s: %w", sess.Experiment.Dir, err))
	}
	summary := report.Summary(sess, an)
	sess, err = d.Store.Update(sess.ID, func(s *session.Session) error {
		if s.Report != nil {
			// A concurrent call wrote the report first: keep that one, drop ours.
			_ = os.Remove(mdPath)
			_ = os.Remove(jsonPath)
			mdPath, jsonPath, summary = s.Report.Path, s.Report.JSONPath, s.Report.Summary
			return nil
		}
		s.Report = &session.ReportRef{Path: mdPath, JSONPath: jsonPath, WrittenAt: d.Clock.Now().UTC(), Summary: summary}
		s.AddEvent(session.Event{Time: d.Clock.Now().UTC(), Source: session.SourceFISMCP, Kind: session.EventReported, Message: "report written: " + mdPath})
		return s.Transition(session.StateReported)
	})
	if err != nil {
		return c.fail(in.SessionID, err)
	}
	out := FinalizeReportOutput{SessionID: sess.ID, Status: "written", ReportPath: mdPath, JSONPath: jsonPath,
		ResourceURI: "fis-mcp://reports/" + sess.ID, Summary: summary}
	return c.finish(sess.ID, &out, &out.Common, summary)
}

// collectAWSRecords pulls the managed-service logs and AWS's own records of the run
// window [start − 5 min, end + baseline] into the session.
func (d *Deps) collectAWSRecords(c *call, sess *session.Session) *session.Session {
	clients, err := d.AWS(sess.Experiment.Region)
	if err != nil {
		return sess
	}
	start := sess.Run.RequestedAt
	if sess.Run.StartTime != nil {
		start = *sess.Run.StartTime
	}
	end := d.Clock.Now()
	if sess.Run.EndTime != nil {
		end = *sess.Run.EndTime
	}
	from, to := start.Add(-5*time.Minute), end.Add(d.Config.Baseline)
	fetched := map[string]string{}
	var notes []string
	if sess.Discovery != nil {
		dir := filepath.Join(d.Store.LogDir(sess.ID), "managed")
		for _, m := range sess.Discovery.ManagedLogGroups {
			if !m.Enabled {
				continue
			}
			for _, g := range m.LogGroups {
				path := filepath.Join(dir, safeName(m.Service), safeName(strings.TrimPrefix(g, "/"))+".log")
				n, truncated, err := fetchLogGroup(c.ctx, clients, g, from, to, path, d.Config.ManagedLogsMaxEvents)
				switch {
				case err != nil:
					notes = append(notes, fmt.Sprintf("managed log group %s: %v", g, err))
				case truncated:
					notes = append(notes, fmt.Sprintf("managed log group %s: only the first %d events were fetched", g, n))
				}
				if err == nil {
					fetched[m.Identifier+"|"+g] = path
				}
			}
		}
	}
	var resources []session.ResourceHealth
	if sess.Health != nil {
		resources = sess.Health.Resources
	}
	obs := observe.Collect(c.ctx, clients, resources, sess.Experiment.Template.StopConditions, from, to)
	obs.Errors = append(obs.Errors, notes...)
	updated, err := d.Store.Update(sess.ID, func(s *session.Session) error {
		s.Observations = obs
		if s.Discovery != nil {
			for i, m := range s.Discovery.ManagedLogGroups {
				for _, g := range m.LogGroups {
					if p, ok := fetched[m.Identifier+"|"+g]; ok {
						s.Discovery.ManagedLogGroups[i].Fetched = p
					}
				}
			}
		}
		for _, e := range obs.ServiceEvents {
			s.AddEventOnce(e)
		}
		return nil
	})
	if err != nil {
		return sess
	}
	return updated
}

func fetchLogGroup(ctx context.Context, clients *awsapi.Clients, group string, from, to time.Time, path string, max int) (int, bool, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return 0, false, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, false, err
	}
	n, truncated, err := cwlogs.Fetch(ctx, clients, group, from, to, f, max)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return n, truncated, err
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// safeName turns s into a single safe path element.
func safeName(s string) string {
	s = unsafeChars.ReplaceAllString(s, "_")
	s = strings.Trim(s, "._")
	if s == "" {
		return "unnamed"
	}
	return s
}
