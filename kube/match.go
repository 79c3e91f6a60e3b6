package kube

import (
	"net"
	"regexp"
	"sort"
	"strings"

	"github.com/fis-mcp/fis-mcp/session"
)

type needleKind int

const (
	// needleFull matches the whole endpoint value (DNS name, ARN, URL) at hostname boundaries.
	needleFull needleKind = iota
	// needleIDPrefix matches "{id}." starting at a label boundary and continuing with a label.
	needleIDPrefix
	// needleIP matches a whole IPv4/IPv6 address.
	needleIP
)

// needle is one thing to look for in configuration values.
type needle struct {
	text    string // lowercased
	kind    needleKind
	service string // affected resource identifier (App.Service)
	// via names the ExternalName service this needle is an alias of, if any.
	via string
	// shown is the recognisable, non-secret form used in evidence.
	shown string
}

// hit is one needle found in a value.
type hit struct {
	n *needle
}

// matcher finds endpoint references in configuration values.
type matcher struct {
	needles []*needle
	// idTokens per service: identifier tokens used to match secret key names.
	idTokens map[string][]string
}

// genericWords are identifiers too common to match on their own.
var genericWords = map[string]bool{
	"db": true, "database": true, "redis": true, "cache": true, "mysql": true, "postgres": true,
	"postgresql": true, "primary": true, "default": true, "main": true, "prod": true, "test": true,
	"dev": true, "api": true, "app": true, "kafka": true, "es": true, "search": true, "cluster": true,
	"master": true, "replica": true, "writer": true, "reader": true, "localhost": true, "aurora": true,
	"mongo": true, "memcached": true, "valkey": true, "opensearch": true, "elasticsearch": true,
	"service": true, "server": true, "host": true, "www": true, "web": true, "local": true,
}

// genericFirstLabels start DNS names that are domain suffixes, not resource endpoints.
var genericFirstLabels = map[string]bool{
	"amazonaws": true, "aws": true, "com": true, "cn": true, "rds": true, "cache": true, "es": true,
	"kafka": true, "memorydb": true, "docdb": true, "elasticache": true, "compute": true, "ec2": true,
	"internal": true, "elb": true, "svc": true, "cluster": true,
}

var regionLabel = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-\d$`)

// newMatcher builds needles from the endpoints: each value (full, or whole IP for
// private-ip) and each identifier as "{id}.".
func newMatcher(endpoints []session.ResourceEndpoint) *matcher {
	m := &matcher{idTokens: map[string][]string{}}
	seen := map[string]bool{}
	add := func(n *needle) {
		k := n.service + "\x00" + n.text + "\x00" + string(rune('0'+n.kind))
		if seen[k] {
			return
		}
		seen[k] = true
		m.needles = append(m.needles, n)
	}
	for _, e := range endpoints {
		svc := e.Identifier
		if svc == "" {
			svc = e.Value
		}
		if id := strings.ToLower(strings.TrimSpace(e.Identifier)); usableID(id) {
			add(&needle{text: id + ".", kind: needleIDPrefix, service: svc, shown: id + ".…"})
			if toks := splitTokens(id); len(toks) > 0 {
				m.idTokens[svc] = toks
			}
		}
		v := strings.ToLower(strings.TrimSpace(e.Value))
		if v == "" || v == strings.ToLower(e.Identifier) && !isIP(v) && !strings.Contains(v, ":") && !strings.Contains(v, ".") {
			continue // a bare identifier: covered by the "{id}." needle
		}
		switch {
		case e.Kind == "private-ip" || isIP(v):
			if isIP(v) {
				add(&needle{text: v, kind: needleIP, service: svc, shown: v})
			}
		case usableValue(v):
			add(&needle{text: v, kind: needleFull, service: svc, shown: redactHost(v)})
		}
	}
	return m
}

// aliases returns every hostname form of an ExternalName service that points at an
// affected endpoint a needle of its own. Short names only count in the service's namespace.
func (m *matcher) aliases(svcName, namespace string, target *needle) []*needle {
	forms := []string{
		svcName + "." + namespace + ".svc.cluster.local",
		svcName + "." + namespace + ".svc",
		svcName + "." + namespace,
	}
	var out []*needle
	for _, f := range forms {
		out = append(out, &needle{text: strings.ToLower(f), kind: needleFull, service: target.service, via: namespace + "/" + svcName, shown: f})
	}
	return out
}

func usableID(id string) bool {
	return len(id) >= 3 && !genericWords[id] && !isIP(id)
}

func usableValue(v string) bool {
	if strings.HasPrefix(v, "arn:") {
		return true
	}
	host := v
	if i := strings.Index(host, "://"); i >= 0 {
		host = host[i+3:]
	}
	first, _, _ := strings.Cut(host, ".")
	if first == "" || genericFirstLabels[first] || regionLabel.MatchString(first) || genericWords[first] && !strings.Contains(host, ".") {
		return false
	}
	return len(host) >= 4
}

func isIP(s string) bool { return net.ParseIP(s) != nil }

// redactHost masks the first label of a DNS name: enough to recognise the endpoint.
func redactHost(v string) string {
	if strings.HasPrefix(v, "arn:") {
		return v
	}
	if i := strings.IndexByte(v, '.'); i > 0 {
		return "****" + v[i:]
	}
	return v
}

func splitTokens(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == '-' || r == '_' || r == '.' || r == '/' })
}

func isHostChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// find returns the needles found in value, each once, in needle order.
func (m *matcher) find(value string, extra []*needle) []hit {
	if value == "" {
		return nil
	}
	lv := strings.ToLower(value)
	var hits []hit
	check := func(n *needle) {
		if containsAnchored(lv, n) {
			hits = append(hits, hit{n: n})
		}
	}
	for _, n := range m.needles {
		check(n)
	}
	for _, n := range extra {
		check(n)
	}
	// A full endpoint or IP match says more than "{id}.": keep only the former per service.
	strong := map[string]bool{}
	for _, h := range hits {
		if h.n.kind != needleIDPrefix {
			strong[h.n.service] = true
		}
	}
	out := hits[:0]
	for _, h := range hits {
		if h.n.kind == needleIDPrefix && strong[h.n.service] {
			continue
		}
		out = append(out, h)
	}
	return out
}

// containsAnchored reports whether n occurs in lv at a boundary its kind requires.
func containsAnchored(lv string, n *needle) bool {
	from := 0
	for {
		i := strings.Index(lv[from:], n.text)
		if i < 0 {
			return false
		}
		i += from
		end := i + len(n.text)
		if anchored(lv, i, end, n.kind) {
			return true
		}
		from = i + 1
	}
}

func anchored(s string, start, end int, kind needleKind) bool {
	var before, after, after2 byte
	if start > 0 {
		before = s[start-1]
	}
	if end < len(s) {
		after = s[end]
	}
	if end+1 < len(s) {
		after2 = s[end+1]
	}
	switch kind {
	case needleIP:
		if before == '.' || isHostChar(before) && before != '-' && before != '_' {
			return false
		}
		return !isDigit(after) && !(after == '.' && isDigit(after2))
	case needleIDPrefix:
		// "{id}." must start a label and be followed by another label.
		if isHostChar(before) {
			return false
		}
		return isHostChar(after) && after != '-' && after != '_'
	default:
		if isHostChar(before) || before == '.' {
			return false
		}
		return !isHostChar(after) && !(after == '.' && isHostChar(after2))
	}
}

// keyMentions reports whether a secret key name (e.g. ORDERS_DB_HOST) mentions the
// service's identifier as whole tokens (orders-db), case-insensitively.
func (m *matcher) keyMentions(key string) []string {
	kt := splitTokens(key)
	var out []string
	for svc, it := range m.idTokens {
		if containsTokens(kt, it) {
			out = append(out, svc)
		}
	}
	sort.Strings(out)
	return out
}

func containsTokens(hay, needle []string) bool {
	if len(needle) == 0 || len(needle) > len(hay) {
		return false
	}
outer:
	for i := 0; i+len(needle) <= len(hay); i++ {
		for j := range needle {
			if hay[i+j] != needle[j] {
				continue outer
			}
		}
		return true
	}
	return false
}
