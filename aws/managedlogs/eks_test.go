package managedlogs

import (
	"context"
	"strings"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/aws/health"
)

func managedClients(srv *awstest.Server) *awsapi.Clients {
	cfg := srv.Config()
	cfg.Retryer = func() awssdk.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = 3; o.MaxBackoff = time.Millisecond })
	}
	return awsapi.NewClients(cfg)
}

func TestDetectEKS(t *testing.T) {
	srv := awstest.New()
	defer srv.Close()
	srv.AddEKSCluster(awstest.EKSCluster{Name: "full", LoggingTypes: []string{"api", "audit", "authenticator", "scheduler"}})
	srv.AddEKSCluster(awstest.EKSCluster{Name: "some", LoggingTypes: []string{"api"}})
	srv.AddEKSCluster(awstest.EKSCluster{Name: "none"})
	c := managedClients(srv)
	tests := []struct {
		name        string
		r           health.Resource
		wantCluster string
		wantEnabled bool
		wantGroup   string
		wantRec     string
		wantErr     string
	}{
		{"all recommended", health.Resource{ID: "full", Type: "aws:eks:cluster"}, "full", true, "/aws/eks/full/cluster", "", ""},
		{"partial", health.Resource{ID: "some/ng-a", Type: "aws:eks:nodegroup"}, "some", true, "/aws/eks/some/cluster", "(audit, authenticator)", ""},
		{"off", health.Resource{ID: "x", Type: "aws:eks:pod", Params: map[string]string{"clusterIdentifier": "arn:aws:eks:us-east-1:123456789012:cluster/none"}},
			"none", false, "", `aws eks update-cluster-config --name none --logging '{"clusterLogging":[{"types":["api","audit","authenticator"],"enabled":true}]}'`, ""},
		{"missing", health.Resource{ID: "gone", Type: "aws:eks:cluster"}, "gone", false, "", "", "ResourceNotFoundException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			detect := DefaultDetectors()[tc.r.Type]
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
			if g.Service != "eks" || g.Identifier != tc.wantCluster || g.Enabled != tc.wantEnabled || strings.Join(g.LogGroups, ",") != tc.wantGroup {
				t.Fatalf("%+v", g)
			}
			if (tc.wantRec == "") != (g.Recommendation == "") || !strings.Contains(g.Recommendation, tc.wantRec) {
				t.Fatalf("recommendation %q, want ~%q", g.Recommendation, tc.wantRec)
			}
		})
	}
}
