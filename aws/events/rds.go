package events

import (
	"context"
	"fmt"
	"strings"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/docdb"
	docdbtypes "github.com/aws/aws-sdk-go-v2/service/docdb/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/session"
)

// Sources of RDS and DocumentDB events.
const (
	SourceRDSEvents   = "rds:DescribeEvents"
	SourceDocDBEvents = "docdb:DescribeEvents"
)

// Streams of RDS and DocumentDB events (watermark keys).
const (
	StreamRDSClusters       = "rds:db-cluster"
	StreamRDSInstances      = "rds:db-instance"
	StreamDocDBClusters     = "docdb:db-cluster"
	StreamDocDBInstances    = "docdb:db-instance"
	describeClustersIDBatch = 100
)

func addRDSPlanners(m map[string]planner) {
	m["aws:rds:cluster"] = planRDSClusters
	m["aws:rds:db"] = planRDSInstances
	m["aws:docdb:cluster"] = planDocDBClusters
}

// rdsStream reads every RDS event of one source type (DescribeEvents without a
// SourceIdentifier: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeEvents.html,
// "If not specified, then all sources are included"), paged by Marker, 100 a page.
func rdsStream(typ rdstypes.SourceType) streamFunc {
	return func(ctx context.Context, c *awsapi.Clients, subjects map[string]bool, start, end time.Time) ([]session.Event, time.Time, error) {
		r := &streamRead{source: SourceRDSEvents, subjects: subjects}
		p := rds.NewDescribeEventsPaginator(c.RDS, &rds.DescribeEventsInput{
			SourceType: typ, StartTime: awssdk.Time(start), EndTime: awssdk.Time(end), MaxRecords: awssdk.Int32(100),
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return r.out, time.Time{}, awsapi.Wrap(err, "rds DescribeEvents", string(typ), "rds:DescribeEvents")
			}
			for _, e := range page.Events {
				r.add(e.Date, awssdk.ToString(e.SourceIdentifier), string(e.SourceType), awssdk.ToString(e.Message))
			}
		}
		return r.out, r.mark, nil
	}
}

// docdbStream is rdsStream through the DocumentDB API.
func docdbStream(typ docdbtypes.SourceType) streamFunc {
	return func(ctx context.Context, c *awsapi.Clients, subjects map[string]bool, start, end time.Time) ([]session.Event, time.Time, error) {
		r := &streamRead{source: SourceDocDBEvents, subjects: subjects}
		p := docdb.NewDescribeEventsPaginator(c.DocDB, &docdb.DescribeEventsInput{
			SourceType: typ, StartTime: awssdk.Time(start), EndTime: awssdk.Time(end), MaxRecords: awssdk.Int32(100),
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return r.out, time.Time{}, awsapi.Wrap(err, "docdb DescribeEvents", string(typ), "rds:DescribeEvents")
			}
			for _, e := range page.Events {
				r.add(e.Date, awssdk.ToString(e.SourceIdentifier), string(e.SourceType), awssdk.ToString(e.Message))
			}
		}
		return r.out, r.mark, nil
	}
}

// lowerIDs returns the resources' identifiers in lower case (RDS identifiers are stored so).
func lowerIDs(rs []health.Resource) []string {
	var out []string
	for _, r := range rs {
		out = append(out, strings.ToLower(eventResourceID(r)))
	}
	return out
}

func planRDSInstances(_ context.Context, _ *awsapi.Clients, rs []health.Resource, p *plan) []error {
	p.want(StreamRDSInstances, rdsStream(rdstypes.SourceTypeDbInstance), lowerIDs(rs)...)
	return nil
}

// planRDSClusters reads the db-cluster events of each cluster and the db-instance events
// of its current members (DescribeDBClusters, up to 100 clusters a call).
func planRDSClusters(ctx context.Context, c *awsapi.Clients, rs []health.Resource, p *plan) []error {
	ids := lowerIDs(rs)
	p.want(StreamRDSClusters, rdsStream(rdstypes.SourceTypeDbCluster), ids...)
	members, errs := clusterMembers(ids, func(batch []string) (map[string][]string, error) {
		found := map[string][]string{}
		pg := rds.NewDescribeDBClustersPaginator(c.RDS, &rds.DescribeDBClustersInput{
			Filters: []rdstypes.Filter{{Name: awssdk.String("db-cluster-id"), Values: batch}},
		})
		for pg.HasMorePages() {
			page, err := pg.NextPage(ctx)
			if err != nil {
				return found, awsapi.Wrap(err, "rds DescribeDBClusters", strings.Join(batch, ","), "rds:DescribeDBClusters")
			}
			for _, cl := range page.DBClusters {
				id := strings.ToLower(awssdk.ToString(cl.DBClusterIdentifier))
				found[id] = []string{}
				for _, m := range cl.DBClusterMembers {
					found[id] = append(found[id], strings.ToLower(awssdk.ToString(m.DBInstanceIdentifier)))
				}
			}
		}
		return found, nil
	})
	p.want(StreamRDSInstances, rdsStream(rdstypes.SourceTypeDbInstance), members...)
	return errs
}

func planDocDBClusters(ctx context.Context, c *awsapi.Clients, rs []health.Resource, p *plan) []error {
	ids := lowerIDs(rs)
	p.want(StreamDocDBClusters, docdbStream(docdbtypes.SourceTypeDbCluster), ids...)
	members, errs := clusterMembers(ids, func(batch []string) (map[string][]string, error) {
		found := map[string][]string{}
		pg := docdb.NewDescribeDBClustersPaginator(c.DocDB, &docdb.DescribeDBClustersInput{
			Filters: []docdbtypes.Filter{{Name: awssdk.String("db-cluster-id"), Values: batch}},
		})
		for pg.HasMorePages() {
			page, err := pg.NextPage(ctx)
			if err != nil {
				return found, awsapi.Wrap(err, "docdb DescribeDBClusters", strings.Join(batch, ","), "rds:DescribeDBClusters")
			}
			for _, cl := range page.DBClusters {
				id := strings.ToLower(awssdk.ToString(cl.DBClusterIdentifier))
				found[id] = []string{}
				for _, m := range cl.DBClusterMembers {
					found[id] = append(found[id], strings.ToLower(awssdk.ToString(m.DBInstanceIdentifier)))
				}
			}
		}
		return found, nil
	})
	p.want(StreamDocDBInstances, docdbStream(docdbtypes.SourceTypeDbInstance), members...)
	return errs
}

// clusterMembers looks the clusters' member instances up in batches and reports every
// cluster it could not find (its members' events are then not read).
func clusterMembers(ids []string, describe func(batch []string) (map[string][]string, error)) ([]string, []error) {
	var members []string
	var errs []error
	for len(ids) > 0 {
		batch := ids[:min(len(ids), describeClustersIDBatch)]
		ids = ids[len(batch):]
		found, err := describe(batch)
		if err != nil {
			errs = append(errs, fmt.Errorf("member instances of %s: %w", strings.Join(batch, ", "), err))
		}
		for _, id := range batch {
			m, ok := found[id]
			if !ok && err == nil {
				errs = append(errs, fmt.Errorf("member instances of %s: the cluster was not found, so its instances' events are not read", id))
			}
			members = append(members, m...)
		}
	}
	return members, errs
}
