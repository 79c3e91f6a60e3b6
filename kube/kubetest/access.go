package kubetest

import (
	"fmt"
	"io"
	"net/http"

	authorizationv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/scheme"
)

// accessReviewPath is where SelfSubjectAccessReviews are created
// (https://kubernetes.io/docs/reference/kubernetes-api/authorization-resources/self-subject-access-review-v1/).
const accessReviewPath = "apis/authorization.k8s.io/v1/selfsubjectaccessreviews"

// Deny makes SelfSubjectAccessReviews for verb on resource (with subresource,
// "" for none) answer "not allowed" in every namespace: Deny("get", "pods", "log").
// Every other review is allowed, unless Forbid covers the resource. Forbid
// ("selfsubjectaccessreviews") makes creating a review itself answer 403.
func (s *Server) Deny(verb, resource, subresource string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.denied == nil {
		s.denied = map[string]bool{}
	}
	s.denied[denyKey(verb, resource, subresource)] = true
}

func denyKey(verb, resource, subresource string) string {
	return verb + " " + resource + "/" + subresource
}

// serveAccessReview answers a SelfSubjectAccessReview create (POST) with its status.
func (s *Server) serveAccessReview(w http.ResponseWriter, r *http.Request) {
	if s.isForbidden("", "selfsubjectaccessreviews") {
		writeStatus(w, http.StatusForbidden, metav1.StatusReasonForbidden,
			`selfsubjectaccessreviews.authorization.k8s.io is forbidden: User "fis-mcp" cannot create resource "selfsubjectaccessreviews" in API group "authorization.k8s.io" at the cluster scope`)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var review authorizationv1.SelfSubjectAccessReview
	if err == nil {
		// client-go may send protobuf or JSON; the universal deserializer reads both.
		_, _, err = scheme.Codecs.UniversalDeserializer().Decode(body, nil, &review)
	}
	if err != nil {
		writeStatus(w, http.StatusBadRequest, metav1.StatusReasonBadRequest, "the request body is not a SelfSubjectAccessReview")
		return
	}
	ra := review.Spec.ResourceAttributes
	if ra == nil {
		// Non-resource URLs: the fake serves discovery to everyone.
		review.Status = authorizationv1.SubjectAccessReviewStatus{Allowed: true, Reason: "fake API server: non-resource URLs are open"}
	} else {
		res := ra.Resource
		if ra.Subresource != "" {
			res += "/" + ra.Subresource
		}
		s.mu.Lock()
		denied := s.denied[denyKey(ra.Verb, ra.Resource, ra.Subresource)]
		s.mu.Unlock()
		info, known := resources[ra.Resource]
		switch {
		case known && info.group != ra.Group:
			// RBAC rules name the group: a review in the wrong one matches no rule.
			review.Status = authorizationv1.SubjectAccessReviewStatus{Allowed: false, Reason: fmt.Sprintf("fake API server: no resource %s in API group %q", ra.Resource, ra.Group)}
		case denied || s.isForbidden(ra.Namespace, res):
			review.Status = authorizationv1.SubjectAccessReviewStatus{Allowed: false, Reason: fmt.Sprintf("fake API server: %s %s is denied", ra.Verb, res)}
		default:
			review.Status = authorizationv1.SubjectAccessReviewStatus{Allowed: true, Reason: fmt.Sprintf("fake API server: %s %s is allowed", ra.Verb, res)}
		}
	}
	review.TypeMeta = metav1.TypeMeta{Kind: "SelfSubjectAccessReview", APIVersion: "authorization.k8s.io/v1"}
	review.CreationTimestamp = metav1.Time{}
	writeJSON(w, http.StatusCreated, review)
}
