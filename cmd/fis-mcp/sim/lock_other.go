//go:build !unix

package sim

import "sync"

var processLocks sync.Map

// lockFile serialises access within this process only (no advisory file locks on this platform).
func lockFile(path string) (func(), error) {
	m, _ := processLocks.LoadOrStore(path, &sync.Mutex{})
	mu := m.(*sync.Mutex)
	mu.Lock()
	return mu.Unlock, nil
}
