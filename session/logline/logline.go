// Package logline is the on-disk format of collected pod log lines, shared by the
// collector (kube) that writes them and the analysis (session/report) that reads them.
//
// One line per log line:
//
//	2026-04-11T10:30:15.123456789Z [pod-name/container] the original message
//
// The timestamp is the one the kubelet attached (timestamps=true), in RFC 3339 with
// nanoseconds, UTC.
package logline

import (
	"bytes"
	"errors"
	"time"
)

// Line is one parsed collected log line. Message aliases the input buffer.
type Line struct {
	Time      time.Time
	Pod       string
	Container string
	Message   []byte
}

// ErrMalformed is returned for a line that does not follow the format.
var ErrMalformed = errors.New("malformed collected log line")

// Append appends the formatted line (with a trailing newline) to dst.
func Append(dst []byte, t time.Time, pod, container string, message []byte) []byte {
	dst = t.UTC().AppendFormat(dst, time.RFC3339Nano)
	dst = append(dst, ' ', '[')
	dst = append(dst, pod...)
	dst = append(dst, '/')
	dst = append(dst, container...)
	dst = append(dst, ']', ' ')
	dst = append(dst, bytes.TrimRight(message, "\r\n")...)
	return append(dst, '\n')
}

// Parse parses one line (without or with its trailing newline).
func Parse(b []byte) (Line, error) {
	b = bytes.TrimRight(b, "\r\n")
	sp := bytes.IndexByte(b, ' ')
	if sp <= 0 {
		return Line{}, ErrMalformed
	}
	t, err := ParseTime(b[:sp])
	if err != nil {
		return Line{}, ErrMalformed
	}
	rest := b[sp+1:]
	if len(rest) < 4 || rest[0] != '[' {
		return Line{}, ErrMalformed
	}
	end := bytes.Index(rest, []byte("] "))
	if end < 0 {
		if rest[len(rest)-1] == ']' { // empty message
			end = len(rest) - 1
		} else {
			return Line{}, ErrMalformed
		}
	}
	pc := rest[1:end]
	slash := bytes.IndexByte(pc, '/')
	if slash < 0 {
		return Line{}, ErrMalformed
	}
	var msg []byte
	if end+2 <= len(rest) {
		msg = rest[end+2:]
	}
	return Line{Time: t, Pod: string(pc[:slash]), Container: string(pc[slash+1:]), Message: msg}, nil
}

// ParseTime parses the timestamp prefix quickly: the common fixed-width UTC forms
// by hand, anything else through time.Parse.
func ParseTime(b []byte) (time.Time, error) {
	// Fast path: YYYY-MM-DDTHH:MM:SS[.fraction]Z
	if len(b) >= 20 && b[4] == '-' && b[7] == '-' && b[10] == 'T' && b[13] == ':' && b[16] == ':' && b[len(b)-1] == 'Z' {
		year, ok1 := digits(b[0:4])
		month, ok2 := digits(b[5:7])
		day, ok3 := digits(b[8:10])
		hour, ok4 := digits(b[11:13])
		minute, ok5 := digits(b[14:16])
		sec, ok6 := digits(b[17:19])
		if ok1 && ok2 && ok3 && ok4 && ok5 && ok6 {
			nsec := 0
			frac := b[19 : len(b)-1]
			if len(frac) > 0 {
				if frac[0] != '.' || len(frac) > 10 || len(frac) < 2 {
					return time.Parse(time.RFC3339Nano, string(b))
				}
				n, ok := digits(frac[1:])
				if !ok {
					return time.Parse(time.RFC3339Nano, string(b))
				}
				for i := len(frac) - 1; i < 9; i++ {
					n *= 10
				}
				nsec = n
			}
			return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC), nil
		}
	}
	return time.Parse(time.RFC3339Nano, string(b))
}

func digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
