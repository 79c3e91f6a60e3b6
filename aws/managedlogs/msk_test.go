package managedlogs

import (
	"context"
	"strings"
	"testing"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/aws/health"
)

func TestDetectMSK(t *testing.T) {
	srv := awstest.New()
	defer srv.Close()
	on := srv.AddMSKCluster(awstest.MSKCluster{Name: "on", BrokerLogGroup: "/aws/msk/on"})
	off := srv.AddMSKCluster(awstest.MSKCluster{Name: "off"})
	sls := srv.AddMSKCluster(awstest.MSKCluster{Name: "sls", ClusterType: "SERVERLESS"})
	c := managedClients(srv)
	detect := DefaultDetectors()["aws:msk:cluster"]
	if DefaultDetectors()["aws:kafka:cluster"] == nil {
		t.Fatal("aws:kafka:cluster not registered")
	}
	tests := []struct {
		name        string
		r           health.Resource
		wantEnabled bool
		wantGroup   string
		wantRec     string
		wantErr     string
	}{
		{"enabled", health.Resource{ID: "on", ARN: on}, true, "/aws/msk/on", "", ""},
		{"disabled", health.Resource{ID: "off", ARN: off}, false, "", "Enable MSK broker logs", ""},
		{"serverless", health.Resource{ID: sls}, false, "", "Serverless", ""},
		{"missing", health.Resource{ID: "x", ARN: on + "x"}, false, "", "", "NotFoundException"},
		{"no ARN", health.Resource{ID: "on"}, false, "", "", "ARN is needed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, err := detect(context.Background(), c, tc.r)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if g.Service != "msk" || g.Enabled != tc.wantEnabled || strings.Join(g.LogGroups, ",") != tc.wantGroup ||
				(tc.wantRec == "") != (g.Recommendation == "") || !strings.Contains(g.Recommendation, tc.wantRec) {
				t.Fatalf("%+v", g)
			}
		})
	}
}
