package sim

// Persistence of the simulated account (WithStateDir), so that `serve --simulate` started
// once per tool call (MCP Inspector CLI) continues the same run.
//
// Why so little is saved: the simulation is deterministic given a few inputs. The account's
// clock is the wall clock, FIS's experiment states and action states are derived from an
// experiment's start time, timing and stop request (awstest fisExperiment.view), the scenario's
// resource changes (Aurora/ElastiCache failover, stopped EC2 node), their events and engine
// logs are scripted at times relative to the fault start, the metrics and the pod logs are
// functions of time and the fault starts, and pod names and container IDs are derived from
// the seeding order. So the state file holds only:
//   - the account's epoch: the time the account was first seeded (resource creation times,
//     pod start times, the start of the pod logs), reused by every later process so that pods
//     keep their incarnation and the log follower resumes on the same lines (kube/resume.go);
//   - the experiments (awstest.ExperimentRecord: ID, template, client token, tags, start
//     time, stop request, resolved targets), from which a new process re-creates FIS's view
//     and re-scripts the scenario's effects;
//   - the last experiment number, so IDs are unique per state directory;
//   - the safety lever.
// Serializing every fake's state instead would couple this file to each fake's internals
// and miss the time-driven parts (metrics, logs) anyway.
//
// Concurrency: processes on the same state directory take turns on an flock (session.LockFile).
// A FIS request that changes state (StartExperiment, StopExperiment) runs under the lock
// between a reload and a save, and its response is sent only after the save, so a client
// that kills the process once it has the answer loses nothing and two processes never hand
// out the same ID. Other requests reload the file first when another process changed it.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/session"
)

// stateVersion is the state file's format version.
const stateVersion = 1

// StateFileName is the simulated account's state file in its state directory.
const StateFileName = "state.json"

// persistedState is the state file's content.
type persistedState struct {
	Version     int                        `json:"version"`
	Epoch       time.Time                  `json:"epoch"`
	LastNumber  int64                      `json:"last_experiment_number"`
	Experiments []awstest.ExperimentRecord `json:"experiments"`
	SafetyLever *persistedLever            `json:"safety_lever,omitempty"`
}

type persistedLever struct {
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

type fileStamp struct {
	mod  time.Time
	size int64
}

// persister keeps an Account's state in its directory.
type persister struct {
	dir   string
	log   zerolog.Logger
	acct  *Account
	epoch time.Time

	mu   sync.Mutex
	last int64     // the last experiment number handed out or seen
	seen fileStamp // the state file as last read or written
}

func (p *persister) statePath() string { return filepath.Join(p.dir, StateFileName) }
func (p *persister) lockPath() string  { return filepath.Join(p.dir, "lock") }

// lock takes the state directory's lock (session.LockFile); the returned func releases it.
func (p *persister) lock() (func(), error) {
	unlock, err := session.LockFile(p.lockPath())
	if err != nil {
		return nil, fmt.Errorf("the simulated account's state: %w", err)
	}
	return unlock, nil
}

// openPersister reads (or creates) the state in dir. A state file that cannot be read is
// moved aside with a warning and the account starts afresh, with experiment numbers taken
// from the clock so no ID of the lost state comes again.
func openPersister(dir string, log zerolog.Logger, now time.Time) (*persister, persistedState, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, persistedState{}, fmt.Errorf("simulated account state directory %s: %w", dir, err)
	}
	p := &persister{dir: dir, log: log}
	unlock, err := p.lock()
	if err != nil {
		return nil, persistedState{}, err
	}
	defer unlock()
	st, exists, err := readState(p.statePath())
	switch {
	case err != nil:
		aside := p.statePath() + ".corrupt-" + now.UTC().Format("20060102T150405")
		if rerr := os.Rename(p.statePath(), aside); rerr != nil {
			aside = "(could not be moved aside: " + rerr.Error() + ")"
		}
		log.Warn().Err(err).Str("moved_to", aside).Msg("the simulated account's saved state is unreadable: starting a fresh simulated account")
		st = persistedState{Version: stateVersion, Epoch: now, LastNumber: now.UnixMilli()}
	case !exists:
		st = persistedState{Version: stateVersion, Epoch: now}
	}
	p.epoch, p.last = st.Epoch, st.LastNumber
	if err != nil || !exists {
		// Written at once, so a process started meanwhile shares the epoch.
		if err := p.write(st); err != nil {
			return nil, persistedState{}, err
		}
	}
	return p, st, nil
}

// readState reads a state file; exists is false when there is none.
func readState(path string) (st persistedState, exists bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return persistedState{}, false, nil
	}
	if err != nil {
		return persistedState{}, true, fmt.Errorf("read %s: %w", path, err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return persistedState{}, true, fmt.Errorf("%s is not a simulated account state (invalid JSON: %v)", path, err)
	}
	if st.Version != stateVersion {
		return persistedState{}, true, fmt.Errorf("%s has format version %d; this fis-mcp reads version %d", path, st.Version, stateVersion)
	}
	if st.Epoch.IsZero() {
		return persistedState{}, true, fmt.Errorf("%s has no epoch", path)
	}
	return st, true, nil
}

// write replaces the state file atomically (temporary file and rename); lock held.
func (p *persister) write(st persistedState) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("encode the simulated account's state: %w", err)
	}
	tmp, err := os.CreateTemp(p.dir, StateFileName+".tmp-*")
	if err != nil {
		return fmt.Errorf("save the simulated account's state: %w", err)
	}
	_, werr := tmp.Write(append(b, '\n'))
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), p.statePath())
	}
	if werr != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("save the simulated account's state in %s: %w", p.dir, werr)
	}
	p.stamp()
	return nil
}

// stamp records the state file's current modification time and size.
func (p *persister) stamp() {
	fi, err := os.Stat(p.statePath())
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		p.seen = fileStamp{}
		return
	}
	p.seen = fileStamp{mod: fi.ModTime(), size: fi.Size()}
}

// changed reports whether the state file differs from the one last read or written.
func (p *persister) changed() bool {
	fi, err := os.Stat(p.statePath())
	if err != nil {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.seen != fileStamp{mod: fi.ModTime(), size: fi.Size()}
}

// apply brings the saved experiments and safety lever into the account: a new experiment
// is re-created in FIS and its scenario re-scripted; a known one takes over a saved stop.
func (p *persister) apply(st persistedState) {
	a := p.acct
	for _, r := range st.Experiments {
		p.seenNumber(r.ID) // even when skipped: its ID is not handed out again
		created, err := a.AWS.RestoreExperiment(r)
		if err != nil {
			p.log.Warn().Err(err).Msg("a saved simulated experiment is skipped")
			continue
		}
		if created && r.Active() {
			// The scripts read the resources' state (e.g. which Aurora instance is the
			// writer): bring it to the experiment's start first.
			a.AWS.ApplyDue(r.Created)
			a.experimentStarted(r.ID, r.Created, false)
		}
	}
	p.mu.Lock()
	p.last = max(p.last, st.LastNumber)
	p.mu.Unlock()
	if lv := st.SafetyLever; lv != nil {
		if status, reason := a.AWS.SafetyLever(); status != lv.Status || reason != lv.Reason {
			a.AWS.SetSafetyLever(lv.Status, lv.Reason)
		}
	}
}

// seenNumber raises the counter past an experiment ID of the EXP<number> form.
func (p *persister) seenNumber(id string) {
	n, err := strconv.ParseInt(strings.TrimPrefix(id, "EXP"), 10, 64)
	if err != nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.last = max(p.last, n)
}

// nextID is the ID of a new experiment (called by the fake FIS with its lock held).
func (p *persister) nextID() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.last++
	return fmt.Sprintf("EXP%017d", p.last)
}

// snapshot is the account's state to save.
func (p *persister) snapshot() persistedState {
	st := persistedState{Version: stateVersion, Epoch: p.epoch, Experiments: p.acct.AWS.ExperimentRecords()}
	if status, reason := p.acct.AWS.SafetyLever(); status != "" {
		st.SafetyLever = &persistedLever{Status: status, Reason: reason}
	}
	p.mu.Lock()
	st.LastNumber = p.last
	p.mu.Unlock()
	return st
}

// reloadLocked applies the state file if another process changed it; lock held.
func (p *persister) reloadLocked() {
	if !p.changed() {
		return
	}
	st, exists, err := readState(p.statePath())
	if err != nil {
		p.log.Warn().Err(err).Msg("the simulated account's saved state is unreadable: keeping this process's state, which the next change overwrites")
	}
	if err == nil && exists {
		p.apply(st)
	}
	p.stamp()
}

// Save writes the account's state now.
func (p *persister) Save() error {
	unlock, err := p.lock()
	if err != nil {
		return err
	}
	defer unlock()
	p.reloadLocked()
	return p.write(p.snapshot())
}

// handler serves the fake AWS account with persistence around it (see the file comment).
func (p *persister) handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isFISChange(r) {
			if p.changed() {
				if unlock, err := p.lock(); err == nil {
					p.reloadLocked()
					unlock()
				} else {
					p.log.Warn().Err(err).Msg("simulated account: cannot reload the saved state")
				}
			}
			next.ServeHTTP(w, r)
			return
		}
		unlock, err := p.lock()
		if err != nil {
			p.log.Error().Err(err).Msg("simulated account: the state is not saved")
			next.ServeHTTP(w, r)
			return
		}
		p.reloadLocked()
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		if err := p.write(p.snapshot()); err != nil {
			p.log.Error().Err(err).Msg("simulated account: the state is not saved; a restarted server will not know this change")
		}
		unlock()
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

// isFISChange reports whether r is a FIS request that changes state: StartExperiment
// (POST /experiments) or StopExperiment (DELETE /experiments/{id}).
func isFISChange(r *http.Request) bool {
	if !strings.Contains(r.Header.Get("Authorization"), "/fis/aws4_request") {
		return false
	}
	p := strings.TrimSuffix(r.URL.Path, "/")
	return r.Method == http.MethodPost && p == "/experiments" ||
		r.Method == http.MethodDelete && strings.HasPrefix(p, "/experiments/") && strings.Count(p, "/") == 2
}
