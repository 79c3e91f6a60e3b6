package kube

import (
	"net/http"
	"testing"
)

// TestRESTConfigBoundsHTTP2StreamBuffers: the transport client-go builds for a
// cluster buffers at most StreamReceiveBuffer per HTTP/2 stream (x/net/http2's
// default is 4 MiB), and each config has its own dialer, so the change does not
// reach a transport client-go shares with other configs.
func TestRESTConfigBoundsHTTP2StreamBuffers(t *testing.T) {
	tests := []struct {
		name string
		in   *http.HTTP2Config
		want int
	}{
		{name: "unset", in: nil, want: StreamReceiveBuffer},
		{name: "zero", in: &http.HTTP2Config{}, want: StreamReceiveBuffer},
		{name: "set by someone else", in: &http.HTTP2Config{MaxReceiveBufferPerStream: 1 << 20}, want: 1 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := RESTConfig(Cluster{Name: "c1", Endpoint: "https://127.0.0.1:1"}, nil)
			if cfg.Dial == nil {
				t.Fatal("no own dialer: client-go would share the transport across configs")
			}
			tr := &http.Transport{HTTP2: tt.in}
			if _, ok := cfg.WrapTransport(tr).(*authTransport); !ok {
				t.Fatal("the wrapped transport does not add the token")
			}
			if got := tr.HTTP2.MaxReceiveBufferPerStream; got != tt.want {
				t.Fatalf("MaxReceiveBufferPerStream = %d, want %d", got, tt.want)
			}
		})
	}
}
