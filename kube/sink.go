package kube

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// sink is one collected log file, shared by every follower of an app. Writes are
// buffered and flushed by the collector at least every FlushInterval and on Stop.
type sink struct {
	path string

	mu    sync.Mutex
	f     *os.File
	w     *bufio.Writer
	dirty bool
	err   error
}

func openSink(path string) (*sink, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("log file %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("log file %s: %w", path, err)
	}
	s := &sink{path: path, f: f, w: bufio.NewWriterSize(f, 64<<10)}
	// A previous run may have died mid-line: never glue a new line to it.
	if st, err := f.Stat(); err == nil && st.Size() > 0 {
		r, err := os.Open(path)
		if err == nil {
			var last [1]byte
			if _, err := r.ReadAt(last[:], st.Size()-1); err == nil && last[0] != '\n' {
				_, _ = s.w.WriteString("\n")
				s.dirty = true
			}
			r.Close()
		}
	}
	return s, nil
}

// write appends one formatted line (with its newline) in a single buffered write.
func (s *sink) write(line []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	if s.f == nil {
		return io.ErrClosedPipe
	}
	if _, err := s.w.Write(line); err != nil {
		s.err = fmt.Errorf("log file %s: %w", s.path, err)
		return s.err
	}
	s.dirty = true
	return nil
}

func (s *sink) flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.flushLocked()
}

func (s *sink) flushLocked() error {
	if !s.dirty || s.f == nil {
		return s.err
	}
	s.dirty = false
	if err := s.w.Flush(); err != nil && s.err == nil {
		s.err = fmt.Errorf("log file %s: %w", s.path, err)
	}
	return s.err
}

func (s *sink) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.flushLocked()
	if s.f != nil {
		if cerr := s.f.Close(); cerr != nil && err == nil {
			err = cerr
		}
		s.f = nil
	}
	return err
}
