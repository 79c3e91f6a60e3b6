package setup

import (
	"errors"
	"fmt"
	"io/fs"
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

// stateDirChecks: the state directory is writable and on a local filesystem, since session
// locks (flock) and fsync are unreliable on network and FUSE filesystems. Writable is
// proven by creating, fsyncing and removing a file, or, when readOnly (the check_setup
// tool, which must not change anything), asked of the OS without writing (access(2) and
// the mount's read-only flag).
func stateDirChecks(dir string, readOnly bool) []Check {
	w := Check{Name: "State directory writable", Blocking: true}
	probe := probeWrite
	if readOnly {
		probe = askWritable
	}
	if err := probe(dir); err != nil {
		w.Detail = fmt.Sprintf("%s: %v", dir, err)
		w.Remedy = "pass --state-dir (FIS_MCP_STATE_DIR) with a directory you can write"
		return []Check{w}
	}
	w.OK = true
	w.Detail = dir
	fsc := Check{Name: "State directory filesystem"}
	kind, network := filesystemType(dir)
	switch {
	case kind == "":
		fsc.OK = true
		fsc.Detail = "filesystem type unknown on this platform"
	case network:
		fsc.Detail = fmt.Sprintf("%s is on %s: file locks (flock) and fsync may not hold there", dir, kind)
		fsc.Remedy = "use a local directory for --state-dir"
	default:
		fsc.OK = true
		fsc.Detail = kind
	}
	return []Check{w, fsc}
}

// askWritable tells whether dir could be written, without writing: it must exist (a
// read-only check creates nothing), be a directory, and be writable as access(2) and the
// mount's flags say.
func askWritable(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("it does not exist (fis-mcp serve creates it at start; run fis-mcp doctor to create and test it)")
	case err != nil:
		return fmt.Errorf("cannot read it: %v", unwrapPath(err))
	case !fi.IsDir():
		return fmt.Errorf("it is not a directory")
	}
	return writableByOS(dir)
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
