package kubetest

import (
	"bufio"
	"fmt"
	"net/http"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Generator produces a container's log as a pure function of time, so any range
// can be served again (resume, previous, sinceTime): Lines calls yield in time
// order for every line with from <= time < to, and stops when yield returns false.
// msg is only valid during the call. A line is served once the clock has passed
// its time; an instance serves the lines of [its start, its end).
type Generator interface {
	Lines(from, to time.Time, yield func(t time.Time, msg []byte) bool)
}

// GeneratorFunc adapts a function to Generator.
type GeneratorFunc func(from, to time.Time, yield func(t time.Time, msg []byte) bool)

// Lines calls f.
func (f GeneratorFunc) Lines(from, to time.Time, yield func(t time.Time, msg []byte) bool) {
	f(from, to, yield)
}

// Periodic emits line i at start + i*every; msg appends line i's text to buf.
func Periodic(start time.Time, every time.Duration, msg func(buf []byte, i int64, t time.Time) []byte) Generator {
	return GeneratorFunc(func(from, to time.Time, yield func(time.Time, []byte) bool) {
		if every <= 0 || !to.After(start) {
			return
		}
		i := int64(0)
		if from.After(start) {
			d := from.Sub(start)
			i = int64(d / every)
			if time.Duration(i)*every < d {
				i++
			}
		}
		var buf []byte
		for {
			t := start.Add(time.Duration(i) * every)
			if !t.Before(to) {
				return
			}
			buf = msg(buf[:0], i, t)
			if !yield(t, buf) {
				return
			}
			i++
		}
	})
}

// Counter emits "{prefix} {i}" every interval from start: easy to count.
func Counter(start time.Time, every time.Duration, prefix string) Generator {
	return Periodic(start, every, func(buf []byte, i int64, _ time.Time) []byte {
		buf = append(buf, prefix...)
		buf = append(buf, ' ')
		return strconv.AppendInt(buf, i, 10)
	})
}

// Line is one scripted log line.
type Line struct {
	Time time.Time
	Text string
}

// Static emits fixed lines (sorted by time by the caller; equal times allowed).
func Static(lines ...Line) Generator {
	return GeneratorFunc(func(from, to time.Time, yield func(time.Time, []byte) bool) {
		for _, l := range lines {
			if l.Time.Before(from) || !l.Time.Before(to) {
				continue
			}
			if !yield(l.Time, []byte(l.Text)) {
				return
			}
		}
	})
}

type logInstance struct {
	id         string
	start, end time.Time // end is zero while running
}

// containerLogs is the log of one container across its instances.
type containerLogs struct {
	ns, pod, container string
	gen                Generator
	instances          []*logInstance
	breaks             int
	breakCount         int
}

func (c *containerLogs) current() *logInstance { return c.instances[len(c.instances)-1] }

func logKey(ns, pod, container string) string { return ns + "/" + pod + "/" + container }

// SetLogs sets the generator of a container's log (every instance, past and future).
func (s *Server) SetLogs(ns, pod, container string, g Generator) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cl := s.logs[logKey(ns, pod, container)]
	if cl == nil {
		return fmt.Errorf("container %s/%s/%s not found", ns, pod, container)
	}
	cl.gen = g
	s.broadcastLocked()
	return nil
}

// BreakStreams cuts the next n log streams of the container mid-line, after at
// least one complete line: alternately a clean end of the response and an aborted
// connection.
func (s *Server) BreakStreams(ns, pod, container string, n int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cl := s.logs[logKey(ns, pod, container)]
	if cl == nil {
		return fmt.Errorf("container %s/%s/%s not found", ns, pod, container)
	}
	cl.breaks += n
	return nil
}

// BrokenStreams is how many streams of the container were cut so far.
func (s *Server) BrokenStreams(ns, pod, container string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cl := s.logs[logKey(ns, pod, container)]; cl != nil {
		return cl.breakCount
	}
	return 0
}

func parseBool(v string) bool { b, _ := strconv.ParseBool(v); return b }

func (s *Server) serveLogs(w http.ResponseWriter, r *http.Request, ns, name string) {
	q := r.URL.Query()
	s.mu.Lock()
	p, ok := s.objects["pods"][key(ns, name)].(*corev1.Pod)
	if !ok {
		s.mu.Unlock()
		writeStatus(w, http.StatusNotFound, metav1.StatusReasonNotFound, fmt.Sprintf("pods %q not found", name))
		return
	}
	container := q.Get("container")
	if container == "" {
		if len(p.Spec.Containers) != 1 {
			s.mu.Unlock()
			writeStatus(w, http.StatusBadRequest, metav1.StatusReasonBadRequest, fmt.Sprintf("a container name must be specified for pod %s", name))
			return
		}
		container = p.Spec.Containers[0].Name
	}
	cl := s.logs[logKey(ns, name, container)]
	if cl == nil {
		s.mu.Unlock()
		writeStatus(w, http.StatusBadRequest, metav1.StatusReasonBadRequest, fmt.Sprintf("container %s is not valid for pod %s", container, name))
		return
	}
	previous := parseBool(q.Get("previous"))
	var inst *logInstance
	if previous {
		if len(cl.instances) < 2 {
			s.mu.Unlock()
			writeStatus(w, http.StatusBadRequest, metav1.StatusReasonBadRequest, fmt.Sprintf("previous terminated container %q in pod %q not found", container, name))
			return
		}
		inst = cl.instances[len(cl.instances)-2]
	} else {
		inst = cl.current()
	}
	from := inst.start
	if v := q.Get("sinceTime"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			s.mu.Unlock()
			writeStatus(w, http.StatusBadRequest, metav1.StatusReasonBadRequest, "invalid sinceTime: "+err.Error())
			return
		}
		if t.After(from) {
			from = t
		}
	} else if v := q.Get("sinceSeconds"); v != "" {
		n, _ := strconv.Atoi(v)
		if t := s.clock.Now().Add(-time.Duration(n) * time.Second); t.After(from) {
			from = t
		}
	}
	cut := cl.breaks > 0
	mode := cl.breakCount % 2
	if cut {
		cl.breaks--
		cl.breakCount++
	}
	s.mu.Unlock()

	follow := parseBool(q.Get("follow")) && !previous
	timestamps := parseBool(q.Get("timestamps"))
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusOK)
	w.(http.Flusher).Flush()
	bw := bufio.NewWriterSize(w, 32<<10)
	var line []byte
	written := 0
	cursor := from
	for {
		wait := s.waitChange()
		// Read the clock with the instance under the lock: a restart ends the
		// instance at its own clock reading, so no line is served by both.
		s.mu.Lock()
		gen, end := cl.gen, inst.end
		upto := s.clock.Now()
		s.mu.Unlock()
		if !end.IsZero() && end.Before(upto) {
			upto = end
		}
		aborted := false
		if gen != nil && upto.After(cursor) {
			gen.Lines(cursor, upto, func(t time.Time, msg []byte) bool {
				line = line[:0]
				if timestamps {
					line = t.UTC().AppendFormat(line, time.RFC3339Nano)
					line = append(line, ' ')
				}
				line = append(line, msg...)
				line = append(line, '\n')
				if cut && written >= 1 {
					_, _ = bw.Write(line[:len(line)/2])
					aborted = true
					return false
				}
				if _, err := bw.Write(line); err != nil {
					aborted = true
					return false
				}
				written++
				return true
			})
		}
		cursor = upto
		_ = bw.Flush()
		w.(http.Flusher).Flush()
		if aborted {
			if mode == 1 {
				panic(http.ErrAbortHandler)
			}
			return
		}
		if !follow || !end.IsZero() {
			return
		}
		select {
		case <-wait:
		case <-r.Context().Done():
			return
		case <-s.closed:
			return
		}
	}
}
