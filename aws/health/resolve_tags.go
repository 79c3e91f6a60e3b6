package health

import (
	"context"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/arczonalshift"
	arctypes "github.com/aws/aws-sdk-go-v2/service/arczonalshift/types"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	tagging "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	taggingtypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
)

// tagged is one resource found by its tags.
type tagged struct {
	id, arn string
	// listing is the listing object FIS filters some types against (ARC summaries).
	listing any
}

func sortedKeys(tags map[string]string) []string {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// hasTags reports whether every wanted tag is present with its value (FIS: all tags, AND;
// an empty value matches only an empty value, it is no wildcard).
func hasTags(have, want map[string]string) bool {
	for k, v := range want {
		got, ok := have[k]
		if !ok || got != v {
			return false
		}
	}
	return true
}

// arnsByTags lists the ARNs carrying every tag through the Resource Groups Tagging API,
// filtered by the resource type filter f ("" for none).
func arnsByTags(ctx context.Context, c *awsapi.Clients, f string, tags map[string]string) ([]string, error) {
	in := &tagging.GetResourcesInput{ResourcesPerPage: aws.Int32(100)}
	for _, k := range sortedKeys(tags) {
		in.TagFilters = append(in.TagFilters, taggingtypes.TagFilter{Key: aws.String(k), Values: []string{tags[k]}})
	}
	if f != "" {
		in.ResourceTypeFilters = []string{f}
	}
	var arns []string
	p := tagging.NewGetResourcesPaginator(c.Tagging, in)
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, awsapi.Wrap(err, "tagging GetResources", strings.Join(in.ResourceTypeFilters, ","), "tag:GetResources")
		}
		for _, m := range out.ResourceTagMappingList {
			if a := aws.ToString(m.ResourceARN); a != "" {
				arns = append(arns, a)
			}
		}
	}
	return arns, nil
}

// tagsOfARNs reads the tags of known ARNs through the Tagging API (ResourceARNList, ≤ 100 a call).
func tagsOfARNs(ctx context.Context, c *awsapi.Clients, arns []string) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for _, b := range batchIDs(arns, 100) {
		p := tagging.NewGetResourcesPaginator(c.Tagging, &tagging.GetResourcesInput{ResourceARNList: b})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, awsapi.Wrap(err, "tagging GetResources", idSummary(b), "tag:GetResources")
			}
			for _, m := range page.ResourceTagMappingList {
				tags := map[string]string{}
				for _, t := range m.Tags {
					tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
				}
				out[aws.ToString(m.ResourceARN)] = tags
			}
		}
	}
	return out, nil
}

// asgsByTags lists the Auto Scaling groups carrying every tag with DescribeAutoScalingGroups'
// tag:<key> filters (paged); the Tagging API's GetResources returns no Auto Scaling groups
// (https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/supported-services.html).
func asgsByTags(ctx context.Context, c *awsapi.Clients, tags map[string]string) ([]tagged, error) {
	in := &autoscaling.DescribeAutoScalingGroupsInput{MaxRecords: aws.Int32(100)}
	for _, k := range sortedKeys(tags) {
		if tags[k] == "" {
			// An empty value is matched below; filter on the key only.
			in.Filters = append(in.Filters, astypes.Filter{Name: aws.String("tag-key"), Values: []string{k}})
			continue
		}
		in.Filters = append(in.Filters, astypes.Filter{Name: aws.String("tag:" + k), Values: []string{tags[k]}})
	}
	var out []tagged
	p := autoscaling.NewDescribeAutoScalingGroupsPaginator(c.AutoScaling, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, awsapi.Wrap(err, "autoscaling DescribeAutoScalingGroups", "tag filters", "autoscaling:DescribeAutoScalingGroups")
		}
		for _, g := range page.AutoScalingGroups {
			if hasTags(asgTags(g), tags) {
				out = append(out, tagged{id: aws.ToString(g.AutoScalingGroupName), arn: aws.ToString(g.AutoScalingGroupARN)})
			}
		}
	}
	return out, nil
}

func asgTags(g astypes.AutoScalingGroup) map[string]string {
	m := map[string]string{}
	for _, t := range g.Tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

// rolesByTags lists the IAM roles carrying every tag: ListRoles (which returns no tags) and
// ListRoleTags per role; the Tagging API's GetResources does not support IAM roles
// (https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/supported-services.html).
func rolesByTags(ctx context.Context, c *awsapi.Clients, tags map[string]string) ([]tagged, error) {
	var roles []iamtypes.Role
	p := iam.NewListRolesPaginator(c.IAM, &iam.ListRolesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, awsapi.Wrap(err, "iam ListRoles", "roles", "iam:ListRoles")
		}
		roles = append(roles, page.Roles...)
	}
	var out []tagged
	for _, r := range roles {
		have := map[string]string{}
		tp := iam.NewListRoleTagsPaginator(c.IAM, &iam.ListRoleTagsInput{RoleName: r.RoleName})
		for tp.HasMorePages() {
			page, err := tp.NextPage(ctx)
			if err != nil {
				return nil, awsapi.Wrap(err, "iam ListRoleTags", aws.ToString(r.RoleName), "iam:ListRoleTags")
			}
			for _, t := range page.Tags {
				have[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
		}
		if hasTags(have, tags) {
			out = append(out, tagged{id: aws.ToString(r.RoleName), arn: aws.ToString(r.Arn)})
		}
	}
	return out, nil
}

// arcManagedResources lists every resource registered with ARC zonal shift (ListManagedResources, paged).
func arcManagedResources(ctx context.Context, c *awsapi.Clients) ([]arctypes.ManagedResourceSummary, error) {
	var out []arctypes.ManagedResourceSummary
	p := arczonalshift.NewListManagedResourcesPaginator(c.ARCZonalShift, &arczonalshift.ListManagedResourcesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, awsapi.Wrap(err, "arc-zonal-shift ListManagedResources", "managed resources", "arc-zonal-shift:ListManagedResources")
		}
		out = append(out, page.Items...)
	}
	return out, nil
}

// arcByTags lists the ARC zonal-shift managed resources (load balancers, EKS clusters, Auto
// Scaling groups) carrying every tag: the set comes from ListManagedResources, each resource's
// tags from the Tagging API (load balancers, EKS clusters) or DescribeAutoScalingGroups.
func arcByTags(ctx context.Context, c *awsapi.Clients, tags map[string]string) ([]tagged, error) {
	items, err := arcManagedResources(ctx, c)
	if err != nil {
		return nil, err
	}
	var viaTagging, asgNames []string
	asgArn := map[string]string{}
	for _, it := range items {
		arn := aws.ToString(it.Arn)
		if svc := arnService(arn); svc == "autoscaling" {
			name, err := asgIDFromARN(arnResource(arn), arn)
			if err != nil {
				continue
			}
			asgNames = append(asgNames, name)
			asgArn[name] = arn
		} else {
			viaTagging = append(viaTagging, arn)
		}
	}
	have, err := tagsOfARNs(ctx, c, viaTagging)
	if err != nil {
		return nil, err
	}
	for _, b := range batchIDs(asgNames, 100) {
		p := autoscaling.NewDescribeAutoScalingGroupsPaginator(c.AutoScaling, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: b})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, awsapi.Wrap(err, "autoscaling DescribeAutoScalingGroups", idSummary(b), "autoscaling:DescribeAutoScalingGroups")
			}
			for _, g := range page.AutoScalingGroups {
				have[asgArn[aws.ToString(g.AutoScalingGroupName)]] = asgTags(g)
			}
		}
	}
	var out []tagged
	for _, it := range items {
		arn := aws.ToString(it.Arn)
		if hasTags(have[arn], tags) {
			out = append(out, tagged{id: arn, arn: arn, listing: it})
		}
	}
	return out, nil
}

// s3Buckets lists the account's buckets (ListBuckets, paged): the output FIS applies
// aws:s3:bucket filters to.
func s3Buckets(ctx context.Context, c *awsapi.Clients) (map[string]s3types.Bucket, error) {
	out := map[string]s3types.Bucket{}
	p := s3.NewListBucketsPaginator(c.S3, &s3.ListBucketsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, awsapi.Wrap(err, "s3 ListBuckets", "buckets", "s3:ListAllMyBuckets")
		}
		for _, b := range page.Buckets {
			out[aws.ToString(b.Name)] = b
		}
	}
	return out, nil
}

func arnService(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[2]
}

func arnResource(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[5]
}
