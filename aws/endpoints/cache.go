package endpoints

import (
	"context"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticache"
	ectypes "github.com/aws/aws-sdk-go-v2/service/elasticache/types"
	"github.com/aws/aws-sdk-go-v2/service/memorydb"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/session"
)

func addCacheLookups(m map[string]LookupFunc) {
	m["aws:elasticache:replicationgroup"] = lookupReplicationGroup
	m["aws:elasticache:redis-replicationgroup"] = lookupReplicationGroup
	m["aws:memorydb:cluster"] = lookupMemoryDBCluster
	m["aws:memorydb:multi-region-cluster"] = lookupMultiRegionCluster
}

func addEndpoint(l *endpointList, kind string, e *ectypes.Endpoint) {
	if e != nil {
		l.add(kind, awssdk.ToString(e.Address))
	}
}

// lookupReplicationGroup returns the configuration (cluster mode), primary and reader
// endpoints and every node's endpoint of a replication group.
func lookupReplicationGroup(ctx context.Context, c *awsapi.Clients, r health.Resource) ([]session.ResourceEndpoint, error) {
	id := dbIdentifier(r)
	out, err := c.ElastiCache.DescribeReplicationGroups(ctx, &elasticache.DescribeReplicationGroupsInput{ReplicationGroupId: awssdk.String(id)})
	if err != nil {
		return nil, awsapi.Wrap(err, "elasticache DescribeReplicationGroups", id, "elasticache:DescribeReplicationGroups")
	}
	l := newEndpointList("elasticache", id)
	members := map[string]bool{}
	for _, rg := range out.ReplicationGroups {
		addEndpoint(l, KindConfigurationEndpoint, rg.ConfigurationEndpoint)
		for _, ng := range rg.NodeGroups {
			addEndpoint(l, KindPrimaryEndpoint, ng.PrimaryEndpoint)
			addEndpoint(l, KindReaderEndpoint, ng.ReaderEndpoint)
			for _, m := range ng.NodeGroupMembers {
				addEndpoint(l, KindNodeEndpoint, m.ReadEndpoint)
			}
		}
		for _, m := range rg.MemberClusters {
			members[m] = true
		}
	}
	// Node endpoints (cluster mode has no ReadEndpoint in the group): one paged listing.
	p := elasticache.NewDescribeCacheClustersPaginator(c.ElastiCache, &elasticache.DescribeCacheClustersInput{ShowCacheNodeInfo: awssdk.Bool(true)})
	for p.HasMorePages() && len(members) > 0 {
		page, err := p.NextPage(ctx)
		if err != nil {
			return l.out, awsapi.Wrap(err, "elasticache DescribeCacheClusters", id, "elasticache:DescribeCacheClusters")
		}
		for _, cc := range page.CacheClusters {
			if awssdk.ToString(cc.ReplicationGroupId) != id && !members[awssdk.ToString(cc.CacheClusterId)] {
				continue
			}
			for _, n := range cc.CacheNodes {
				addEndpoint(l, KindNodeEndpoint, n.Endpoint)
			}
		}
	}
	return l.out, nil
}

// lookupMemoryDBCluster returns a MemoryDB cluster's endpoint and its nodes' endpoints.
func lookupMemoryDBCluster(ctx context.Context, c *awsapi.Clients, r health.Resource) ([]session.ResourceEndpoint, error) {
	return memoryDBEndpoints(ctx, c, dbIdentifier(r), newEndpointList("memorydb", dbIdentifier(r)))
}

func memoryDBEndpoints(ctx context.Context, c *awsapi.Clients, name string, l *endpointList) ([]session.ResourceEndpoint, error) {
	out, err := c.MemoryDB.DescribeClusters(ctx, &memorydb.DescribeClustersInput{ClusterName: awssdk.String(name), ShowShardDetails: awssdk.Bool(true)})
	if err != nil {
		return nil, awsapi.Wrap(err, "memorydb DescribeClusters", name, "memorydb:DescribeClusters")
	}
	for _, cl := range out.Clusters {
		if cl.ClusterEndpoint != nil {
			l.add(KindClusterEndpoint, awssdk.ToString(cl.ClusterEndpoint.Address))
		}
		for _, sh := range cl.Shards {
			for _, n := range sh.Nodes {
				if n.Endpoint != nil {
					l.add(KindNodeEndpoint, awssdk.ToString(n.Endpoint.Address))
				}
			}
		}
	}
	return l.out, nil
}

// lookupMultiRegionCluster returns the endpoints of the multi-Region cluster's member in this region.
func lookupMultiRegionCluster(ctx context.Context, c *awsapi.Clients, r health.Resource) ([]session.ResourceEndpoint, error) {
	name := dbIdentifier(r)
	out, err := c.MemoryDB.DescribeMultiRegionClusters(ctx, &memorydb.DescribeMultiRegionClustersInput{
		MultiRegionClusterName: awssdk.String(name), ShowClusterDetails: awssdk.Bool(true),
	})
	if err != nil {
		return nil, awsapi.Wrap(err, "memorydb DescribeMultiRegionClusters", name, "memorydb:DescribeMultiRegionClusters")
	}
	l := newEndpointList("memorydb", name)
	for _, m := range out.MultiRegionClusters {
		for _, rc := range m.Clusters {
			if !strings.EqualFold(awssdk.ToString(rc.Region), c.Region) {
				continue
			}
			if _, err := memoryDBEndpoints(ctx, c, awssdk.ToString(rc.ClusterName), l); err != nil {
				return l.out, err
			}
		}
	}
	return l.out, nil
}
