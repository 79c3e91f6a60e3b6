package report

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/fis-mcp/fis-mcp/session/logline"
)

const (
	readBufSize = 64 << 10 // lines longer than this are skipped
	// maxBaselineBuckets bounds how far before the fault lines are still bucketed (24 h).
	maxBaselineBuckets = 24 * 360
	maxRecoverySignals = 10
	maxClusters        = 200
)

// tsCache speeds up timestamp parsing: consecutive lines usually share the same
// second, so only the fraction is parsed when the first 19 bytes repeat. It gives
// exactly logline.ParseTime's result.
type tsCache struct {
	prefix [19]byte
	base   time.Time
	ok     bool
}

func (c *tsCache) parse(b []byte) (time.Time, error) {
	if c.ok && len(b) >= 20 && b[len(b)-1] == 'Z' && string(b[:19]) == string(c.prefix[:]) {
		frac := b[19 : len(b)-1]
		if len(frac) == 0 {
			return c.base, nil
		}
		if frac[0] == '.' && len(frac) >= 2 && len(frac) <= 10 {
			n := 0
			good := true
			for _, d := range frac[1:] {
				if d < '0' || d > '9' {
					good = false
					break
				}
				n = n*10 + int(d-'0')
			}
			if good {
				for i := len(frac) - 1; i < 9; i++ {
					n *= 10
				}
				return c.base.Add(time.Duration(n)), nil
			}
		}
	}
	t, err := logline.ParseTime(b)
	if err != nil {
		return t, err
	}
	if len(b) >= 20 && b[10] == 'T' && (b[19] == '.' || b[19] == 'Z') && b[len(b)-1] == 'Z' {
		copy(c.prefix[:], b[:19])
		c.base = t.Truncate(time.Second)
		c.ok = true
	} else {
		c.ok = false
	}
	return t, nil
}

// splitLine takes a collected line apart like logline.Parse, without allocating:
// the timestamp and the message (aliasing b).
func (c *tsCache) splitLine(b []byte) (time.Time, []byte, bool) {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	var sp int
	if len(b) > 30 && b[30] == ' ' && b[29] == 'Z' { // the common RFC 3339 nanosecond form
		sp = 30
	} else if sp = bytes.IndexByte(b, ' '); sp <= 0 {
		return time.Time{}, nil, false
	}
	t, err := c.parse(b[:sp])
	if err != nil {
		return time.Time{}, nil, false
	}
	rest := b[sp+1:]
	if len(rest) < 4 || rest[0] != '[' {
		return time.Time{}, nil, false
	}
	end := bytes.IndexByte(rest, ']')
	if end >= 0 && (end+1 >= len(rest) || rest[end+1] != ' ') {
		end = bytes.Index(rest, []byte("] "))
	}
	if end < 0 {
		if rest[len(rest)-1] != ']' {
			return time.Time{}, nil, false
		}
		end = len(rest) - 1
	}
	if bytes.IndexByte(rest[1:end], '/') < 0 {
		return time.Time{}, nil, false
	}
	var msg []byte
	if end+2 <= len(rest) {
		msg = rest[end+2:]
	}
	return t, msg, true
}

type bucketAcc struct {
	errors, warnings, lines int32
	firstErr                int64 // unix ns of the bucket's first error, 0 if none
}

// bucketSeries is a dense run of buckets from index base.
type bucketSeries struct {
	base int64
	b    []bucketAcc
}

func (s *bucketSeries) at(idx int64) *bucketAcc {
	if len(s.b) == 0 {
		s.base = idx
		s.b = append(s.b, bucketAcc{})
		return &s.b[0]
	}
	if idx < s.base {
		grow := int(s.base - idx)
		nb := make([]bucketAcc, grow+len(s.b), grow+cap(s.b))
		copy(nb[grow:], s.b)
		s.b, s.base = nb, idx
		return &s.b[0]
	}
	i := int(idx - s.base)
	for i >= len(s.b) {
		s.b = append(s.b, bucketAcc{})
	}
	return &s.b[i]
}

func (s *bucketSeries) get(idx int64) bucketAcc {
	i := idx - s.base
	if i < 0 || i >= int64(len(s.b)) {
		return bucketAcc{}
	}
	return s.b[i]
}

// appAcc accumulates one app's lines over its files.
type appAcc struct {
	lines, malformed, long, after, tooOld int64
	errors, warnings, baselineErr         int
	firstLineNs                           int64
	firstErrNs, lastErrNs                 int64 // at or after the fault start
	buckets                               bucketSeries
	drain                                 *drain
	sigCount                              []int
	sigFirst, sigLast                     []int64
	recovery                              []RecoverySignal
}

func newAppAcc(nsig int) *appAcc {
	return &appAcc{drain: newDrain(maxClusters), sigCount: make([]int, nsig), sigFirst: make([]int64, nsig), sigLast: make([]int64, nsig)}
}

// scanner streams log files; it reuses its reader and is not safe for concurrent use.
type scanner struct {
	cls     *classifier
	faultNs int64
	closeNs int64
	rd      *bufio.Reader
	ts      tsCache
}

func newScanner(cls *classifier, faultStart, closeAt time.Time) *scanner {
	return &scanner{cls: cls, faultNs: faultStart.UnixNano(), closeNs: closeAt.UnixNano(), rd: bufio.NewReaderSize(nil, readBufSize)}
}

// scanFile adds every line of path to acc. A missing file is reported as an error
// wrapping os.ErrNotExist; malformed and over-long lines are counted.
func (sc *scanner) scanFile(path string, acc *appAcc) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return sc.scan(f, acc)
}

func (sc *scanner) scan(r io.Reader, acc *appAcc) error {
	sc.rd.Reset(r)
	sc.ts.ok = false
	for {
		line, err := sc.rd.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			acc.long++
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = sc.rd.ReadSlice('\n')
			}
			if err != nil && err != io.EOF {
				return fmt.Errorf("read: %w", err)
			}
			if err == io.EOF {
				return nil
			}
			continue
		}
		if len(line) > 0 {
			sc.line(line, acc)
		}
		if err != nil {
			if err == io.EOF {
				return nil
			}
			return fmt.Errorf("read: %w", err)
		}
	}
}

func (sc *scanner) line(line []byte, acc *appAcc) {
	t, msg, ok := sc.ts.splitLine(line)
	if !ok {
		if len(bytes.TrimSpace(line)) > 0 {
			acc.malformed++
		}
		return
	}
	ns := t.UnixNano()
	if ns >= sc.closeNs && ns > sc.faultNs {
		acc.after++
		return
	}
	idx := bucketIndex(ns, sc.faultNs)
	if idx < -maxBaselineBuckets {
		acc.tooOld++
		return
	}
	acc.lines++
	if acc.firstLineNs == 0 || ns < acc.firstLineNs {
		acc.firstLineNs = ns
	}
	bk := acc.buckets.at(idx)
	bk.lines++
	cl := sc.cls.classify(msg)
	inFault := idx >= 0
	switch cl.Severity {
	case SevError:
		acc.errors++
		bk.errors++
		if inFault {
			if bk.firstErr == 0 || ns < bk.firstErr {
				bk.firstErr = ns
			}
			if acc.firstErrNs == 0 || ns < acc.firstErrNs {
				acc.firstErrNs = ns
			}
			if ns > acc.lastErrNs {
				acc.lastErrNs = ns
			}
		} else {
			acc.baselineErr++
		}
	case SevWarning:
		acc.warnings++
		bk.warnings++
	}
	if cl.Severity != SevNone {
		acc.drain.add(msg, t, inFault, cl.Severity, cl.Sig, line)
		if cl.Sig >= 0 && inFault {
			acc.sigCount[cl.Sig]++
			if acc.sigFirst[cl.Sig] == 0 || ns < acc.sigFirst[cl.Sig] {
				acc.sigFirst[cl.Sig] = ns
			}
			if ns > acc.sigLast[cl.Sig] {
				acc.sigLast[cl.Sig] = ns
			}
		}
	}
	if cl.Recovery && cl.Severity == SevNone && inFault && len(acc.recovery) < maxRecoverySignals {
		acc.recovery = append(acc.recovery, RecoverySignal{Time: t.UTC(), Line: truncate(redact(string(bytes.TrimRight(line, "\r\n"))), 400)})
	}
}
