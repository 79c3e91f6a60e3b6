package awstest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/memorydb"
	mdbtypes "github.com/aws/aws-sdk-go-v2/service/memorydb/types"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
)

func TestMemoryDBFake(t *testing.T) {
	srv, _ := newDBFake(t)
	srv.AddMemoryDBCluster(awstest.MemoryDBCluster{Name: "ledger", MultiRegionClusterName: "mr-ledger",
		Shards: []awstest.MemoryDBShard{{Nodes: []awstest.MemoryDBNode{{}, {}}}}})
	srv.AddMultiRegionCluster(awstest.MultiRegionCluster{Name: "mr-ledger", Clusters: []awstest.RegionalCluster{{ClusterName: "ledger", Region: "us-east-1"}, {ClusterName: "ledger", Region: "us-west-2"}}})
	srv.AddServiceEvent(awstest.ServiceEvent{Service: "memorydb", SourceType: "cluster", SourceID: "ledger", Time: dbT0.Add(-time.Minute), Message: "Failover to replica node ledger-0001-002 completed"})
	client := memorydb.NewFromConfig(srv.Config())
	ctx := context.Background()

	out, err := client.DescribeClusters(ctx, &memorydb.DescribeClustersInput{ClusterName: awssdk.String("ledger"), ShowShardDetails: awssdk.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	cl := out.Clusters[0]
	if awssdk.ToString(cl.Status) != "available" || len(cl.Shards) != 1 || len(cl.Shards[0].Nodes) != 2 ||
		awssdk.ToString(cl.Shards[0].Nodes[1].Name) != "ledger-0001-002" || cl.AvailabilityMode != mdbtypes.AZStatusMultiAZ ||
		awssdk.ToString(cl.ClusterEndpoint.Address) != "clustercfg.ledger.xxxxxx.memorydb.us-east-1.amazonaws.com" {
		t.Errorf("cluster = %+v", cl)
	}
	_, err = client.DescribeClusters(ctx, &memorydb.DescribeClustersInput{ClusterName: awssdk.String("nope")})
	var nf *mdbtypes.ClusterNotFoundFault
	if !errors.As(err, &nf) {
		t.Errorf("err = %v, want ClusterNotFoundFault", err)
	}
	mr, err := client.DescribeMultiRegionClusters(ctx, &memorydb.DescribeMultiRegionClustersInput{MultiRegionClusterName: awssdk.String("mr-ledger"), ShowClusterDetails: awssdk.Bool(true)})
	if err != nil || awssdk.ToString(mr.MultiRegionClusters[0].Status) != "available" || len(mr.MultiRegionClusters[0].Clusters) != 2 {
		t.Errorf("multi-region: %+v %v", mr, err)
	}
	ev, err := client.DescribeEvents(ctx, &memorydb.DescribeEventsInput{SourceName: awssdk.String("ledger"), SourceType: mdbtypes.SourceTypeCluster, StartTime: awssdk.Time(dbT0.Add(-time.Hour))})
	if err != nil || len(ev.Events) != 1 || !ev.Events[0].Date.Equal(dbT0.Add(-time.Minute)) {
		t.Errorf("events: %+v %v", ev, err)
	}
}
