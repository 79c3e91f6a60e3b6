package awstest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go"
)

func TestVPCEndpointFake(t *testing.T) {
	srv := New()
	defer srv.Close()
	srv.AddVPCEndpoint(VPCEndpoint{ID: "vpce-0a1", SubnetIDs: []string{"subnet-1", "subnet-2"}})
	srv.AddVPCEndpoint(VPCEndpoint{ID: "vpce-0b2", State: "pendingAcceptance"})
	srv.AddVPCEndpoint(VPCEndpoint{ID: "vpce-0c3", State: "failed", LastErrorCode: "Client.Error", LastErrorMessage: "no capacity"})
	client := ec2.NewFromConfig(srv.Config())
	ctx := context.Background()
	tests := []struct {
		name    string
		ids     []string
		want    map[string]string // id -> state
		errCode string
	}{
		{"by ids", []string{"vpce-0a1", "vpce-0b2"}, map[string]string{"vpce-0a1": "available", "vpce-0b2": "pendingAcceptance"}, ""},
		{"all", nil, map[string]string{"vpce-0a1": "available", "vpce-0b2": "pendingAcceptance", "vpce-0c3": "failed"}, ""},
		{"unknown id", []string{"vpce-0a1", "vpce-0ff"}, nil, "InvalidVpcEndpointId.NotFound"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := client.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{VpcEndpointIds: tc.ids})
			if tc.errCode != "" {
				var apiErr smithy.APIError
				if !errors.As(err, &apiErr) || apiErr.ErrorCode() != tc.errCode || !strings.Contains(apiErr.ErrorMessage(), "vpce-0ff") {
					t.Fatalf("err %v, want %s naming the missing ID", err, tc.errCode)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, e := range out.VpcEndpoints {
				got[*e.VpcEndpointId] = string(e.State)
				if *e.VpcEndpointId == "vpce-0a1" && len(e.SubnetIds) != 2 {
					t.Fatalf("subnets %v", e.SubnetIds)
				}
				if *e.VpcEndpointId == "vpce-0c3" && (e.LastError == nil || *e.LastError.Message != "no capacity") {
					t.Fatalf("last error %+v", e.LastError)
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v want %v", got, tc.want)
			}
			for id, st := range tc.want {
				if got[id] != st {
					t.Fatalf("got %v want %v", got, tc.want)
				}
			}
		})
	}
}
