package managedlogs

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/session"
)

// eksRecommendedLogTypes are the control plane logs worth having during an experiment.
var eksRecommendedLogTypes = []string{"api", "audit", "authenticator"}

func addEKSDetectors(m map[string]DetectFunc) {
	m["aws:eks:cluster"] = detectEKS
	m["aws:eks:nodegroup"] = detectEKS
	m["aws:eks:pod"] = detectEKS
}

// eksClusterOf is the EKS cluster a resource belongs to.
func eksClusterOf(r health.Resource) string {
	id := r.ID
	switch r.Type {
	case "aws:eks:nodegroup":
		id, _, _ = strings.Cut(r.ID, "/")
	case "aws:eks:pod":
		if c := r.Params["clusterIdentifier"]; c != "" {
			id = c
		} else {
			id, _, _ = strings.Cut(r.ID, "/")
		}
	}
	if strings.HasPrefix(id, "arn:") {
		if i := strings.LastIndex(id, ":cluster/"); i >= 0 {
			id = id[i+len(":cluster/"):]
		}
	}
	return id
}

// detectEKS reports the cluster's control plane logging: /aws/eks/{name}/cluster when any
// log type is enabled, with a recommendation for missing api/audit/authenticator logs.
func detectEKS(ctx context.Context, c *awsapi.Clients, r health.Resource) (session.ManagedLogGroup, error) {
	name := eksClusterOf(r)
	g := session.ManagedLogGroup{Service: "eks", Identifier: name}
	out, err := c.EKS.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(name)})
	if err != nil {
		return g, awsapi.Wrap(err, "eks DescribeCluster", name, "eks:DescribeCluster")
	}
	var enabled []string
	if out.Cluster != nil && out.Cluster.Logging != nil {
		for _, ls := range out.Cluster.Logging.ClusterLogging {
			if aws.ToBool(ls.Enabled) {
				for _, t := range ls.Types {
					enabled = append(enabled, string(t))
				}
			}
		}
	}
	var missing []string
	for _, t := range eksRecommendedLogTypes {
		if !eksHasType(enabled, t) {
			missing = append(missing, t)
		}
	}
	if len(enabled) > 0 {
		g.Enabled = true
		g.LogGroups = []string{fmt.Sprintf("/aws/eks/%s/cluster", name)}
	}
	if len(missing) > 0 {
		types := `"` + strings.Join(eksRecommendedLogTypes, `","`) + `"`
		g.Recommendation = fmt.Sprintf("Enable EKS control plane logging (%s) to see the API server's view of the experiment: "+
			`aws eks update-cluster-config --name %s --logging '{"clusterLogging":[{"types":[%s],"enabled":true}]}'`,
			strings.Join(missing, ", "), name, types)
	}
	return g, nil
}

func eksHasType(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
