//go:build !unix

package report

import (
	"os"
	"sync"
)

var runsMu sync.Mutex

// lockRuns serialises appends within this process only (no advisory file locks on this
// platform); a single O_APPEND write keeps lines whole across processes.
func lockRuns(*os.File) (func(), error) {
	runsMu.Lock()
	return runsMu.Unlock, nil
}
