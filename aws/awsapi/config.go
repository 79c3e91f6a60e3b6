// Package awsapi is fis-mcp's access to the AWS APIs: it builds the SDK clients per region
// (also for assumed roles in other accounts), audits every call, and turns AWS failures into
// actionable messages. The packages beside it under aws/ hold the logic per concern (stack, experiment,
// health, ...); aws/awstest is a wire-level fake account for tests and the demo.
package awsapi

import (
	"context"
	"fmt"
	"net/http"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Options select how the base AWS configuration is loaded.
type Options struct {
	// Region overrides the region from the AWS config chain (the README's region wins per experiment).
	Region string
	// Profile selects a shared-config profile (SSO profiles included).
	Profile string
	// Endpoint, when set, sends every service to this URL with static test credentials
	// (used by the simulated account; real runs use AWS_ENDPOINT_URL* through the SDK instead).
	Endpoint string
	// HTTPClient overrides the HTTP client (tests).
	HTTPClient *http.Client
	// MaxAttempts bounds SDK retries (throttling, 5xx); 0 means 8.
	MaxAttempts int
	// MaxBackoff bounds the retry backoff; 0 means 20 s.
	MaxBackoff time.Duration
}

// LoadConfig loads the base AWS configuration through the standard chain
// (environment, shared config and credentials, SSO, IMDS, AWS_ENDPOINT_URL*),
// with fis-mcp's retryer and audit middleware.
func LoadConfig(ctx context.Context, o Options) (awssdk.Config, error) {
	maxAttempts := o.MaxAttempts
	if maxAttempts == 0 {
		maxAttempts = 8
	}
	maxBackoff := o.MaxBackoff
	if maxBackoff == 0 {
		maxBackoff = 20 * time.Second
	}
	opts := []func(*config.LoadOptions) error{
		config.WithRetryer(func() awssdk.Retryer {
			return retry.NewStandard(func(so *retry.StandardOptions) {
				so.MaxAttempts = maxAttempts
				so.MaxBackoff = maxBackoff
			})
		}),
	}
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	}
	if o.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(o.Profile))
	}
	if o.HTTPClient != nil {
		opts = append(opts, config.WithHTTPClient(o.HTTPClient))
	}
	if o.Endpoint != "" {
		opts = append(opts,
			config.WithBaseEndpoint(o.Endpoint),
			config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKIDSIMULATED", "simulated-secret", "")),
		)
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return awssdk.Config{}, fmt.Errorf("load AWS configuration (profile %q): %w", o.Profile, err)
	}
	cfg.APIOptions = append(cfg.APIOptions, auditMiddleware)
	return cfg, nil
}

// ForRegion returns a copy of cfg for region (the experiment's region).
func ForRegion(cfg awssdk.Config, region string) awssdk.Config {
	c := cfg.Copy()
	if region != "" {
		c.Region = region
	}
	return c
}
