package endpoints

import (
	"context"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/docdb"
	docdbtypes "github.com/aws/aws-sdk-go-v2/service/docdb/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/session"
)

// Endpoint kinds of databases and caches.
const (
	KindClusterEndpoint       = "cluster-endpoint"
	KindReaderEndpoint        = "reader-endpoint"
	KindCustomEndpoint        = "custom-endpoint"
	KindInstanceEndpoint      = "instance-endpoint"
	KindPrimaryEndpoint       = "primary-endpoint"
	KindConfigurationEndpoint = "configuration-endpoint"
	KindNodeEndpoint          = "node-endpoint"
)

func addRDSLookups(m map[string]LookupFunc) {
	m["aws:rds:cluster"] = lookupRDSCluster
	m["aws:rds:db"] = lookupRDSInstance
	m["aws:docdb:cluster"] = lookupDocDBCluster
}

// endpointList collects endpoints without duplicates or empty values.
type endpointList struct {
	service, id string
	seen        map[string]bool
	out         []session.ResourceEndpoint
}

func newEndpointList(service, id string) *endpointList {
	return &endpointList{service: service, id: id, seen: map[string]bool{}}
}

func (l *endpointList) add(kind, value string) {
	if value == "" || l.seen[kind+"\x00"+value] {
		return
	}
	l.seen[kind+"\x00"+value] = true
	l.out = append(l.out, session.ResourceEndpoint{Service: l.service, Identifier: l.id, Kind: kind, Value: value})
}

func dbIdentifier(r health.Resource) string {
	if r.ID != "" {
		return r.ID
	}
	id, _ := health.IDFromARN(r.Type, r.ARN)
	return id
}

// lookupRDSCluster returns the cluster (writer), reader and custom endpoints and every
// member instance's endpoint of an Aurora cluster (or Multi-AZ DB cluster).
func lookupRDSCluster(ctx context.Context, c *awsapi.Clients, r health.Resource) ([]session.ResourceEndpoint, error) {
	id := dbIdentifier(r)
	out, err := c.RDS.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String(id)})
	if err != nil {
		return nil, awsapi.Wrap(err, "rds DescribeDBClusters", id, "rds:DescribeDBClusters")
	}
	l := newEndpointList("rds", id)
	for _, cl := range out.DBClusters {
		l.add(KindClusterEndpoint, awssdk.ToString(cl.Endpoint))
		l.add(KindReaderEndpoint, awssdk.ToString(cl.ReaderEndpoint))
		for _, e := range cl.CustomEndpoints {
			l.add(KindCustomEndpoint, e)
		}
	}
	p := rds.NewDescribeDBInstancesPaginator(c.RDS, &rds.DescribeDBInstancesInput{
		Filters: []rdstypes.Filter{{Name: awssdk.String("db-cluster-id"), Values: []string{id}}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return l.out, awsapi.Wrap(err, "rds DescribeDBInstances", id, "rds:DescribeDBInstances")
		}
		for _, in := range page.DBInstances {
			if in.Endpoint != nil {
				l.add(KindInstanceEndpoint, awssdk.ToString(in.Endpoint.Address))
			}
		}
	}
	return l.out, nil
}

// lookupRDSInstance returns a DB instance's endpoint (and its listener endpoint, if any).
func lookupRDSInstance(ctx context.Context, c *awsapi.Clients, r health.Resource) ([]session.ResourceEndpoint, error) {
	id := dbIdentifier(r)
	out, err := c.RDS.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: awssdk.String(id)})
	if err != nil {
		return nil, awsapi.Wrap(err, "rds DescribeDBInstances", id, "rds:DescribeDBInstances")
	}
	l := newEndpointList("rds", id)
	for _, in := range out.DBInstances {
		if in.Endpoint != nil {
			l.add(KindInstanceEndpoint, awssdk.ToString(in.Endpoint.Address))
		}
		if in.ListenerEndpoint != nil {
			l.add(KindInstanceEndpoint, awssdk.ToString(in.ListenerEndpoint.Address))
		}
	}
	return l.out, nil
}

// lookupDocDBCluster returns a DocumentDB cluster's cluster and reader endpoints and its instances' endpoints.
func lookupDocDBCluster(ctx context.Context, c *awsapi.Clients, r health.Resource) ([]session.ResourceEndpoint, error) {
	id := dbIdentifier(r)
	out, err := c.DocDB.DescribeDBClusters(ctx, &docdb.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String(id)})
	if err != nil {
		return nil, awsapi.Wrap(err, "docdb DescribeDBClusters", id, "rds:DescribeDBClusters")
	}
	l := newEndpointList("docdb", id)
	for _, cl := range out.DBClusters {
		l.add(KindClusterEndpoint, awssdk.ToString(cl.Endpoint))
		l.add(KindReaderEndpoint, awssdk.ToString(cl.ReaderEndpoint))
	}
	p := docdb.NewDescribeDBInstancesPaginator(c.DocDB, &docdb.DescribeDBInstancesInput{
		Filters: []docdbtypes.Filter{{Name: awssdk.String("db-cluster-id"), Values: []string{id}}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return l.out, awsapi.Wrap(err, "docdb DescribeDBInstances", id, "rds:DescribeDBInstances")
		}
		for _, in := range page.DBInstances {
			if in.Endpoint != nil {
				l.add(KindInstanceEndpoint, awssdk.ToString(in.Endpoint.Address))
			}
		}
	}
	return l.out, nil
}
