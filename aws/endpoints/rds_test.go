package endpoints

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/aws/smithy-go"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/session"
)

func dataStoreFake(t *testing.T) (*awstest.Server, *awsapi.Clients) {
	t.Helper()
	srv := awstest.New()
	t.Cleanup(srv.Close)
	return srv, awsapi.NewClients(srv.Config())
}

func kindsValues(eps []session.ResourceEndpoint) [][2]string {
	var out [][2]string
	for _, e := range eps {
		out = append(out, [2]string{e.Kind, e.Value})
	}
	return out
}

func TestRDSLookups(t *testing.T) {
	srv, c := dataStoreFake(t)
	srv.AddDBCluster(awstest.DBCluster{ID: "demo", Members: []awstest.DBClusterMember{{InstanceID: "demo-1", Writer: true}, {InstanceID: "demo-2"}},
		CustomEndpoints: []awstest.DBClusterEndpoint{{ID: "reporting"}}})
	srv.AddDBCluster(awstest.DBCluster{ID: "docs", Engine: "docdb", Members: []awstest.DBClusterMember{{InstanceID: "docs-1", Writer: true}}})
	srv.AddDBInstance(awstest.DBInstance{ID: "orders"})
	lookups := DefaultLookups()
	ctx := context.Background()
	tests := []struct {
		typ, id string
		want    [][2]string
		service string
	}{
		{"aws:rds:cluster", "demo", [][2]string{
			{KindClusterEndpoint, "demo.cluster-c1a2b3c4d5e6.us-east-1.rds.amazonaws.com"},
			{KindReaderEndpoint, "demo.cluster-ro-c1a2b3c4d5e6.us-east-1.rds.amazonaws.com"},
			{KindCustomEndpoint, "reporting.cluster-custom-c1a2b3c4d5e6.us-east-1.rds.amazonaws.com"},
			{KindInstanceEndpoint, "demo-1.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com"},
			{KindInstanceEndpoint, "demo-2.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com"},
		}, "rds"},
		{"aws:rds:db", "orders", [][2]string{{KindInstanceEndpoint, "orders.c1a2b3c4d5e6.us-east-1.rds.amazonaws.com"}}, "rds"},
		{"aws:docdb:cluster", "docs", [][2]string{
			{KindClusterEndpoint, "docs.cluster-c1a2b3c4d5e6.us-east-1.docdb.amazonaws.com"},
			{KindReaderEndpoint, "docs.cluster-ro-c1a2b3c4d5e6.us-east-1.docdb.amazonaws.com"},
			{KindInstanceEndpoint, "docs-1.c1a2b3c4d5e6.us-east-1.docdb.amazonaws.com"},
		}, "docdb"},
	}
	for _, tc := range tests {
		t.Run(tc.typ, func(t *testing.T) {
			eps, err := lookups[tc.typ](ctx, c, health.Resource{ID: tc.id, Type: tc.typ})
			if err != nil {
				t.Fatal(err)
			}
			if got := kindsValues(eps); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("endpoints = %v, want %v", got, tc.want)
			}
			for _, e := range eps {
				if e.Service != tc.service || e.Identifier != tc.id {
					t.Errorf("endpoint %+v: service/identifier", e)
				}
			}
		})
	}
	// ARN only: the identifier comes from the ARN.
	eps, err := lookups["aws:rds:cluster"](ctx, c, health.Resource{ARN: "arn:aws:rds:us-east-1:123456789012:cluster:demo", Type: "aws:rds:cluster"})
	if err != nil || len(eps) != 5 {
		t.Errorf("by ARN: %v %v", eps, err)
	}
	_, err = lookups["aws:rds:cluster"](ctx, c, health.Resource{ID: "gone", Type: "aws:rds:cluster"})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "DBClusterNotFoundFault" || !awsapi.IsNotFound(err) {
		t.Errorf("missing cluster: %v", err)
	}
}
