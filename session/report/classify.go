package report

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sort"
	"strings"
)

// Severity of a classified line.
type Severity uint8

// Severities, in increasing order.
const (
	SevNone Severity = iota
	SevWarning
	SevError
)

func (s Severity) String() string {
	switch s {
	case SevError:
		return "error"
	case SevWarning:
		return "warning"
	}
	return "none"
}

// Signature is one known failure mode of the FIS scenarios: the log phrases that
// reveal it, its category, its severity and the recommendation it leads to.
type Signature struct {
	ID       string
	Category string
	Severity Severity
	// Rec is the recommendation key (see recommendations in findings.go).
	Rec string
	// Phrases are matched case-insensitively unless CaseSensitive.
	Phrases       []string
	CaseSensitive bool
	// Word requires a non-alphanumeric byte (or the line edge) on both sides.
	Word bool
}

// Signatures is the table of FIS failure-mode signatures, in priority order: when a
// line matches several, the first one wins.
var signatures = []Signature{
	{ID: "db-read-only", Category: "database", Severity: SevError, Rec: "db-readonly",
		Phrases: []string{"read-only transaction", "--read-only option", "read only transaction", "super_read_only"}},
	{ID: "db-admin-shutdown", Category: "database", Severity: SevError, Rec: "db-restart",
		Phrases: []string{"terminating connection due to administrator command", "the database system is starting up",
			"the database system is shutting down", "the database system is in recovery mode"}},
	{ID: "db-link-failure", Category: "database", Severity: SevError, Rec: "db-connection",
		Phrases: []string{"communications link failure", "lost connection to mysql server", "server closed the connection unexpectedly",
			"mysql server has gone away", "connection is not available, request timed out", "too many connections"}},
	{ID: "redis-readonly", Category: "redis", Severity: SevError, Rec: "redis-cluster", CaseSensitive: true, Word: true,
		Phrases: []string{"READONLY"}},
	{ID: "redis-cluster", Category: "redis", Severity: SevError, Rec: "redis-cluster", CaseSensitive: true, Word: true,
		Phrases: []string{"CLUSTERDOWN", "MOVED", "TRYAGAIN", "LOADING Redis", "MASTERDOWN"}},
	{ID: "kafka-leader", Category: "kafka", Severity: SevError, Rec: "kafka-leader",
		Phrases: []string{"notleaderorfollower", "not_leader_for_partition", "not_leader_or_follower", "leader_not_available",
			"leadernotavailable", "broker not available", "broker may not be available", "notleaderforpartition"}},
	{ID: "dns", Category: "dns", Severity: SevError, Rec: "dns",
		Phrases: []string{"no such host", "unknownhostexception", "eai_again", "temporary failure in name resolution",
			"name or service not known", "getaddrinfo enotfound", "nodename nor servname"}},
	{ID: "aws-throttling", Category: "throttling", Severity: SevWarning, Rec: "throttling",
		Phrases: []string{"throttlingexception", "rate exceeded", "toomanyrequestsexception", "requestlimitexceeded",
			"provisionedthroughputexceeded", "slowdown: please reduce"}},
	{ID: "connection", Category: "connection", Severity: SevError, Rec: "connection",
		Phrases: []string{"connection refused", "connection reset", "econnrefused", "econnreset", "broken pipe",
			"no route to host", "connection closed by peer", "connectexception"}},
	{ID: "timeout", Category: "timeout", Severity: SevError, Rec: "timeout",
		Phrases: []string{"context deadline exceeded", "timed out", "i/o timeout", "etimedout", "sockettimeoutexception",
			"timeoutexception", "deadline_exceeded"}},
}

// Generic level words: an explicit level in the line decides its severity.
var (
	levelErrorWords = []string{"ERROR", "FATAL", "CRITICAL", "SEVERE", "Exception", "panic:", "Traceback (most recent"}
	levelErrorFold  = []string{"level=error", "level=fatal", `"level":"error"`, `"level":"fatal"`, `"level": "error"`,
		"[error]", "severity=error", `"severity":"error"`, "lvl=eror", "level=crit"}
	levelWarnWords = []string{"WARN ", "WARN]", "WARN:", "WARN\t", "WARN|", "WARNING"}
	levelWarnFold  = []string{"level=warn", `"level":"warn`, `"level": "warn`, "[warn]", "[warning]", "severity=warn",
		`"severity":"warn`}
	recoveryPhrases = []string{"reconnected", "connection restored", "connection re-established", "recovered",
		"failover complete", "healthy", "back online", "successfully connected"}
)

// Pattern kinds.
const (
	kindSignature uint8 = iota
	kindError
	kindWarn
	kindRecovery
)

type phrase struct {
	text []byte // folded (|0x20) copy for the prefilter; original for verification
	orig []byte
	fold bool
	// wordStart/wordEnd require a non-alphanumeric neighbour.
	wordStart, wordEnd bool
	kind               uint8
	sig                int
}

type anchor struct {
	hash   uint16
	offset int8 // where the anchored 4-gram starts in the phrase (-1: one byte before it)
	phrase int32
}

// classifier matches every phrase of the signature table, the level words and the
// recovery phrases in one pass over a line: a hashed 4-gram prefilter probed at
// every fourth offset, then exact verification of the candidates. Every phrase is
// at least 5 bytes long, so each occurrence has a probed 4-byte window overlapping it
// by 3 or 4 bytes: a phrase of 7 bytes or more is anchored at 4 consecutive offsets;
// a shorter one at the windows inside it plus the windows holding 3 of its bytes and
// any other byte (expanded over the 128 folded values; the end of the line is padded
// with spaces). It is immutable once built and safe for concurrent use.
type classifier struct {
	bits    [1 << bitsLog / 64]uint64 // indexed by the top bitsLog bits of the 4-gram hash
	anchors []anchor                  // sorted by hash
	// start[h] is the index of the first anchor with hash h (anchors[start[h]:start[h+1]]).
	start   [1<<16 + 1]uint16
	phrases []phrase
	sigs    []Signature
}

const bitsLog = 18

// class is the classification of one line.
type class struct {
	Severity Severity
	// Sig is the index of the matched signature, -1 for none.
	Sig      int
	Recovery bool
}

const minPhrase = 5

func newClassifier(sigs []Signature) *classifier {
	c := &classifier{sigs: sigs}
	grams := commonGrams()
	add := func(p string, fold, word bool, kind uint8, sig int) {
		if len(p) < minPhrase {
			panic(fmt.Sprintf("report: phrase %q shorter than %d bytes", p, minPhrase))
		}
		ph := phrase{orig: []byte(p), fold: fold, kind: kind, sig: sig, wordStart: word, wordEnd: word}
		if fold {
			ph.orig = bytes.ToLower(ph.orig)
		}
		ph.text = make([]byte, len(p))
		for i := 0; i < len(p); i++ {
			ph.text[i] = p[i] | 0x20
		}
		idx := int32(len(c.phrases))
		c.phrases = append(c.phrases, ph)
		anchor := func(g uint32, off int) {
			h := hash32(g)
			b := h >> (32 - bitsLog)
			c.bits[b>>6] |= 1 << (b & 63)
			c.anchors = append(c.anchors, anchor{hash: uint16(h >> 16), offset: int8(off), phrase: idx})
		}
		t := ph.text
		if len(t) >= 7 {
			k := anchorOffset(t, grams)
			for off := k; off < k+4; off++ {
				anchor(binary.LittleEndian.Uint32(t[off:]), off)
			}
			return
		}
		for off := 0; off+4 <= len(t); off++ {
			anchor(binary.LittleEndian.Uint32(t[off:]), off)
		}
		seen := map[byte]bool{}
		for x := 0; x < 256; x++ {
			f := byte(x) | 0x20
			if seen[f] {
				continue
			}
			seen[f] = true
			anchor(uint32(f)|uint32(t[0])<<8|uint32(t[1])<<16|uint32(t[2])<<24, -1)
			if len(t) == 5 {
				anchor(uint32(t[2])|uint32(t[3])<<8|uint32(t[4])<<16|uint32(f)<<24, 2)
			}
		}
	}
	for i, s := range sigs {
		for _, p := range s.Phrases {
			add(p, !s.CaseSensitive, s.Word, kindSignature, i)
		}
	}
	for _, p := range levelErrorWords {
		add(p, false, false, kindError, -1)
	}
	for _, p := range levelErrorFold {
		add(p, true, false, kindError, -1)
	}
	for _, p := range levelWarnWords {
		add(p, false, false, kindWarn, -1)
	}
	for _, p := range levelWarnFold {
		add(p, true, false, kindWarn, -1)
	}
	for _, p := range recoveryPhrases {
		ph := len(c.phrases)
		add(p, true, false, kindRecovery, -1)
		c.phrases[ph].wordStart = true // "healthy" must not match "unhealthy"
	}
	sort.Slice(c.anchors, func(i, j int) bool { return c.anchors[i].hash < c.anchors[j].hash })
	k := 0
	for h := 0; h <= 1<<16; h++ {
		for k < len(c.anchors) && int(c.anchors[k].hash) < h {
			k++
		}
		c.start[h] = uint16(k)
	}
	return c
}

func hash32(v uint32) uint32 { return v * 0x9E3779B1 }

// commonText is typical non-error log text: phrases are anchored on the 4-grams
// least frequent in it, so ordinary lines rarely reach verification.
const commonText = `level=info msg="request completed" {"level":"info","msg":"GET /api/v1/products 200","latency_ms":12}
INFO [http-nio-8080-exec-1] c.e.OrderController - order created in 12ms DEBUG pool stats active=1 idle=2 waiting=0
I0411 controller.go:123] synced objects cart updated items session user connection pool started processed
the and for with from this that service request response status health check ready listening on port
connecting to database connected to redis consumer group producer topic partition offset commit`

// commonGrams counts the (possibly overlapping) 4-grams of the lower-cased commonText.
func commonGrams() map[string]int {
	lc := strings.ToLower(commonText)
	m := make(map[string]int, len(lc))
	for i := 0; i+4 <= len(lc); i++ {
		m[lc[i:i+4]]++
	}
	return m
}

func anchorOffset(folded []byte, grams map[string]int) int {
	freq := func(g []byte) int { return grams[string(g)] }
	best, bestScore := 0, -1
	for k := 0; k+7 <= len(folded); k++ {
		sc := freq(folded[k:k+4]) + freq(folded[k+1:k+5]) + freq(folded[k+2:k+6]) + freq(folded[k+3:k+7])
		if bestScore < 0 || sc < bestScore {
			best, bestScore = k, sc
		}
	}
	return best
}

// classify classifies one log message (the part after the collected-line prefix).
// An explicit level word decides the severity; otherwise the signature's severity
// does. A line announcing recovery with no error level is not an error.
func (c *classifier) classify(b []byte) class {
	res := class{Sig: -1}
	var lvl Severity
	n := len(b)
	i := 0
	probe := func(i int, g uint32) {
		h := hash32(g | 0x20202020)
		if k := h >> (32 - bitsLog); c.bits[k>>6]&(1<<(k&63)) != 0 {
			c.verify(b, i, uint16(h>>16), &res, &lvl)
		}
	}
	// Main loop: one 8-byte load gives the windows at i and i+4, with one branch for
	// both: nearly every round hits no anchor at all.
	for ; i+8 <= n; i += 8 {
		v := binary.LittleEndian.Uint64(b[i:i+8]) | 0x2020202020202020
		h0, h1 := hash32(uint32(v))>>(32-bitsLog), hash32(uint32(v>>32))>>(32-bitsLog)
		if (c.bits[h0>>6]>>(h0&63)|c.bits[h1>>6]>>(h1&63))&1 == 0 {
			continue
		}
		probe(i, uint32(v))
		probe(i+4, uint32(v>>32))
	}
	if i+4 <= n {
		probe(i, binary.LittleEndian.Uint32(b[i:i+4]))
		i += 4
	}
	if i < n { // the last window, padded with spaces
		g := uint32(0x20202020)
		for k := n - 1; k >= i; k-- {
			g = g<<8 | uint32(b[k])
		}
		probe(i, g)
	}
	switch {
	case lvl != SevNone:
		res.Severity = lvl
	case res.Recovery:
		// A recovery announcement: not counted as an error even if it names the failure.
	case res.Sig >= 0:
		res.Severity = c.sigs[res.Sig].Severity
	}
	return res
}

func (c *classifier) verify(b []byte, i int, h uint16, res *class, lvl *Severity) {
	for _, a := range c.anchors[c.start[h]:c.start[int(h)+1]] {
		p := &c.phrases[a.phrase]
		start := i - int(a.offset)
		end := start + len(p.orig)
		if start < 0 || end > len(b) {
			continue
		}
		if p.fold {
			if !equalFoldLower(b[start:end], p.orig) {
				continue
			}
		} else if !bytes.Equal(b[start:end], p.orig) {
			continue
		}
		if p.wordStart && start > 0 && isAlnum(b[start-1]) {
			continue
		}
		if p.wordEnd && end < len(b) && isAlnum(b[end]) {
			continue
		}
		switch p.kind {
		case kindSignature:
			if res.Sig < 0 || p.sig < res.Sig {
				res.Sig = p.sig
			}
		case kindError:
			*lvl = SevError
		case kindWarn:
			if *lvl < SevWarning {
				*lvl = SevWarning
			}
		case kindRecovery:
			res.Recovery = true
		}
	}
}

// equalFoldLower compares s with an already lower-case ASCII pattern.
func equalFoldLower(s, lower []byte) bool {
	for i, c := range s {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}
