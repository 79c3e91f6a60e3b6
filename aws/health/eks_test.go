package health

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
)

// checkCase is one checker table row: seed the fake, check one resource, compare.
type checkCase struct {
	name        string
	seed        func(f *fakeAWS)
	res         Resource
	pods        PodLister
	wantStatus  string
	wantHealthy bool
	wantDetail  string // substring of Detail
	wantAttrs   bool
}

func runCheckCases(t *testing.T, typ string, cases []checkCase) {
	t.Helper()
	check := DefaultRegistry()[typ]
	if check == nil {
		t.Fatalf("no checker registered for %s", typ)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAWS(t)
			if tc.seed != nil {
				tc.seed(f)
			}
			env := f.env()
			env.Pods = tc.pods
			r := tc.res
			r.Type = typ
			r.Target = "T"
			got := check(context.Background(), env, []Resource{r})
			if len(got) != 1 {
				t.Fatalf("got %d results", len(got))
			}
			g := got[0]
			if g.Status != tc.wantStatus || g.Healthy != tc.wantHealthy || !strings.Contains(g.Detail, tc.wantDetail) {
				t.Fatalf("got status=%q healthy=%v detail=%q; want %q %v ~%q", g.Status, g.Healthy, g.Detail, tc.wantStatus, tc.wantHealthy, tc.wantDetail)
			}
			if g.ID != r.ID || g.Type != typ || g.Target != "T" {
				t.Fatalf("identity %+v", g.ResourceHealth)
			}
			if (g.Attributes != nil) != tc.wantAttrs {
				t.Fatalf("attributes %v, want present=%v", g.Attributes, tc.wantAttrs)
			}
		})
	}
}

func fault(service, op string, status int, code string, times int) func(f *fakeAWS) {
	return func(f *fakeAWS) {
		f.srv.InjectFault(awstest.Fault{Service: service, Operation: op, Status: status, Code: code, Times: times})
	}
}

func seeds(fns ...func(f *fakeAWS)) func(f *fakeAWS) {
	return func(f *fakeAWS) {
		for _, fn := range fns {
			fn(f)
		}
	}
}

func seedEKS(f *fakeAWS) {
	f.srv.AddEKSCluster(awstest.EKSCluster{Name: "prod", Endpoint: "https://x.eks.amazonaws.com"})
	f.srv.AddNodegroup(awstest.EKSNodegroup{Cluster: "prod", Name: "ng", MinSize: 1, MaxSize: 6, DesiredSize: 3})
}

func TestCheckEKSNodegroup(t *testing.T) {
	ng := Resource{ID: "prod/ng"}
	runCheckCases(t, "aws:eks:nodegroup", []checkCase{
		{name: "healthy", seed: seedEKS, res: ng, wantStatus: "ACTIVE", wantHealthy: true, wantDetail: "desired 3 (min 1, max 6)", wantAttrs: true},
		{name: "degraded", seed: seeds(seedEKS, func(f *fakeAWS) { f.srv.SetNodegroupStatus("prod", "ng", "DEGRADED") }),
			res: ng, wantStatus: "DEGRADED", wantDetail: "status DEGRADED (needs ACTIVE)", wantAttrs: true},
		{name: "active with health issue", seed: seeds(seedEKS, func(f *fakeAWS) {
			f.srv.SetNodegroupHealth("prod", "ng", awstest.EKSIssue{Code: "AsgInstanceLaunchFailures", Message: "no capacity", ResourceIDs: []string{"asg-1"}})
		}), res: ng, wantStatus: "ACTIVE", wantDetail: "AsgInstanceLaunchFailures: no capacity (asg-1)", wantAttrs: true},
		{name: "missing", seed: seedEKS, res: Resource{ID: "prod/gone"}, wantStatus: StatusNotFound, wantDetail: "does not exist"},
		{name: "bad identifier", seed: seedEKS, res: Resource{ID: "ng"}, wantStatus: StatusUnchecked, wantDetail: "not cluster/nodegroup"},
		{name: "throttled then ok", seed: seeds(seedEKS, fault("eks", "DescribeNodegroup", 429, "ThrottlingException", 2)),
			res: ng, wantStatus: "ACTIVE", wantHealthy: true, wantAttrs: true},
		{name: "access denied", seed: seeds(seedEKS, fault("eks", "DescribeNodegroup", 403, "AccessDeniedException", 0)),
			res: ng, wantStatus: StatusUnchecked, wantDetail: "eks:DescribeNodegroup"},
		{name: "malformed body", seed: seeds(seedEKS, func(f *fakeAWS) { f.replace("eks", "/node-groups/ng$", 200, "application/json", "{not json") }),
			res: ng, wantStatus: StatusUnchecked, wantDetail: "eks DescribeNodegroup"},
		{name: "empty body", seed: seeds(seedEKS, func(f *fakeAWS) { f.replace("eks", "/node-groups/ng$", 200, "application/json", "{}") }),
			res: ng, wantStatus: StatusUnchecked, wantDetail: "returned no description"},
	})
}

func TestCheckEKSCluster(t *testing.T) {
	runCheckCases(t, "aws:eks:cluster", []checkCase{
		{name: "active", seed: seedEKS, res: Resource{ID: "prod"}, wantStatus: "ACTIVE", wantHealthy: true, wantDetail: "Kubernetes 1.31", wantAttrs: true},
		{name: "by ARN", seed: seedEKS, res: Resource{ID: "arn:aws:eks:us-east-1:123456789012:cluster/prod"}, wantStatus: "ACTIVE", wantHealthy: true, wantAttrs: true},
		{name: "updating", seed: seeds(seedEKS, func(f *fakeAWS) { f.srv.SetEKSClusterStatus("prod", "UPDATING") }),
			res: Resource{ID: "prod"}, wantStatus: "UPDATING", wantDetail: "needs ACTIVE", wantAttrs: true},
		{name: "missing", res: Resource{ID: "prod"}, wantStatus: StatusNotFound, wantDetail: "EKS cluster prod does not exist"},
		{name: "server error retried out", seed: seeds(seedEKS, fault("eks", "DescribeCluster", 500, "ServerException", 0)),
			res: Resource{ID: "prod"}, wantStatus: StatusUnchecked, wantDetail: "ServerException"},
	})
}

func TestCheckEKSPod(t *testing.T) {
	params := map[string]string{"clusterIdentifier": "arn:aws:eks:us-east-1:123456789012:cluster/prod", "namespace": "shop", "selectorType": "labelSelector", "selectorValue": "app=cart"}
	pod := Resource{ID: PodTargetID(params), Params: params}
	key := "prod/shop/labelSelector=app=cart"
	ready := fakePods{pods: map[string][]Pod{key: {{Namespace: "shop", Name: "cart-1", Phase: "Running", Ready: true}, {Namespace: "shop", Name: "cart-2", Phase: "Running", Ready: true}}}}
	notReady := fakePods{pods: map[string][]Pod{key: {{Name: "cart-1", Phase: "Running", Ready: true}, {Name: "cart-2", Phase: "Pending"}}}}
	runCheckCases(t, "aws:eks:pod", []checkCase{
		{name: "all ready", seed: seedEKS, res: pod, pods: ready, wantStatus: "Running", wantHealthy: true, wantDetail: "2 pods Running and Ready", wantAttrs: true},
		{name: "one pending", seed: seedEKS, res: pod, pods: notReady, wantStatus: "pods-not-ready", wantDetail: "cart-2 (Pending, not ready)", wantAttrs: true},
		{name: "no pods", seed: seedEKS, res: pod, pods: fakePods{}, wantStatus: "no-pods", wantDetail: "no pod in namespace shop", wantAttrs: true},
		{name: "no kubernetes access", seed: seedEKS, res: pod, wantStatus: StatusUnchecked, wantDetail: "no Kubernetes access"},
		{name: "list fails", seed: seedEKS, res: pod, pods: fakePods{err: errors.New("forbidden")}, wantStatus: StatusUnchecked, wantDetail: "forbidden"},
		{name: "cluster not active", seed: seeds(seedEKS, func(f *fakeAWS) { f.srv.SetEKSClusterStatus("prod", "FAILED") }),
			res: pod, pods: ready, wantStatus: "cluster-failed", wantDetail: "needs ACTIVE", wantAttrs: true},
		{name: "cluster missing", res: pod, pods: ready, wantStatus: StatusNotFound, wantDetail: "does not exist"},
		{name: "params from ID", seed: seedEKS, res: Resource{ID: key}, pods: ready, wantStatus: "Running", wantHealthy: true, wantAttrs: true},
		{name: "missing params", seed: seedEKS, res: Resource{ID: "x", Params: map[string]string{"clusterIdentifier": "prod"}}, pods: ready,
			wantStatus: StatusUnchecked, wantDetail: "lacks parameters namespace, selectorType, selectorValue"},
	})
}
