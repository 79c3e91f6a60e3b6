//go:build linux || darwin

package setup

import (
	"errors"
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"
)

// writableByOS asks access(2) whether this process may write dir (it answers EROFS on a
// read-only filesystem, for root too), and statfs(2) whether its mount is read-only, in
// case a system's access(2) does not say so.
func writableByOS(dir string) error {
	if err := unix.Access(dir, unix.W_OK|unix.X_OK); err != nil {
		if errors.Is(err, syscall.EROFS) {
			return fmt.Errorf("it is on a read-only filesystem")
		}
		return fmt.Errorf("this user may not write it (%v)", err)
	}
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err == nil && readOnlyMount(&st) {
		return fmt.Errorf("it is on a read-only filesystem")
	}
	return nil
}
