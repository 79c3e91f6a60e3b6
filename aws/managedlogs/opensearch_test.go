package managedlogs

import (
	"context"
	"strings"
	"testing"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/aws/health"
)

func TestDetectOpenSearch(t *testing.T) {
	srv := awstest.New()
	defer srv.Close()
	lg := func(n string) string { return "arn:aws:logs:us-east-1:123456789012:log-group:" + n + ":*" }
	srv.AddOpenSearchDomain(awstest.OpenSearchDomain{Name: "full", LogPublishing: map[string]string{
		"ES_APPLICATION_LOGS": lg("/aws/opensearch/full/app"), "SEARCH_SLOW_LOGS": lg("/aws/opensearch/full/slow"), "INDEX_SLOW_LOGS": lg("/aws/opensearch/full/slow"),
	}})
	srv.AddOpenSearchDomain(awstest.OpenSearchDomain{Name: "slow", LogPublishing: map[string]string{"SEARCH_SLOW_LOGS": lg("/aws/opensearch/slow/slow")},
		DisabledLogs: map[string]string{"ES_APPLICATION_LOGS": lg("/aws/opensearch/slow/app")}})
	srv.AddOpenSearchDomain(awstest.OpenSearchDomain{Name: "none"})
	c := managedClients(srv)
	detect := DefaultDetectors()["aws:opensearch:domain"]
	if DefaultDetectors()["aws:es:domain"] == nil {
		t.Fatal("aws:es:domain not registered")
	}
	tests := []struct {
		id          string
		wantEnabled bool
		wantGroups  string
		wantRec     bool
		wantErr     string
	}{
		{"full", true, "/aws/opensearch/full/app,/aws/opensearch/full/slow", false, ""},
		{"arn:aws:es:us-east-1:123456789012:domain/slow", true, "/aws/opensearch/slow/slow", true, ""},
		{"none", false, "", true, ""},
		{"gone", false, "", false, "ResourceNotFoundException"},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			g, err := detect(context.Background(), c, health.Resource{ID: tc.id, Type: "aws:opensearch:domain"})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if g.Service != "opensearch" || g.Enabled != tc.wantEnabled || strings.Join(g.LogGroups, ",") != tc.wantGroups || (g.Recommendation != "") != tc.wantRec {
				t.Fatalf("%+v", g)
			}
		})
	}
}
