package kube

import (
	"bytes"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"time"

	"github.com/fis-mcp/fis-mcp/session/logline"
)

// resumePoint is where a stream stands in its file: the timestamp of its last line
// and the hashes of the lines written in that last second (duplicates to skip
// when resuming with sinceTime, which has second precision).
type resumePoint struct {
	last time.Time
	seen map[uint64]uint32
}

// lineHash identifies a line by timestamp and message.
func lineHash(seed maphash.Seed, ts time.Time, msg []byte) uint64 {
	return maphash.Bytes(seed, msg) ^ uint64(ts.UnixNano())*0x9E3779B97F4A7C15
}

const resumeChunk = 256 << 10

// readResumePoints scans an existing collected file backwards from its end (at most
// maxBytes) for the last line of each wanted pod/container and the lines of its
// last second. Wanted streams absent from the scanned window get a point at the
// window's oldest timestamp with nothing to skip, when the window did not reach
// the file's start. A missing file gives no points.
func readResumePoints(path string, want map[string]bool, seed maphash.Seed, maxBytes int64) (map[string]*resumePoint, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("resume from %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("resume from %s: %w", path, err)
	}
	points := map[string]*resumePoint{}
	done := map[string]bool{}
	var oldest time.Time
	pos := st.Size()
	var carry []byte
	buf := make([]byte, resumeChunk)
	scanned := int64(0)

	handle := func(line []byte) {
		l, err := logline.Parse(line)
		if err != nil {
			return
		}
		if oldest.IsZero() || l.Time.Before(oldest) {
			oldest = l.Time
		}
		key := l.Pod + "/" + l.Container
		if done[key] {
			return
		}
		p := points[key]
		if p == nil {
			p = &resumePoint{last: l.Time, seen: map[uint64]uint32{}}
			points[key] = p
		}
		if l.Time.After(p.last) {
			// Out of order within the file: keep the latest.
			p.last = l.Time
		}
		if l.Time.Before(p.last.Truncate(time.Second)) {
			done[key] = true
			return
		}
		p.seen[lineHash(seed, l.Time, l.Message)]++
	}
	allDone := func() bool {
		if len(want) == 0 {
			return false
		}
		for k := range want {
			if !done[k] {
				return false
			}
		}
		return true
	}

	for pos > 0 && scanned < maxBytes && !allDone() {
		n := min(int64(len(buf)), pos, maxBytes-scanned)
		pos -= n
		if _, err := f.ReadAt(buf[:n], pos); err != nil && err != io.EOF {
			return nil, fmt.Errorf("resume from %s: %w", path, err)
		}
		scanned += n
		data := make([]byte, 0, int(n)+len(carry))
		data = append(data, buf[:n]...)
		data = append(data, carry...)
		end := len(data)
		for {
			j := bytes.LastIndexByte(data[:end], '\n')
			if j < 0 {
				break
			}
			if j+1 < end {
				handle(data[j+1 : end])
			}
			end = j
		}
		carry = data[:end]
		if pos == 0 && len(carry) > 0 {
			handle(carry)
			carry = nil
		}
	}
	for k := range want {
		if points[k] == nil && pos > 0 && !oldest.IsZero() {
			points[k] = &resumePoint{last: oldest}
		}
	}
	return points, nil
}
