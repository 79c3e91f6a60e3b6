package kube

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
)

// AccessCheck is the answer to one Kubernetes permission fis-mcp uses: whether the
// caller may perform Verb on Resource (/Subresource) in every namespace.
// Optional permissions only narrow what fis-mcp can find (secret key names); a
// missing one does not block an experiment.
type AccessCheck struct {
	Verb, Resource, Subresource string
	Allowed, Optional           bool
	Reason                      string
}

// accessNeed is one permission fis-mcp uses, with the API group of its resource.
type accessNeed struct {
	verb, group, resource, subresource string
	optional                           bool
}

// accessNeeds lists the Kubernetes permissions fis-mcp uses, cluster-wide: listing
// namespaces and workloads to discover affected apps (kube/scan.go), following
// pods and their logs (kube/collector.go, kube/tail.go), and secret key names
// (optional: discovery then skips references found only in secrets).
var accessNeeds = []accessNeed{
	{verb: "list", resource: "namespaces"},
	{verb: "list", resource: "pods"},
	{verb: "watch", resource: "pods"},
	{verb: "get", resource: "pods", subresource: "log"},
	{verb: "list", resource: "configmaps"},
	{verb: "list", resource: "services"},
	{verb: "list", group: "apps", resource: "replicasets"},
	{verb: "list", group: "apps", resource: "deployments"},
	{verb: "list", group: "apps", resource: "statefulsets"},
	{verb: "list", group: "apps", resource: "daemonsets"},
	{verb: "list", group: "batch", resource: "jobs"},
	{verb: "list", group: "batch", resource: "cronjobs"},
	{verb: "list", resource: "secrets", optional: true},
}

// CheckAccess asks the API server, with one SelfSubjectAccessReview per permission
// (https://kubernetes.io/docs/reference/access-authn-authz/authorization/#checking-api-access),
// whether the caller of cfg holds each permission fis-mcp uses in all namespaces.
// It never fails: a review that cannot be made is reported as not allowed, with
// the reason.
func CheckAccess(ctx context.Context, cfg *rest.Config) []AccessCheck {
	out := make([]AccessCheck, len(accessNeeds))
	for i, n := range accessNeeds {
		out[i] = AccessCheck{Verb: n.verb, Resource: n.resource, Subresource: n.subresource, Optional: n.optional}
	}
	cs, err := NewClientset(cfg)
	if err != nil {
		return failAll(out, 0, "cannot build a Kubernetes client: "+err.Error())
	}
	reviews := cs.AuthorizationV1().SelfSubjectAccessReviews()
	for i, n := range accessNeeds {
		review := &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{
			ResourceAttributes: &authorizationv1.ResourceAttributes{
				Namespace:   "", // all namespaces
				Verb:        n.verb,
				Group:       n.group,
				Resource:    n.resource,
				Subresource: n.subresource,
			},
		}}
		got, err := reviews.Create(ctx, review, metav1.CreateOptions{})
		if err != nil {
			reason, fatal := reviewError(ctx, err)
			if fatal {
				// The same failure would repeat for every other permission.
				return failAll(out, i, reason)
			}
			out[i].Reason = reason
			continue
		}
		out[i].Allowed = got.Status.Allowed
		out[i].Reason = statusReason(got.Status)
	}
	return out
}

// failAll marks checks[from:] as not allowed with reason.
func failAll(checks []AccessCheck, from int, reason string) []AccessCheck {
	for i := from; i < len(checks); i++ {
		checks[i].Allowed = false
		checks[i].Reason = reason
	}
	return checks
}

// statusReason says why the authorizer decided as it did.
func statusReason(st authorizationv1.SubjectAccessReviewStatus) string {
	var parts []string
	switch {
	case st.Allowed:
		parts = append(parts, "allowed")
	case st.Denied:
		parts = append(parts, "explicitly denied")
	default:
		parts = append(parts, "not allowed (no RBAC rule or EKS access policy grants it)")
	}
	if r := strings.TrimSpace(st.Reason); r != "" {
		parts = append(parts, r)
	}
	if e := strings.TrimSpace(st.EvaluationError); e != "" {
		parts = append(parts, "evaluation error: "+e)
	}
	return strings.Join(parts, ": ")
}

// reviewError turns a failed review call into a reason; fatal means every other
// review would fail the same way (bad credentials, unreachable server, canceled).
func reviewError(ctx context.Context, err error) (reason string, fatal bool) {
	var (
		netErr net.Error
		opErr  *net.OpError
		dnsErr *net.DNSError
	)
	switch {
	case ctx.Err() != nil:
		return "the check was interrupted: " + ctx.Err().Error(), true
	case apierrors.IsUnauthorized(err):
		return "the API server rejected the credentials (401 Unauthorized): the IAM principal has no EKS access entry (or aws-auth mapping) on this cluster", true
	case apierrors.IsForbidden(err):
		return "the API server refused the access review (403 Forbidden), so the permissions could not be checked (grant create on selfsubjectaccessreviews.authorization.k8s.io): " + err.Error(), true
	case apierrors.IsNotFound(err):
		return "the API server does not serve SelfSubjectAccessReview (authorization.k8s.io/v1), so this permission could not be checked", true
	case errors.As(err, &opErr) || errors.As(err, &dnsErr) || errors.As(err, &netErr) && netErr.Timeout():
		return "cannot reach the API server: " + err.Error(), true
	}
	var status apierrors.APIStatus
	if !errors.As(err, &status) {
		// Not an answer of the API server (no token, TLS, transport): it would repeat.
		return "the access review could not be sent: " + err.Error(), true
	}
	if r := apierrors.ReasonForError(err); r != metav1.StatusReasonUnknown {
		return fmt.Sprintf("the access review failed (%s): %s", r, err.Error()), false
	}
	return "the access review failed: " + err.Error(), false
}
