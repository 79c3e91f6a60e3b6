//go:build unix

package report

import (
	"os"
	"syscall"
)

// lockRuns takes an exclusive flock on runs.jsonl (concurrent finalizes, also from other
// fis-mcp processes, append one at a time); the returned func releases it.
func lockRuns(f *os.File) (func(), error) {
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return nil, err
	}
	return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }, nil
}
