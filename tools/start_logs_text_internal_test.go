package tools

import (
	"strings"
	"testing"

	"github.com/fis-mcp/fis-mcp/kube"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/workflow"
)

// start_logs says what a queued (and a waiting) stream is and when it starts.
func TestStartLogsTextExplainsStreamStatuses(t *testing.T) {
	stream := func(pod, status string) session.LogStream {
		return session.LogStream{App: "c1/shop/orders-api", Pod: pod, Container: "app", Status: status}
	}
	tests := []struct {
		name      string
		streams   []session.LogStream
		want, not []string
	}{
		{name: "all followed", streams: []session.LogStream{stream("p1", kube.StatusFollowing)},
			not: []string{"queued", "waiting"}},
		{name: "one queued", streams: []session.LogStream{stream("p1", kube.StatusFollowing), stream("p2", kube.StatusQueued)},
			want: []string{"p2/app: queued — NOT FOLLOWED yet: all 1 stream slots are taken; it starts when a followed pod goes away",
				"1 stream not followed: shop/p2/app", "A queued stream is not followed: all 1 log stream slots are taken"}},
		{name: "one waiting", streams: []session.LogStream{stream("p1", kube.StatusWaiting)},
			want: []string{"1 stream(s) waiting: their containers have not started yet; each is followed as soon as it starts"},
			not:  []string{"queued"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := workflow.StartLogsResult{LogDir: "/tmp/logs", Streams: tt.streams, MaxStreams: 1, NotFollowed: kube.NotFollowed(tt.streams)}
			text := startLogsText(res)
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("text lacks %q:\n%s", w, text)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(text, n) {
					t.Errorf("text has %q:\n%s", n, text)
				}
			}
		})
	}
}
