package session

import (
	"errors"
	"path/filepath"
)

// ErrLeaseHeld says another holder (in this process or another fis-mcp process sharing
// the state directory) has the lease.
var ErrLeaseHeld = errors.New("lease held by another holder")

// leasePath is the file whose lock is the session's supervisor lease.
func (s *Store) leasePath(id, name string) string {
	return filepath.Join(s.sessionsDir(), id+"."+name+".lock")
}

// TryLease takes the session's named lease without waiting (e.g. "supervisor": exactly
// one process supervises a session). It returns ErrLeaseHeld when another holder has it.
// The lease is an advisory lock the operating system drops when its holder exits, even
// by kill -9, so a waiting process can take it over; release gives it up earlier.
func (s *Store) TryLease(id, name string) (release func(), err error) {
	if !ValidID(id) {
		return nil, errors.New("invalid session ID " + id)
	}
	return tryLock(s.leasePath(id, name))
}
