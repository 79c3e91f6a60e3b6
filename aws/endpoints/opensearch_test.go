package endpoints

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/smithy-go"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/aws/health"
)

func TestLookupOpenSearch(t *testing.T) {
	srv := awstest.New()
	defer srv.Close()
	srv.AddOpenSearchDomain(awstest.OpenSearchDomain{Name: "logs", VPCEndpoint: "vpc-logs-abc.us-east-1.es.amazonaws.com"})
	srv.AddOpenSearchDomain(awstest.OpenSearchDomain{Name: "public", Endpoint: "search-public-abc.us-east-1.es.amazonaws.com"})
	srv.AddOpenSearchDomain(awstest.OpenSearchDomain{Name: "creating"})
	c := analyticsClients(srv)
	lookup := DefaultLookups()["aws:opensearch:domain"]
	if lookup == nil || DefaultLookups()["aws:es:domain"] == nil {
		t.Fatal("OpenSearch lookups not registered")
	}
	tests := []struct {
		id, want string
	}{
		{"logs", "domain-endpoint=vpc-logs-abc.us-east-1.es.amazonaws.com"},
		{"arn:aws:es:us-east-1:123456789012:domain/public", "domain-endpoint=search-public-abc.us-east-1.es.amazonaws.com"},
		{"creating", ""},
	}
	for _, tc := range tests {
		eps, err := lookup(context.Background(), c, health.Resource{ID: tc.id, Type: "aws:opensearch:domain"})
		if err != nil || values(eps) != tc.want {
			t.Fatalf("%s: %s %v", tc.id, values(eps), err)
		}
		if len(eps) > 0 && (eps[0].Service != "opensearch" || eps[0].Identifier != tc.id) {
			t.Fatalf("%+v", eps[0])
		}
	}
	_, err := lookup(context.Background(), c, health.Resource{ID: "gone"})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ResourceNotFoundException" {
		t.Fatalf("err %v", err)
	}
}
