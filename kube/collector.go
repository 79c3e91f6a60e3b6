package kube

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/audit"
)

// CollectorOptions configure a Collector. Zero values take the defaults.
type CollectorOptions struct {
	// Dir is the session's log directory; files go to {Dir}/{service}/{namespace}_{workload}.log.
	Dir string
	// MaxStreams bounds the (pod, container) streams followed at once (default
	// DefaultMaxStreams). Containers beyond it are not followed: they queue, first
	// come first served, for the slot of a followed pod that goes away, and Streams
	// reports them as StatusQueued.
	MaxStreams int
	Logger     zerolog.Logger
	// Clock tells the collection start time (default: the wall clock).
	Clock Clock
	// Since is how far back to read containers already running at Start (default 1m;
	// negative: their whole log). Pods that appear later are read from their start.
	Since time.Duration
	// FlushInterval bounds how long a line stays buffered (default 1s).
	FlushInterval time.Duration
	// Backoff is the first retry delay of a broken stream (default 500ms), doubling
	// up to MaxBackoff (default 30s).
	Backoff    time.Duration
	MaxBackoff time.Duration
	// ResumeScanBytes bounds how much of an existing file is read back on Start (default 16 MiB).
	ResumeScanBytes int64
}

// Collector follows the pods of apps into files, stern-like: a pod watch per app
// picks up new and restarted pods; one follower per (pod, regular container).
// Safe for concurrent use.
type Collector struct {
	opts    CollectorOptions
	seed    maphash.Seed
	limiter *streamLimiter
	written atomic.Int64

	mu      sync.Mutex
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	apps    map[string]*appFollower
	order   []string
	sinks   map[string]*sink
	failed  []session.LogStream
	stopped bool
}

// NewCollector returns a collector; nothing runs before Start.
func NewCollector(o CollectorOptions) *Collector {
	if o.MaxStreams <= 0 {
		o.MaxStreams = DefaultMaxStreams
	}
	if o.Clock == nil {
		o.Clock = realClock{}
	}
	if o.Since == 0 {
		o.Since = time.Minute
	}
	if o.FlushInterval <= 0 {
		o.FlushInterval = time.Second
	}
	if o.Backoff <= 0 {
		o.Backoff = 500 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 30 * time.Second
	}
	if o.MaxBackoff < o.Backoff {
		o.MaxBackoff = o.Backoff
	}
	if o.ResumeScanBytes <= 0 {
		o.ResumeScanBytes = 16 << 20
	}
	return &Collector{
		opts:    o,
		seed:    maphash.MakeSeed(),
		limiter: newStreamLimiter(o.MaxStreams),
		apps:    map[string]*appFollower{},
		sinks:   map[string]*sink{},
	}
}

// FilePath is where an app's lines are written.
func FilePath(dir string, app session.App) string {
	svc := app.Service
	if svc == "" {
		svc = "indirect"
	}
	return filepath.Join(dir, sanitize(svc), sanitize(app.Namespace)+"_"+sanitize(app.Workload)+".log")
}

func sanitize(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	out := strings.Trim(b.String(), ".")
	if out == "" {
		return "_"
	}
	return out
}

func appID(a session.App) string { return a.Key() + "#" + a.Service }

// Start begins following the apps' pods. The initial pod lists run with ctx (and
// are audited); the followers then run until Stop, independent of ctx's
// cancellation. Existing files are resumed without duplicating lines. Apps already
// followed are skipped, so Start can be called again with more apps. An app that
// cannot start is reported in Streams and in the returned error; the others run.
func (c *Collector) Start(ctx context.Context, clients map[string]Interface, apps []session.App) error {
	if c.opts.Dir == "" {
		return errors.New("log collector: no directory")
	}
	c.mu.Lock()
	if c.stopped {
		c.mu.Unlock()
		return errors.New("log collector: stopped")
	}
	if c.ctx == nil {
		// Followers outlive the tool call that starts them, and their calls are not
		// part of its audit trail.
		base := audit.With(context.WithoutCancel(ctx), nil)
		c.ctx, c.cancel = context.WithCancel(base)
		c.wg.Add(1)
		go c.flusher()
	}
	c.mu.Unlock()

	var errs []error
	for _, app := range apps {
		if err := c.startApp(ctx, clients, app); err != nil {
			errs = append(errs, err)
			c.mu.Lock()
			c.failed = append(c.failed, session.LogStream{App: app.Key(), File: FilePath(c.opts.Dir, app), Status: "error: " + err.Error(), Error: err.Error()})
			c.mu.Unlock()
		}
	}
	return errors.Join(errs...)
}

func (c *Collector) startApp(ctx context.Context, clients map[string]Interface, app session.App) error {
	id := appID(app)
	c.mu.Lock()
	_, exists := c.apps[id]
	c.mu.Unlock()
	if exists {
		return nil
	}
	cs := clients[app.Cluster]
	if cs == nil {
		return fmt.Errorf("follow %s: no client for cluster %s", app.Key(), app.Cluster)
	}
	lo, err := podListOptions(app)
	if err != nil {
		return err
	}
	pods, err := cs.CoreV1().Pods(app.Namespace).List(ctx, lo)
	if err != nil {
		return fmt.Errorf("follow %s: list pods (%s): %w", app.Key(), lo.LabelSelector+lo.FieldSelector, err)
	}
	path := FilePath(c.opts.Dir, app)
	want := map[string]bool{}
	for i := range pods.Items {
		for _, ct := range pods.Items[i].Spec.Containers {
			want[pods.Items[i].Name+"/"+ct.Name] = true
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return errors.New("log collector: stopped")
	}
	if _, exists := c.apps[id]; exists {
		return nil
	}
	s := c.sinks[path]
	var points map[string]*resumePoint
	if s == nil {
		// Only a file this collector has not written yet holds a previous run's lines.
		points, err = readResumePoints(path, want, c.seed, c.opts.ResumeScanBytes)
		if err != nil {
			return fmt.Errorf("follow %s: %w", app.Key(), err)
		}
		if s, err = openSink(path); err != nil {
			return fmt.Errorf("follow %s: %w", app.Key(), err)
		}
		c.sinks[path] = s
	}
	floor := time.Time{}
	if c.opts.Since > 0 {
		floor = c.opts.Clock.Now().Add(-c.opts.Since)
	}
	af := &appFollower{
		c: c, app: app, cs: cs, listOpts: lo, sink: s, file: path,
		resume: points, floor: floor, tails: map[string]*tail{},
		log: c.opts.Logger.With().Str("app", app.Key()).Str("service", app.Service).Logger(),
	}
	c.apps[id] = af
	c.order = append(c.order, id)
	af.reconcileList(pods.Items, true)
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		af.watchLoop(c.ctx, pods.ResourceVersion)
	}()
	return nil
}

// podListOptions selects an app's pods: its label selector, or its name for a bare pod.
func podListOptions(app session.App) (metav1.ListOptions, error) {
	if app.Kind == "Pod" && len(app.Selector) == 0 {
		return metav1.ListOptions{FieldSelector: fields.OneTermEqualSelector("metadata.name", app.Workload).String()}, nil
	}
	if len(app.Selector) == 0 {
		return metav1.ListOptions{}, fmt.Errorf("follow %s: no pod selector", app.Key())
	}
	sel, err := labels.ValidatedSelectorFromSet(app.Selector)
	if err != nil {
		return metav1.ListOptions{}, fmt.Errorf("follow %s: selector: %w", app.Key(), err)
	}
	return metav1.ListOptions{LabelSelector: sel.String()}, nil
}

func (c *Collector) flusher() {
	defer c.wg.Done()
	t := time.NewTicker(c.opts.FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-t.C:
			c.mu.Lock()
			sinks := make([]*sink, 0, len(c.sinks))
			for _, s := range c.sinks {
				sinks = append(sinks, s)
			}
			c.mu.Unlock()
			for _, s := range sinks {
				if err := s.flush(); err != nil {
					c.opts.Logger.Warn().Err(err).Msg("flush log file")
				}
			}
		}
	}
}

// Streams reports every followed (pod, container), and apps that could not start.
func (c *Collector) Streams() []session.LogStream {
	c.mu.Lock()
	afs := make([]*appFollower, 0, len(c.order))
	for _, id := range c.order {
		afs = append(afs, c.apps[id])
	}
	out := append([]session.LogStream(nil), c.failed...)
	c.mu.Unlock()
	for _, af := range afs {
		out = append(out, af.streams()...)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Pod != b.Pod {
			return a.Pod < b.Pod
		}
		return a.Container < b.Container
	})
	return out
}

// MaxStreams is the collector's stream limit.
func (c *Collector) MaxStreams() int { return c.opts.MaxStreams }

// LinesWritten is how many lines the collector has written so far.
func (c *Collector) LinesWritten() int64 { return c.written.Load() }

// Stop cancels every watch and follower, waits for them and flushes and closes the
// files. Safe to call more than once.
func (c *Collector) Stop() {
	c.mu.Lock()
	if c.stopped {
		c.mu.Unlock()
		return
	}
	c.stopped = true
	cancel := c.cancel
	c.mu.Unlock()
	c.limiter.stop()
	if cancel != nil {
		cancel()
	}
	c.wg.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.sinks {
		if err := s.close(); err != nil {
			c.opts.Logger.Warn().Err(err).Msg("close log file")
		}
	}
}

// appFollower watches one app's pods and runs a tail per container.
type appFollower struct {
	c        *Collector
	app      session.App
	cs       Interface
	listOpts metav1.ListOptions
	sink     *sink
	file     string
	resume   map[string]*resumePoint
	floor    time.Time
	log      zerolog.Logger

	mu     sync.Mutex
	tails  map[string]*tail
	order  []string
	filter targetFilter
}

// reconcileList applies a full pod list: new containers get tails, pods absent
// from the list are told to re-check (they end when their pod is gone).
func (af *appFollower) reconcileList(pods []corev1.Pod, initial bool) {
	present := map[string]bool{}
	for i := range pods {
		present[string(pods[i].UID)] = true
		af.reconcile(&pods[i], initial)
	}
	af.mu.Lock()
	defer af.mu.Unlock()
	for _, t := range af.tails {
		if !present[t.cfg.target.PodUID] {
			t.notify()
		}
	}
}

// reconcile starts tails for the pod's started containers and wakes existing ones.
func (af *appFollower) reconcile(pod *corev1.Pod, initial bool) {
	af.mu.Lock()
	defer af.mu.Unlock()
	var snap *corev1.Pod // read-only, shared by the pod's new tails
	af.filter.visit(pod, func(t target, in instance, isNew, restarted bool) {
		if tl := af.tails[t.ID()]; tl != nil {
			if restarted {
				af.log.Info().Str("pod", t.Pod).Str("container", t.Container).Int32("restarts", in.RestartCount).Msg("container restarted")
			}
			tl.observe(in)
			tl.notify()
			return
		}
		floor := time.Time{}
		if initial {
			floor = af.floor
		}
		if snap == nil {
			snap = pod.DeepCopy()
		}
		tl := newTail(tailConfig{
			core: af.cs.CoreV1(), target: t, sink: af.sink, seed: af.c.seed,
			floor: floor, resume: af.resume[t.resumeKey()], limiter: af.c.limiter, pod: snap,
			backoff: af.c.opts.Backoff, maxBackoff: af.c.opts.MaxBackoff, log: af.log,
			written: &af.c.written,
		})
		tl.observe(in)
		af.tails[t.ID()] = tl
		af.order = append(af.order, t.ID())
		// Slots go to containers in the order they are seen (apps in the order given,
		// pods in list order), not in the order their goroutines happen to run.
		if !af.c.limiter.admit(tl) {
			af.log.Warn().Str("pod", t.Pod).Str("container", t.Container).Int("max_streams", af.c.opts.MaxStreams).
				Msg("log stream limit reached: container queued, not followed")
		}
		af.c.wg.Add(1)
		go func() {
			defer af.c.wg.Done()
			tl.run(af.c.ctx)
		}()
	})
}

func (af *appFollower) gone(pod *corev1.Pod) {
	af.mu.Lock()
	defer af.mu.Unlock()
	names := make([]string, 0, len(pod.Spec.Containers))
	for _, ct := range pod.Spec.Containers {
		names = append(names, ct.Name)
		if tl := af.tails[string(pod.UID)+"/"+ct.Name]; tl != nil {
			tl.notify()
		}
	}
	af.filter.forget(string(pod.UID), names)
}

// watchLoop watches the app's pods from rv, re-watching when the watch closes and
// re-listing when the resource version expired.
func (af *appFollower) watchLoop(ctx context.Context, rv string) {
	backoff := af.c.opts.Backoff
	pods := af.cs.CoreV1().Pods(af.app.Namespace)
	for ctx.Err() == nil {
		if rv == "" {
			l, err := pods.List(ctx, af.listOpts)
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				af.log.Warn().Err(err).Msg("list pods")
				if !sleepCtx(ctx, backoff) {
					return
				}
				backoff = nextBackoff(backoff, af.c.opts.MaxBackoff)
				continue
			}
			af.reconcileList(l.Items, false)
			rv = l.ResourceVersion
		}
		o := af.listOpts
		o.ResourceVersion = rv
		o.AllowWatchBookmarks = true
		w, err := pods.Watch(ctx, o)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if apierrors.IsResourceExpired(err) || apierrors.IsGone(err) {
				rv = ""
				continue
			}
			af.log.Warn().Err(err).Msg("watch pods")
			if !sleepCtx(ctx, backoff) {
				return
			}
			backoff = nextBackoff(backoff, af.c.opts.MaxBackoff)
			continue
		}
		var progressed bool
		rv, progressed = af.consume(ctx, w, rv)
		w.Stop()
		if progressed {
			backoff = af.c.opts.Backoff
			continue
		}
		// A watch that ended without delivering anything: do not spin.
		if !sleepCtx(ctx, backoff) {
			return
		}
		backoff = nextBackoff(backoff, af.c.opts.MaxBackoff)
	}
}

// consume applies watch events until the watch closes; it returns the resource
// version to continue from ("" to re-list) and whether any event moved it on.
func (af *appFollower) consume(ctx context.Context, w watch.Interface, rv string) (string, bool) {
	progressed := false
	for {
		select {
		case <-ctx.Done():
			return rv, progressed
		case ev, ok := <-w.ResultChan():
			if !ok {
				return rv, progressed
			}
			if ev.Type != watch.Error {
				progressed = true
			}
			switch ev.Type {
			case watch.Added, watch.Modified:
				if pod, ok := ev.Object.(*corev1.Pod); ok {
					rv = pod.ResourceVersion
					af.reconcile(pod, false)
				}
			case watch.Deleted:
				if pod, ok := ev.Object.(*corev1.Pod); ok {
					rv = pod.ResourceVersion
					af.gone(pod)
				}
			case watch.Bookmark:
				if o, err := metaAccessor(ev.Object); err == nil {
					rv = o
				}
			case watch.Error:
				err := apierrors.FromObject(ev.Object)
				if apierrors.IsResourceExpired(err) || apierrors.IsGone(err) {
					return "", true
				}
				af.log.Warn().Err(err).Msg("pod watch error")
				return rv, progressed
			}
		}
	}
}

func metaAccessor(o interface{}) (string, error) {
	if m, ok := o.(metav1.Object); ok {
		return m.GetResourceVersion(), nil
	}
	return "", errors.New("no metadata")
}

func (af *appFollower) streams() []session.LogStream {
	af.mu.Lock()
	defer af.mu.Unlock()
	out := make([]session.LogStream, 0, len(af.order))
	for _, id := range af.order {
		t := af.tails[id]
		st, msg := t.state()
		if !t.granted() && !isErrorStatus(st) {
			// Whatever it saw of its pod, a tail without a slot follows nothing; one
			// that ended so (its pod went away, collection stopped) never did.
			if st == StatusEnded {
				st = StatusNotFollowed
			} else {
				st = StatusQueued
			}
			msg = ""
		}
		ls := session.LogStream{
			App: af.app.Key(), Pod: t.cfg.target.Pod, Container: t.cfg.target.Container,
			File: af.file, Status: st, Error: msg, PodUID: t.cfg.target.PodUID,
		}
		rec := t.record() // podrecord.go: what fault confirmation reads
		if ls.Restarts = rec.restarts; !rec.startedAt.IsZero() {
			started := rec.startedAt
			ls.StartedAt = &started
		}
		out = append(out, ls)
	}
	return out
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}
