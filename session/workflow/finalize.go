package workflow

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/cwlogs"
	"github.com/fis-mcp/fis-mcp/aws/observe"
	"github.com/fis-mcp/fis-mcp/kube"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/report"
)

// FinalizeRequest asks for step 6. Wait blocks through the rest of the post-experiment
// baseline (Config.Baseline) instead of returning the time still to wait; Language
// overrides the report language (en or zh, "" = the session's).
type FinalizeRequest struct {
	SessionID string
	Wait      bool
	Language  string
	// By is who finalizes: session.FinalizedByTool ("" too) or session.FinalizedBySupervisor.
	By string
	// Criteria are the finalize_report criteria argument: used when start_experiment fixed none.
	Criteria []session.Criterion
}

// The statuses of a FinalizeResult.
const (
	FinalizeWritten            = "written"
	FinalizeCollectingBaseline = "collecting_baseline"
)

// FinalizeResult is the written report, or the baseline time still to wait.
type FinalizeResult struct {
	// Status is FinalizeWritten or FinalizeCollectingBaseline.
	Status string
	// Remaining is the baseline time still to wait (FinalizeCollectingBaseline).
	Remaining time.Duration
	// AlreadyWritten is true when an earlier call wrote the report (returned unchanged).
	AlreadyWritten bool
	// ReportPath and JSONPath are the Markdown report and its JSON twin.
	ReportPath string
	JSONPath   string
	// HTMLPath is the single-file HTML twin.
	HTMLPath string
	Summary  string
	// Verdict, Criteria and Faults are the report's verdict and the facts it rests on
	// (empty when AlreadyWritten: read them from the JSON twin).
	Verdict  string
	Criteria []report.CriterionResult
	Faults   []report.FaultCheck
}

// Finalize finishes the post-experiment baseline, stops log collection, collects the
// managed-service logs and AWS's own records of the run window, analyses the application
// logs and writes the results report into the experiment directory (step 6). It never
// overwrites an earlier report: a second call returns the first one. The returned session
// is nil only when it could not be read (or the request is invalid).
func (e *Engine) Finalize(ctx context.Context, in FinalizeRequest, progress Progress) (*session.Session, FinalizeResult, error) {
	var res FinalizeResult
	if in.Language != "" && in.Language != "en" && in.Language != "zh" {
		return nil, res, fmt.Errorf("language must be en or zh, not %q", in.Language)
	}
	sess, err := e.Store.Get(in.SessionID)
	if err != nil {
		return nil, res, err
	}
	if sess.State == session.StateReported && sess.Report != nil {
		return sess, FinalizeResult{Status: FinalizeWritten, AlreadyWritten: true, ReportPath: sess.Report.Path, JSONPath: sess.Report.JSONPath, HTMLPath: sess.Report.HTMLPath, Summary: sess.Report.Summary, Verdict: sess.Report.Verdict}, nil
	}
	if err := sess.Require("write the report (the experiment has not ended: poll until it does, or stop_experiment)", session.StateEnded, session.StateAborted); err != nil {
		return sess, res, err
	}
	sess = e.EnsureLogs(ctx, sess)
	remaining, err := e.waitBaseline(ctx, sess, in.Wait, progress)
	if err != nil {
		return sess, res, err
	}
	if remaining > 0 {
		return sess, FinalizeResult{Status: FinalizeCollectingBaseline, Remaining: remaining}, nil
	}
	// The streams as the collector ended them: a pod that replaced another during the
	// baseline wait (EnsureLogs above saved the list before it) and every stream's final
	// state are in the report and its fault confirmation.
	var final []session.LogStream
	lc := e.Collector(sess.ID)
	e.StopLogs(sess.ID)
	if lc != nil {
		final = lc.Streams()
	}
	now := e.Clock.Now().UTC()
	stopped, err := e.Store.Update(sess.ID, func(s *session.Session) error {
		if s.Logs != nil && final != nil {
			s.Logs.Streams = final
			s.Logs.NotFollowed = kube.NotFollowed(final)
		}
		if s.Logs != nil && s.Logs.StoppedAt == nil {
			s.Logs.StoppedAt = &now
			s.AddEvent(session.Event{Time: now, Source: session.SourceFISMCP, Kind: session.EventLogsStopped, Message: "log collection stopped after the post-experiment baseline"})
		}
		return nil
	})
	if err != nil {
		return sess, res, err
	}
	sess = stopped
	if sess.Run != nil && sess.Run.ExperimentID != "" {
		sess, _ = e.SampleLiveState(ctx, sess, true) // the resources' final state
		sess = e.collectAWSRecords(ctx, sess)
		sess = e.refreshExperimentReport(ctx, sess) // FIS's own report, fresh (fisreport.go)
	}
	return e.writeReport(ctx, sess, in.Language, in.By, in.Criteria)
}

// reportedMessage is the timeline event of a written report (naming the supervisor when it wrote it).
func reportedMessage(by, byText, path string) string {
	if by == session.FinalizedBySupervisor {
		return "report written by " + byText + ": " + path
	}
	return "report written: " + path
}

// finalizedBy says, for the report, who finalized it.
func (e *Engine) finalizedBy(by string) (string, string) {
	if by == session.FinalizedBySupervisor {
		return by, fmt.Sprintf("the run supervisor (no finalize_report arrived within %s after the post-experiment baseline)", SpellDuration(e.Config.FinalizeGrace, DurLong))
	}
	return session.FinalizedByTool, "finalize_report"
}

// waitBaseline waits out the post-experiment baseline of an ended run, measured from the
// experiment's end (through e.Clock, with progress), or with wait false returns the time
// still to wait. An aborted session has no baseline.
func (e *Engine) waitBaseline(ctx context.Context, sess *session.Session, wait bool, progress Progress) (time.Duration, error) {
	if sess.State != session.StateEnded || sess.Run == nil {
		return 0, nil
	}
	end := e.Clock.Now()
	if sess.Run.EndTime != nil {
		end = *sess.Run.EndTime
	}
	until := end.Add(e.Config.Baseline)
	for remaining := until.Sub(e.Clock.Now()); remaining > 0; remaining = until.Sub(e.Clock.Now()) {
		if !wait {
			return remaining, nil
		}
		if progress != nil {
			progress((e.Config.Baseline - remaining).Seconds(), e.Config.Baseline.Seconds(),
				fmt.Sprintf("Collecting post-experiment baseline logs... remaining %s", remaining.Round(time.Second)))
		}
		if err := e.Clock.Sleep(ctx, min(remaining, 10*time.Second)); err != nil {
			return 0, fmt.Errorf("interrupted while waiting for the baseline: %w", err)
		}
	}
	return 0, nil
}

// writeReport analyses the session and writes its report; when a concurrent call wrote
// one first, that one is kept and returned.
func (e *Engine) writeReport(ctx context.Context, sess *session.Session, language, by string, criteria []session.Criterion) (*session.Session, FinalizeResult, error) {
	var res FinalizeResult
	lang := language
	if lang == "" {
		lang = sess.Language
	}
	by, byText := e.finalizedBy(by)
	an, err := report.Analyze(sess, report.Options{Now: e.Clock.Now(), Baseline: e.Config.Baseline, Language: lang, FinalizedBy: byText, Criteria: criteria})
	if err != nil {
		return sess, res, fmt.Errorf("analyse logs: %w", err)
	}
	// Save this step's calls before rendering so the report's audit appendix is complete.
	e.SaveAPICalls(ctx, sess.ID)
	if fresh, err := e.Store.Get(sess.ID); err == nil {
		sess = fresh
	}
	paths, err := report.Write(sess, an, "")
	mdPath, jsonPath, htmlPath := paths.Markdown, paths.JSON, paths.HTML
	if err != nil {
		return sess, res, fmt.Errorf("write the report into %s: %w", sess.Experiment.Dir, err)
	}
	summary := report.Summary(sess, an)
	ours := false // whether this call's report is the one kept (then it goes into runs.jsonl)
	written, err := e.Store.Update(sess.ID, func(s *session.Session) error {
		ours = false
		if s.Report != nil {
			// A concurrent call wrote the report first: keep that one, drop ours.
			_ = os.Remove(mdPath)
			_ = os.Remove(jsonPath)
			_ = os.Remove(htmlPath)
			mdPath, jsonPath, htmlPath, summary = s.Report.Path, s.Report.JSONPath, s.Report.HTMLPath, s.Report.Summary
			return nil
		}
		s.Report = &session.ReportRef{Path: mdPath, JSONPath: jsonPath, WrittenAt: e.Clock.Now().UTC(), Summary: summary, FinalizedBy: by}
		s.Report.Verdict = an.Verdict
		s.Report.HTMLPath = htmlPath
		ours = true
		s.AddEvent(session.Event{Time: e.Clock.Now().UTC(), Source: session.SourceFISMCP, Kind: session.EventReported, Message: reportedMessage(by, byText, mdPath)})
		return s.Transition(session.StateReported)
	})
	if err != nil {
		return sess, res, err
	}
	if ours {
		e.appendRun(written, an)
	}
	res = FinalizeResult{Status: FinalizeWritten, ReportPath: mdPath, JSONPath: jsonPath, HTMLPath: htmlPath, Summary: summary}
	if ours {
		res.Verdict, res.Criteria, res.Faults = an.Verdict, an.Criteria, an.Faults
	} else if written.Report != nil {
		res.Verdict = written.Report.Verdict // the concurrent call's report: its verdict only
	}
	return written, res, nil
}

// collectAWSRecords pulls the managed-service logs and AWS's own records of the run
// window [start − 5 min, end + baseline] into the session.
func (e *Engine) collectAWSRecords(ctx context.Context, sess *session.Session) *session.Session {
	clients, err := e.AWS(sess.Experiment.Region)
	if err != nil {
		return sess
	}
	start := sess.Run.RequestedAt
	if sess.Run.StartTime != nil {
		start = *sess.Run.StartTime
	}
	end := e.Clock.Now()
	if sess.Run.EndTime != nil {
		end = *sess.Run.EndTime
	}
	from, to := start.Add(-5*time.Minute), end.Add(e.Config.Baseline)
	fetched := map[string]string{}
	var notes []string
	if sess.Discovery != nil {
		dir := filepath.Join(e.Store.LogDir(sess.ID), "managed")
		for _, m := range sess.Discovery.ManagedLogGroups {
			if !m.Enabled {
				continue
			}
			for _, g := range m.LogGroups {
				path := filepath.Join(dir, SafeName(m.Service), SafeName(strings.TrimPrefix(g, "/"))+".log")
				n, truncated, err := fetchLogGroup(ctx, clients, g, from, to, path, e.Config.ManagedLogsMaxEvents)
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
	obs := observe.Collect(ctx, clients, resources, sess.Experiment.Template.StopConditions, from, to)
	obs.Errors = append(obs.Errors, notes...)
	// A failed write is logged by Record; the report is written from what is saved.
	updated, err := e.Store.Record(e.Log, sess.ID, "AWS records of the run window", func(s *session.Session) error {
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

// fetchLogGroup writes the events of a CloudWatch Logs group in [from, to] (at most max)
// into path, and returns how many it wrote and whether it stopped at max.
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

// SafeName turns s into a single safe path element.
func SafeName(s string) string {
	s = unsafeChars.ReplaceAllString(s, "_")
	s = strings.Trim(s, "._")
	if s == "" {
		return "unnamed"
	}
	return s
}
