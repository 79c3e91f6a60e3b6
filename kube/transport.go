package kube

import (
	"context"
	"net"
	"net/http"
	"time"
)

// StreamReceiveBuffer bounds what the HTTP/2 client buffers per stream before
// the reader takes it. x/net/http2's default is 4 MiB per stream (its
// transportDefaultStreamFlow), so 500 log streams whose collector falls behind
// could hold 2 GiB; with 128 KiB they hold at most 64 MiB, and one stream still
// moves 2.5 MB/s (some 20,000 log lines/s) at a 50 ms round trip.
const StreamReceiveBuffer = 128 << 10

// boundStreamBuffers sets the per-stream HTTP/2 receive window of client-go's
// transport. x/net/http2 reads http.Transport.HTTP2 when it opens a connection
// (configFromTransport), so this must run before the first request; RESTConfig
// gives each config its own dialer, hence its own transport, so no other client
// shares what is changed here.
func boundStreamBuffers(rt http.RoundTripper) http.RoundTripper {
	t, ok := rt.(*http.Transport)
	if !ok {
		return rt
	}
	if t.HTTP2 == nil {
		t.HTTP2 = &http.HTTP2Config{}
	}
	if t.HTTP2.MaxReceiveBufferPerStream == 0 {
		t.HTTP2.MaxReceiveBufferPerStream = StreamReceiveBuffer
	}
	return t
}

// ownDialer is a dialer for one REST config: client-go caches transports by TLS
// settings and dialer, so a config with its own dialer gets a transport of its own
// (kept in client-go's cache; fis-mcp builds one clientset per cluster).
func ownDialer() func(ctx context.Context, network, address string) (net.Conn, error) {
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	return d.DialContext
}
