package health

import (
	"context"
	"fmt"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticache"
	ectypes "github.com/aws/aws-sdk-go-v2/service/elasticache/types"
	"github.com/aws/aws-sdk-go-v2/service/memorydb"
	mdbtypes "github.com/aws/aws-sdk-go-v2/service/memorydb/types"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
)

// addCacheCheckers registers aws:elasticache:replicationgroup (and its older name
// aws:elasticache:redis-replicationgroup), aws:memorydb:cluster and aws:memorydb:multi-region-cluster.
func addCacheCheckers(r Registry) {
	r["aws:elasticache:replicationgroup"] = checkReplicationGroups
	r["aws:elasticache:redis-replicationgroup"] = checkReplicationGroups
	r["aws:memorydb:cluster"] = checkMemoryDBClusters
	r["aws:memorydb:multi-region-cluster"] = checkMultiRegionClusters
}

// elasticacheGroupStatuses classifies every replication group (and node group) status:
// https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_ReplicationGroup.html
// (creating, available, modifying, deleting, create-failed, snapshotting) and
// https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_NodeGroup.html
// (creating, available, modifying, deleting); node statuses:
// https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Nodes.viewing.html
var elasticacheGroupStatuses = statusTable{
	"available":                     ruleOK(),
	"snapshotting":                  ruleNote("a snapshot is being taken; the group keeps serving"),
	"creating":                      ruleInProgress("creation"),
	"modifying":                     ruleInProgress("a modification"),
	"updating":                      ruleInProgress("a service update or security group change"),
	"deleting":                      ruleBlock("the group is being deleted"),
	"create-failed":                 ruleBlock("creation failed"),
	"rebooting cluster nodes":       ruleInProgress("a node reboot"),
	"rebooting cache cluster nodes": ruleInProgress("a node reboot"),
	"incompatible-network":          ruleBlock("the subnet group has no usable subnet or IP address"),
	"incompatible_network":          ruleBlock("the subnet group has no usable subnet or IP address"),
	"incompatible_parameters":       ruleBlock("the parameter group is not compatible with the nodes"),
	"restore-failed":                ruleBlock("a restore or node replacement failed"),
	"restore_failed":                ruleBlock("a restore or node replacement failed"),
}

// memorydbStatuses classifies MemoryDB cluster, shard and node statuses. The API reference
// names only examples ("Available, Updating, Creating"):
// https://docs.aws.amazon.com/memorydb/latest/APIReference/API_Cluster.html; the others are the
// lifecycle states the MemoryDB developer guide describes. Anything else is unknown (unhealthy).
var memorydbStatuses = statusTable{
	"available":     ruleOK(),
	"snapshotting":  ruleNote("a snapshot is being taken; the cluster keeps serving"),
	"creating":      ruleInProgress("creation"),
	"updating":      ruleInProgress("an update"),
	"modifying":     ruleInProgress("a modification"),
	"deleting":      ruleBlock("the cluster is being deleted"),
	"create-failed": ruleBlock("creation failed"),
}

// cacheNotFoundCodes are the not-found codes of ElastiCache and MemoryDB
// (some are not in awsapi.Classify's list).
var cacheNotFoundCodes = map[string]bool{
	"ReplicationGroupNotFoundFault": true, "CacheClusterNotFound": true, "CacheClusterNotFoundFault": true,
	"ClusterNotFoundFault": true, "MultiRegionClusterNotFoundFault": true,
}

func cacheCallFailed(r Resource, what string, err error, op, permission string) Result {
	if cacheNotFoundCodes[awsapi.Code(err)] || awsapi.IsNotFound(err) {
		return missingResult(r, what)
	}
	return Unchecked(r, awsapi.Wrap(err, op, idOrARN(r), permission).Error())
}

func checkReplicationGroups(ctx context.Context, env Env, rs []Resource) []Result {
	out := make([]Result, len(rs))
	for i, r := range rs {
		id := idOrARN(r)
		resp, err := env.Clients.ElastiCache.DescribeReplicationGroups(ctx, &elasticache.DescribeReplicationGroupsInput{ReplicationGroupId: awssdk.String(id)})
		if err != nil {
			out[i] = cacheCallFailed(r, "replication group "+id, err, "elasticache DescribeReplicationGroups", "elasticache:DescribeReplicationGroups")
			continue
		}
		if len(resp.ReplicationGroups) == 0 {
			out[i] = emptyResponse(r, "elasticache DescribeReplicationGroups")
			continue
		}
		out[i] = replicationGroupHealth(r, resp.ReplicationGroups[0])
	}
	return out
}

func replicationGroupHealth(r Resource, rg ectypes.ReplicationGroup) Result {
	id := awssdk.ToString(rg.ReplicationGroupId)
	status := awssdk.ToString(rg.Status)
	if status == "" {
		return Unchecked(r, "elasticache DescribeReplicationGroups returned "+id+" without a status")
	}
	var primaries []string
	var v verdictOf
	v.add("replication group status", status, elasticacheGroupStatuses.classify(status))
	if len(rg.NodeGroups) == 0 {
		v.problem("no node groups")
	}
	clusterMode := awssdk.ToBool(rg.ClusterEnabled)
	for _, ng := range rg.NodeGroups {
		ngID := awssdk.ToString(ng.NodeGroupId)
		if st := awssdk.ToString(ng.Status); st != "available" {
			v.add("node group "+ngID+" is", st, elasticacheGroupStatuses.classify(st))
		}
		if len(ng.NodeGroupMembers) == 0 {
			v.problem("node group " + ngID + " has no nodes")
		}
		primary := ""
		for _, m := range ng.NodeGroupMembers {
			if awssdk.ToString(m.CurrentRole) == "primary" {
				primary = fmt.Sprintf("%s (%s)", awssdk.ToString(m.CacheClusterId), awssdk.ToString(m.PreferredAvailabilityZone))
			}
		}
		switch {
		case primary != "":
			primaries = append(primaries, primary)
		case !clusterMode && len(ng.NodeGroupMembers) > 0:
			v.problem("node group " + ngID + " has no primary")
		}
	}
	detail := fmt.Sprintf("replication group %s is %s with %d node group(s), automatic failover %s, Multi-AZ %s",
		id, status, len(rg.NodeGroups), orElse(string(rg.AutomaticFailover), "unknown"), orElse(string(rg.MultiAZ), "unknown"))
	if len(primaries) > 0 {
		detail += "; primary " + strings.Join(primaries, ", ")
	}
	return v.result(r, status, detail, rg)
}

func checkMemoryDBClusters(ctx context.Context, env Env, rs []Resource) []Result {
	out := make([]Result, len(rs))
	for i, r := range rs {
		name := idOrARN(r)
		resp, err := env.Clients.MemoryDB.DescribeClusters(ctx, &memorydb.DescribeClustersInput{ClusterName: awssdk.String(name), ShowShardDetails: awssdk.Bool(true)})
		if err != nil {
			out[i] = cacheCallFailed(r, "MemoryDB cluster "+name, err, "memorydb DescribeClusters", "memorydb:DescribeClusters")
			continue
		}
		if len(resp.Clusters) == 0 {
			out[i] = emptyResponse(r, "memorydb DescribeClusters")
			continue
		}
		out[i] = memoryDBClusterHealth(r, resp.Clusters[0])
	}
	return out
}

func memoryDBClusterHealth(r Resource, c mdbtypes.Cluster) Result {
	name := awssdk.ToString(c.Name)
	status := awssdk.ToString(c.Status)
	if status == "" {
		return Unchecked(r, "memorydb DescribeClusters returned "+name+" without a status")
	}
	var v verdictOf
	v.add("cluster status", status, memorydbStatuses.classify(status))
	if len(c.Shards) == 0 {
		v.problem("no shards")
	}
	nodes := 0
	for _, sh := range c.Shards {
		if st := awssdk.ToString(sh.Status); st != "available" {
			v.add("shard "+awssdk.ToString(sh.Name)+" is", st, memorydbStatuses.classify(st))
		}
		for _, n := range sh.Nodes {
			nodes++
			if st := awssdk.ToString(n.Status); st != "available" {
				v.add(fmt.Sprintf("node %s (%s) is", awssdk.ToString(n.Name), awssdk.ToString(n.AvailabilityZone)), st, memorydbStatuses.classify(st))
			}
		}
	}
	detail := fmt.Sprintf("MemoryDB cluster %s is %s with %d shard(s), %d node(s), %s", name, status, len(c.Shards), nodes, orElse(string(c.AvailabilityMode), "availability mode unknown"))
	return v.result(r, status, detail, c)
}

func checkMultiRegionClusters(ctx context.Context, env Env, rs []Resource) []Result {
	out := make([]Result, len(rs))
	for i, r := range rs {
		name := idOrARN(r)
		resp, err := env.Clients.MemoryDB.DescribeMultiRegionClusters(ctx, &memorydb.DescribeMultiRegionClustersInput{
			MultiRegionClusterName: awssdk.String(name), ShowClusterDetails: awssdk.Bool(true),
		})
		if err != nil {
			out[i] = cacheCallFailed(r, "MemoryDB multi-Region cluster "+name, err, "memorydb DescribeMultiRegionClusters", "memorydb:DescribeMultiRegionClusters")
			continue
		}
		if len(resp.MultiRegionClusters) == 0 {
			out[i] = emptyResponse(r, "memorydb DescribeMultiRegionClusters")
			continue
		}
		m := resp.MultiRegionClusters[0]
		status := awssdk.ToString(m.Status)
		if status == "" {
			out[i] = Unchecked(r, "memorydb DescribeMultiRegionClusters returned "+name+" without a status")
			continue
		}
		var regional, problems []string
		for _, c := range m.Clusters {
			st := awssdk.ToString(c.Status)
			regional = append(regional, fmt.Sprintf("%s in %s %s", awssdk.ToString(c.ClusterName), awssdk.ToString(c.Region), st))
			if rule := memorydbStatuses.classify(st); st != "" && rule.Class == classUnhealthy {
				problems = append(problems, fmt.Sprintf("regional cluster %s in %s is %s: %s", awssdk.ToString(c.ClusterName), awssdk.ToString(c.Region), st, rule.Reason))
			}
		}
		if rule := memorydbStatuses.classify(status); rule.Class == classUnhealthy {
			problems = append([]string{"status " + status + ": " + rule.Reason}, problems...)
		}
		detail := fmt.Sprintf("MemoryDB multi-Region cluster %s is %s", name, status)
		if len(regional) > 0 {
			detail += "; regional clusters: " + strings.Join(regional, ", ")
		}
		if len(problems) > 0 {
			out[i] = describedResult(r, status, false, detail+"; not healthy: "+strings.Join(problems, "; "), m)
			continue
		}
		out[i] = describedResult(r, status, true, detail, m)
	}
	return out
}
