package kubetest_test

import (
	"context"
	"testing"

	"github.com/fis-mcp/fis-mcp/kube"
	authorizationv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	"github.com/fis-mcp/fis-mcp/kube/kubetest"
)

// TestAccessReviews drives the SelfSubjectAccessReview endpoint with client-go.
func TestAccessReviews(t *testing.T) {
	srv := kubetest.New()
	t.Cleanup(srv.Close)
	srv.Deny("get", "pods", "log")
	srv.Forbid("team-a/secrets")
	cs, err := kube.NewClientset(&rest.Config{Host: srv.URL, TLSClientConfig: rest.TLSClientConfig{CAData: srv.CAData()}, QPS: -1})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		attrs authorizationv1.ResourceAttributes
		want  bool
	}{
		{"allowed by default", authorizationv1.ResourceAttributes{Verb: "list", Resource: "pods"}, true},
		{"denied subresource", authorizationv1.ResourceAttributes{Verb: "get", Resource: "pods", Subresource: "log"}, false},
		{"deny is per verb", authorizationv1.ResourceAttributes{Verb: "list", Resource: "pods", Subresource: "log"}, true},
		{"the parent resource stays allowed", authorizationv1.ResourceAttributes{Verb: "get", Resource: "pods"}, true},
		{"apps resource in its group", authorizationv1.ResourceAttributes{Verb: "list", Group: "apps", Resource: "deployments"}, true},
		{"apps resource in the wrong group", authorizationv1.ResourceAttributes{Verb: "list", Resource: "deployments"}, false},
		{"forbidden in one namespace", authorizationv1.ResourceAttributes{Verb: "list", Resource: "secrets", Namespace: "team-a"}, false},
		{"allowed in another namespace", authorizationv1.ResourceAttributes{Verb: "list", Resource: "secrets", Namespace: "team-b"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			attrs := tt.attrs
			got, err := cs.AuthorizationV1().SelfSubjectAccessReviews().Create(context.Background(),
				&authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &attrs}}, metav1.CreateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got.Status.Allowed != tt.want {
				t.Errorf("allowed=%v, want %v (reason %q)", got.Status.Allowed, tt.want, got.Status.Reason)
			}
			if got.Status.Reason == "" {
				t.Error("no reason")
			}
		})
	}
}
