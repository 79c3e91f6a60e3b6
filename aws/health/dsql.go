package health

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dsql"
)

// TypeDSQLCluster is the FIS resource type of Aurora DSQL clusters
// (https://docs.aws.amazon.com/fis/latest/userguide/targets.html).
const TypeDSQLCluster = "aws:dsql:cluster"

// addDSQLCheckers registers aws:dsql:cluster.
func addDSQLCheckers(r Registry) {
	r[TypeDSQLCluster] = checkDSQLClusters
}

// dsqlClusterStatuses classifies every Aurora DSQL cluster status:
// https://docs.aws.amazon.com/aurora-dsql/latest/userguide/cluster-lifecycle.html and
// https://docs.aws.amazon.com/aurora-dsql/latest/APIReference/API_GetCluster.html (status).
var dsqlClusterStatuses = statusTable{
	"ACTIVE": ruleOK(),
	// Idle and Inactive clusters are scaled down for lack of connections; the first
	// connection brings them back to ACTIVE (slower for INACTIVE), data is kept.
	"IDLE":           ruleNote("the cluster is idle (scaled down for lack of connections); the first connection makes it ACTIVE again and is slower than usual"),
	"INACTIVE":       ruleNote("the cluster is inactive (scaled to zero after a long idle period); the first connection restores it to ACTIVE, which takes time depending on its size"),
	"CREATING":       ruleInProgress("cluster creation"),
	"UPDATING":       ruleInProgress("a configuration change"),
	"DELETING":       ruleBlock("the cluster is being deleted"),
	"DELETED":        ruleBlock("the cluster is deleted"),
	"FAILED":         ruleBlock("the cluster could not be created"),
	"PENDING_SETUP":  ruleBlock("the multi-Region cluster waits for its peer cluster to be created and peered"),
	"PENDING_DELETE": ruleBlock("the multi-Region cluster is being deleted (waiting for its peers)"),
}

// resourceName is the service identifier of r: its ID, or, when the ID (or only the ARN)
// is an ARN, the ARN's resource part without the given resource-type prefix (e.g. "cluster/").
func resourceName(r Resource, prefix string) string {
	id := r.ID
	if id == "" || strings.HasPrefix(id, "arn:") {
		a := id
		if a == "" {
			a = r.ARN
		}
		parts := strings.SplitN(a, ":", 6)
		if len(parts) == 6 {
			a = parts[5]
		}
		return strings.TrimPrefix(a, prefix)
	}
	return strings.TrimPrefix(id, prefix)
}

// checkDSQLClusters reads each cluster with GetCluster (the API has no batch read).
func checkDSQLClusters(ctx context.Context, env Env, rs []Resource) []Result {
	out := make([]Result, len(rs))
	for i, r := range rs {
		id := resourceName(r, "cluster/")
		resp, err := env.Clients.DSQL.GetCluster(ctx, &dsql.GetClusterInput{Identifier: aws.String(id)})
		if err != nil {
			res := failedCall(r, err, "dsql GetCluster", "dsql:GetCluster")
			if res.Status == StatusNotFound {
				res.Detail = fmt.Sprintf("Aurora DSQL cluster %s does not exist (deleted, wrong region or wrong account?)", id)
			}
			out[i] = res
			continue
		}
		if resp.Status == "" {
			out[i] = emptyResponse(r, "dsql GetCluster")
			continue
		}
		status := string(resp.Status)
		detail := fmt.Sprintf("Aurora DSQL cluster %s is %s", id, status)
		if mr := resp.MultiRegionProperties; mr != nil {
			detail += fmt.Sprintf(", multi-Region (witness %s, %d peer(s))", aws.ToString(mr.WitnessRegion), len(mr.Clusters))
		}
		out[i] = classified(r, dsqlClusterStatuses, "status", status, detail, resp)
	}
	return out
}
