package kube

import (
	"context"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// countingPresigner counts presign calls (the real client underneath).
type countingPresigner struct {
	next  Presigner
	calls atomic.Int32
	err   error
}

func (p *countingPresigner) PresignGetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, optFns ...func(*sts.PresignOptions)) (*v4.PresignedHTTPRequest, error) {
	p.calls.Add(1)
	if p.err != nil {
		return nil, p.err
	}
	return p.next.PresignGetCallerIdentity(ctx, in, optFns...)
}

func decodeToken(t *testing.T, tok string) *url.URL {
	t.Helper()
	enc, ok := strings.CutPrefix(tok, TokenPrefix)
	if !ok {
		t.Fatalf("token lacks prefix %q", TokenPrefix)
	}
	if strings.ContainsAny(enc, "=+/") {
		t.Fatalf("token is not unpadded base64url: %q", enc)
	}
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestGenerateTokenIsAPresignedGetCallerIdentity(t *testing.T) {
	tests := []struct {
		name, cluster, region, wantHost string
	}{
		{"us-east-1", "prod-eks", "us-east-1", "sts.us-east-1.amazonaws.com"},
		{"cluster region wins", "eu-cluster", "eu-west-1", "sts.eu-west-1.amazonaws.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := NewTokenSource(testAWSConfig(), WithTokenClock(newFakeClock()))
			tok, err := ts.Token(context.Background(), Cluster{Name: tt.cluster, Region: tt.region})
			if err != nil {
				t.Fatal(err)
			}
			if !tok.Expiration.Equal(t0.Add(15 * time.Minute)) {
				t.Errorf("expiration %s", tok.Expiration)
			}
			u := decodeToken(t, tok.Value)
			q := u.Query()
			checks := map[string]string{
				"Action":              "GetCallerIdentity",
				"Version":             "2011-06-15",
				"X-Amz-Expires":       "60",
				"X-Amz-Algorithm":     "AWS4-HMAC-SHA256",
				"X-Amz-SignedHeaders": "host;" + ClusterIDHeader,
			}
			for k, want := range checks {
				if got := q.Get(k); got != want {
					t.Errorf("%s = %q, want %q (url %s)", k, got, want, u.Redacted())
				}
			}
			if u.Host != tt.wantHost || u.Scheme != "https" {
				t.Errorf("host %s://%s, want https://%s", u.Scheme, u.Host, tt.wantHost)
			}
			if !strings.Contains(q.Get("X-Amz-Credential"), "/"+tt.region+"/sts/aws4_request") {
				t.Errorf("credential scope %q", q.Get("X-Amz-Credential"))
			}
			if q.Get("X-Amz-Signature") == "" {
				t.Error("no signature")
			}
			if strings.Contains(tok.Value, "test-secret-key") || strings.Contains(tok.String(), "k8s-aws") {
				t.Error("token leaks the secret key or String() shows the token")
			}
		})
	}
}

func TestTokenSourceCachesAndRefreshesBeforeExpiry(t *testing.T) {
	clock := newFakeClock()
	real := sts.NewPresignClient(sts.NewFromConfig(testAWSConfig()))
	cp := &countingPresigner{next: real}
	ts := NewTokenSource(testAWSConfig(), WithTokenClock(clock), WithPresigner(cp))
	ctx := context.Background()
	c1 := Cluster{Name: "one", Region: "us-east-1"}
	steps := []struct {
		advance   time.Duration
		cluster   Cluster
		wantCalls int32
	}{
		{0, c1, 1},
		{time.Minute, c1, 1},
		{12*time.Minute + 59*time.Second, c1, 1}, // 13m59s: still more than a minute left
		{2 * time.Second, c1, 2},                 // 14m01s: refreshed
		{0, Cluster{Name: "two", Region: "us-east-1"}, 3},
		{0, c1, 3},
	}
	for i, s := range steps {
		clock.Advance(s.advance)
		tok, err := ts.Token(ctx, s.cluster)
		if err != nil {
			t.Fatal(err)
		}
		if got := cp.calls.Load(); got != s.wantCalls {
			t.Fatalf("step %d: presign calls = %d, want %d", i, got, s.wantCalls)
		}
		if tok.Expiration.Sub(clock.Now()) < time.Minute {
			t.Fatalf("step %d: token expires in %s", i, tok.Expiration.Sub(clock.Now()))
		}
		if got := decodeToken(t, tok.Value).Query().Get(ClusterIDHeader); got != "" {
			t.Fatalf("cluster id must be a signed header, not a query parameter")
		}
	}
}

func TestTokenErrors(t *testing.T) {
	cp := &countingPresigner{err: errors.New("no credentials")}
	ts := NewTokenSource(testAWSConfig(), WithPresigner(cp))
	if _, err := ts.Token(context.Background(), Cluster{Name: "x"}); err == nil || !strings.Contains(err.Error(), "cluster x") {
		t.Fatalf("err = %v", err)
	}
	if _, err := GenerateToken(context.Background(), cp, Cluster{}, t0); err == nil {
		t.Fatal("empty cluster name accepted")
	}
}
