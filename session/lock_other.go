//go:build !unix

package session

import "sync"

var processLocks sync.Map

// lock serialises updates within this process only (no advisory file locks on this platform).
func (s *Store) lock(id string) (func(), error) {
	m, _ := processLocks.LoadOrStore(s.lockPath(id), &sync.Mutex{})
	mu := m.(*sync.Mutex)
	mu.Lock()
	return mu.Unlock, nil
}
