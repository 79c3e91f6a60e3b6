package awstest

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dsql"
	dsqltypes "github.com/aws/aws-sdk-go-v2/service/dsql/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func TestDSQLFake(t *testing.T) {
	srv := New()
	defer srv.Close()
	srv.AddDSQLCluster(DSQLCluster{Identifier: "abcdefghijklmnopqrstuvwxyz"})
	srv.AddDSQLCluster(DSQLCluster{Identifier: "idle0000000000000000000000", Status: "IDLE", WitnessRegion: "us-west-2",
		PeerArns: []string{"arn:aws:dsql:us-east-2:123456789012:cluster/peer0000000000000000000000"}})
	client := dsql.NewFromConfig(srv.Config())
	tests := []struct {
		id     string
		status dsqltypes.ClusterStatus
		peers  int
		http   int
	}{
		{"abcdefghijklmnopqrstuvwxyz", dsqltypes.ClusterStatusActive, 0, 0},
		{"idle0000000000000000000000", dsqltypes.ClusterStatusIdle, 2, 0},
		{"missing00000000000000000000", "", 0, http.StatusNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			out, err := client.GetCluster(context.Background(), &dsql.GetClusterInput{Identifier: aws.String(tc.id)})
			if tc.http != 0 {
				var nf *dsqltypes.ResourceNotFoundException
				var re *smithyhttp.ResponseError
				if !errors.As(err, &nf) || !errors.As(err, &re) || re.HTTPStatusCode() != tc.http {
					t.Fatalf("err %v, want ResourceNotFoundException (HTTP %d)", err, tc.http)
				}
				if aws.ToString(nf.ResourceId) != tc.id {
					t.Fatalf("resourceId %q", aws.ToString(nf.ResourceId))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if out.Status != tc.status || aws.ToString(out.Identifier) != tc.id || out.CreationTime == nil {
				t.Fatalf("cluster %+v", out)
			}
			if got := aws.ToString(out.Arn); got != "arn:aws:dsql:us-east-1:123456789012:cluster/"+tc.id {
				t.Fatalf("arn %s", got)
			}
			if tc.peers > 0 && (out.MultiRegionProperties == nil || len(out.MultiRegionProperties.Clusters) != tc.peers) {
				t.Fatalf("multi-Region %+v", out.MultiRegionProperties)
			}
		})
	}
	srv.SetDSQLClusterStatus("abcdefghijklmnopqrstuvwxyz", "UPDATING")
	out, err := client.GetCluster(context.Background(), &dsql.GetClusterInput{Identifier: aws.String("abcdefghijklmnopqrstuvwxyz")})
	if err != nil || out.Status != dsqltypes.ClusterStatusUpdating {
		t.Fatalf("after SetDSQLClusterStatus: %v %v", out, err)
	}
}
