package setup

import (
	"fmt"
	"os"
	"path/filepath"
)

func experimentsDirCheck(dir string) Check {
	ch := Check{Name: "Experiments directory", Blocking: true}
	entries, err := os.ReadDir(dir)
	if err != nil {
		ch.Detail = fmt.Sprintf("%s cannot be read: %v", dir, unwrapPath(err))
		ch.Remedy = "pass --experiments-dir (FIS_MCP_EXPERIMENTS_DIR) with a readable directory"
		return ch
	}
	ch.OK = true
	ch.Detail = fmt.Sprintf("%s (%s)", dir, plural(len(entries), "item"))
	return ch
}

// stateDirChecks: the state directory is writable (a file is created, fsynced and removed)
// and on a local filesystem, since session locks (flock) and fsync are unreliable on
// network and FUSE filesystems.
func stateDirChecks(dir string) []Check {
	w := Check{Name: "State directory writable", Blocking: true}
	if err := probeWrite(dir); err != nil {
		w.Detail = fmt.Sprintf("%s: %v", dir, err)
		w.Remedy = "pass --state-dir (FIS_MCP_STATE_DIR) with a directory you can write"
		return []Check{w}
	}
	w.OK = true
	w.Detail = dir
	fs := Check{Name: "State directory filesystem"}
	kind, network := filesystemType(dir)
	switch {
	case kind == "":
		fs.OK = true
		fs.Detail = "filesystem type unknown on this platform"
	case network:
		fs.Detail = fmt.Sprintf("%s is on %s: file locks (flock) and fsync may not hold there", dir, kind)
		fs.Remedy = "use a local directory for --state-dir"
	default:
		fs.OK = true
		fs.Detail = kind
	}
	return []Check{w, fs}
}

func probeWrite(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot create it: %v", unwrapPath(err))
	}
	f, err := os.CreateTemp(dir, ".doctor-*")
	if err != nil {
		return fmt.Errorf("cannot create a file: %v", unwrapPath(err))
	}
	name := f.Name()
	defer os.Remove(name)
	if _, err := f.WriteString("fis-mcp doctor\n"); err != nil {
		_ = f.Close()
		return fmt.Errorf("cannot write: %v", unwrapPath(err))
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("cannot fsync: %v", unwrapPath(err))
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("cannot close: %v", unwrapPath(err))
	}
	return os.Remove(filepath.Clean(name))
}

// unwrapPath drops the *PathError's operation and path (the message names the directory).
func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
