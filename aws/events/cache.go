package events

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticache"
	ectypes "github.com/aws/aws-sdk-go-v2/service/elasticache/types"
	"github.com/aws/aws-sdk-go-v2/service/memorydb"
	mdbtypes "github.com/aws/aws-sdk-go-v2/service/memorydb/types"

	awsx "github.com/fis-mcp/fis-mcp/aws"
	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/session"
)

// Sources of ElastiCache and MemoryDB events.
const (
	SourceElastiCacheEvents = "elasticache:DescribeEvents"
	SourceMemoryDBEvents    = "memorydb:DescribeEvents"
)

func addCacheReaders(m map[string]ReadFunc) {
	m["aws:elasticache:replicationgroup"] = readReplicationGroupEvents
	m["aws:elasticache:redis-replicationgroup"] = readReplicationGroupEvents
	m["aws:memorydb:cluster"] = readMemoryDBEvents
	m["aws:memorydb:multi-region-cluster"] = readMultiRegionClusterEvents
}

func elastiCacheSourceEvents(ctx context.Context, c *awsx.Clients, typ ectypes.SourceType, id string, start, end time.Time) ([]session.Event, error) {
	var out []session.Event
	p := elasticache.NewDescribeEventsPaginator(c.ElastiCache, &elasticache.DescribeEventsInput{
		SourceType: typ, SourceIdentifier: awssdk.String(id), StartTime: awssdk.Time(start), EndTime: awssdk.Time(end), MaxRecords: awssdk.Int32(100),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return out, awsx.Wrap(err, "elasticache DescribeEvents", id, "elasticache:DescribeEvents")
		}
		for _, e := range page.Events {
			if e.Date == nil {
				continue
			}
			out = append(out, session.Event{Time: e.Date.UTC(), Source: SourceElastiCacheEvents, Kind: string(e.SourceType), Subject: awssdk.ToString(e.SourceIdentifier), Message: awssdk.ToString(e.Message)})
		}
	}
	return out, nil
}

// readReplicationGroupEvents reads the replication-group events and its member cache clusters' events.
func readReplicationGroupEvents(ctx context.Context, c *awsx.Clients, rs []health.Resource, start, end time.Time) ([]session.Event, error) {
	var all []session.Event
	var errs []error
	for _, r := range rs {
		id := eventResourceID(r)
		evs, err := elastiCacheSourceEvents(ctx, c, ectypes.SourceTypeReplicationGroup, id, start, end)
		all = append(all, evs...)
		if err != nil {
			errs = append(errs, err)
		}
		out, err := c.ElastiCache.DescribeReplicationGroups(ctx, &elasticache.DescribeReplicationGroupsInput{ReplicationGroupId: awssdk.String(id)})
		if err != nil {
			errs = append(errs, fmt.Errorf("member clusters of %s: %w", id, awsx.Wrap(err, "elasticache DescribeReplicationGroups", id, "elasticache:DescribeReplicationGroups")))
			continue
		}
		for _, rg := range out.ReplicationGroups {
			for _, m := range rg.MemberClusters {
				evs, err := elastiCacheSourceEvents(ctx, c, ectypes.SourceTypeCacheCluster, m, start, end)
				all = append(all, evs...)
				if err != nil {
					errs = append(errs, err)
				}
			}
		}
	}
	return inWindowSorted(all, start, end), errors.Join(errs...)
}

func memoryDBSourceEvents(ctx context.Context, c *awsx.Clients, typ mdbtypes.SourceType, name string, start, end time.Time) ([]session.Event, error) {
	var out []session.Event
	p := memorydb.NewDescribeEventsPaginator(c.MemoryDB, &memorydb.DescribeEventsInput{
		SourceType: typ, SourceName: awssdk.String(name), StartTime: awssdk.Time(start), EndTime: awssdk.Time(end), MaxResults: awssdk.Int32(100),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return out, awsx.Wrap(err, "memorydb DescribeEvents", name, "memorydb:DescribeEvents")
		}
		for _, e := range page.Events {
			if e.Date == nil {
				continue
			}
			out = append(out, session.Event{Time: e.Date.UTC(), Source: SourceMemoryDBEvents, Kind: string(e.SourceType), Subject: awssdk.ToString(e.SourceName), Message: awssdk.ToString(e.Message)})
		}
	}
	return out, nil
}

// memoryDBClusterEvents reads a cluster's events and its nodes' events.
func memoryDBClusterEvents(ctx context.Context, c *awsx.Clients, name string, start, end time.Time) ([]session.Event, []error) {
	var errs []error
	all, err := memoryDBSourceEvents(ctx, c, mdbtypes.SourceTypeCluster, name, start, end)
	if err != nil {
		errs = append(errs, err)
	}
	out, err := c.MemoryDB.DescribeClusters(ctx, &memorydb.DescribeClustersInput{ClusterName: awssdk.String(name), ShowShardDetails: awssdk.Bool(true)})
	if err != nil {
		return all, append(errs, fmt.Errorf("nodes of %s: %w", name, awsx.Wrap(err, "memorydb DescribeClusters", name, "memorydb:DescribeClusters")))
	}
	for _, cl := range out.Clusters {
		for _, sh := range cl.Shards {
			for _, n := range sh.Nodes {
				evs, err := memoryDBSourceEvents(ctx, c, mdbtypes.SourceTypeNode, awssdk.ToString(n.Name), start, end)
				all = append(all, evs...)
				if err != nil {
					errs = append(errs, err)
				}
			}
		}
	}
	return all, errs
}

func readMemoryDBEvents(ctx context.Context, c *awsx.Clients, rs []health.Resource, start, end time.Time) ([]session.Event, error) {
	var all []session.Event
	var errs []error
	for _, r := range rs {
		evs, e := memoryDBClusterEvents(ctx, c, eventResourceID(r), start, end)
		all = append(all, evs...)
		errs = append(errs, e...)
	}
	return inWindowSorted(all, start, end), errors.Join(errs...)
}

// readMultiRegionClusterEvents reads the events of the multi-Region cluster's member in this region.
func readMultiRegionClusterEvents(ctx context.Context, c *awsx.Clients, rs []health.Resource, start, end time.Time) ([]session.Event, error) {
	var all []session.Event
	var errs []error
	for _, r := range rs {
		name := eventResourceID(r)
		out, err := c.MemoryDB.DescribeMultiRegionClusters(ctx, &memorydb.DescribeMultiRegionClustersInput{MultiRegionClusterName: awssdk.String(name), ShowClusterDetails: awssdk.Bool(true)})
		if err != nil {
			errs = append(errs, awsx.Wrap(err, "memorydb DescribeMultiRegionClusters", name, "memorydb:DescribeMultiRegionClusters"))
			continue
		}
		for _, m := range out.MultiRegionClusters {
			for _, rc := range m.Clusters {
				if !strings.EqualFold(awssdk.ToString(rc.Region), c.Region) {
					continue
				}
				evs, e := memoryDBClusterEvents(ctx, c, awssdk.ToString(rc.ClusterName), start, end)
				all = append(all, evs...)
				errs = append(errs, e...)
			}
		}
	}
	return inWindowSorted(all, start, end), errors.Join(errs...)
}
