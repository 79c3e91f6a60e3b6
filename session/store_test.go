package session

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

func newStore(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir, zerolog.Nop(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCreateGetUpdateList(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir)
	sess := &Session{State: StateResolved, Experiment: Experiment{TemplateID: "EXT1", Region: "us-east-1"}}
	if err := s.Create(sess); err != nil {
		t.Fatal(err)
	}
	if !ValidID(sess.ID) {
		t.Fatalf("bad id %q", sess.ID)
	}
	fi, err := os.Stat(filepath.Join(dir, "sessions", sess.ID+".json"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	if _, err := s.Update(sess.ID, func(x *Session) error { return x.Transition(StateHealthChecked) }); err != nil {
		t.Fatal(err)
	}
	// A new store (a restarted server) sees the change.
	got, err := newStore(t, dir).Get(sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != StateHealthChecked || got.Experiment.TemplateID != "EXT1" {
		t.Fatalf("got %+v", got)
	}
	list, err := s.List()
	if err != nil || len(list) != 1 || list[0].ID != sess.ID || list[0].State != StateHealthChecked {
		t.Fatalf("list = %+v, %v", list, err)
	}
}

func TestUpdateErrorWritesNothing(t *testing.T) {
	s := newStore(t, t.TempDir())
	sess := &Session{State: StateResolved}
	if err := s.Create(sess); err != nil {
		t.Fatal(err)
	}
	_, err := s.Update(sess.ID, func(x *Session) error {
		return x.Transition(StateRunning)
	})
	var te *TransitionError
	if !errors.As(err, &te) {
		t.Fatalf("err = %v, want TransitionError", err)
	}
	if !strings.Contains(err.Error(), "expected next tool: health_check") {
		t.Errorf("message %q does not name the next tool", err)
	}
	got, _ := s.Get(sess.ID)
	if got.State != StateResolved {
		t.Fatalf("state %s written despite error", got.State)
	}
}

func TestConcurrentUpdatesAcrossStores(t *testing.T) {
	dir := t.TempDir()
	a, b := newStore(t, dir), newStore(t, dir) // two servers on one state directory
	sess := &Session{State: StateResolved}
	if err := a.Create(sess); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	const n = 40
	for i := 0; i < n; i++ {
		st := a
		if i%2 == 1 {
			st = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := st.Update(sess.ID, func(x *Session) error {
				x.AddEvent(Event{Time: time.Now(), Source: "test", Message: "tick"})
				return nil
			}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got, err := a.Get(sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Timeline) != n {
		t.Fatalf("timeline has %d events, want %d: updates were lost", len(got.Timeline), n)
	}
}

func TestCorruptFileMovedAside(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir)
	good := &Session{State: StateResolved}
	if err := s.Create(good); err != nil {
		t.Fatal(err)
	}
	bad := "fis-20260101-000000-abcdef"
	path := filepath.Join(dir, "sessions", bad+".json")
	if err := os.WriteFile(path, []byte(`{"id": "fis-2026`), 0o600); err != nil {
		t.Fatal(err)
	}
	s2 := newStore(t, dir) // start-up must not fail
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("corrupt file still in place: %v", err)
	}
	matches, _ := filepath.Glob(path + ".corrupt-*")
	if len(matches) != 1 {
		t.Fatalf("corrupt file not moved aside: %v", matches)
	}
	list, err := s2.List()
	if err != nil || len(list) != 1 || list[0].ID != good.ID {
		t.Fatalf("list = %+v, %v", list, err)
	}
}

func TestInvalidIDs(t *testing.T) {
	s := newStore(t, t.TempDir())
	for _, id := range []string{"", "../../etc/passwd", "fis-20260101-000000-ABCDEF", "x"} {
		if _, err := s.Get(id); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get(%q) = %v, want ErrNotFound", id, err)
		}
		if _, err := s.Update(id, func(*Session) error { return nil }); !errors.Is(err, ErrNotFound) {
			t.Errorf("Update(%q) = %v, want ErrNotFound", id, err)
		}
	}
}

func TestTransitions(t *testing.T) {
	tests := []struct {
		from, to State
		ok       bool
	}{
		{StateResolved, StateHealthChecked, true},
		{StateResolved, StateRunning, false},
		{StateHealthChecked, StateRunning, true},
		{StateRunning, StateAborted, false},
		{StateRunning, StateEnded, true},
		{StateEnded, StateReported, true},
		{StateAborted, StateReported, true},
		{StateReported, StateRunning, false},
	}
	for _, tc := range tests {
		s := &Session{ID: "x", State: tc.from}
		err := s.Transition(tc.to)
		if (err == nil) != tc.ok {
			t.Errorf("%s → %s: err = %v, want ok=%v", tc.from, tc.to, err, tc.ok)
		}
	}
}
