package health

import (
	"testing"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
)

const mskArn = "arn:aws:kafka:us-east-1:123456789012:cluster/orders/11111111-2222-3333-4444-555555555555-1"

func TestCheckMSK(t *testing.T) {
	seed := func(f *fakeAWS) {
		f.srv.AddMSKCluster(awstest.MSKCluster{Name: "orders", Arn: mskArn, BrokerNodes: 3})
	}
	for _, typ := range []string{"aws:msk:cluster", "aws:kafka:cluster"} {
		t.Run(typ, func(t *testing.T) {
			runCheckCases(t, typ, []checkCase{
				{name: "active", seed: seed, res: Resource{ID: "orders", ARN: mskArn}, wantStatus: "ACTIVE", wantHealthy: true, wantDetail: "3 brokers", wantAttrs: true},
				{name: "healing", seed: seeds(seed, func(f *fakeAWS) { f.srv.SetMSKClusterState(mskArn, "HEALING") }),
					res: Resource{ID: "orders", ARN: mskArn}, wantStatus: "HEALING", wantDetail: "needs ACTIVE", wantAttrs: true},
				{name: "missing", res: Resource{ID: "orders", ARN: mskArn}, wantStatus: StatusNotFound, wantDetail: "does not exist"},
				{name: "no ARN", seed: seed, res: Resource{ID: "orders"}, wantStatus: StatusUnchecked, wantDetail: "need the cluster ARN"},
				{name: "malformed", seed: seeds(seed, func(f *fakeAWS) {
					f.replace("kafka", "^/api/v2/clusters/", 200, "application/json", `{"clusterInfo": [`)
				}),
					res: Resource{ID: "orders", ARN: mskArn}, wantStatus: StatusUnchecked, wantDetail: "kafka DescribeClusterV2"},
				{name: "access denied", seed: seeds(seed, fault("kafka", "DescribeClusterV2", 403, "ForbiddenException", 0)),
					res: Resource{ID: "orders", ARN: mskArn}, wantStatus: StatusUnchecked, wantDetail: "kafka:DescribeClusterV2"},
			})
		})
	}
}

func TestCheckOpenSearch(t *testing.T) {
	seed := func(f *fakeAWS) { f.srv.AddOpenSearchDomain(awstest.OpenSearchDomain{Name: "logs"}) }
	change := func(fn func(d *awstest.OpenSearchDomain)) func(f *fakeAWS) {
		return seeds(seed, func(f *fakeAWS) { f.srv.UpdateOpenSearchDomain("logs", fn) })
	}
	for _, typ := range []string{"aws:opensearch:domain", "aws:es:domain"} {
		t.Run(typ, func(t *testing.T) {
			runCheckCases(t, typ, []checkCase{
				{name: "active green", seed: seed, res: Resource{ID: "logs"}, wantStatus: "Active", wantHealthy: true, wantDetail: "cluster health Green", wantAttrs: true},
				{name: "by ARN", seed: seed, res: Resource{ID: "arn:aws:es:us-east-1:123456789012:domain/logs"}, wantStatus: "Active", wantHealthy: true, wantAttrs: true},
				{name: "processing", seed: change(func(d *awstest.OpenSearchDomain) { d.Processing = true; d.ProcessingStatus = "Modifying" }),
					res: Resource{ID: "logs"}, wantStatus: "Processing", wantDetail: "processing status Modifying", wantAttrs: true},
				{name: "upgrading", seed: change(func(d *awstest.OpenSearchDomain) { d.UpgradeProcessing = true }),
					res: Resource{ID: "logs"}, wantStatus: "UpgradeProcessing", wantDetail: "engine upgrade", wantAttrs: true},
				{name: "deleted", seed: change(func(d *awstest.OpenSearchDomain) { d.Deleted = true }),
					res: Resource{ID: "logs"}, wantStatus: "Deleted", wantAttrs: true},
				{name: "red", seed: change(func(d *awstest.OpenSearchDomain) { d.ClusterHealth = "Red" }),
					res: Resource{ID: "logs"}, wantStatus: "Red", wantDetail: "primary shards unassigned", wantAttrs: true},
				{name: "yellow", seed: change(func(d *awstest.OpenSearchDomain) { d.ClusterHealth = "Yellow" }),
					res: Resource{ID: "logs"}, wantStatus: "Yellow", wantDetail: "replica shards", wantAttrs: true},
				{name: "health call denied falls back", seed: seeds(seed, fault("es", "DescribeDomainHealth", 403, "AccessDeniedException", 0)),
					res: Resource{ID: "logs"}, wantStatus: "Active", wantHealthy: true, wantDetail: "cluster health not read", wantAttrs: true},
				{name: "missing", res: Resource{ID: "logs"}, wantStatus: StatusNotFound, wantDetail: "does not exist"},
				{name: "empty", seed: seeds(seed, func(f *fakeAWS) { f.replace("es", "/domain/logs$", 200, "application/json", `{"DomainStatus": null}`) }),
					res: Resource{ID: "logs"}, wantStatus: StatusUnchecked, wantDetail: "returned no description"},
			})
		})
	}
}
