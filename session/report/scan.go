package report

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/fis-mcp/fis-mcp/session/logline"
)

const (
	readBufSize = 64 << 10 // lines longer than this (with their newline) are skipped
	// maxLineLen is the longest line kept, without its newline: the original
	// scanner read lines through a bufio.Reader of readBufSize bytes.
	maxLineLen = readBufSize - 1
	// maxBaselineBuckets bounds how far before the fault lines are still bucketed (24 h).
	maxBaselineBuckets = 24 * 360
	maxRecoverySignals = 10
	maxClusters        = 200

	defaultChunkSize = 256 << 10
	maxScanWorkers   = 8
)

// tsCache speeds up timestamp parsing: consecutive lines usually share the same
// second, so only the fraction is parsed when the first 19 bytes repeat. It gives
// exactly logline.ParseTime's result.
type tsCache struct {
	prefix [19]byte
	base   time.Time
	ok     bool
}

// parseFrac parses a timestamp's fraction ("", or "." and 1 to 9 digits) in ns.
func parseFrac(frac []byte) (int, bool) {
	if len(frac) == 0 {
		return 0, true
	}
	if frac[0] != '.' || len(frac) < 2 || len(frac) > 10 {
		return 0, false
	}
	n := 0
	for _, d := range frac[1:] {
		if d < '0' || d > '9' {
			return 0, false
		}
		n = n*10 + int(d-'0')
	}
	for i := len(frac) - 1; i < 9; i++ {
		n *= 10
	}
	return n, true
}

// hit reports whether b is in the cached second, with its fraction in ns.
func (c *tsCache) hit(b []byte) (int, bool) {
	if c.ok && len(b) >= 20 && b[len(b)-1] == 'Z' && string(b[:19]) == string(c.prefix[:]) {
		return parseFrac(b[19 : len(b)-1])
	}
	return 0, false
}

func (c *tsCache) parse(b []byte) (time.Time, error) {
	if n, ok := c.hit(b); ok {
		return c.base.Add(time.Duration(n)), nil
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

// timeEnd is the end of a collected line's timestamp (the first space), or -1.
func timeEnd(b []byte) int {
	if len(b) > 30 && b[30] == ' ' && b[29] == 'Z' { // the common RFC 3339 nanosecond form
		return 30
	}
	if sp := bytes.IndexByte(b, ' '); sp > 0 {
		return sp
	}
	return -1
}

// splitRest checks the "[pod/container] " part of a collected line (rest follows
// the timestamp's space) and returns the message (aliasing rest).
func splitRest(rest []byte) ([]byte, bool) {
	// Common case in one pass: the first ']' follows a '/' and precedes a space.
	if len(rest) >= 4 && rest[0] == '[' {
		slash := false
		for k := 1; k < len(rest); k++ {
			if c := rest[k]; c == ']' {
				if slash && k+1 < len(rest) && rest[k+1] == ' ' {
					return rest[k+2:], true
				}
				break
			} else if c == '/' {
				slash = true
			}
		}
	}
	if len(rest) < 4 || rest[0] != '[' {
		return nil, false
	}
	end := bytes.IndexByte(rest, ']')
	if end >= 0 && (end+1 >= len(rest) || rest[end+1] != ' ') {
		end = bytes.Index(rest, []byte("] "))
	}
	if end < 0 {
		if rest[len(rest)-1] != ']' {
			return nil, false
		}
		end = len(rest) - 1
	}
	if bytes.IndexByte(rest[1:end], '/') < 0 {
		return nil, false
	}
	var msg []byte
	if end+2 <= len(rest) {
		msg = rest[end+2:]
	}
	return msg, true
}

func trimEOL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// splitLine takes a collected line apart like logline.Parse, without allocating:
// the timestamp and the message (aliasing b).
func (c *tsCache) splitLine(b []byte) (time.Time, []byte, bool) {
	b = trimEOL(b)
	sp := timeEnd(b)
	if sp < 0 {
		return time.Time{}, nil, false
	}
	t, err := c.parse(b[:sp])
	if err != nil {
		return time.Time{}, nil, false
	}
	msg, ok := splitRest(b[sp+1:])
	if !ok {
		return time.Time{}, nil, false
	}
	return t, msg, true
}

type bucketAcc struct {
	errors, warnings, lines int32
	// firstErrZero: an error at unix ns 0 reset firstErr (only in a chunk's series,
	// so that merging chunks gives exactly the sequential result).
	firstErrZero bool
	firstErr     int64 // unix ns of the bucket's first error, 0 if none
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

// firstNs tracks "if v == 0 || ns < v { v = ns }" over a run of lines so that runs
// can be merged in order with exactly the sequential result (0 means unset, and a
// line at unix ns 0 resets it).
type firstNs struct {
	v    int64
	zero bool // a line at ns 0 was seen: v is the minimum after the last one
}

func (f *firstNs) add(ns int64) {
	if ns == 0 {
		f.zero = true
	}
	if f.v == 0 || ns < f.v {
		f.v = ns
	}
}

// mergeInto applies the run to the sequential value dst.
func (f firstNs) mergeInto(dst int64) int64 {
	if f.zero || f.v != 0 && (dst == 0 || f.v < dst) {
		return f.v
	}
	return dst
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
	toks                                  [][]byte
}

func newAppAcc(nsig int) *appAcc {
	return &appAcc{drain: newDrain(maxClusters), sigCount: make([]int, nsig), sigFirst: make([]int64, nsig), sigLast: make([]int64, nsig)}
}

// sevLine is an error or warning line of a chunk, masked and tokenized for the drain.
type sevLine struct {
	t                time.Time
	sev              Severity
	sig              int
	inFault          bool
	msgStart, msgEnd int32 // in the chunk's data
	rawStart, rawEnd int32
	tokStart, tokEnd int32 // token pairs in chunkResult.tok
}

// chunkResult is what one chunk of lines adds to an appAcc: order-independent sums,
// minima and maxima, plus the error/warning lines and recovery signals in line order.
type chunkResult struct {
	lines, malformed, long, after, tooOld int64
	errors, warnings, baselineErr         int
	firstLine, firstErr                   firstNs
	lastErr                               int64
	buckets                               bucketSeries
	sigCount                              []int
	sigFirst                              []firstNs
	sigLast                               []int64
	sev                                   []sevLine
	masked                                []byte
	tok                                   []int32 // start, end offsets in masked
	recovery                              []sevLine
	scratch                               []byte
	fields                                [][]byte
}

func (r *chunkResult) reset(nsig int) {
	*r = chunkResult{
		buckets:  bucketSeries{b: r.buckets.b[:0]},
		sigCount: r.sigCount[:0], sigFirst: r.sigFirst[:0], sigLast: r.sigLast[:0],
		sev: r.sev[:0], masked: r.masked[:0], tok: r.tok[:0], recovery: r.recovery[:0],
		scratch: r.scratch, fields: r.fields,
	}
	for i := 0; i < nsig; i++ {
		r.sigCount = append(r.sigCount, 0)
		r.sigFirst = append(r.sigFirst, firstNs{})
		r.sigLast = append(r.sigLast, 0)
	}
}

// merge adds a chunk's result (data is the chunk the result refers to) to acc.
// Chunks must be merged in file order.
func (acc *appAcc) merge(r *chunkResult, data []byte) {
	acc.lines += r.lines
	acc.malformed += r.malformed
	acc.long += r.long
	acc.after += r.after
	acc.tooOld += r.tooOld
	acc.errors += r.errors
	acc.warnings += r.warnings
	acc.baselineErr += r.baselineErr
	acc.firstLineNs = r.firstLine.mergeInto(acc.firstLineNs)
	acc.firstErrNs = r.firstErr.mergeInto(acc.firstErrNs)
	acc.lastErrNs = max(acc.lastErrNs, r.lastErr)
	for i, b := range r.buckets.b {
		if b == (bucketAcc{}) {
			continue
		}
		d := acc.buckets.at(r.buckets.base + int64(i))
		d.errors += b.errors
		d.warnings += b.warnings
		d.lines += b.lines
		d.firstErr = firstNs{v: b.firstErr, zero: b.firstErrZero}.mergeInto(d.firstErr)
	}
	for i, n := range r.sigCount {
		acc.sigCount[i] += n
		acc.sigFirst[i] = r.sigFirst[i].mergeInto(acc.sigFirst[i])
		acc.sigLast[i] = max(acc.sigLast[i], r.sigLast[i])
	}
	for i := range r.sev {
		l := &r.sev[i]
		acc.toks = acc.toks[:0]
		for k := l.tokStart; k < l.tokEnd; k += 2 {
			acc.toks = append(acc.toks, r.masked[r.tok[k]:r.tok[k+1]])
		}
		acc.drain.addTokens(acc.toks, data[l.msgStart:l.msgEnd], l.t, l.inFault, l.sev, l.sig, data[l.rawStart:l.rawEnd])
	}
	for i := range r.recovery {
		if len(acc.recovery) >= maxRecoverySignals {
			break
		}
		l := &r.recovery[i]
		acc.recovery = append(acc.recovery, RecoverySignal{Time: l.t.UTC(),
			Line: excerpt(string(bytes.TrimRight(data[l.rawStart:l.rawEnd], "\r\n")))})
	}
}

// Kinds of a cached second (all its instants fall in the same class).
const (
	secMixed = iota // varies within the second, or unknown: take the slow path
	secAfter        // after the observation window
	secOld          // too far before the fault
	secIn           // in one bucket
)

// lineWorker classifies the lines of chunks; each goroutine has its own.
type lineWorker struct {
	cls     *classifier
	faultNs int64
	closeNs int64
	ts      tsCache
	// fast describes ts's cached second, when fastOK.
	fastOK   bool
	fastKind uint8
	fastNs   int64 // unix ns of the second's start
	fastIdx  int64
	fastIn   bool
	// pods caches recent "[pod/container] " prefixes that splitRest accepted: a
	// line starting with one has its message right after it.
	pods  [4][]byte
	podRR int
	// cl is the class of the line fast just gave up on, when clOK.
	cl   class
	clOK bool
}

// splitRest is splitRest with the prefix cache.
func (w *lineWorker) splitRest(rest []byte) ([]byte, bool) {
	for _, p := range &w.pods {
		if len(p) > 0 && len(rest) >= len(p) && string(rest[:len(p)]) == string(p) {
			return rest[len(p):], true
		}
	}
	msg, ok := splitRest(rest)
	if ok && len(msg) > 0 {
		if n := len(rest) - len(msg); n <= 128 {
			p := &w.pods[w.podRR%len(w.pods)]
			*p = append((*p)[:0], rest[:n]...)
			w.podRR++
		}
	}
	return msg, ok
}

// second classifies the cached second [s, s+1s) as a whole.
func (w *lineWorker) second() {
	w.fastOK, w.fastKind = true, secMixed
	if !w.ts.ok {
		return
	}
	s := w.ts.base.UnixNano()
	if s <= 0 || s > math.MaxInt64-int64(time.Second) {
		return
	}
	e := s + int64(time.Second) - 1
	w.fastNs = s
	switch {
	case s >= w.closeNs && s > w.faultNs:
		w.fastKind = secAfter
	case e < w.closeNs || e <= w.faultNs:
		i0, i1 := bucketIndex(s, w.faultNs), bucketIndex(e, w.faultNs)
		switch {
		case i0 != i1:
		case i0 < -maxBaselineBuckets:
			w.fastKind = secOld
		default:
			w.fastKind, w.fastIdx, w.fastIn = secIn, i0, i0 >= 0
		}
	}
}

// process adds every line of data (whole lines; the last one may lack its newline) to r.
func (w *lineWorker) process(data []byte, r *chunkResult) {
	for pos := 0; pos < len(data); {
		end := bytes.IndexByte(data[pos:], '\n')
		next := 0
		if end < 0 {
			end, next = len(data), len(data)
		} else {
			end += pos
			next = end + 1
		}
		line := data[pos:end]
		start := pos
		pos = next
		if len(line) > maxLineLen {
			r.long++
			continue
		}
		if len(line) == 0 {
			continue
		}
		if !w.fast(line, r) {
			w.slow(data, start, end, r)
		}
		w.clOK = false
	}
}

// fast handles the common line: a timestamp in the cached second, in one bucket,
// with neither an error/warning level nor a recovery signal to record. It reports
// false (having changed nothing) when the line needs the slow path.
func (w *lineWorker) fast(line []byte, r *chunkResult) bool {
	b := trimEOL(line)
	sp := timeEnd(b)
	if sp < 0 {
		return false
	}
	frac, ok := w.ts.hit(b[:sp])
	if !ok {
		return false
	}
	if !w.fastOK {
		w.second()
	}
	if w.fastKind == secMixed {
		return false
	}
	msg, ok := w.splitRest(b[sp+1:])
	if !ok {
		return false
	}
	switch w.fastKind {
	case secAfter:
		r.after++
		return true
	case secOld:
		r.tooOld++
		return true
	}
	cl := w.cls.classify(msg)
	if cl.Severity != SevNone || cl.Recovery && w.fastIn {
		w.cl, w.clOK = cl, true
		return false
	}
	r.lines++
	r.firstLine.add(w.fastNs + int64(frac))
	if i := w.fastIdx - r.buckets.base; i >= 0 && i < int64(len(r.buckets.b)) {
		r.buckets.b[i].lines++
	} else {
		r.buckets.at(w.fastIdx).lines++
	}
	return true
}

// slow handles any line data[start:end] exactly as the original line-by-line scanner.
func (w *lineWorker) slow(data []byte, start, end int, r *chunkResult) {
	line := data[start:end]
	t, msg, ok := w.ts.splitLine(line)
	w.fastOK = false
	if !ok {
		if len(bytes.TrimSpace(line)) > 0 {
			r.malformed++
		}
		return
	}
	ns := t.UnixNano()
	if ns >= w.closeNs && ns > w.faultNs {
		r.after++
		return
	}
	idx := bucketIndex(ns, w.faultNs)
	if idx < -maxBaselineBuckets {
		r.tooOld++
		return
	}
	r.lines++
	r.firstLine.add(ns)
	bk := r.buckets.at(idx)
	bk.lines++
	cl := w.cl
	if !w.clOK {
		cl = w.cls.classify(msg)
	}
	inFault := idx >= 0
	switch cl.Severity {
	case SevError:
		r.errors++
		bk.errors++
		if inFault {
			if ns == 0 {
				bk.firstErrZero = true
			}
			if bk.firstErr == 0 || ns < bk.firstErr {
				bk.firstErr = ns
			}
			r.firstErr.add(ns)
			if ns > r.lastErr {
				r.lastErr = ns
			}
		} else {
			r.baselineErr++
		}
	case SevWarning:
		r.warnings++
		bk.warnings++
	}
	msgStart := int32(start)
	if len(msg) > 0 {
		msgStart = int32(cap(data) - cap(msg))
	}
	ref := sevLine{t: t, sev: cl.Severity, sig: cl.Sig, inFault: inFault, msgStart: msgStart, msgEnd: msgStart + int32(len(msg)),
		rawStart: int32(start), rawEnd: int32(end)}
	if cl.Severity != SevNone {
		m0 := len(r.masked)
		r.masked, r.scratch = maskLineBuf(r.masked, r.scratch[:0], msg)
		r.fields = appendFields(r.fields[:0], r.masked[m0:], maxTokens)
		ref.tokStart = int32(len(r.tok))
		for _, f := range r.fields {
			off := int32(m0 + cap(r.masked[m0:]) - cap(f))
			r.tok = append(r.tok, off, off+int32(len(f)))
		}
		ref.tokEnd = int32(len(r.tok))
		r.sev = append(r.sev, ref)
		if cl.Sig >= 0 && inFault {
			r.sigCount[cl.Sig]++
			r.sigFirst[cl.Sig].add(ns)
			if ns > r.sigLast[cl.Sig] {
				r.sigLast[cl.Sig] = ns
			}
		}
	}
	if cl.Recovery && cl.Severity == SevNone && inFault && len(r.recovery) < maxRecoverySignals {
		r.recovery = append(r.recovery, ref)
	}
}

// chunkReader cuts a stream into chunks of whole lines. Lines longer than
// maxLineLen are dropped (and counted) wherever they fall.
type chunkReader struct {
	r        io.Reader
	size     int
	carry    []byte // start of a line continued by the next chunk
	skipping bool   // inside an over-long line: drop up to its newline
	err      error  // io.EOF or the read error that ended the stream
}

func newChunkBuf(size int) []byte { return make([]byte, 0, size+readBufSize) }

// next fills buf (from newChunkBuf) with the next chunk: whole lines (the last
// line of the stream may lack its newline), the over-long lines it dropped, and
// whether the stream has ended.
func (cr *chunkReader) next(base []byte) (data []byte, long int64, last bool) {
	for {
		buf := append(base[:0], cr.carry...)
		cr.carry = cr.carry[:0]
		target := min(cap(buf), len(buf)+cr.size)
		for len(buf) < target && cr.err == nil {
			n, err := cr.r.Read(buf[len(buf):target])
			buf = buf[:len(buf)+n]
			if err != nil {
				cr.err = err
			} else if n == 0 && len(buf) < target {
				// A reader making no progress: retry a few times like bufio does.
				for k := 0; k < 100 && n == 0 && err == nil; k++ {
					n, err = cr.r.Read(buf[len(buf):target])
				}
				buf = buf[:len(buf)+n]
				if err != nil {
					cr.err = err
				} else if n == 0 {
					cr.err = io.ErrNoProgress
				}
			}
		}
		if cr.skipping {
			nl := bytes.IndexByte(buf, '\n')
			if nl < 0 {
				if cr.err != nil {
					return nil, long, true
				}
				continue
			}
			cr.skipping = false
			buf = buf[nl+1:]
		}
		tail := buf
		if nl := bytes.LastIndexByte(buf, '\n'); nl >= 0 {
			data, tail = buf[:nl+1], buf[nl+1:]
		}
		if cr.err != nil {
			if len(tail) > maxLineLen {
				long++
			} else {
				data = buf
			}
			return data, long, true
		}
		if len(tail) > maxLineLen {
			long++
			cr.skipping = true
		} else {
			cr.carry = append(cr.carry, tail...)
		}
		if len(data) > 0 || long > 0 {
			return data, long, false
		}
	}
}

func (cr *chunkReader) readErr() error {
	if cr.err == nil || cr.err == io.EOF {
		return nil
	}
	return fmt.Errorf("read: %w", cr.err)
}

// scanJob is one chunk on its way through the pipeline.
type scanJob struct {
	seq  int
	buf  []byte
	data []byte
	long int64
	res  chunkResult
}

// scanner streams log files: chunks of lines are classified by up to workers
// goroutines and merged in file order. It reuses its buffers (a few MiB whatever
// the file size) and is not safe for concurrent use.
type scanner struct {
	cls       *classifier
	faultNs   int64
	closeNs   int64
	workers   int
	chunkSize int
	lw        []*lineWorker
	jobs      []*scanJob
}

func newScanner(cls *classifier, faultStart, closeAt time.Time) *scanner {
	return newScannerConfig(cls, faultStart, closeAt, min(runtime.GOMAXPROCS(0), maxScanWorkers), defaultChunkSize)
}

func newScannerConfig(cls *classifier, faultStart, closeAt time.Time, workers, chunkSize int) *scanner {
	sc := &scanner{cls: cls, faultNs: faultStart.UnixNano(), closeNs: closeAt.UnixNano(), workers: max(1, workers), chunkSize: max(1, chunkSize)}
	for i := 0; i < sc.workers; i++ {
		sc.lw = append(sc.lw, &lineWorker{cls: cls, faultNs: sc.faultNs, closeNs: sc.closeNs})
	}
	return sc
}

func (sc *scanner) job(i int) *scanJob {
	for len(sc.jobs) <= i {
		sc.jobs = append(sc.jobs, &scanJob{buf: newChunkBuf(sc.chunkSize)})
	}
	return sc.jobs[i]
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

func (sc *scanner) runJob(w *lineWorker, j *scanJob) {
	j.res.reset(len(sc.cls.sigs))
	w.ts.ok, w.fastOK = false, false
	j.res.long = j.long
	w.process(j.data, &j.res)
}

func (sc *scanner) scan(r io.Reader, acc *appAcc) error {
	cr := &chunkReader{r: r, size: sc.chunkSize}
	j := sc.job(0)
	var last bool
	j.data, j.long, last = cr.next(j.buf)
	if last || sc.workers == 1 {
		// One chunk (or one worker): no goroutines.
		for {
			sc.runJob(sc.lw[0], j)
			acc.merge(&j.res, j.data)
			if last {
				return cr.readErr()
			}
			j.data, j.long, last = cr.next(j.buf)
		}
	}
	nbuf := sc.workers + 2
	free := make(chan *scanJob, nbuf)
	for i := 1; i < nbuf; i++ {
		free <- sc.job(i)
	}
	jobs := make(chan *scanJob, nbuf)
	results := make(chan *scanJob, nbuf)
	go func() {
		defer close(jobs)
		j.seq = 0
		jobs <- j
		for seq := 1; ; seq++ {
			j := <-free
			var end bool
			j.seq = seq
			j.data, j.long, end = cr.next(j.buf)
			jobs <- j
			if end {
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for _, w := range sc.lw {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				sc.runJob(w, j)
				results <- j
			}
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	pending := make([]*scanJob, nbuf)
	next := 0
	for j := range results {
		pending[j.seq%nbuf] = j
		for {
			pj := pending[next%nbuf]
			if pj == nil || pj.seq != next {
				break
			}
			pending[next%nbuf] = nil
			acc.merge(&pj.res, pj.data)
			next++
			free <- pj
		}
	}
	return cr.readErr()
}
