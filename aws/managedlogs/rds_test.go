package managedlogs

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/aws/health"
)

func dbLogsFake(t *testing.T) (*awstest.Server, *awsapi.Clients) {
	t.Helper()
	srv := awstest.New()
	t.Cleanup(srv.Close)
	return srv, awsapi.NewClients(srv.Config())
}

func TestRDSLogDetection(t *testing.T) {
	srv, c := dbLogsFake(t)
	member := []awstest.DBClusterMember{{InstanceID: "x-1", Writer: true}}
	srv.AddDBCluster(awstest.DBCluster{ID: "pg-on", LogExports: []string{"postgresql"}, Members: []awstest.DBClusterMember{{InstanceID: "pg-on-1", Writer: true}}})
	srv.AddDBCluster(awstest.DBCluster{ID: "pg-off", Members: member})
	srv.AddDBCluster(awstest.DBCluster{ID: "my-partial", Engine: "aurora-mysql", LogExports: []string{"slowquery"}, Members: []awstest.DBClusterMember{{InstanceID: "my-1", Writer: true}}})
	srv.AddDBCluster(awstest.DBCluster{ID: "docs", Engine: "docdb", LogExports: []string{"audit", "profiler"}, Members: []awstest.DBClusterMember{{InstanceID: "docs-1", Writer: true}}})
	srv.AddDBCluster(awstest.DBCluster{ID: "docs-off", Engine: "docdb", Members: []awstest.DBClusterMember{{InstanceID: "docs-off-1", Writer: true}}})
	srv.AddDBInstance(awstest.DBInstance{ID: "orders", Engine: "postgres", LogExports: []string{"postgresql", "upgrade"}})
	srv.AddDBInstance(awstest.DBInstance{ID: "legacy", Engine: "mysql"})
	det := DefaultDetectors()
	tests := []struct {
		typ, id   string
		service   string
		enabled   bool
		groups    []string
		recommend string // substring; "" means no recommendation
	}{
		{"aws:rds:cluster", "pg-on", "rds", true, []string{"/aws/rds/cluster/pg-on/postgresql"}, ""},
		{"aws:rds:cluster", "pg-off", "rds", false, nil,
			`enable the postgresql log export: aws rds modify-db-cluster --db-cluster-identifier pg-off --region us-east-1 --cloudwatch-logs-export-configuration '{"EnableLogTypes":["postgresql"]}'`},
		{"aws:rds:cluster", "my-partial", "rds", true, []string{"/aws/rds/cluster/my-partial/slowquery"}, `also enable the error log export`},
		{"aws:docdb:cluster", "docs", "docdb", true, []string{"/aws/docdb/docs/audit", "/aws/docdb/docs/profiler"}, ""},
		{"aws:docdb:cluster", "docs-off", "docdb", false, nil, `aws docdb modify-db-cluster --db-cluster-identifier docs-off`},
		{"aws:rds:cluster", "docs", "docdb", true, []string{"/aws/docdb/docs/audit", "/aws/docdb/docs/profiler"}, ""},
		{"aws:rds:db", "orders", "rds", true, []string{"/aws/rds/instance/orders/postgresql", "/aws/rds/instance/orders/upgrade"}, ""},
		{"aws:rds:db", "legacy", "rds", false, nil, `aws rds modify-db-instance --db-instance-identifier legacy --apply-immediately`},
		{"aws:rds:db", "pg-on-1", "rds", true, []string{"/aws/rds/cluster/pg-on/postgresql"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.typ+"/"+tc.id, func(t *testing.T) {
			g, err := det[tc.typ](context.Background(), c, health.Resource{ID: tc.id, Type: tc.typ})
			if err != nil {
				t.Fatal(err)
			}
			if g.Service != tc.service || g.Identifier != tc.id || g.Enabled != tc.enabled || !reflect.DeepEqual(g.LogGroups, tc.groups) {
				t.Errorf("got %+v", g)
			}
			if (tc.recommend == "") != (g.Recommendation == "") || !strings.Contains(g.Recommendation, tc.recommend) {
				t.Errorf("recommendation = %q, want ~%q", g.Recommendation, tc.recommend)
			}
		})
	}
	if _, err := det["aws:rds:cluster"](context.Background(), c, health.Resource{ID: "gone"}); err == nil || !awsapi.IsNotFound(err) {
		t.Errorf("missing cluster: %v", err)
	}
}
