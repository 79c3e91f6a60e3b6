// Package events reads AWS's own records of what happened to each affected resource
// in a time window (RDS/ElastiCache/MemoryDB events, Auto Scaling activities, EC2
// state transitions, EKS nodegroup health, MSK operations), as timeline events.
//
// Event histories are read as streams: one query per service and source type (no
// source identifier, paged), filtered locally to the session's resources and their
// members, so the number of calls does not grow with the number of nodes. A stream
// can be read incrementally from a watermark (the newest event time an earlier read
// saw), so repeated reads during a run do not re-read the run from its start.
package events

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/untrusted"
)

// Overlap is how far before a stream's watermark the next read starts: AWS may list an
// event a little after its timestamp. Events read twice are the same events (same time,
// source, subject and message) and are de-duplicated exactly.
const Overlap = 2 * time.Minute

// Window is what to read: events in [Start, End], each stream from its watermark (less
// Overlap) when an earlier read left one.
type Window struct {
	Start, End time.Time
	// Watermarks maps a stream (see Streams) to the newest AWS event time an earlier read
	// saw; nil reads every stream from Start.
	Watermarks map[string]time.Time
}

// Result is what a read found.
type Result struct {
	// Events are the events in the window, oldest first, without exact duplicates.
	Events []session.Event
	// Watermarks are the window's watermarks, advanced for every stream read without error.
	Watermarks map[string]time.Time
	// Errors are the reads that failed, each naming the API call and the permission.
	Errors []error
}

// ReadFunc returns the events of the resources (all of one FIS type) in [start, end].
// Event.Source names the API (e.g. "rds:DescribeEvents"), Event.Subject the resource ID,
// Event.Time AWS's own timestamp.
type ReadFunc func(ctx context.Context, c *awsapi.Clients, rs []health.Resource, start, end time.Time) ([]session.Event, error)

// planner adds what the resources (all of one FIS type) need to a read plan: the
// subjects of the streams that hold their events (looking members up where needed), or
// direct reads of their state. It returns the lookups that failed.
type planner func(ctx context.Context, c *awsapi.Clients, rs []health.Resource, p *plan) []error

// streamFunc reads one stream in [start, end] and keeps the events of subjects. mark is
// the watermark the next read may start from (zero: do not advance).
type streamFunc func(ctx context.Context, c *awsapi.Clients, subjects map[string]bool, start, end time.Time) (evs []session.Event, mark time.Time, err error)

// directFunc reads state that has no history to page (EC2 transitions, EKS, MSK).
type directFunc func(ctx context.Context, c *awsapi.Clients, start, end time.Time) ([]session.Event, error)

type streamPlan struct {
	read     streamFunc
	subjects map[string]bool
}

// plan is what one read does: each stream once, for every subject any resource needs.
type plan struct {
	streams map[string]*streamPlan
	order   []string // stream keys in the order first wanted (the order of equal-time events)
	direct  []directFunc
}

// want adds subjects to the stream key read by read (a stream no subject needs is not read).
func (p *plan) want(key string, read streamFunc, subjects ...string) {
	if !slices.ContainsFunc(subjects, func(s string) bool { return s != "" }) {
		return
	}
	if p.streams == nil {
		p.streams = map[string]*streamPlan{}
	}
	sp := p.streams[key]
	if sp == nil {
		sp = &streamPlan{read: read, subjects: map[string]bool{}}
		p.streams[key] = sp
		p.order = append(p.order, key)
	}
	for _, s := range subjects {
		if s != "" {
			sp.subjects[s] = true
		}
	}
}

func (p *plan) addDirect(f directFunc) { p.direct = append(p.direct, f) }

func planners() map[string]planner {
	m := map[string]planner{}
	addRDSPlanners(m)
	addCachePlanners(m)
	addEC2Planners(m)
	addEKSPlanners(m)
	addMSKPlanners(m)
	return m
}

// Supported reports whether resources of FIS type typ have an event reader.
func Supported(typ string) bool { return planners()[typ] != nil }

// DefaultReaders maps FIS resource types to their event readers (each reads its
// resources' streams over the whole window).
func DefaultReaders() map[string]ReadFunc {
	m := map[string]ReadFunc{}
	for typ, pl := range planners() {
		m[typ] = func(ctx context.Context, c *awsapi.Clients, rs []health.Resource, start, end time.Time) ([]session.Event, error) {
			var p plan
			errs := pl(ctx, c, rs, &p)
			res := p.run(ctx, c, Window{Start: start, End: end})
			return res.Events, errors.Join(append(errs, res.Errors...)...)
		}
	}
	return m
}

// Read returns the events of every resource whose type has a reader, in the window: one
// query per stream, from its watermark, plus the member lookups and direct reads the
// resources need. It never fails as a whole: failures are in Result.Errors.
func Read(ctx context.Context, c *awsapi.Clients, resources []session.ResourceHealth, w Window) Result {
	pls := planners()
	byType := map[string][]health.Resource{}
	var types []string
	for _, r := range resources {
		if pls[r.Type] == nil {
			continue
		}
		if _, ok := byType[r.Type]; !ok {
			types = append(types, r.Type)
		}
		byType[r.Type] = append(byType[r.Type], health.Resource{ID: r.ID, ARN: r.ARN, Type: r.Type, Target: r.Target})
	}
	sort.Strings(types)
	var p plan
	var errs []error
	for _, t := range types {
		for _, err := range pls[t](ctx, c, byType[t], &p) {
			errs = append(errs, fmt.Errorf("%s events: %w", t, err))
		}
	}
	res := p.run(ctx, c, w)
	res.Errors = append(errs, res.Errors...)
	return res
}

// ReadAll returns the events of every resource whose type has a reader, in [start, end],
// ordered by time, and the failures of those that could not be read.
func ReadAll(ctx context.Context, c *awsapi.Clients, resources []session.ResourceHealth, start, end time.Time) ([]session.Event, []error) {
	res := Read(ctx, c, resources, Window{Start: start, End: end})
	return res.Events, res.Errors
}

// run reads each stream once, in the order first wanted, and the direct reads.
func (p *plan) run(ctx context.Context, c *awsapi.Clients, w Window) Result {
	res := Result{Watermarks: map[string]time.Time{}}
	for k, v := range w.Watermarks {
		res.Watermarks[k] = v
	}
	var all []session.Event
	for _, k := range p.order {
		sp := p.streams[k]
		start := streamStart(w, k)
		evs, mark, err := sp.read(ctx, c, sp.subjects, start, w.End)
		all = append(all, evs...)
		if err != nil {
			res.Errors = append(res.Errors, fmt.Errorf("%s events: %w", k, err))
			continue
		}
		if mark.After(res.Watermarks[k]) {
			res.Watermarks[k] = mark.UTC()
		}
	}
	for _, d := range p.direct {
		evs, err := d(ctx, c, w.Start, w.End)
		all = append(all, evs...)
		if err != nil {
			res.Errors = append(res.Errors, err)
		}
	}
	res.Events = dedupe(inWindowSorted(cleanEvents(all), w.Start, w.End))
	return res
}

// MaxMessage caps an event message, in runes (see untrusted.Clean).
const MaxMessage = untrusted.MaxLine

// cleanEvents makes AWS's texts data: event messages and subjects come from the
// systems under test (an RDS event message, an instance's state reason, an Auto
// Scaling cause), so escapes and control characters are removed and long texts cut.
func cleanEvents(evs []session.Event) []session.Event {
	for i := range evs {
		evs[i].Message = untrusted.Clean(evs[i].Message, MaxMessage)
		evs[i].Subject = untrusted.Clean(evs[i].Subject, MaxMessage)
	}
	return evs
}

// streamStart is where stream k's read starts: the window's start, or its watermark less
// Overlap when that is later (never after the window's end).
func streamStart(w Window, k string) time.Time {
	start := w.Start
	if wm, ok := w.Watermarks[k]; ok {
		if s := wm.Add(-Overlap); s.After(start) {
			start = s
		}
	}
	if start.After(w.End) {
		start = w.End
	}
	return start
}

// dedupe drops exact repeats (same time, source, subject and message) of sorted events.
func dedupe(evs []session.Event) []session.Event {
	type key struct {
		t                        int64
		source, subject, message string
	}
	seen := map[key]bool{}
	out := evs[:0]
	for _, e := range evs {
		k := key{e.Time.UnixNano(), e.Source, e.Subject, e.Message}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, e)
	}
	return out
}

// inWindowSorted keeps the events in [start, end], oldest first (stable for equal times).
func inWindowSorted(evs []session.Event, start, end time.Time) []session.Event {
	var out []session.Event
	for _, e := range evs {
		if !e.Time.Before(start) && !e.Time.After(end) {
			out = append(out, e)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out
}

func eventResourceID(r health.Resource) string {
	if r.ID != "" {
		return r.ID
	}
	id, _ := health.IDFromARN(r.Type, r.ARN)
	return id
}

// latest returns the later of a and b.
// streamRead accumulates one read of an event stream: the watermark moves over every
// event AWS returned, and only the events of the session's subjects (lower-cased
// identifiers) are kept.
type streamRead struct {
	source   string
	subjects map[string]bool
	out      []session.Event
	mark     time.Time
}

// add takes one event (date nil: AWS gave no time, the event is passed over).
func (r *streamRead) add(date *time.Time, subject, kind, msg string) {
	if date == nil {
		return
	}
	r.mark = latest(r.mark, *date)
	if !r.subjects[strings.ToLower(subject)] {
		return
	}
	r.out = append(r.out, session.Event{Time: date.UTC(), Source: r.source, Kind: kind, Subject: subject, Message: msg})
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
