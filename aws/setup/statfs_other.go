//go:build !linux

package setup

// filesystemType is unknown off Linux.
func filesystemType(string) (string, bool) { return "", false }
