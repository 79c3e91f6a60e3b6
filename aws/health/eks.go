package health

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
)

// addEKSCheckers registers aws:eks:nodegroup, aws:eks:pod and aws:eks:cluster.
func addEKSCheckers(r Registry) {
	r[TypeEKSNode] = checkEKSNodegroups
	r["aws:eks:cluster"] = checkEKSClusters
	r[TypeEKSPod] = checkEKSPods
}

// eksClusterStatuses classifies every EKS cluster status:
// https://docs.aws.amazon.com/eks/latest/APIReference/API_Cluster.html (status: CREATING | ACTIVE | DELETING | FAILED | UPDATING | PENDING)
var eksClusterStatuses = statusTable{
	"ACTIVE":   ruleOK(),
	"UPDATING": ruleBlock("an update is in progress; wait for it to finish"),
	"CREATING": ruleInProgress("cluster creation"),
	"PENDING":  ruleBlock("the cluster is pending and not yet usable"),
	"DELETING": ruleBlock("the cluster is being deleted"),
	"FAILED":   ruleBlock("the cluster failed"),
}

// eksNodegroupStatuses classifies every EKS managed node group status:
// https://docs.aws.amazon.com/eks/latest/APIReference/API_Nodegroup.html (status)
var eksNodegroupStatuses = statusTable{
	"ACTIVE":        ruleOK(),
	"UPDATING":      ruleBlock("an update is in progress; wait for it to finish"),
	"CREATING":      ruleInProgress("node group creation"),
	"DELETING":      ruleBlock("the node group is being deleted"),
	"CREATE_FAILED": ruleBlock("the node group could not be created"),
	"DELETE_FAILED": ruleBlock("the node group could not be deleted"),
	"DEGRADED":      ruleBlock("the node group has a health issue (see its health issues)"),
}

// checkEKSNodegroups: healthy when ACTIVE with no health issues. IDs are "cluster/nodegroup".
func checkEKSNodegroups(ctx context.Context, env Env, rs []Resource) []Result {
	out := make([]Result, len(rs))
	for i, r := range rs {
		cluster, ng, ok := strings.Cut(r.ID, "/")
		if !ok || cluster == "" || ng == "" {
			out[i] = Unchecked(r, fmt.Sprintf("node group identifier %q is not cluster/nodegroup", r.ID))
			continue
		}
		resp, err := env.Clients.EKS.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String(cluster), NodegroupName: aws.String(ng)})
		if err != nil {
			out[i] = failedCall(r, err, "eks DescribeNodegroup", "eks:DescribeNodegroup")
			continue
		}
		n := resp.Nodegroup
		if n == nil || n.Status == "" {
			out[i] = emptyResponse(r, "eks DescribeNodegroup")
			continue
		}
		status := string(n.Status)
		var issues []string
		if n.Health != nil {
			for _, is := range n.Health.Issues {
				s := string(is.Code)
				if m := aws.ToString(is.Message); m != "" {
					s += ": " + m
				}
				if len(is.ResourceIds) > 0 {
					s += " (" + strings.Join(is.ResourceIds, ", ") + ")"
				}
				issues = append(issues, s)
			}
		}
		var detail []string
		if sc := n.ScalingConfig; sc != nil {
			detail = append(detail, fmt.Sprintf("desired %d (min %d, max %d)", aws.ToInt32(sc.DesiredSize), aws.ToInt32(sc.MinSize), aws.ToInt32(sc.MaxSize)))
		}
		if len(issues) > 0 {
			detail = append(detail, "health issues: "+strings.Join(issues, "; "))
		}
		rule := eksNodegroupStatuses.classify(status)
		healthy := rule.Class != classUnhealthy && len(issues) == 0
		if rule.Class == classUnhealthy {
			detail = append([]string{"status " + status + " (needs ACTIVE): " + rule.Reason}, detail...)
		}
		res := describedResult(r, status, healthy, strings.Join(detail, "; "), n)
		if healthy && rule.Class == classNote {
			res = withNote(res, rule.Reason)
		}
		out[i] = res
	}
	return out
}

// checkEKSClusters: healthy when ACTIVE.
func checkEKSClusters(ctx context.Context, env Env, rs []Resource) []Result {
	out := make([]Result, len(rs))
	for i, r := range rs {
		c, res := describeEKSCluster(ctx, env, r, clusterName(r.ID))
		if c == nil {
			out[i] = res
			continue
		}
		detail := "Kubernetes " + aws.ToString(c.Version)
		rule := eksClusterStatuses.classify(string(c.Status))
		if rule.Class == classUnhealthy {
			detail = "status " + string(c.Status) + " (needs ACTIVE): " + rule.Reason + "; " + detail
		}
		out[i] = describedResult(r, string(c.Status), rule.Class != classUnhealthy, detail, c)
	}
	return out
}

// describeEKSCluster returns the cluster, or nil and the result explaining why not.
func describeEKSCluster(ctx context.Context, env Env, r Resource, name string) (*ekstypes.Cluster, Result) {
	resp, err := env.Clients.EKS.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(name)})
	if err != nil {
		res := failedCall(r, err, "eks DescribeCluster", "eks:DescribeCluster")
		if res.Status == StatusNotFound {
			res.Detail = fmt.Sprintf("EKS cluster %s does not exist", name)
		}
		return nil, res
	}
	if resp.Cluster == nil || resp.Cluster.Status == "" {
		return nil, emptyResponse(r, "eks DescribeCluster")
	}
	return resp.Cluster, Result{}
}

// PodTargetState is the described state of an aws:eks:pod target (its filter attributes).
type PodTargetState struct {
	Cluster       string
	ClusterStatus string
	Namespace     string
	SelectorType  string
	SelectorValue string
	Pods          []Pod
}

// checkEKSPods: the cluster is ACTIVE and every selected pod (at least one) is Running and Ready.
func checkEKSPods(ctx context.Context, env Env, rs []Resource) []Result {
	out := make([]Result, len(rs))
	for i, r := range rs {
		p := r.Params
		if p == nil {
			p = PodParamsFromID(r.ID)
		}
		var missing []string
		for _, k := range []string{"clusterIdentifier", "namespace", "selectorType", "selectorValue"} {
			if p[k] == "" {
				missing = append(missing, k)
			}
		}
		if len(missing) > 0 {
			out[i] = Unchecked(r, "aws:eks:pod target lacks parameters "+strings.Join(missing, ", "))
			continue
		}
		name := clusterName(p["clusterIdentifier"])
		c, res := describeEKSCluster(ctx, env, r, name)
		if c == nil {
			out[i] = res
			continue
		}
		st := PodTargetState{Cluster: name, ClusterStatus: string(c.Status), Namespace: p["namespace"], SelectorType: p["selectorType"], SelectorValue: p["selectorValue"]}
		if rule := eksClusterStatuses.classify(string(c.Status)); rule.Class == classUnhealthy {
			out[i] = describedResult(r, "cluster-"+strings.ToLower(string(c.Status)), false, fmt.Sprintf("EKS cluster %s is %s (needs ACTIVE): %s", name, c.Status, rule.Reason), st)
			continue
		}
		if env.Pods == nil {
			out[i] = Unchecked(r, fmt.Sprintf("no Kubernetes access: cannot list the pods of cluster %s (cluster ACTIVE)", name))
			continue
		}
		pods, err := env.Pods.ListPods(ctx, name, st.Namespace, st.SelectorType, st.SelectorValue)
		if err != nil {
			out[i] = Unchecked(r, fmt.Sprintf("list pods in %s/%s (%s=%s): %v", name, st.Namespace, st.SelectorType, st.SelectorValue, err))
			continue
		}
		st.Pods = pods
		if len(pods) == 0 {
			out[i] = describedResult(r, "no-pods", false, fmt.Sprintf("no pod in namespace %s matches %s=%s", st.Namespace, st.SelectorType, st.SelectorValue), st)
			continue
		}
		var bad []string
		for _, pod := range pods {
			if pod.Phase != "Running" || !pod.Ready {
				ready := "not ready"
				if pod.Ready {
					ready = "ready"
				}
				bad = append(bad, fmt.Sprintf("%s (%s, %s)", pod.Name, pod.Phase, ready))
			}
		}
		if len(bad) > 0 {
			out[i] = describedResult(r, "pods-not-ready", false, fmt.Sprintf("%d of %d pods not Running and Ready: %s", len(bad), len(pods), strings.Join(bad, ", ")), st)
			continue
		}
		out[i] = describedResult(r, "Running", true, fmt.Sprintf("%d pods Running and Ready", len(pods)), st)
	}
	return out
}
