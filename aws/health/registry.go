// Package health checks the live state of FIS target resources: one checker per FIS
// resource type, in a registry, each reading its service's canonical status.
package health

import (
	"context"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/session"
)

// Resource is one resolved target resource to check.
type Resource struct {
	// ID is the service's own identifier (instance ID, cluster identifier, ...).
	ID string
	// ARN, when known.
	ARN string
	// Type is the FIS resource type, e.g. "aws:rds:cluster".
	Type string
	// Target is the template target name the resource came from.
	Target string
	// Params are the target's parameters (e.g. aws:eks:pod clusterIdentifier, namespace, selectorType, selectorValue).
	Params map[string]string
	// Via is how the resource was identified: ViaARN, ViaTags or ViaParameters.
	Via string
	// FilterAttributes is the listing object FIS applies the target's filters to when the type's
	// table row says filters match a listing (ARC ListManagedResources summaries, S3 ListBuckets
	// entries); nil otherwise (filters then match the checker's Attributes).
	FilterAttributes any
}

// How a resource was identified (Resource.Via).
const (
	ViaARN        = "arn"
	ViaTags       = "tags"
	ViaParameters = "parameters"
)

// Result is the health of one resource plus the raw described object, whose fields
// (SDK output shape, e.g. State.Name, Placement.AvailabilityZone) FIS target filters match against.
type Result struct {
	session.ResourceHealth
	// Attributes is the described resource (an SDK output struct or a map); nil when not described.
	Attributes any
}

// Pod is the state of one Kubernetes pod (for aws:eks:pod targets).
type Pod struct {
	Namespace, Name, Phase string
	Ready                  bool
}

// PodLister lists the pods a target selects in an EKS cluster; supplied by package kube.
type PodLister interface {
	ListPods(ctx context.Context, cluster, namespace, selectorType, selectorValue string) ([]Pod, error)
}

// Env is what checkers may use.
type Env struct {
	Clients *awsapi.Clients
	// Pods may be nil: aws:eks:pod targets are then unchecked.
	Pods PodLister
}

// CheckFunc checks every resource of one type. It returns exactly one Result per
// resource, in the same order. A failed call makes the resource unchecked
// (Status "unchecked", Healthy false, Detail the reason); it never panics.
type CheckFunc func(ctx context.Context, env Env, rs []Resource) []Result

// Registry maps FIS resource types to their checkers.
type Registry map[string]CheckFunc

// DefaultRegistry returns the checkers for every supported FIS resource type.
func DefaultRegistry() Registry {
	r := Registry{}
	addEC2Checkers(r)
	addRDSCheckers(r)
	addCacheCheckers(r)
	addEKSCheckers(r)
	addContainerCheckers(r)
	addAnalyticsCheckers(r)
	addServerlessCheckers(r)
	addIAMCheckers(r)
	addDSQLCheckers(r)
	addKinesisCheckers(r)
	addVPCEndpointCheckers(r)
	addDirectConnectCheckers(r)
	return r
}

// Unchecked is the result for a resource that could not be checked.
func Unchecked(r Resource, reason string) Result {
	return Result{ResourceHealth: session.ResourceHealth{
		ID: r.ID, ARN: r.ARN, Type: r.Type, Target: r.Target,
		Status: "unchecked", Healthy: false, Detail: reason,
	}}
}
