package kube

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"

	"github.com/fis-mcp/fis-mcp/session/logline"
	"github.com/fis-mcp/fis-mcp/session/untrusted"
)

// Stream statuses, as LogStream.Status reports them.
const (
	// StatusQueued: not followed; waiting for one of the collector's stream slots.
	StatusQueued = "queued"
	// StatusStarting: holds a slot, its first log request is on its way.
	StatusStarting  = "starting"
	StatusFollowing = "following"
	// StatusNotFollowed: ended (pod gone, collection stopped) while queued: none
	// of its lines were collected.
	StatusNotFollowed = "not followed"
	StatusResuming    = "resuming"
	StatusWaiting     = "waiting"
	StatusEnded       = "ended"
)

const (
	// MaxLineBytes bounds one collected message; longer lines are cut with a marker.
	// A cut line, with its timestamp, pod/container prefix and marker, stays within
	// the 64 KiB the report and the insights read a line with (longer lines are
	// skipped there), so a huge line is analysed and quoted, truncated.
	MaxLineBytes = 64<<10 - 1024
	// maxSeen bounds the duplicate-detection set of one stream's last second.
	maxSeen = 1 << 16
)

// tailConfig is what a tail needs; everything is injected.
type tailConfig struct {
	core   corev1client.CoreV1Interface
	target target
	sink   *sink
	seed   maphash.Seed
	// floor: read no line older than this (zero: from the container's start).
	floor   time.Time
	resume  *resumePoint
	limiter *streamLimiter
	// pod is the pod as the list or watch that found the container showed it: the
	// first round uses it instead of a GET, so 500 new streams cost 500 requests
	// through client-go's rate limiter, not 1,000.
	pod        *corev1.Pod
	backoff    time.Duration
	maxBackoff time.Duration
	log        zerolog.Logger
	// written counts the lines written by every tail of the collector.
	written *atomic.Int64
}

// tail follows one container into its app's file, stern-style: one log request
// with follow and timestamps; on a broken stream it resumes with sinceTime at the
// last second seen and skips the lines already written in that second; a restarted
// container gets the crashed instance's remaining output (previous=true) once,
// then the new instance is followed.
type tail struct {
	cfg  tailConfig
	wake chan struct{}
	// admitted is closed when the limiter grants the tail its stream slot, which it
	// keeps until run returns.
	admitted chan struct{}
	lease    atomic.Bool

	mu     sync.Mutex
	status string
	errMsg string
	rec    podRecord // the container's start and restart count (podrecord.go)

	// Owned by the run goroutine.
	holding  bool
	last     time.Time
	lastSec  time.Time
	seen     map[uint64]uint32
	skip     map[uint64]uint32
	skipTo   time.Time
	skipping bool
	line     []byte
	dropped  int
	clean    []byte // the cleaned message, when the raw one held escapes or controls
	out      []byte
	reader   *bufio.Reader
	pending  []byte // partial last line of the latest stream
}

func newTail(cfg tailConfig) *tail {
	t := &tail{cfg: cfg, wake: make(chan struct{}, 1), admitted: make(chan struct{}), status: StatusQueued, seen: map[uint64]uint32{}}
	if r := cfg.resume; r != nil {
		t.last = r.last
		t.lastSec = r.last.Truncate(time.Second)
		for h, n := range r.seen {
			t.seen[h] = n
		}
	}
	return t
}

// notify wakes the tail to re-read its pod (a watch event arrived).
func (t *tail) notify() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

func (t *tail) setStatus(s, errMsg string) {
	t.mu.Lock()
	t.status, t.errMsg = s, errMsg
	t.mu.Unlock()
}

func (t *tail) state() (string, string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.status, t.errMsg
}

// grant gives the tail its stream slot; called by the limiter, under its lock.
func (t *tail) grant() {
	t.lease.Store(true)
	close(t.admitted)
	t.mu.Lock()
	if t.status == StatusQueued {
		t.status = StatusStarting
	}
	t.mu.Unlock()
}

func (t *tail) granted() bool { return t.lease.Load() }

// acquire waits for the tail's stream slot. It returns false when the pod
// changed meanwhile (the caller re-reads it) or ctx ended.
func (t *tail) acquire(ctx context.Context) bool {
	if t.holding {
		return true
	}
	select {
	case <-t.admitted:
		t.holding = true
		return true
	default:
	}
	t.setStatus(StatusQueued, "")
	select {
	case <-t.admitted:
		t.holding = true
		return true
	case <-t.wake:
		// The pod changed while queued (deleted, restarted): the caller re-reads it.
		return false
	case <-ctx.Done():
		return false
	}
}

// release gives the slot back (or leaves the queue); the tail ends.
func (t *tail) release() {
	if t.cfg.limiter != nil {
		t.cfg.limiter.leave(t)
	}
	t.holding = false
}

func (t *tail) waitWake(ctx context.Context) bool {
	select {
	case <-t.wake:
		return true
	case <-ctx.Done():
		return false
	}
}

func (t *tail) sleep(ctx context.Context, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// fetchResult says how one log request ended.
type fetchResult struct {
	lines int
	clean bool // the server closed the stream (EOF)
	err   error
}

// run follows the container until its pod is gone, a permanent error, or ctx ends.
func (t *tail) run(ctx context.Context) {
	tg := t.cfg.target
	log := t.cfg.log.With().Str("pod", tg.Namespace+"/"+tg.Pod).Str("container", tg.Container).Logger()
	defer func() {
		t.release()
		if st, _ := t.state(); st != StatusEnded && !isErrorStatus(st) {
			t.setStatus(StatusEnded, "")
		}
	}()
	var (
		followed string // container ID of the instance followed last
		finished string // container ID read to its end
		prevDone string // previous instance already fetched
		lastRes  *fetchResult
		backoff  = t.cfg.backoff
	)
	for ctx.Err() == nil {
		pod, err := t.cfg.pod, error(nil)
		if pod != nil {
			t.cfg.pod = nil
		} else {
			pod, err = t.cfg.core.Pods(tg.Namespace).Get(ctx, tg.Pod, metav1.GetOptions{})
		}
		if apierrors.IsNotFound(err) || err == nil && string(pod.UID) != tg.PodUID {
			log.Debug().Msg("pod gone; follower ends")
			return
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			t.setStatus(StatusResuming, err.Error())
			if !t.sleep(ctx, backoff) {
				return
			}
			backoff = nextBackoff(backoff, t.cfg.maxBackoff)
			continue
		}
		in, ok := containerInstance(pod, tg.Container)
		if !ok {
			return
		}
		if lastRes != nil && followed == in.ID {
			res := *lastRes
			lastRes = nil
			switch {
			case in.Terminated && res.clean:
				// Read to the end: a final line without newline is a real line.
				t.flushPending()
				finished = in.ID
			case res.err != nil && isPermanent(res.err):
				t.setStatus("error: "+res.err.Error(), res.err.Error())
				log.Warn().Err(res.err).Msg("log stream refused")
				return
			default:
				// Broken stream while the instance lives (or before it was read to its end).
				if res.lines > 0 {
					backoff = t.cfg.backoff
				}
				msg := "stream ended"
				if res.err != nil {
					msg = res.err.Error()
				}
				log.Debug().Str("reason", msg).Msg("log stream broken; resuming")
				t.setStatus(StatusResuming, msg)
				if !t.sleep(ctx, backoff) {
					return
				}
				backoff = nextBackoff(backoff, t.cfg.maxBackoff)
				continue
			}
		}
		lastRes = nil
		t.pending = t.pending[:0]
		if in.ID == "" {
			// A container not started yet keeps its slot (or its place in the queue).
			if t.granted() {
				t.setStatus(StatusWaiting, "")
			} else {
				t.setStatus(StatusQueued, "")
			}
			if !t.waitWake(ctx) {
				return
			}
			continue
		}
		// The previous instance: the one we followed crashed, or the container had
		// restarted before we saw it. Fetched once, from where we stand.
		if in.LastID != "" && in.LastID != prevDone && in.LastID != finished {
			if followed == in.LastID || followed == "" && !in.LastFinished.Add(time.Second).Before(t.lowerBound()) {
				if !t.acquire(ctx) {
					continue
				}
				prevDone = in.LastID
				t.setStatus(StatusFollowing, "")
				res := t.fetch(ctx, true, false)
				if res.err != nil && !isPrevMissing(res.err) && ctx.Err() == nil {
					log.Warn().Err(res.err).Msg("previous instance logs")
				}
				if res.clean {
					t.flushPending()
				}
				t.pending = t.pending[:0]
			}
			prevDone = in.LastID
		}
		if in.ID == finished {
			// Read to its end: the slot is kept for a restart while the pod lives.
			t.setStatus(StatusEnded, "")
			if !t.waitWake(ctx) {
				return
			}
			continue
		}
		if !t.acquire(ctx) {
			continue
		}
		followed = in.ID
		t.setStatus(StatusFollowing, "")
		res := t.fetch(ctx, false, true)
		if ctx.Err() != nil {
			return
		}
		lastRes = &res
	}
}

// lowerBound is the oldest time still of interest.
func (t *tail) lowerBound() time.Time {
	if !t.last.IsZero() {
		return t.last.Truncate(time.Second)
	}
	return t.cfg.floor
}

// fetch makes one log request and writes its complete lines.
func (t *tail) fetch(ctx context.Context, previous, follow bool) fetchResult {
	tg := t.cfg.target
	opts := &corev1.PodLogOptions{Container: tg.Container, Follow: follow, Timestamps: true, Previous: previous}
	if since := t.lowerBound(); !since.IsZero() {
		mt := metav1.NewTime(since.Truncate(time.Second))
		opts.SinceTime = &mt
	}
	// Lines already written in the last second come again: skip them once.
	t.skipping = !t.last.IsZero()
	if t.skipping {
		if t.skip == nil {
			t.skip = make(map[uint64]uint32, len(t.seen))
		}
		clear(t.skip)
		for h, n := range t.seen {
			t.skip[h] = n
		}
		t.skipTo = t.last
	}
	rc, err := t.cfg.core.Pods(tg.Namespace).GetLogs(tg.Pod, opts).Stream(ctx)
	if err != nil {
		return fetchResult{err: err}
	}
	defer rc.Close()
	if t.reader == nil {
		t.reader = bufio.NewReaderSize(rc, 32<<10)
	} else {
		t.reader.Reset(rc)
	}
	res := fetchResult{}
	t.line = t.line[:0]
	t.dropped = 0
	for {
		chunk, err := t.reader.ReadSlice('\n')
		t.appendChunk(chunk)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == nil {
			if werr := t.emit(t.line); werr != nil {
				res.err = werr
				break
			}
			res.lines++
			t.line = t.line[:0]
			t.dropped = 0
			continue
		}
		// The stream ended; what is left is a partial line.
		t.pending = append(t.pending[:0], t.line...)
		t.line = t.line[:0]
		if errors.Is(err, io.EOF) {
			res.clean = true
		} else {
			res.err = err
		}
		break
	}
	t.reader.Reset(nil)
	return res
}

func (t *tail) appendChunk(chunk []byte) {
	room := MaxLineBytes + 64 - len(t.line)
	if room <= 0 {
		t.dropped += len(chunk)
		return
	}
	if len(chunk) > room {
		t.dropped += len(chunk) - room
		chunk = chunk[:room]
	}
	t.line = append(t.line, chunk...)
}

// flushPending writes the partial last line of a stream that really ended.
func (t *tail) flushPending() {
	if len(t.pending) > 0 {
		_ = t.emit(t.pending)
		t.pending = t.pending[:0]
	}
}

var truncMarker = []byte(" [fis-mcp: line truncated, ")

// emit writes one raw kubelet line ("<RFC3339Nano> <message>"), unless it is a
// duplicate of a line already written.
func (t *tail) emit(raw []byte) error {
	raw = bytes.TrimRight(raw, "\r\n")
	var ts time.Time
	var msg []byte
	if sp := bytes.IndexByte(raw, ' '); sp > 0 {
		if parsed, err := logline.ParseTime(raw[:sp]); err == nil {
			ts, msg = parsed, raw[sp+1:]
		}
	} else if parsed, err := logline.ParseTime(raw); err == nil {
		ts = parsed
	}
	if ts.IsZero() {
		// No timestamp (should not happen with timestamps=true): keep the line, at the last time seen.
		ts, msg = t.last, raw
	}
	dropped := t.dropped
	if len(msg) > MaxLineBytes {
		dropped += len(msg) - MaxLineBytes
		msg = msg[:MaxLineBytes]
	}
	msg = bytes.TrimRight(msg, "\r\n")
	// Log text is data: no ANSI escapes or control characters reach the file (and
	// from it the insights, the report and the model).
	if !untrusted.IsClean(msg) {
		t.clean = untrusted.AppendClean(t.clean[:0], msg)
		msg = t.clean
	}
	if dropped > 0 {
		msg = append(msg[:len(msg):len(msg)], truncMarker...)
		msg = strconv.AppendInt(msg, int64(dropped), 10)
		msg = append(msg, " bytes dropped]"...)
	}
	h := lineHash(t.cfg.seed, ts, msg)
	if t.skipping {
		switch {
		case ts.After(t.skipTo):
			t.skipping = false
		case ts.Before(t.skipTo.Truncate(time.Second)):
			return nil // older than what sinceTime asked for: already handled
		default:
			if n := t.skip[h]; n > 0 {
				t.skip[h] = n - 1
				return nil
			}
		}
	}
	t.out = logline.Append(t.out[:0], ts, t.cfg.target.Pod, t.cfg.target.Container, msg)
	if err := t.cfg.sink.write(t.out); err != nil {
		return err
	}
	if t.cfg.written != nil {
		t.cfg.written.Add(1)
	}
	if sec := ts.Truncate(time.Second); sec.After(t.lastSec) {
		clear(t.seen)
		t.lastSec = sec
	}
	if !ts.Before(t.lastSec) && len(t.seen) < maxSeen {
		t.seen[h]++
	}
	if ts.After(t.last) {
		t.last = ts
	}
	return nil
}

func nextBackoff(d, max time.Duration) time.Duration {
	d *= 2
	if d > max {
		return max
	}
	return d
}

// isPermanent: errors a retry will not fix.
func isPermanent(err error) bool {
	return apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err)
}

// isPrevMissing: the kubelet has no previous instance (it was garbage collected).
func isPrevMissing(err error) bool {
	return apierrors.IsBadRequest(err) || apierrors.IsNotFound(err)
}

func isErrorStatus(s string) bool { return len(s) >= 6 && s[:6] == "error:" }

// String names the tail in logs.
func (t *tail) String() string {
	tg := t.cfg.target
	return fmt.Sprintf("%s/%s/%s", tg.Namespace, tg.Pod, tg.Container)
}
