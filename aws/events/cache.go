package events

import (
	"context"
	"fmt"
	"strings"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticache"
	ectypes "github.com/aws/aws-sdk-go-v2/service/elasticache/types"
	"github.com/aws/aws-sdk-go-v2/service/memorydb"
	mdbtypes "github.com/aws/aws-sdk-go-v2/service/memorydb/types"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/session"
)

// Sources of ElastiCache and MemoryDB events.
const (
	SourceElastiCacheEvents = "elasticache:DescribeEvents"
	SourceMemoryDBEvents    = "memorydb:DescribeEvents"
)

// Streams of ElastiCache and MemoryDB events (watermark keys).
const (
	StreamElastiCacheGroups   = "elasticache:replication-group"
	StreamElastiCacheClusters = "elasticache:cache-cluster"
	StreamMemoryDBClusters    = "memorydb:cluster"
	StreamMemoryDBNodes       = "memorydb:node"
)

func addCachePlanners(m map[string]planner) {
	m["aws:elasticache:replicationgroup"] = planReplicationGroups
	m["aws:elasticache:redis-replicationgroup"] = planReplicationGroups
	m["aws:memorydb:cluster"] = planMemoryDBClusters
	m["aws:memorydb:multi-region-cluster"] = planMultiRegionClusters
}

// elastiCacheStream reads every ElastiCache event of one source type (DescribeEvents
// without a SourceIdentifier: https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_DescribeEvents.html,
// "If not specified, all sources are included"), paged by Marker, 100 a page.
func elastiCacheStream(typ ectypes.SourceType) streamFunc {
	return func(ctx context.Context, c *awsapi.Clients, subjects map[string]bool, start, end time.Time) ([]session.Event, time.Time, error) {
		r := &streamRead{source: SourceElastiCacheEvents, subjects: subjects}
		p := elasticache.NewDescribeEventsPaginator(c.ElastiCache, &elasticache.DescribeEventsInput{
			SourceType: typ, StartTime: awssdk.Time(start), EndTime: awssdk.Time(end), MaxRecords: awssdk.Int32(100),
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return r.out, time.Time{}, awsapi.Wrap(err, "elasticache DescribeEvents", string(typ), "elasticache:DescribeEvents")
			}
			for _, e := range page.Events {
				r.add(e.Date, awssdk.ToString(e.SourceIdentifier), string(e.SourceType), awssdk.ToString(e.Message))
			}
		}
		return r.out, r.mark, nil
	}
}

// planReplicationGroups reads the replication-group events and its member cache clusters' events.
func planReplicationGroups(ctx context.Context, c *awsapi.Clients, rs []health.Resource, p *plan) []error {
	var errs []error
	for _, r := range rs {
		id := eventResourceID(r)
		p.want(StreamElastiCacheGroups, elastiCacheStream(ectypes.SourceTypeReplicationGroup), strings.ToLower(id))
		out, err := c.ElastiCache.DescribeReplicationGroups(ctx, &elasticache.DescribeReplicationGroupsInput{ReplicationGroupId: awssdk.String(id)})
		if err != nil {
			errs = append(errs, fmt.Errorf("member clusters of %s: %w", id, awsapi.Wrap(err, "elasticache DescribeReplicationGroups", id, "elasticache:DescribeReplicationGroups")))
			continue
		}
		for _, rg := range out.ReplicationGroups {
			for _, m := range rg.MemberClusters {
				p.want(StreamElastiCacheClusters, elastiCacheStream(ectypes.SourceTypeCacheCluster), strings.ToLower(m))
			}
		}
	}
	return errs
}

// memoryDBStream reads every MemoryDB event of one source type (DescribeEvents without a
// SourceName: https://docs.aws.amazon.com/memorydb/latest/APIReference/API_DescribeEvents.html,
// "If not specified, all sources are included"), paged by NextToken, 100 a page.
func memoryDBStream(typ mdbtypes.SourceType) streamFunc {
	return func(ctx context.Context, c *awsapi.Clients, subjects map[string]bool, start, end time.Time) ([]session.Event, time.Time, error) {
		r := &streamRead{source: SourceMemoryDBEvents, subjects: subjects}
		p := memorydb.NewDescribeEventsPaginator(c.MemoryDB, &memorydb.DescribeEventsInput{
			SourceType: typ, StartTime: awssdk.Time(start), EndTime: awssdk.Time(end), MaxResults: awssdk.Int32(100),
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return r.out, time.Time{}, awsapi.Wrap(err, "memorydb DescribeEvents", string(typ), "memorydb:DescribeEvents")
			}
			for _, e := range page.Events {
				r.add(e.Date, awssdk.ToString(e.SourceName), string(e.SourceType), awssdk.ToString(e.Message))
			}
		}
		return r.out, r.mark, nil
	}
}

// planMemoryDBCluster reads a cluster's events and its nodes' events.
func planMemoryDBCluster(ctx context.Context, c *awsapi.Clients, name string, p *plan) error {
	p.want(StreamMemoryDBClusters, memoryDBStream(mdbtypes.SourceTypeCluster), strings.ToLower(name))
	out, err := c.MemoryDB.DescribeClusters(ctx, &memorydb.DescribeClustersInput{ClusterName: awssdk.String(name), ShowShardDetails: awssdk.Bool(true)})
	if err != nil {
		return fmt.Errorf("nodes of %s: %w", name, awsapi.Wrap(err, "memorydb DescribeClusters", name, "memorydb:DescribeClusters"))
	}
	for _, cl := range out.Clusters {
		for _, sh := range cl.Shards {
			for _, n := range sh.Nodes {
				p.want(StreamMemoryDBNodes, memoryDBStream(mdbtypes.SourceTypeNode), strings.ToLower(awssdk.ToString(n.Name)))
			}
		}
	}
	return nil
}

func planMemoryDBClusters(ctx context.Context, c *awsapi.Clients, rs []health.Resource, p *plan) []error {
	var errs []error
	for _, r := range rs {
		if err := planMemoryDBCluster(ctx, c, eventResourceID(r), p); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// planMultiRegionClusters reads the events of the multi-Region cluster's member in this region.
func planMultiRegionClusters(ctx context.Context, c *awsapi.Clients, rs []health.Resource, p *plan) []error {
	var errs []error
	for _, r := range rs {
		name := eventResourceID(r)
		out, err := c.MemoryDB.DescribeMultiRegionClusters(ctx, &memorydb.DescribeMultiRegionClustersInput{MultiRegionClusterName: awssdk.String(name), ShowClusterDetails: awssdk.Bool(true)})
		if err != nil {
			errs = append(errs, awsapi.Wrap(err, "memorydb DescribeMultiRegionClusters", name, "memorydb:DescribeMultiRegionClusters"))
			continue
		}
		for _, m := range out.MultiRegionClusters {
			for _, rc := range m.Clusters {
				if !strings.EqualFold(awssdk.ToString(rc.Region), c.Region) {
					continue
				}
				if err := planMemoryDBCluster(ctx, c, awssdk.ToString(rc.ClusterName), p); err != nil {
					errs = append(errs, err)
				}
			}
		}
	}
	return errs
}
