package report

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/fis-mcp/fis-mcp/session"
)

// AppInsight is the live view of one app's logs since the last poll.
type AppInsight struct {
	App       string    `json:"app"`
	Cluster   string    `json:"cluster"`
	Namespace string    `json:"namespace"`
	Workload  string    `json:"workload"`
	Service   string    `json:"service"`
	Since     time.Time `json:"since"`
	Until     time.Time `json:"until"`
	Lines     int       `json:"lines"`
	Errors    int       `json:"errors"`
	Warnings  int       `json:"warnings"`
	// ErrorsPer10s is the current error rate: errors per 10 s over the last 30 s (or since Since if shorter).
	ErrorsPer10s float64 `json:"errors_per_10s"`
	// LastErrors are the last 5 error lines, secrets redacted.
	LastErrors      []string       `json:"last_errors"`
	RecoverySignals []string       `json:"recovery_signals"`
	Categories      map[string]int `json:"categories,omitempty"`
	Files           []FileOffset   `json:"files"`
	Notes           []string       `json:"notes,omitempty"`
}

// FileOffset says which part of a log file was read: [Offset, End).
type FileOffset struct {
	Path   string `json:"path"`
	Offset int64  `json:"offset"`
	End    int64  `json:"end"`
}

const (
	tailChunk = 64 << 10
	// tailSlack tolerates lines of several streams interleaving slightly out of order.
	tailSlack       = 5 * time.Second
	insightLastN    = 5
	insightRecoverN = 5
	rateWindow      = 30 * time.Second
)

// Insights summarises, per followed app, the log lines with since <= time <= now:
// errors and warnings, the last 5 error lines, recovery signals and the current error
// rate. Each file is read from the end backwards only as far as needed, so repeated
// polls of a growing file stay cheap. A partial last line (being written) is left for
// the next poll.
func Insights(s *session.Session, since time.Time, now time.Time) []AppInsight {
	if s == nil || s.Logs == nil {
		return nil
	}
	cls := newClassifier(signatures)
	rd := bufio.NewReaderSize(nil, readBufSize)
	var out []AppInsight
	for _, app := range sessionApps(s) {
		in := AppInsight{App: app.Key(), Cluster: app.Cluster, Namespace: app.Namespace, Workload: app.Workload, Service: app.Service,
			Since: since.UTC(), Until: now.UTC(), LastErrors: []string{}, RecoverySignals: []string{}, Files: []FileOffset{}}
		rateFrom := now.Add(-rateWindow)
		if rateFrom.Before(since) {
			rateFrom = since
		}
		rateErrs := 0
		for _, path := range appFiles(s, app.Key()) {
			fo, err := tailFile(path, since, now, rateFrom, cls, rd, &in, &rateErrs)
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					in.Notes = append(in.Notes, "log file "+path+" is missing")
				} else {
					in.Notes = append(in.Notes, "log file "+path+": "+err.Error())
				}
				continue
			}
			in.Files = append(in.Files, fo)
		}
		if span := now.Sub(rateFrom); span > 0 {
			in.ErrorsPer10s = float64(rateErrs) * float64(BucketWidth) / float64(span)
			in.ErrorsPer10s = float64(int(in.ErrorsPer10s*100+0.5)) / 100
		}
		out = append(out, in)
	}
	return out
}

func tailFile(path string, since, now, rateFrom time.Time, cls *classifier, rd *bufio.Reader, in *AppInsight, rateErrs *int) (FileOffset, error) {
	f, err := os.Open(path)
	if err != nil {
		return FileOffset{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return FileOffset{}, err
	}
	size := st.Size()
	var ts tsCache
	off, err := tailStart(f, size, since.Add(-tailSlack), &ts)
	if err != nil {
		return FileOffset{}, err
	}
	fo := FileOffset{Path: path, Offset: off, End: off}
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return fo, err
	}
	rd.Reset(io.LimitReader(f, size-off))
	sinceNs, nowNs, rateNs := since.UnixNano(), now.UnixNano(), rateFrom.UnixNano()
	for {
		line, err := rd.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			fo.End += int64(len(line))
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = rd.ReadSlice('\n')
				fo.End += int64(len(line))
			}
			continue
		}
		if err != nil {
			// EOF: a last line without newline is still being written.
			if err == io.EOF {
				return fo, nil
			}
			return fo, err
		}
		fo.End += int64(len(line))
		t, msg, ok := ts.splitLine(line)
		if !ok {
			continue
		}
		ns := t.UnixNano()
		if ns < sinceNs || ns > nowNs {
			continue
		}
		in.Lines++
		cl := cls.classify(msg)
		switch cl.Severity {
		case SevError:
			in.Errors++
			if ns >= rateNs {
				*rateErrs++
			}
			l := excerpt(string(bytes.TrimRight(line, "\r\n")))
			if len(in.LastErrors) == insightLastN {
				copy(in.LastErrors, in.LastErrors[1:])
				in.LastErrors[insightLastN-1] = l
			} else {
				in.LastErrors = append(in.LastErrors, l)
			}
		case SevWarning:
			in.Warnings++
		}
		if cl.Sig >= 0 && cl.Severity != SevNone {
			if in.Categories == nil {
				in.Categories = map[string]int{}
			}
			in.Categories[cls.sigs[cl.Sig].Category]++
		}
		if cl.Recovery && cl.Severity == SevNone && len(in.RecoverySignals) < insightRecoverN {
			in.RecoverySignals = append(in.RecoverySignals, excerpt(string(bytes.TrimRight(line, "\r\n"))))
		}
	}
}

// tailStart finds, reading backwards in chunks from the end, the offset of the first
// line to read: the start of a line older than from (or 0).
func tailStart(f *os.File, size int64, from time.Time, ts *tsCache) (int64, error) {
	buf := make([]byte, tailChunk)
	fromNs := from.UnixNano()
	pos := size
	for pos > 0 {
		start := max(0, pos-tailChunk)
		n, err := f.ReadAt(buf[:pos-start], start)
		if err != nil && err != io.EOF {
			return 0, err
		}
		chunk := buf[:n]
		// Find each line start in the chunk, from the last complete one backwards.
		ends := chunk
		for {
			nl := bytes.LastIndexByte(ends, '\n')
			var lineStart int
			if nl < 0 {
				if start > 0 {
					break // the first line of the chunk may be partial: continue in the previous chunk
				}
				lineStart = 0
			} else {
				lineStart = nl + 1
			}
			line := chunk[lineStart:]
			if e := bytes.IndexByte(line, '\n'); e >= 0 {
				line = line[:e]
			}
			if t, _, ok := ts.splitLine(line); ok && t.UnixNano() < fromNs {
				return start + int64(lineStart), nil
			}
			if nl < 0 {
				return 0, nil
			}
			ends = ends[:nl]
		}
		// The chunk's first (partial) line is re-read with the previous chunk.
		if start == 0 {
			return 0, nil
		}
		first := bytes.IndexByte(chunk, '\n')
		if first < 0 || start+int64(first)+1 >= pos {
			pos = start // a line longer than a chunk: keep going back
		} else {
			pos = start + int64(first) + 1
		}
	}
	return 0, nil
}
