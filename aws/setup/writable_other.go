//go:build !linux && !darwin

package setup

import (
	"fmt"
	"os"
)

// writableByOS, off Linux and macOS, can only read the directory's permission bits (Windows sets
// the read-only attribute as a missing owner write bit).
func writableByOS(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("cannot read it: %v", unwrapPath(err))
	}
	if fi.Mode().Perm()&0o200 == 0 {
		return fmt.Errorf("it is read-only")
	}
	return nil
}
