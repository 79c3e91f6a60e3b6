//go:build !unix

package session

import "sync"

var processLeases sync.Map

// tryLock takes the lease within this process only (no advisory file locks on this platform).
func tryLock(path string) (func(), error) {
	if _, held := processLeases.LoadOrStore(path, true); held {
		return nil, ErrLeaseHeld
	}
	return func() { processLeases.Delete(path) }, nil
}
