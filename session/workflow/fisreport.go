package workflow

import (
	"context"
	"fmt"

	"github.com/fis-mcp/fis-mcp/aws/experiment"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/report"
)

// refreshExperimentReport reads the experiment once more at finalize when its template has
// an experiment report configuration, so the report shows the latest state of FIS's own
// experiment report (GetExperiment's experimentReport). A failed read is recorded as a
// note; the state read last (with its time) is then what the report shows.
func (e *Engine) refreshExperimentReport(ctx context.Context, sess *session.Session) *session.Session {
	if sess.Run == nil || sess.Run.ExperimentID == "" || sess.Experiment.Template.ReportConfiguration == nil {
		return sess
	}
	clients, err := e.AWS(sess.Experiment.Region)
	if err != nil {
		return sess
	}
	st, err := experiment.Get(ctx, clients.FIS, sess.Run.ExperimentID)
	if err != nil {
		sess, _ = e.RecordNotes(sess, []string{fmt.Sprintf("FIS experiment report state not read again at finalize: %v", err)})
		return sess
	}
	if st.Report == nil {
		return sess
	}
	now := e.Clock.Now().UTC()
	updated, err := e.Store.Record(e.Log, sess.ID, "FIS experiment report state", func(s *session.Session) error {
		if s.Run != nil {
			rep := *st.Report
			rep.ReadAt = now
			s.Run.ExperimentReport = &rep
		}
		return nil
	})
	if err != nil {
		return sess
	}
	return updated
}

// appendRun appends the finalized run to runs.jsonl in the experiment directory (the run
// history the next reports compare with); a failed append is logged, the report stands.
func (e *Engine) appendRun(sess *session.Session, an *report.Analysis) {
	if !report.Historic(sess) {
		return
	}
	if err := report.AppendRun(sess.Experiment.Dir, report.NewRunRecord(sess, an)); err != nil {
		e.Log.Error().Err(err).Str("session", sess.ID).Msg("could not append the run to runs.jsonl: the next reports will not compare with it")
	}
}
