package setup

import (
	"context"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"

	"github.com/fis-mcp/fis-mcp/aws/clusters"
	"github.com/fis-mcp/fis-mcp/kube"
)

// KubeAccess checks clusters with in-process EKS tokens of cfg (kube.CheckAccess: one
// SelfSubjectAccessReview per permission), as discovery reaches them.
func KubeAccess(cfg awssdk.Config) KubeChecker {
	ts := kube.NewTokenSource(cfg)
	return func(ctx context.Context, c clusters.Cluster) []KubePermission {
		kc := kube.Cluster{Name: c.Name, Endpoint: c.Endpoint, CAData: c.CAData, Region: cfg.Region}
		var out []KubePermission
		for _, a := range kube.CheckAccess(ctx, kube.RESTConfig(kc, ts)) {
			out = append(out, KubePermission{Verb: a.Verb, Resource: a.Resource, Subresource: a.Subresource,
				Allowed: a.Allowed, Optional: a.Optional, Reason: a.Reason})
		}
		return out
	}
}
