package awsapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/aws/smithy-go"
)

// Kind classifies an AWS failure for the remedy it needs.
type Kind string

// Failure kinds.
const (
	KindAccessDenied       Kind = "access_denied"
	KindThrottled          Kind = "throttled"
	KindExpiredCredentials Kind = "expired_credentials"
	KindNoCredentials      Kind = "no_credentials"
	KindNotFound           Kind = "not_found"
	KindValidation         Kind = "validation"
	KindNetwork            Kind = "network"
	KindUnknownRegion      Kind = "unknown_region"
	KindOther              Kind = "other"
)

// Error is an AWS failure with an actionable remedy.
type Error struct {
	Op         string // e.g. "cloudformation DescribeStacks"
	Resource   string
	Permission string // the IAM action the call needs, e.g. "cloudformation:DescribeStacks"
	Kind       Kind
	Code       string
	Err        error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s", e.Op)
	if e.Resource != "" {
		fmt.Fprintf(&b, " %s", e.Resource)
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	if r := e.Remedy(); r != "" {
		fmt.Fprintf(&b, ". %s", r)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Remedy says what the user should do.
func (e *Error) Remedy() string {
	switch e.Kind {
	case KindAccessDenied:
		if e.Permission != "" {
			return fmt.Sprintf("Grant the caller's IAM identity %s (see the IAM permissions section of the README)", e.Permission)
		}
		return "Check the caller's IAM permissions (see the README)"
	case KindThrottled:
		return "AWS is throttling this account's API calls; retries with backoff were exhausted, try again in a minute"
	case KindExpiredCredentials:
		return "The AWS credentials have expired: refresh them (e.g. `aws sso login --profile <profile>`) and call the tool again"
	case KindNoCredentials:
		return "No AWS credentials were found: set AWS_PROFILE or configure the server's --profile, or export credentials, then restart the server"
	case KindUnknownRegion:
		return "Check the region in the experiment README (e.g. us-east-1) and that the endpoint is reachable"
	case KindNetwork:
		return "The AWS endpoint could not be reached: check network access, proxy settings and AWS_ENDPOINT_URL*"
	}
	return ""
}

// Wrap classifies err from the call op on resource (needing IAM action permission).
// It returns nil for a nil err.
func Wrap(err error, op, resource, permission string) error {
	if err == nil {
		return nil
	}
	return &Error{Op: op, Resource: resource, Permission: permission, Kind: Classify(err), Code: Code(err), Err: err}
}

// Code returns the AWS error code of err, or "".
func Code(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

// Classify returns the kind of an AWS SDK error.
func Classify(err error) Kind {
	if err == nil {
		return ""
	}
	code := Code(err)
	switch code {
	case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedException",
		"AuthorizationError", "AuthFailure", "UnrecognizedClientException", "InvalidClientTokenId",
		"ForbiddenException", "Forbidden":
		return KindAccessDenied
	case "ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded",
		"ProvisionedThroughputExceededException", "RequestThrottled", "SlowDown", "RequestThrottledException":
		return KindThrottled
	case "ExpiredToken", "ExpiredTokenException", "RequestExpired", "InvalidToken":
		return KindExpiredCredentials
	case "ResourceNotFoundException", "NotFoundException", "NoSuchEntity", "DBClusterNotFoundFault",
		"DBInstanceNotFound", "DBInstanceNotFoundFault", "ReplicationGroupNotFoundFault", "ResourceNotFoundFault",
		"NotFound", "NoSuchBucket", "ClusterNotFoundException":
		return KindNotFound
	case "ValidationError", "ValidationException", "InvalidParameterValue", "InvalidParameterCombination":
		return KindValidation
	}
	if code != "" {
		return KindOther
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "failed to retrieve credentials"), strings.Contains(msg, "no EC2 IMDS role found"),
		strings.Contains(msg, "get credentials"):
		if strings.Contains(msg, "expired") || strings.Contains(msg, "token") && strings.Contains(msg, "refresh") {
			return KindExpiredCredentials
		}
		return KindNoCredentials
	case strings.Contains(msg, "no such host"):
		return KindUnknownRegion
	case strings.Contains(msg, "Invalid region"), strings.Contains(msg, "invalid region"):
		return KindUnknownRegion
	}
	var netErr net.Error
	if errors.As(err, &netErr) || strings.Contains(msg, "connection refused") {
		return KindNetwork
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return KindNetwork
	}
	return KindOther
}

// IsNotFound reports whether err means the resource does not exist.
func IsNotFound(err error) bool { return Classify(err) == KindNotFound }
