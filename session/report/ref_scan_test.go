package report

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"strings"
	"testing"
	"time"
)

// refMaskLineBuf is the original maskLineBuf (byte-by-byte first pass).
func refMaskLineBuf(dst, scratch, msg []byte) ([]byte, []byte) {
	msg = bytes.TrimSpace(msg)
	json := len(msg) > 0 && msg[0] == '{'
	start := len(dst)
	// Pass 1: quoted strings (not in JSON lines, where every key is quoted).
	for i := 0; i < len(msg); i++ {
		c := msg[i]
		if !json && (c == '"' || c == '\'' && (i == 0 || !isAlnum(msg[i-1]))) {
			if j := bytes.IndexByte(msg[i+1:], c); j >= 0 && (c == '"' || i+1+j+1 >= len(msg) || !isAlnum(msg[i+1+j+1])) {
				if i > 0 && (msg[i-1] == '=' || msg[i-1] == ':') {
					// A key="value": keep the value's words (masked token by token in pass 2).
					dst = append(dst, msg[i:i+j+2]...)
				} else {
					dst = append(dst, "<STR>"...)
				}
				i += j + 1
				continue
			}
		}
		dst = append(dst, c)
	}
	// Pass 2: token by token, from a copy.
	quoted := append(scratch, dst[start:]...)
	dst = dst[:start]
	i := 0
	for i < len(quoted) {
		if isSpace(quoted[i]) {
			dst = append(dst, quoted[i])
			i++
			continue
		}
		j := i
		for j < len(quoted) && !isSpace(quoted[j]) {
			j++
		}
		dst = refMaskToken(dst, quoted[i:j])
		i = j
	}
	return dst, quoted
}

// refMaskToken is the original maskToken.
func refMaskToken(dst, tok []byte) []byte {
	a, b := 0, len(tok)
	for a < b && strings.IndexByte(leadPunct, tok[a]) >= 0 {
		a++
	}
	for b > a && strings.IndexByte(trailPunct, tok[b-1]) >= 0 {
		b--
	}
	dst = append(dst, tok[:a]...)
	core := tok[a:b]
	if eq := bytes.IndexByte(core, '='); eq > 0 && eq < len(core)-1 {
		dst = append(dst, core[:eq+1]...)
		dst = maskCore(dst, core[eq+1:])
	} else if colon := bytes.IndexByte(core, ':'); colon > 0 && colon < len(core)-1 && core[0] == '"' {
		// JSON "key":value
		dst = append(dst, core[:colon+1]...)
		dst = maskCore(dst, core[colon+1:])
	} else {
		dst = maskCore(dst, core)
	}
	return append(dst, tok[b:]...)
}

// refScanner is the original one-line-at-a-time scanner, kept as the reference the
// chunked parallel scanner must match exactly (see equiv_test.go).

// refScanner streams log files (reference); it reuses its reader and is not safe for concurrent use.
type refScanner struct {
	cls     *classifier
	faultNs int64
	closeNs int64
	rd      *bufio.Reader
	ts      tsCache
}

func newRefScanner(cls *classifier, faultStart, closeAt time.Time) *refScanner {
	return &refScanner{cls: cls, faultNs: faultStart.UnixNano(), closeNs: closeAt.UnixNano(), rd: bufio.NewReaderSize(nil, readBufSize)}
}

// scanFile adds every line of path to acc. A missing file is reported as an error
// wrapping os.ErrNotExist; malformed and over-long lines are counted.
func (sc *refScanner) scanFile(path string, acc *appAcc) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return sc.scan(f, acc)
}

func (sc *refScanner) scan(r io.Reader, acc *appAcc) error {
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

func (sc *refScanner) line(line []byte, acc *appAcc) {
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

func TestMaskLineMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	msgs := []string{``, `"`, `'`, `''`, `a'b'c`, `x='y z' w`, `"unterminated`, `it's 'quoted' 12`, `{"level":"error","id":12}`,
		`  key="v 1" other='q' end"`, `'a'b 'c'`, `k:"v" ' '`, `"a" "b" 'c'd' 'e'`,
		`{"key":12,"k2":"v 3"} ("x":1) a=1=2 =5 x= "k": "":1 [id=0x1F] <t=12ms>, 10.0.0.1:80 uuid=123e4567-e89b-12d3-a456-426614174000;`,
		`"q"=1 '"a":' k="1:2" ="" ":" ==3 a:b:1 "a:1" "a:" 'x=2'`}
	alphabet2 := []byte("ab1=:\"'()[]<>,;.!?x09 ")
	for i := 0; i < 20000; i++ {
		b := make([]byte, rng.Intn(30))
		for k := range b {
			b[k] = alphabet2[rng.Intn(len(alphabet2))]
		}
		msgs = append(msgs, string(b))
	}
	alphabet := []byte("ab1 =:'\"{}-_.x9 \t")
	for i := 0; i < 20000; i++ {
		b := make([]byte, rng.Intn(40))
		for k := range b {
			b[k] = alphabet[rng.Intn(len(alphabet))]
		}
		msgs = append(msgs, string(b))
	}
	for _, m := range msgs {
		want, _ := refMaskLineBuf(nil, nil, []byte(m))
		got, _ := maskLineBuf([]byte("prefix"), nil, []byte(m))
		if string(got[len("prefix"):]) != string(want) {
			t.Fatalf("maskLineBuf(%q) = %q, want %q", m, got[6:], want)
		}
	}
}
