package events

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/docdb"
	docdbtypes "github.com/aws/aws-sdk-go-v2/service/docdb/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	awsx "github.com/fis-mcp/fis-mcp/aws"
	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/session"
)

// Sources of RDS and DocumentDB events.
const (
	SourceRDSEvents   = "rds:DescribeEvents"
	SourceDocDBEvents = "docdb:DescribeEvents"
)

func addRDSReaders(m map[string]ReadFunc) {
	m["aws:rds:cluster"] = readRDSClusterEvents
	m["aws:rds:db"] = readRDSInstanceEvents
	m["aws:docdb:cluster"] = readDocDBClusterEvents
}

func eventResourceID(r health.Resource) string {
	if r.ID != "" {
		return r.ID
	}
	id, _ := health.IDFromARN(r.Type, r.ARN)
	return id
}

// inWindowSorted keeps the events in [start, end], oldest first (stable for equal times).
func inWindowSorted(evs []session.Event, start, end time.Time) []session.Event {
	var out []session.Event
	for _, e := range evs {
		if !e.Time.Before(start) && !e.Time.After(end) {
			out = append(out, e)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out
}

// rdsSourceEvents pages through RDS DescribeEvents of one source.
func rdsSourceEvents(ctx context.Context, c *awsx.Clients, typ rdstypes.SourceType, id string, start, end time.Time) ([]session.Event, error) {
	var out []session.Event
	p := rds.NewDescribeEventsPaginator(c.RDS, &rds.DescribeEventsInput{
		SourceType: typ, SourceIdentifier: awssdk.String(id), StartTime: awssdk.Time(start), EndTime: awssdk.Time(end), MaxRecords: awssdk.Int32(100),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return out, awsx.Wrap(err, "rds DescribeEvents", id, "rds:DescribeEvents")
		}
		for _, e := range page.Events {
			if e.Date == nil {
				continue
			}
			out = append(out, session.Event{Time: e.Date.UTC(), Source: SourceRDSEvents, Kind: string(e.SourceType), Subject: awssdk.ToString(e.SourceIdentifier), Message: awssdk.ToString(e.Message)})
		}
	}
	return out, nil
}

func readRDSInstanceEvents(ctx context.Context, c *awsx.Clients, rs []health.Resource, start, end time.Time) ([]session.Event, error) {
	var all []session.Event
	var errs []error
	for _, r := range rs {
		evs, err := rdsSourceEvents(ctx, c, rdstypes.SourceTypeDbInstance, eventResourceID(r), start, end)
		all = append(all, evs...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return inWindowSorted(all, start, end), errors.Join(errs...)
}

// readRDSClusterEvents reads the db-cluster events of each cluster and the db-instance
// events of its current members.
func readRDSClusterEvents(ctx context.Context, c *awsx.Clients, rs []health.Resource, start, end time.Time) ([]session.Event, error) {
	var all []session.Event
	var errs []error
	for _, r := range rs {
		id := eventResourceID(r)
		evs, err := rdsSourceEvents(ctx, c, rdstypes.SourceTypeDbCluster, id, start, end)
		all = append(all, evs...)
		if err != nil {
			errs = append(errs, err)
		}
		out, err := c.RDS.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String(id)})
		if err != nil {
			errs = append(errs, fmt.Errorf("member instances of %s: %w", id, awsx.Wrap(err, "rds DescribeDBClusters", id, "rds:DescribeDBClusters")))
			continue
		}
		for _, cl := range out.DBClusters {
			for _, m := range cl.DBClusterMembers {
				evs, err := rdsSourceEvents(ctx, c, rdstypes.SourceTypeDbInstance, awssdk.ToString(m.DBInstanceIdentifier), start, end)
				all = append(all, evs...)
				if err != nil {
					errs = append(errs, err)
				}
			}
		}
	}
	return inWindowSorted(all, start, end), errors.Join(errs...)
}

func docdbSourceEvents(ctx context.Context, c *awsx.Clients, typ docdbtypes.SourceType, id string, start, end time.Time) ([]session.Event, error) {
	var out []session.Event
	p := docdb.NewDescribeEventsPaginator(c.DocDB, &docdb.DescribeEventsInput{
		SourceType: typ, SourceIdentifier: awssdk.String(id), StartTime: awssdk.Time(start), EndTime: awssdk.Time(end), MaxRecords: awssdk.Int32(100),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return out, awsx.Wrap(err, "docdb DescribeEvents", id, "rds:DescribeEvents")
		}
		for _, e := range page.Events {
			if e.Date == nil {
				continue
			}
			out = append(out, session.Event{Time: e.Date.UTC(), Source: SourceDocDBEvents, Kind: string(e.SourceType), Subject: awssdk.ToString(e.SourceIdentifier), Message: awssdk.ToString(e.Message)})
		}
	}
	return out, nil
}

func readDocDBClusterEvents(ctx context.Context, c *awsx.Clients, rs []health.Resource, start, end time.Time) ([]session.Event, error) {
	var all []session.Event
	var errs []error
	for _, r := range rs {
		id := eventResourceID(r)
		evs, err := docdbSourceEvents(ctx, c, docdbtypes.SourceTypeDbCluster, id, start, end)
		all = append(all, evs...)
		if err != nil {
			errs = append(errs, err)
		}
		out, err := c.DocDB.DescribeDBClusters(ctx, &docdb.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String(id)})
		if err != nil {
			errs = append(errs, fmt.Errorf("member instances of %s: %w", id, awsx.Wrap(err, "docdb DescribeDBClusters", id, "rds:DescribeDBClusters")))
			continue
		}
		for _, cl := range out.DBClusters {
			for _, m := range cl.DBClusterMembers {
				evs, err := docdbSourceEvents(ctx, c, docdbtypes.SourceTypeDbInstance, awssdk.ToString(m.DBInstanceIdentifier), start, end)
				all = append(all, evs...)
				if err != nil {
					errs = append(errs, err)
				}
			}
		}
	}
	return inWindowSorted(all, start, end), errors.Join(errs...)
}
