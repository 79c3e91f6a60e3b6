package kube

import (
	"context"
	"encoding/base64"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Token constants, as aws-iam-authenticator and `aws eks get-token` use them.
const (
	// TokenPrefix starts every EKS bearer token.
	TokenPrefix = "k8s-aws-v1."
	// ClusterIDHeader is the signed header naming the cluster the token is for.
	ClusterIDHeader = "x-k8s-aws-id"
	// TokenLifetime is how long EKS accepts a token after it was signed.
	TokenLifetime = 15 * time.Minute
	// presignExpires is the X-Amz-Expires value of the presigned URL, in seconds.
	presignExpires = "60"
	// refreshBefore is how long before expiry a cached token is replaced.
	refreshBefore = time.Minute
)

// Clock tells the time; tests inject a fake one (awstest.FakeClock fits).
type Clock interface{ Now() time.Time }

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// Token is an EKS bearer token. Never log Value.
type Token struct {
	Value      string
	Expiration time.Time
}

// String hides the token value so it cannot leak through %v.
func (t Token) String() string {
	return "Token(expires " + t.Expiration.UTC().Format(time.RFC3339) + ")"
}

// Presigner is the part of the STS presign client the token source needs.
type Presigner interface {
	PresignGetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, optFns ...func(*sts.PresignOptions)) (*v4.PresignedHTTPRequest, error)
}

// TokenSource makes EKS bearer tokens in-process, the way `aws eks get-token` does,
// and caches one per cluster until shortly before it expires. Safe for concurrent use.
type TokenSource struct {
	presigner Presigner
	clock     Clock

	mu    sync.Mutex
	cache map[string]Token
}

// TokenOption configures a TokenSource.
type TokenOption func(*TokenSource)

// WithTokenClock sets the clock used to compute expiry (tests).
func WithTokenClock(c Clock) TokenOption { return func(ts *TokenSource) { ts.clock = c } }

// WithPresigner replaces the STS presign client.
func WithPresigner(p Presigner) TokenOption { return func(ts *TokenSource) { ts.presigner = p } }

// NewTokenSource returns a token source signing with cfg's credentials. The STS
// request is only presigned, never sent.
func NewTokenSource(cfg aws.Config, opts ...TokenOption) *TokenSource {
	c := cfg.Copy()
	// Presigning is not an API call: keep it out of the audit trail.
	c.APIOptions = append(c.APIOptions, func(s *middleware.Stack) error {
		_, _ = s.Initialize.Remove("FisMcpAudit")
		return nil
	})
	ts := &TokenSource{
		presigner: sts.NewPresignClient(sts.NewFromConfig(c)),
		clock:     realClock{},
		cache:     map[string]Token{},
	}
	for _, o := range opts {
		o(ts)
	}
	return ts
}

// Token returns a valid token for the cluster, from the cache when it has more
// than a minute left.
func (ts *TokenSource) Token(ctx context.Context, c Cluster) (Token, error) {
	key := c.Name + "@" + c.Region
	now := ts.clock.Now()
	ts.mu.Lock()
	tok, ok := ts.cache[key]
	ts.mu.Unlock()
	if ok && now.Before(tok.Expiration.Add(-refreshBefore)) {
		return tok, nil
	}
	tok, err := GenerateToken(ctx, ts.presigner, c, now)
	if err != nil {
		return Token{}, err
	}
	ts.mu.Lock()
	ts.cache[key] = tok
	ts.mu.Unlock()
	return tok, nil
}

// GenerateToken presigns an STS GetCallerIdentity request with the cluster name
// signed in and encodes it as an EKS bearer token, valid TokenLifetime from now.
func GenerateToken(ctx context.Context, p Presigner, c Cluster, now time.Time) (Token, error) {
	if c.Name == "" {
		return Token{}, fmt.Errorf("eks token: empty cluster name")
	}
	req, err := p.PresignGetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}, func(po *sts.PresignOptions) {
		po.ClientOptions = append(po.ClientOptions, func(o *sts.Options) {
			if c.Region != "" {
				o.Region = c.Region
			}
			o.APIOptions = append(o.APIOptions,
				smithyhttp.SetHeaderValue(ClusterIDHeader, c.Name),
				smithyhttp.SetHeaderValue("X-Amz-Expires", presignExpires),
			)
		})
	})
	if err != nil {
		return Token{}, fmt.Errorf("eks token for cluster %s: presign sts GetCallerIdentity: %w", c.Name, err)
	}
	return Token{
		Value:      TokenPrefix + base64.RawURLEncoding.EncodeToString([]byte(req.URL)),
		Expiration: now.Add(TokenLifetime),
	}, nil
}
