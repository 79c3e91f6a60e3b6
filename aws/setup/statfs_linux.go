package setup

import "syscall"

// Filesystem magic numbers of statfs(2) (linux/magic.h).
var fsTypes = map[int64]struct {
	name    string
	network bool
}{
	0xEF53:     {"ext4", false},
	0x58465342: {"xfs", false},
	0x9123683E: {"btrfs", false},
	0x01021994: {"tmpfs", false},
	0x794C7630: {"overlayfs", false},
	0x2FC12FC1: {"zfs", false},
	0x6969:     {"NFS", true},
	0x517B:     {"SMB", true},
	0xFF534D42: {"CIFS", true},
	0xFE534D42: {"SMB2", true},
	0x65735546: {"FUSE", true},
	0x01021997: {"9P", true},
	0x5346414F: {"AFS", true},
	0x00C36400: {"Ceph", true},
}

// filesystemType names dir's filesystem and whether it is a network or FUSE one.
func filesystemType(dir string) (string, bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return "", false
	}
	if t, ok := fsTypes[int64(st.Type)]; ok {
		return t.name, t.network
	}
	return "local", false
}
