package setup

import "golang.org/x/sys/unix"

// readOnlyMount: statfs(2)'s f_flags carries MNT_RDONLY for a read-only mount.
func readOnlyMount(st *unix.Statfs_t) bool { return st.Flags&unix.MNT_RDONLY != 0 }
