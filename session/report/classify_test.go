package report

import (
	"bytes"
	"testing"
	"time"

	"github.com/fis-mcp/fis-mcp/session/logline"
)

func TestClassify(t *testing.T) {
	c := newClassifier(signatures)
	tests := []struct {
		line     string
		sev      Severity
		category string // "" for none
		recovery bool
	}{
		{"INFO order 12 created", SevNone, "", false},
		{"ERROR something broke", SevError, "", false},
		{"2026-04-11 10:30:00 FATAL out of memory", SevError, "", false},
		{"java.lang.NullPointerException at Foo", SevError, "", false},
		{"panic: runtime error: index out of range", SevError, "", false},
		{"WARN slow query", SevWarning, "", false},
		{"[WARNING] disk almost full", SevWarning, "", false},
		{`{"level":"error","msg":"boom"}`, SevError, "", false},
		{"level=warn msg=retrying", SevWarning, "", false},
		{"info: no errors so far, error_count=0", SevNone, "", false},
		// database failover
		{"com.mysql.cj.jdbc.exceptions.CommunicationsException: Communications link failure", SevError, "database", false},
		{"ERROR: cannot execute UPDATE in a read-only transaction", SevError, "database", false},
		{"The MySQL server is running with the --read-only option so it cannot execute this statement", SevError, "database", false},
		{"FATAL: terminating connection due to administrator command", SevError, "database", false},
		{"pq: the database system is starting up", SevError, "database", false},
		{"dial tcp 10.0.0.1:5432: connect: connection refused", SevError, "connection", false},
		{"read tcp 10.0.0.2:41234->10.0.0.1:5432: read: connection reset by peer", SevError, "connection", false},
		// redis
		{"READONLY You can't write against a read only replica.", SevError, "redis", false},
		{"MOVED 3999 127.0.0.1:6381", SevError, "redis", false},
		{"CLUSTERDOWN The cluster is down", SevError, "redis", false},
		{"TRYAGAIN Multiple keys request during rehashing of slot", SevError, "redis", false},
		{"LOADING Redis is loading the dataset in memory", SevError, "redis", false},
		{"INFO the file was REMOVED yesterday", SevNone, "", false}, // MOVED must be a word
		{"INFO readonlyMode=false", SevNone, "", false},
		// kafka
		{"WARN [Producer clientId=p1] Got error produce response: NOT_LEADER_OR_FOLLOWER", SevWarning, "kafka", false},
		{"org.apache.kafka.common.errors.NotLeaderOrFollowerException: this is not the leader", SevError, "kafka", false},
		{"Connection to node 2 could not be established. Broker may not be available.", SevError, "kafka", false},
		{"LEADER_NOT_AVAILABLE for topic orders", SevError, "kafka", false},
		// dns
		{"dial tcp: lookup db.internal on 10.0.0.2:53: no such host", SevError, "dns", false},
		{"java.net.UnknownHostException: cache.internal", SevError, "dns", false},
		{"getaddrinfo EAI_AGAIN redis.shop.svc", SevError, "dns", false},
		// throttling
		{"Rate exceeded for DescribeDBClusters", SevWarning, "throttling", false},
		{"ThrottlingException: Rate exceeded", SevError, "throttling", false}, // "Exception" is an error level word
		{"ERROR ThrottlingException: Rate exceeded", SevError, "throttling", false},
		// timeouts
		{"Get \"http://x\": context deadline exceeded", SevError, "timeout", false},
		{"request timed out after 30s", SevError, "timeout", false},
		{"dial tcp 10.0.0.1:443: i/o timeout", SevError, "timeout", false},
		// recovery signals
		{"INFO Reconnected to database", SevNone, "", true},
		{"redis connection restored", SevNone, "", true},
		{"cluster is healthy again", SevNone, "", true},
		{"pool unhealthy", SevNone, "", false},
		{"INFO failover complete after connection refused", SevNone, "connection", true},
		{"ERROR reconnected but query failed", SevError, "", true},
		// edge
		{"", SevNone, "", false},
		{"ERR", SevNone, "", false},
		{"ERROR", SevError, "", false},
		{"xERROR", SevError, "", false},
	}
	for _, tc := range tests {
		got := c.classify([]byte(tc.line))
		cat := ""
		if got.Sig >= 0 {
			cat = signatures[got.Sig].Category
		}
		if got.Severity != tc.sev || cat != tc.category || got.Recovery != tc.recovery {
			t.Errorf("classify(%q) = sev %v cat %q recovery %v; want sev %v cat %q recovery %v",
				tc.line, got.Severity, cat, got.Recovery, tc.sev, tc.category, tc.recovery)
		}
	}
}

// naiveClassify is the reference: every phrase searched with bytes.Index at every position.
func naiveClassify(c *classifier, b []byte) class {
	res := class{Sig: -1}
	var lvl Severity
	low := make([]byte, len(b)) // ASCII-only lower case keeps offsets
	for i, ch := range b {
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		low[i] = ch
	}
	for _, p := range c.phrases {
		hay := b
		if p.fold {
			hay = low
		}
		for off := 0; ; {
			k := bytes.Index(hay[off:], p.orig)
			if k < 0 {
				break
			}
			start := off + k
			end := start + len(p.orig)
			off = start + 1
			if p.wordStart && start > 0 && isAlnum(b[start-1]) || p.wordEnd && end < len(b) && isAlnum(b[end]) {
				continue
			}
			switch p.kind {
			case kindSignature:
				if res.Sig < 0 || p.sig < res.Sig {
					res.Sig = p.sig
				}
			case kindError:
				lvl = SevError
			case kindWarn:
				lvl = max(lvl, SevWarning)
			case kindRecovery:
				res.Recovery = true
			}
			break
		}
	}
	switch {
	case lvl != SevNone:
		res.Severity = lvl
	case res.Recovery:
	case res.Sig >= 0:
		res.Severity = c.sigs[res.Sig].Severity
	}
	return res
}

func FuzzClassify(f *testing.F) {
	for _, s := range []string{
		"ERROR connection refused", "READONLY You can't write", "MOVED 1 2", "level=warn", "WARN]", "x",
		"Communications link failure", "2026-04-11T10:30:15.123Z [p/c] ERROR boom", "no such host", "reconnected",
		"\xff\xfeERROR", "unhealthy healthy", "ÄRROR ERROR",
	} {
		f.Add([]byte(s))
	}
	c := newClassifier(signatures)
	f.Fuzz(func(t *testing.T, b []byte) {
		// Bytes with the 0x20 bit folded into letters must not confuse the prefilter
		// (non-ASCII bytes such as 0xC9 fold onto 0xE9): compare with the naive matcher.
		got, want := c.classify(b), naiveClassify(c, b)
		if got != want {
			t.Fatalf("classify(%q) = %+v, naive %+v", b, got, want)
		}
		// The collected-line splitter agrees with logline.Parse.
		var ts tsCache
		tm, msg, ok := ts.splitLine(b)
		l, err := logline.Parse(b)
		if ok != (err == nil) {
			t.Fatalf("splitLine(%q) ok=%v, logline.Parse err=%v", b, ok, err)
		}
		if ok && (!tm.Equal(l.Time) || !bytes.Equal(msg, l.Message)) {
			t.Fatalf("splitLine(%q) = %v %q, logline.Parse = %v %q", b, tm, msg, l.Time, l.Message)
		}
	})
}

func TestSplitLineCache(t *testing.T) {
	var ts tsCache
	lines := []string{
		"2026-04-11T10:30:15.123456789Z [p/c] a",
		"2026-04-11T10:30:15.5Z [p/c] b",
		"2026-04-11T10:30:15Z [p/c] c",
		"2026-04-11T10:30:15.12x4Z [p/c] d",
		"2026-04-11T10:30:16.000000001Z [p/c] e",
		"2026-04-11T10:30:16.1+02:00 [p/c] f",
		"2026-04-11T10:30:16.10000000000Z [p/c] g",
	}
	for _, l := range lines {
		tm, msg, ok := ts.splitLine([]byte(l))
		want, err := logline.Parse([]byte(l))
		if ok != (err == nil) {
			t.Fatalf("%q: ok=%v err=%v", l, ok, err)
		}
		if ok && (!tm.Equal(want.Time) || string(msg) != string(want.Message)) {
			t.Fatalf("%q: got %v %q want %v %q", l, tm, msg, want.Time, want.Message)
		}
	}
	if tm, _, _ := ts.splitLine([]byte("2026-04-11T10:30:16.25Z [p/c] x")); !tm.Equal(time.Date(2026, 4, 11, 10, 30, 16, 250000000, time.UTC)) {
		t.Fatalf("cached fraction: %v", tm)
	}
}
