//go:build unix

package sim

import (
	"fmt"
	"os"
	"syscall"
)

// lockFile takes an exclusive flock on path (as session/lock_unix.go does for sessions),
// so processes sharing a state directory take turns; the returned func releases it.
// Each call opens the file anew, so goroutines of one process take turns too.
func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open the simulated account's lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("lock the simulated account's state: %w", err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		_ = f.Close()
	}, nil
}
