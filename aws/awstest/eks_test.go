package awstest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/smithy-go"
)

func TestEKSListClustersPaging(t *testing.T) {
	srv := New()
	defer srv.Close()
	for i := 0; i < 7; i++ {
		srv.AddEKSCluster(EKSCluster{Name: fmt.Sprintf("c%d", i)})
	}
	client := eks.NewFromConfig(srv.Config())
	p := eks.NewListClustersPaginator(client, &eks.ListClustersInput{MaxResults: aws.Int32(3)})
	var names []string
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		names = append(names, out.Clusters...)
	}
	if pages != 3 || len(names) != 7 || names[0] != "c0" || names[6] != "c6" {
		t.Fatalf("pages=%d names=%v", pages, names)
	}
}

func TestEKSDescribeCluster(t *testing.T) {
	srv := New()
	defer srv.Close()
	srv.AddEKSCluster(EKSCluster{Name: "prod", Endpoint: "https://ABC.gr7.us-east-1.eks.amazonaws.com", CAData: []byte("-----BEGIN CERTIFICATE-----\nX\n"), LoggingTypes: []string{"api", "audit"}})
	client := eks.NewFromConfig(srv.Config())
	out, err := client.DescribeCluster(context.Background(), &eks.DescribeClusterInput{Name: aws.String("prod")})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Cluster
	if aws.ToString(c.Endpoint) != "https://ABC.gr7.us-east-1.eks.amazonaws.com" || string(c.Status) != "ACTIVE" || aws.ToString(c.Version) != "1.31" {
		t.Fatalf("cluster %+v", c)
	}
	if aws.ToString(c.CertificateAuthority.Data) != "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tClgK" {
		t.Fatalf("ca %q", aws.ToString(c.CertificateAuthority.Data))
	}
	if len(c.Logging.ClusterLogging) != 2 || !aws.ToBool(c.Logging.ClusterLogging[0].Enabled) || len(c.Logging.ClusterLogging[0].Types) != 2 {
		t.Fatalf("logging %+v", c.Logging.ClusterLogging)
	}
	if c.CreatedAt == nil || c.CreatedAt.IsZero() {
		t.Fatal("createdAt missing")
	}

	_, err = client.DescribeCluster(context.Background(), &eks.DescribeClusterInput{Name: aws.String("nope")})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ResourceNotFoundException" {
		t.Fatalf("err %v", err)
	}
}

func TestEKSNodegroups(t *testing.T) {
	srv := New()
	defer srv.Close()
	srv.AddEKSCluster(EKSCluster{Name: "prod"})
	srv.AddNodegroup(EKSNodegroup{Cluster: "prod", Name: "ng-a", MinSize: 1, MaxSize: 6, DesiredSize: 3, AutoScalingGroups: []string{"eks-ng-a-asg"}, Subnets: []string{"subnet-1", "subnet-2"}})
	srv.AddNodegroup(EKSNodegroup{Cluster: "prod", Name: "ng-b"})
	srv.SetNodegroupStatus("prod", "ng-b", "DEGRADED")
	srv.SetNodegroupHealth("prod", "ng-b", EKSIssue{Code: "AsgInstanceLaunchFailures", Message: "capacity", ResourceIDs: []string{"eks-ng-b-asg"}})
	client := eks.NewFromConfig(srv.Config())
	ctx := context.Background()

	list, err := client.ListNodegroups(ctx, &eks.ListNodegroupsInput{ClusterName: aws.String("prod")})
	if err != nil || len(list.Nodegroups) != 2 {
		t.Fatalf("list %v %v", list, err)
	}
	tests := []struct {
		name, ng, status string
		issues           int
		wantCode         string
	}{
		{"healthy", "ng-a", "ACTIVE", 0, ""},
		{"degraded", "ng-b", "DEGRADED", 1, ""},
		{"missing", "ng-x", "", 0, "ResourceNotFoundException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := client.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String("prod"), NodegroupName: aws.String(tc.ng)})
			if tc.wantCode != "" {
				var apiErr smithy.APIError
				if !errors.As(err, &apiErr) || apiErr.ErrorCode() != tc.wantCode {
					t.Fatalf("err %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			n := out.Nodegroup
			if string(n.Status) != tc.status || len(n.Health.Issues) != tc.issues {
				t.Fatalf("nodegroup %+v", n)
			}
			if tc.ng == "ng-a" && (aws.ToInt32(n.ScalingConfig.DesiredSize) != 3 || aws.ToString(n.Resources.AutoScalingGroups[0].Name) != "eks-ng-a-asg" || len(n.Subnets) != 2) {
				t.Fatalf("nodegroup details %+v", n)
			}
		})
	}
	if got := srv.NodegroupArn("prod", "ng-a"); got == "" {
		t.Fatal("no nodegroup ARN")
	}
	_, err = client.ListNodegroups(ctx, &eks.ListNodegroupsInput{ClusterName: aws.String("other")})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ResourceNotFoundException" {
		t.Fatalf("err %v", err)
	}
}
