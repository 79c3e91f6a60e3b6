//go:build !unix

package session

import "sync"

var processLocks sync.Map

// LockFile serialises access within this process only (no advisory file locks on this
// platform); the returned func releases it.
func LockFile(path string) (func(), error) {
	m, _ := processLocks.LoadOrStore(path, &sync.Mutex{})
	mu := m.(*sync.Mutex)
	mu.Lock()
	return mu.Unlock, nil
}
