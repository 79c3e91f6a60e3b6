package awstest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	tagging "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"
	"github.com/aws/smithy-go"
)

func TestTaggingGetResources(t *testing.T) {
	srv := New()
	defer srv.Close()
	for i := 0; i < 120; i++ {
		env := "prod"
		if i%2 == 1 {
			env = "dev"
		}
		srv.TagResource(fmt.Sprintf("arn:aws:ec2:us-east-1:123456789012:instance/i-%04d", i), map[string]string{"env": env, "app": "web"})
	}
	srv.TagResource("arn:aws:rds:us-east-1:123456789012:cluster:db1", map[string]string{"env": "prod"})
	srv.TagResource("arn:aws:rds:us-east-1:123456789012:db:db1-a", map[string]string{"env": "prod"})
	srv.AddS3Bucket("bkt", map[string]string{"env": "prod"})
	srv.AddEKSCluster(EKSCluster{Name: "k", Tags: map[string]string{"env": "prod"}})
	srv.AddNodegroup(EKSNodegroup{Cluster: "k", Name: "ng", Tags: map[string]string{"env": "prod"}})
	client := tagging.NewFromConfig(srv.Config())

	count := func(in *tagging.GetResourcesInput) (int, int, error) {
		p := tagging.NewGetResourcesPaginator(client, in)
		n, pages := 0, 0
		for p.HasMorePages() {
			out, err := p.NextPage(context.Background())
			if err != nil {
				return 0, 0, err
			}
			pages++
			n += len(out.ResourceTagMappingList)
		}
		return n, pages, nil
	}
	prod := []types.TagFilter{{Key: aws.String("env"), Values: []string{"prod"}}}
	tests := []struct {
		name      string
		in        tagging.GetResourcesInput
		want      int
		wantPages int
	}{
		{"ec2 instances by tag, paged", tagging.GetResourcesInput{TagFilters: prod, ResourceTypeFilters: []string{"ec2:instance"}}, 60, 2},
		{"two tags", tagging.GetResourcesInput{TagFilters: append(prod, types.TagFilter{Key: aws.String("app"), Values: []string{"web"}})}, 60, 2},
		{"small pages", tagging.GetResourcesInput{TagFilters: prod, ResourceTypeFilters: []string{"ec2:instance"}, ResourcesPerPage: aws.Int32(25)}, 60, 3},
		{"rds cluster only", tagging.GetResourcesInput{TagFilters: prod, ResourceTypeFilters: []string{"rds:cluster"}}, 1, 1},
		{"whole service", tagging.GetResourcesInput{TagFilters: prod, ResourceTypeFilters: []string{"rds"}}, 2, 1},
		{"s3 bucket", tagging.GetResourcesInput{TagFilters: prod, ResourceTypeFilters: []string{"s3:bucket"}}, 1, 1},
		{"eks nodegroup", tagging.GetResourcesInput{TagFilters: prod, ResourceTypeFilters: []string{"eks:nodegroup"}}, 1, 1},
		{"value mismatch", tagging.GetResourcesInput{TagFilters: []types.TagFilter{{Key: aws.String("env"), Values: []string{"staging"}}}}, 0, 1},
		{"key only", tagging.GetResourcesInput{TagFilters: []types.TagFilter{{Key: aws.String("app")}}}, 120, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			n, pages, err := count(&in)
			if err != nil {
				t.Fatal(err)
			}
			if n != tc.want || pages != tc.wantPages {
				t.Fatalf("got %d resources in %d pages, want %d in %d", n, pages, tc.want, tc.wantPages)
			}
		})
	}
	_, err := client.GetResources(context.Background(), &tagging.GetResourcesInput{PaginationToken: aws.String("bogus")})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InvalidParameterException" {
		t.Fatalf("err %v", err)
	}
}
