package awstest_test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	tagging "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	taggingtypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
)

// GetResources returns no Auto Scaling groups and no IAM roles, as the Tagging API's
// supported-services page says (https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/supported-services.html).
func TestTaggingLeavesOutASGsAndRoles(t *testing.T) {
	srv := awstest.New()
	defer srv.Close()
	tags := map[string]string{"team": "a"}
	asg := "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:u:autoScalingGroupName/web"
	srv.TagResource(asg, tags)
	srv.AddRole("app", "")
	srv.TagRole("app", tags)
	srv.TagResource("arn:aws:ec2:us-east-1:123456789012:instance/i-1", tags)
	c := tagging.NewFromConfig(srv.Config())
	for _, in := range []*tagging.GetResourcesInput{
		{TagFilters: []taggingtypes.TagFilter{{Key: awssdk.String("team"), Values: []string{"a"}}}},
		{ResourceTypeFilters: []string{"autoscaling:autoScalingGroup"}},
		{ResourceARNList: []string{asg, "arn:aws:iam::123456789012:role/app"}},
	} {
		out, err := c.GetResources(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.ResourceTagMappingList {
			if a := awssdk.ToString(m.ResourceARN); strings.Contains(a, ":autoscaling:") || strings.Contains(a, ":iam:") {
				t.Fatalf("GetResources returned %s", a)
			}
		}
	}
}

// DescribeAutoScalingGroups filters: tag:<key>, tag-key, tag-value; AND across filters, OR
// across a filter's values (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DescribeAutoScalingGroups.html).
func TestAutoScalingTagFilters(t *testing.T) {
	srv := awstest.New()
	defer srv.Close()
	srv.AddAutoScalingGroup(awstest.AutoScalingGroup{Name: "a", Tags: map[string]string{"env": "prod", "app": "web"}})
	srv.AddAutoScalingGroup(awstest.AutoScalingGroup{Name: "b", Tags: map[string]string{"env": "dev", "app": "web"}})
	srv.AddAutoScalingGroup(awstest.AutoScalingGroup{Name: "c", Tags: map[string]string{"env": "prod"}})
	c := autoscaling.NewFromConfig(srv.Config())
	f := func(name string, vals ...string) astypes.Filter {
		return astypes.Filter{Name: awssdk.String(name), Values: vals}
	}
	tests := []struct {
		name    string
		filters []astypes.Filter
		want    string
		wantErr bool
	}{
		{"one tag", []astypes.Filter{f("tag:env", "prod")}, "a,c", false},
		{"AND across filters", []astypes.Filter{f("tag:env", "prod"), f("tag:app", "web")}, "a", false},
		{"OR across values", []astypes.Filter{f("tag:env", "prod", "dev"), f("tag-key", "app")}, "a,b", false},
		{"tag-value", []astypes.Filter{f("tag-value", "dev")}, "b", false},
		{"unknown filter", []astypes.Filter{f("name", "a")}, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := c.DescribeAutoScalingGroups(context.Background(), &autoscaling.DescribeAutoScalingGroupsInput{Filters: tc.filters})
			if tc.wantErr {
				if err == nil {
					t.Fatal("no error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, g := range out.AutoScalingGroups {
				names = append(names, awssdk.ToString(g.AutoScalingGroupName))
			}
			if strings.Join(names, ",") != tc.want {
				t.Fatalf("got %v, want %s", names, tc.want)
			}
		})
	}
}

// ListRoles returns no tags (https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListRoles.html);
// ListRoleTags does.
func TestIAMListRolesAndTags(t *testing.T) {
	srv := awstest.New()
	defer srv.Close()
	for _, n := range []string{"r1", "r2", "r3"} {
		srv.AddRole(n, "")
	}
	srv.TagRole("r2", map[string]string{"fis": "yes"})
	c := iam.NewFromConfig(srv.Config())
	var names []string
	p := iam.NewListRolesPaginator(c, &iam.ListRolesInput{MaxItems: awssdk.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range out.Roles {
			if len(r.Tags) != 0 {
				t.Fatalf("ListRoles returned tags %+v", r.Tags)
			}
			names = append(names, awssdk.ToString(r.RoleName))
		}
	}
	if strings.Join(names, ",") != "r1,r2,r3" || pages != 2 {
		t.Fatalf("roles %v in %d pages", names, pages)
	}
	out, err := c.ListRoleTags(context.Background(), &iam.ListRoleTagsInput{RoleName: awssdk.String("r2")})
	if err != nil || len(out.Tags) != 1 || awssdk.ToString(out.Tags[0].Key) != "fis" {
		t.Fatalf("ListRoleTags %+v %v", out, err)
	}
	if _, err := c.ListRoleTags(context.Background(), &iam.ListRoleTagsInput{RoleName: awssdk.String("nope")}); err == nil || !strings.Contains(err.Error(), "NoSuchEntity") {
		t.Fatalf("missing role: %v", err)
	}
}

func TestS3ListBucketsAndAvailabilityZones(t *testing.T) {
	srv := awstest.New(awstest.WithClock(awstest.NewFakeClock(fisTestEpoch)))
	defer srv.Close()
	srv.AddS3Bucket("b2", nil)
	srv.AddS3Bucket("b1", nil)
	out, err := s3.NewFromConfig(srv.Config(), func(o *s3.Options) { o.UsePathStyle = true }).ListBuckets(context.Background(), &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Buckets) != 2 || awssdk.ToString(out.Buckets[0].Name) != "b1" || awssdk.ToString(out.Buckets[1].BucketRegion) != "us-east-1" ||
		!out.Buckets[0].CreationDate.Equal(fisTestEpoch.Add(-90*24*time.Hour)) {
		t.Fatalf("buckets %+v", out.Buckets)
	}
	srv.AddSubnet(awstest.Subnet{ID: "subnet-1", AZ: "us-east-1c", AZID: "use1-az6"})
	azs, err := ec2.NewFromConfig(srv.Config()).DescribeAvailabilityZones(context.Background(), &ec2.DescribeAvailabilityZonesInput{ZoneIds: []string{"use1-az2", "use1-az6"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, z := range azs.AvailabilityZones {
		got = append(got, awssdk.ToString(z.ZoneName)+"="+awssdk.ToString(z.ZoneId))
	}
	if strings.Join(got, ",") != "us-east-1b=use1-az2,us-east-1c=use1-az6" {
		t.Fatalf("zones %v", got)
	}
}

// The fake FIS resolves targets when an experiment starts, by the documented rules
// (https://docs.aws.amazon.com/fis/latest/userguide/experiment-options.html): under fail an empty
// target fails the experiment at once; under skip the actions using it are skipped, except for
// targets given by ARNs; tags resolve through each service (Auto Scaling groups included).
func TestFISTargetResolutionModes(t *testing.T) {
	ctx := context.Background()
	tmpl := func(id, mode string, batch awstest.TemplateTarget) awstest.ExperimentTemplate {
		return awstest.ExperimentTemplate{ID: id, RoleArn: "arn:aws:iam::123456789012:role/fis",
			Targets: map[string]awstest.TemplateTarget{
				"Web":   {ResourceType: "aws:ec2:autoscaling-group", ResourceTags: map[string]string{"app": "web"}, SelectionMode: "ALL"},
				"Batch": batch,
			},
			Actions: map[string]awstest.TemplateAction{
				"Ice":       {ActionID: "aws:ec2:asg-insufficient-instance-capacity-error", Parameters: map[string]string{"duration": "PT1M"}, Targets: map[string]string{"AutoScalingGroups": "Web"}},
				"StopBatch": {ActionID: "aws:ec2:stop-instances", Targets: map[string]string{"Instances": "Batch"}},
			},
			StopConditions:    []awstest.StopCondition{{Source: "none"}},
			ExperimentOptions: map[string]string{"emptyTargetResolutionMode": mode},
		}
	}
	byTags := awstest.TemplateTarget{ResourceType: "aws:ec2:instance", ResourceTags: map[string]string{"app": "batch"}, SelectionMode: "ALL"}
	tests := []struct {
		name, mode     string
		batch          awstest.TemplateTarget
		wantStatus     string
		wantBatch      string
		wantReasonPart string
	}{
		{"skip", "skip", byTags, "completed", "skipped", ""},
		{"fail", "fail", byTags, "failed", "cancelled", "Batch"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := awstest.NewFakeClock(fisTestEpoch)
			srv := awstest.New(awstest.WithClock(clock))
			defer srv.Close()
			srv.AddAutoScalingGroup(awstest.AutoScalingGroup{Name: "web-asg", Tags: map[string]string{"app": "web"}})
			id := "EXTres" + string(rune('a'+i))
			srv.AddExperimentTemplate(tmpl(id, tc.mode, tc.batch))
			c := newFISClient(srv)
			out, err := c.StartExperiment(ctx, &fis.StartExperimentInput{ExperimentTemplateId: awssdk.String(id)})
			if err != nil {
				t.Fatal(err)
			}
			clock.Advance(10 * time.Minute)
			got, err := c.GetExperiment(ctx, &fis.GetExperimentInput{Id: out.Experiment.Id})
			if err != nil {
				t.Fatal(err)
			}
			e := got.Experiment
			if string(e.State.Status) != tc.wantStatus || !strings.Contains(awssdk.ToString(e.State.Reason), tc.wantReasonPart) {
				t.Fatalf("experiment %s (%s), want %s", e.State.Status, awssdk.ToString(e.State.Reason), tc.wantStatus)
			}
			if st := string(e.Actions["StopBatch"].State.Status); st != tc.wantBatch {
				t.Fatalf("StopBatch %s, want %s", st, tc.wantBatch)
			}
			rt, err := c.ListExperimentResolvedTargets(ctx, &fis.ListExperimentResolvedTargetsInput{ExperimentId: out.Experiment.Id})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, r := range rt.ResolvedTargets {
				names = append(names, awssdk.ToString(r.TargetName)+"="+r.TargetInformation["identifier"])
			}
			sort.Strings(names)
			if len(names) != 1 || !strings.HasPrefix(names[0], "Web=") {
				t.Fatalf("resolved targets %v: the ASG by tags must resolve", names)
			}
		})
	}
}
