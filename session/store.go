package session

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/rs/zerolog"
)

// ErrNotFound is returned for an unknown session ID.
var ErrNotFound = errors.New("session not found")

var idPattern = regexp.MustCompile(`^fis-\d{8}-\d{6}-[0-9a-f]{6}$`)

// ValidID reports whether id has the shape of a session ID (so it is safe in a file name).
func ValidID(id string) bool { return idPattern.MatchString(id) }

// Store persists sessions as one JSON file each under a state directory.
//
// Every file is written atomically (temp file, fsync, rename, 0600). Updates take an
// exclusive advisory lock (flock) on the session's lock file, re-read the file, apply
// the change and write it back: concurrent tool calls on one session, in this process
// or in another fis-mcp process sharing the state directory, are serialised and never
// overwrite each other's changes. Nothing is cached in memory, so a restarted server
// continues every session where it stood.
type Store struct {
	dir string
	log zerolog.Logger
	now func() time.Time
}

// Summary is one line of List.
type Summary struct {
	ID           string    `json:"session_id"`
	State        State     `json:"state"`
	TemplateID   string    `json:"template_id"`
	Scenario     string    `json:"scenario"`
	Region       string    `json:"region"`
	Directory    string    `json:"directory"`
	ExperimentID string    `json:"experiment_id,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	// Verdict is the report's verdict once reported (passed, failed or inconclusive);
	// tools.SessionSummary carries it on the wire.
	Verdict string `json:"-"`
}

// Open opens (creating if needed, 0700) the store under dir. Session files that
// cannot be parsed are moved aside (".corrupt-<time>") with a warning, never fatal.
func Open(dir string, log zerolog.Logger, now func() time.Time) (*Store, error) {
	if now == nil {
		now = time.Now
	}
	s := &Store{dir: dir, log: log, now: now}
	if err := os.MkdirAll(s.sessionsDir(), 0o700); err != nil {
		return nil, fmt.Errorf("create state directory %s: %w", dir, err)
	}
	entries, err := os.ReadDir(s.sessionsDir())
	if err != nil {
		return nil, fmt.Errorf("read state directory %s: %w", dir, err)
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".json") || !ValidID(strings.TrimSuffix(name, ".json")) {
			continue
		}
		if _, err := s.read(strings.TrimSuffix(name, ".json")); err != nil && !errors.Is(err, ErrNotFound) {
			s.log.Warn().Err(err).Str("file", name).Msg("session file unreadable at start-up, moved aside")
		}
	}
	return s, nil
}

// Dir is the state directory.
func (s *Store) Dir() string { return s.dir }

func (s *Store) sessionsDir() string         { return filepath.Join(s.dir, "sessions") }
func (s *Store) path(id string) string       { return filepath.Join(s.sessionsDir(), id+".json") }
func (s *Store) lockPath(id string) string   { return filepath.Join(s.sessionsDir(), id+".lock") }
func (s *Store) LogDir(id string) string     { return filepath.Join(s.dir, "logs", id) }
func (s *Store) SessionDir(id string) string { return filepath.Join(s.dir, "work", id) }

// lock takes the session's lock file (LockFile); the returned func releases it.
func (s *Store) lock(id string) (func(), error) {
	unlock, err := LockFile(s.lockPath(id))
	if err != nil {
		return nil, fmt.Errorf("lock session %s: %w", id, err)
	}
	return unlock, nil
}

// NewID returns a fresh session ID, e.g. fis-20260411-103015-a1b2c3.
func (s *Store) NewID() string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return "fis-" + s.now().UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b[:])
}

// Create persists a new session (ID, CreatedAt and UpdatedAt are set if empty).
func (s *Store) Create(sess *Session) error {
	if sess.ID == "" {
		sess.ID = s.NewID()
	}
	if !ValidID(sess.ID) {
		return fmt.Errorf("invalid session ID %q", sess.ID)
	}
	now := s.now().UTC()
	if sess.CreatedAt.IsZero() {
		sess.CreatedAt = now
	}
	sess.UpdatedAt = now
	if sess.Timeline == nil {
		sess.Timeline = []Event{}
	}
	if sess.APICalls == nil {
		sess.APICalls = []APICall{}
	}
	unlock, err := s.lock(sess.ID)
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := os.Stat(s.path(sess.ID)); err == nil {
		return fmt.Errorf("session %s already exists", sess.ID)
	}
	return s.write(sess)
}

// Get returns the stored session.
func (s *Store) Get(id string) (*Session, error) {
	if !ValidID(id) {
		return nil, fmt.Errorf("%w: %q is not a session ID (expected e.g. fis-20260411-103015-a1b2c3; list_sessions shows them)", ErrNotFound, id)
	}
	return s.read(id)
}

// Update applies fn to the stored session under the session's lock and persists the
// result. If fn returns an error nothing is written and the error is returned.
func (s *Store) Update(id string, fn func(*Session) error) (*Session, error) {
	if !ValidID(id) {
		return nil, fmt.Errorf("%w: %q is not a session ID", ErrNotFound, id)
	}
	unlock, err := s.lock(id)
	if err != nil {
		return nil, err
	}
	defer unlock()
	sess, err := s.read(id)
	if err != nil {
		return nil, err
	}
	if err := fn(sess); err != nil {
		return nil, err
	}
	sess.UpdatedAt = s.now().UTC()
	if err := s.write(sess); err != nil {
		return nil, err
	}
	return sess, nil
}

// List returns a summary of every stored session, newest first.
func (s *Store) List() ([]Summary, error) {
	entries, err := os.ReadDir(s.sessionsDir())
	if err != nil {
		return nil, fmt.Errorf("read state directory %s: %w", s.dir, err)
	}
	var out []Summary
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || !ValidID(id) {
			continue
		}
		sess, err := s.read(id)
		if err != nil {
			s.log.Warn().Err(err).Str("session", id).Msg("skipping unreadable session")
			continue
		}
		sum := Summary{
			ID: sess.ID, State: sess.State, TemplateID: sess.Experiment.TemplateID, Scenario: sess.Experiment.Scenario,
			Region: sess.Experiment.Region, Directory: sess.Experiment.Dir, CreatedAt: sess.CreatedAt, UpdatedAt: sess.UpdatedAt,
		}
		if sess.Run != nil {
			sum.ExperimentID = sess.Run.ExperimentID
		}
		if sess.Report != nil {
			sum.Verdict = sess.Report.Verdict
		}
		out = append(out, sum)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out, nil
}

func (s *Store) read(id string) (*Session, error) {
	b, err := os.ReadFile(s.path(id))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s (list_sessions shows the stored sessions)", ErrNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("read session %s: %w", id, err)
	}
	var sess Session
	if err := json.Unmarshal(b, &sess); err != nil || sess.ID != id {
		aside := s.path(id) + ".corrupt-" + s.now().UTC().Format("20060102T150405")
		if rerr := os.Rename(s.path(id), aside); rerr != nil {
			return nil, fmt.Errorf("session %s is corrupt (%v) and could not be moved aside: %w", id, err, rerr)
		}
		if err == nil {
			err = fmt.Errorf("file holds session %q", sess.ID)
		}
		return nil, fmt.Errorf("session %s was corrupt (%v); moved aside to %s", id, err, aside)
	}
	return &sess, nil
}

func (s *Store) write(sess *Session) error {
	b, err := json.MarshalIndent(sess, "", "  ")
	if err != nil {
		return fmt.Errorf("encode session %s: %w", sess.ID, err)
	}
	return WriteFileAtomic(s.path(sess.ID), b, 0o600)
}

// WriteFileAtomic writes data to path through a temp file in the same directory,
// fsyncs it, renames it over path and fsyncs the directory.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	cleanup := func() { _ = os.Remove(tmp) }
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		cleanup()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Chmod(perm); err != nil {
		_ = f.Close()
		cleanup()
		return fmt.Errorf("chmod %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		cleanup()
		return fmt.Errorf("fsync %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		cleanup()
		return fmt.Errorf("close %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		cleanup()
		return fmt.Errorf("rename %s: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}
