//go:build unix

package session

import (
	"fmt"
	"os"
	"syscall"
)

// LockFile takes an exclusive flock on path (created if missing), waiting for it; the
// returned func releases it. Each call opens the file anew, so goroutines of one process
// take turns too. Sessions use it for their updates; the simulated account for its state.
func LockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open the lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		_ = f.Close()
	}, nil
}
