package workflow

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/fis-mcp/fis-mcp/aws/experiment"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/audit"
)

// SupervisorLease is the name of the session lease that makes one process, of those
// sharing a state directory, the supervisor of a session.
const SupervisorLease = "supervisor"

// supervisor tracks the run supervisors of this process: one goroutine per session,
// under the engine's lifetime context.
type supervisor struct {
	mu      sync.Mutex
	running map[string]bool
	holding map[string]bool
	wg      sync.WaitGroup
}

func newSupervisor() *supervisor {
	return &supervisor{running: map[string]bool{}, holding: map[string]bool{}}
}

func (s *supervisor) claim(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running[id] {
		return false
	}
	s.running[id] = true
	s.wg.Add(1)
	return true
}

func (s *supervisor) done(id string) {
	s.mu.Lock()
	delete(s.running, id)
	delete(s.holding, id)
	s.mu.Unlock()
	s.wg.Done()
}

func (s *supervisor) setHolding(id string, held bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if held {
		s.holding[id] = true
	} else {
		delete(s.holding, id)
	}
}

// Supervise starts, in the background, the run supervisor of a session with a running
// experiment or one in its post-experiment baseline (Config.Supervise on): while the
// experiment runs it samples FIS and the targets on the poll cadence (Config.PollFast for
// Config.PollFastFor, then Config.PollSlow) exactly as Poll does, stops an unattended run
// when the dead-man's switch is on, samples through the baseline, and writes the report
// itself when no finalize_report arrived by the end of the baseline plus
// Config.FinalizeGrace. Only the process holding the session's supervisor lease does
// so; the others retry every Config.PollSlow and take over when the holder is gone. It
// reports whether a supervisor was started (false when one already runs in this process).
func (e *Engine) Supervise(id string) bool {
	if !e.Config.Supervise || e.bg.Err() != nil || !e.supervisor.claim(id) {
		return false
	}
	go e.supervise(e.bg, id)
	return true
}

// ResumeSupervision gives every stored session with a running experiment, or an ended
// one without a report, its supervisor back (at server start-up); it returns how many.
func (e *Engine) ResumeSupervision() int {
	if !e.Config.Supervise {
		return 0
	}
	list, err := e.Store.List()
	if err != nil {
		e.Log.Warn().Err(err).Msg("run supervision not resumed: the sessions could not be listed")
		return 0
	}
	n := 0
	for _, sum := range list {
		if sum.State == session.StateRunning || sum.State == session.StateEnded {
			if e.Supervise(sum.ID) {
				n++
			}
		}
	}
	return n
}

// Supervising reports whether this process holds the session's supervisor lease.
func (e *Engine) Supervising(id string) bool {
	e.supervisor.mu.Lock()
	defer e.supervisor.mu.Unlock()
	return e.supervisor.holding[id]
}

// WaitSupervisors waits until every supervisor of this process has returned (after
// Close, or when their sessions are reported), so their leases are released.
func (e *Engine) WaitSupervisors() { e.supervisor.wg.Wait() }

// NoteToolCall records, durably, that a tool call for the session has just ended (the
// dead-man's switch measures the silence from it). Only a session with a running
// experiment is written; a failed write is logged.
func (e *Engine) NoteToolCall(id string) {
	if id == "" || e.Config.StopIfUnattended <= 0 {
		return
	}
	sess, err := e.Store.Get(id)
	if err != nil || sess.State != session.StateRunning {
		return
	}
	now := e.Clock.Now().UTC()
	_, _ = e.Store.Record(e.Log, id, "tool call time", func(s *session.Session) error {
		s.LastToolCallAt = &now
		return nil
	})
}

// supervise is one session's supervisor loop: take the lease (or wait for it), then step
// until the session needs no more supervision.
func (e *Engine) supervise(ctx context.Context, id string) {
	defer e.supervisor.done(id)
	log := e.Log.With().Str("session", id).Logger()
	var release func()
	defer func() {
		if release != nil {
			release()
			log.Info().Msg("run supervisor done: lease released")
		}
	}()
	for ctx.Err() == nil {
		sess, err := e.Store.Get(id)
		if errors.Is(err, session.ErrNotFound) {
			return
		}
		wait := e.Config.PollSlow
		switch {
		case err != nil:
			log.Warn().Err(err).Msg("run supervisor: the session could not be read; retrying")
		case !supervised(sess):
			return
		case release == nil:
			r, lerr := e.Store.TryLease(id, SupervisorLease)
			if lerr != nil {
				if !errors.Is(lerr, session.ErrLeaseHeld) {
					log.Warn().Err(lerr).Msg("run supervisor: the lease could not be taken; retrying")
				} else {
					log.Debug().Msg("run supervisor: another process supervises this session; waiting to take over")
				}
				break
			}
			release = r
			e.supervisor.setHolding(id, true)
			log.Info().Str("state", string(sess.State)).Msg("run supervisor: supervising this session (lease held)")
			wait = 0
		default:
			wait = e.superviseStep(ctx, sess, log)
			if wait < 0 {
				return
			}
		}
		if wait > 0 {
			if err := e.Clock.Sleep(ctx, wait); err != nil {
				return
			}
		}
	}
}

// supervised reports whether a session still needs its supervisor: an experiment running
// (or being started), or ended without a report.
func supervised(s *session.Session) bool {
	return s.Run != nil && (s.State == session.StateRunning || s.State == session.StateEnded) && s.Report == nil
}

// superviseStep does one step of a held session and returns how long to wait before the
// next (negative: supervision is over).
func (e *Engine) superviseStep(ctx context.Context, sess *session.Session, log zerolog.Logger) time.Duration {
	rec := audit.NewRecorder("supervisor")
	ctx = audit.With(ctx, rec)
	defer e.SaveAPICalls(ctx, sess.ID)
	now := e.Clock.Now()
	if sess.State == session.StateRunning {
		if idle, ok := e.unattended(sess, now); ok {
			e.stopUnattended(ctx, sess, idle, log)
			return e.Config.PollWaitStep
		}
		sess = e.EnsureLogs(ctx, sess)
		if sess.Run.ExperimentID == "" {
			recovered, err := e.ensureExperimentID(ctx, sess)
			if err != nil {
				log.Debug().Err(err).Msg("run supervisor: the experiment ID is not known yet")
				return e.Config.PollFast
			}
			sess = recovered
		}
		sess, st, err := e.readStatus(ctx, sess, session.RecordedBySupervisor)
		if err != nil {
			log.Warn().Err(err).Msg("run supervisor: the experiment could not be read; retrying")
			return e.cadence(sess, now)
		}
		var notes []string
		sess, notes = e.sampleRest(ctx, sess, st, session.RecordedBySupervisor)
		e.markSupervised(sess.ID, now, notes)
		if experiment.IsTerminal(st.State) {
			return 0 // on to the baseline at once
		}
		return e.cadence(sess, now)
	}
	// Ended: sample through the baseline, then wait out the grace for a finalize_report.
	end := now
	if sess.Run.EndTime != nil {
		end = *sess.Run.EndTime
	}
	baselineEnd := end.Add(e.Config.Baseline)
	deadline := baselineEnd.Add(e.Config.FinalizeGrace)
	if now.Before(baselineEnd) {
		sess = e.EnsureLogs(ctx, sess)
		if sess.Run.ExperimentID != "" {
			_, notes := e.sampleRest(ctx, sess, storedStatus(sess.Run), session.RecordedBySupervisor)
			e.markSupervised(sess.ID, now, notes)
		}
		return max(min(e.Config.PollSlow, baselineEnd.Sub(now)), time.Millisecond)
	}
	if now.Before(deadline) {
		return deadline.Sub(now)
	}
	_, res, err := e.Finalize(ctx, FinalizeRequest{SessionID: sess.ID, By: session.FinalizedBySupervisor}, nil)
	if err != nil {
		// Not retried (the cause, e.g. a moved experiment directory, rarely goes away by
		// itself): the timeline says so, and finalize_report can still write it.
		log.Error().Err(err).Msg("run supervisor: the report could not be written; finalize_report can write it")
		e.RecordNotes(sess, []string{"the run supervisor could not write the report (" + err.Error() + "): call finalize_report"})
		return -1
	}
	if res.Status != FinalizeWritten {
		return max(res.Remaining, time.Millisecond)
	}
	if !res.AlreadyWritten {
		log.Info().Str("report", res.ReportPath).Msg("run supervisor: no finalize_report arrived in time; report written by the supervisor")
	}
	return -1
}

// markSupervised records when the supervisor sampled and the reads that failed then.
func (e *Engine) markSupervised(id string, at time.Time, notes []string) {
	_, _ = e.Store.Record(e.Log, id, "supervisor sample time", func(s *session.Session) error {
		if s.Run != nil {
			s.Run.SupervisedAt, s.Run.SupervisorNotes = at.UTC(), notes
		}
		return nil
	})
}

// cadence is the wait before the next sample: Config.PollFast for the first
// Config.PollFastFor of the experiment, then Config.PollSlow.
func (e *Engine) cadence(sess *session.Session, now time.Time) time.Duration {
	start := sess.Run.RequestedAt
	if sess.Run.StartTime != nil {
		start = *sess.Run.StartTime
	}
	if now.Sub(start) < e.Config.PollFastFor {
		return e.Config.PollFast
	}
	return e.Config.PollSlow
}

// unattended reports, when the dead-man's switch is on, how long no tool call for the
// session has arrived and whether that is past Config.StopIfUnattended. The confirmed
// start counts as a call.
func (e *Engine) unattended(sess *session.Session, now time.Time) (time.Duration, bool) {
	limit := e.Config.StopIfUnattended
	if limit <= 0 || sess.Run == nil || sess.State != session.StateRunning {
		return 0, false
	}
	if sess.Run.UnattendedStop != "" && sess.Run.StopRequestedAt != nil && now.Sub(*sess.Run.StopRequestedAt) < StopFollow {
		return 0, false // already stopping it
	}
	last := sess.Run.ConfirmedAt
	if sess.LastToolCallAt != nil && sess.LastToolCallAt.After(last) {
		last = *sess.LastToolCallAt
	}
	idle := now.Sub(last)
	return idle, idle >= limit
}

// UnattendedReason is the recorded reason of a dead-man's switch stop.
func UnattendedReason(idle, limit time.Duration) string {
	return fmt.Sprintf("stopped by the dead-man's switch: no tool call for this session for %s (--stop-if-unattended %s)",
		SpellDuration(idle.Round(time.Second), DurLong), limit)
}

// stopUnattended stops a run whose host went quiet, recording why first.
func (e *Engine) stopUnattended(ctx context.Context, sess *session.Session, idle time.Duration, log zerolog.Logger) {
	reason := UnattendedReason(idle, e.Config.StopIfUnattended)
	log.Warn().Str("reason", reason).Msg("run supervisor: dead-man's switch: stopping the experiment")
	if _, err := e.Store.Record(e.Log, sess.ID, "dead-man's switch", func(s *session.Session) error {
		if s.Run != nil {
			s.Run.UnattendedStop = reason
		}
		return nil
	}); err != nil {
		log.Error().Err(err).Msg("run supervisor: the dead-man's switch reason could not be saved; stopping anyway")
	}
	if _, err := e.Stop(ctx, StopRequest{SessionID: sess.ID, Reason: reason}, nil); err != nil {
		log.Error().Err(err).Msg("run supervisor: dead-man's switch: the stop failed; retrying")
	}
}
