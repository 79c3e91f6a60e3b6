package health

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/session"
)

const acct = "123456789012"

func asgArn(name string) string {
	return "arn:aws:autoscaling:us-east-1:" + acct + ":autoScalingGroup:6d3f0c8e-1111-4b5c-9d2e-0123456789ab:autoScalingGroupName/" + name
}

// resolveOne resolves a single target named T.
func resolveOne(t *testing.T, f *fakeAWS, tg session.Target) Resolution {
	t.Helper()
	tg.Name = "T"
	res, err := Resolve(context.Background(), f.env(), DefaultRegistry(), session.Template{Targets: []session.Target{tg}})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func ids(rs []Resource) string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return strings.Join(out, ",")
}

// Tags resolve through each type's own service: Auto Scaling groups through
// DescribeAutoScalingGroups, IAM roles through ListRoles/ListRoleTags, ARC managed resources
// through ListManagedResources; the Tagging API returns neither ASGs nor IAM roles
// (https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/supported-services.html).
func TestResolveTagsPerService(t *testing.T) {
	f := newFakeAWS(t)
	eksTags := map[string]string{"eks:cluster-name": "demo-eks", "eks:nodegroup-name": "demo-ng"}
	f.srv.AddAutoScalingGroup(awstest.AutoScalingGroup{Name: "eks-demo-ng-1", MinSize: 1, MaxSize: 3, DesiredCapacity: 1,
		Instances: []awstest.ASGInstance{{ID: "i-1"}}, Tags: eksTags})
	f.srv.AddAutoScalingGroup(awstest.AutoScalingGroup{Name: "other", Tags: map[string]string{"eks:cluster-name": "demo-eks", "eks:nodegroup-name": "ng-2"}})
	// The ASG's tags are also in the Tagging API's state (TagResources works for ASGs), but GetResources leaves ASGs out.
	f.srv.TagResource(asgArn("eks-demo-ng-1"), eksTags)
	f.srv.AddRole("app-role", "")
	f.srv.TagRole("app-role", map[string]string{"fis": "yes"})
	f.srv.AddRole("plain-role", "")
	lb := "arn:aws:elasticloadbalancing:us-east-1:" + acct + ":loadbalancer/app/web/50dc6c495c0c9188"
	eks := "arn:aws:eks:us-east-1:" + acct + ":cluster/demo-eks"
	f.srv.AddARCManagedResource(awstest.ARCManagedResource{Arn: lb, Name: "web", AZs: []string{"us-east-1a", "us-east-1b"}})
	f.srv.AddARCManagedResource(awstest.ARCManagedResource{Arn: eks, Name: "demo-eks", AZs: []string{"us-east-1b"}})
	f.srv.AddARCManagedResource(awstest.ARCManagedResource{Arn: asgArn("eks-demo-ng-1"), Name: "eks-demo-ng-1", AZs: []string{"us-east-1a"}})
	f.srv.TagResource(lb, map[string]string{"AzImpairmentPower": "RecoverAutoshiftResources"})
	f.srv.TagResource(eks, map[string]string{"AzImpairmentPower": "RecoverAutoshiftResources"})
	f.srv.AddAutoScalingGroup(awstest.AutoScalingGroup{Name: "eks-demo-ng-1", Tags: map[string]string{"eks:cluster-name": "demo-eks",
		"eks:nodegroup-name": "demo-ng", "AzImpairmentPower": "RecoverAutoshiftResources"}})
	// A tagged load balancer that is not registered with zonal shift is not an ARC managed resource.
	f.srv.TagResource("arn:aws:elasticloadbalancing:us-east-1:"+acct+":loadbalancer/app/other/1", map[string]string{"AzImpairmentPower": "RecoverAutoshiftResources"})

	tests := []struct {
		name   string
		target session.Target
		want   string
		calls  map[string]string // service → operation that must have been called
	}{
		{"ASG by tags", session.Target{ResourceType: "aws:ec2:autoscaling-group", ResourceTags: eksTags}, "eks-demo-ng-1",
			map[string]string{"autoscaling": "DescribeAutoScalingGroups"}},
		{"IAM role by tags", session.Target{ResourceType: "aws:iam:role", ResourceTags: map[string]string{"fis": "yes"}}, "app-role",
			map[string]string{"iam": "ListRoleTags"}},
		{"ARC managed resources by tags", session.Target{ResourceType: TypeARCManaged, ResourceTags: map[string]string{"AzImpairmentPower": "RecoverAutoshiftResources"}},
			strings.Join([]string{lb, eks, asgArn("eks-demo-ng-1")}, ","), map[string]string{"percdataplane": "ListManagedResources"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := resolveOne(t, f, tc.target)
			got := ids(res.Resources)
			if !sameSet(got, tc.want) {
				t.Fatalf("resolved %q, want %q (notes %v placeholders %+v)", got, tc.want, res.Notes, res.Placeholders)
			}
			for svc, op := range tc.calls {
				if f.srv.CallCount(svc, op) == 0 {
					t.Fatalf("no %s %s call", svc, op)
				}
			}
			for _, r := range res.Resources {
				if r.Via != ViaTags {
					t.Fatalf("%s via %q", r.ID, r.Via)
				}
			}
		})
	}
	// The fake's Tagging API models AWS: ASGs and roles are not returned.
	res := resolveOne(t, f, session.Target{ResourceType: "aws:ec2:instance", ResourceTags: eksTags})
	if len(res.Resources) != 0 {
		t.Fatalf("GetResources returned ASGs as instances: %+v", res.Resources)
	}
	arns, err := arnsByTags(context.Background(), f.clients(), "", eksTags)
	if err != nil || len(arns) != 0 {
		t.Fatalf("GetResources without type filter returned %v %v: the Tagging API does not return Auto Scaling groups", arns, err)
	}
}

func sameSet(a, b string) bool {
	as, bs := strings.Split(a, ","), strings.Split(b, ",")
	if len(as) != len(bs) {
		return false
	}
	m := map[string]int{}
	for _, x := range as {
		m[x]++
	}
	for _, x := range bs {
		m[x]--
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return true
}

func TestResolveARNMappings(t *testing.T) {
	f := newFakeAWS(t)
	vif := "arn:aws:directconnect:us-east-1:" + acct + ":dxvif/dxvif-fg5kzxa1"
	f.srv.TagResource(vif, map[string]string{"FIS-Ready": "True"})
	f.srv.TagResource("arn:aws:directconnect:us-east-1:"+acct+":dxcon/dxcon-1", map[string]string{"FIS-Ready": "True"})
	tests := []struct {
		name    string
		target  session.Target
		want    string
		wantErr string
	}{
		{"dxvif ARN", session.Target{ResourceType: "aws:directconnect:virtual-interface", ResourceArns: []string{vif}}, "dxvif-fg5kzxa1", ""},
		{"dxvif by tags (connections are not virtual interfaces)", session.Target{ResourceType: "aws:directconnect:virtual-interface", ResourceTags: map[string]string{"FIS-Ready": "True"}}, "dxvif-fg5kzxa1", ""},
		{"a connection ARN is refused", session.Target{ResourceType: "aws:directconnect:virtual-interface", ResourceArns: []string{"arn:aws:directconnect:us-east-1:" + acct + ":dxcon/dxcon-1"}}, "", "not a aws:directconnect:virtual-interface"},
		{"vpc endpoint", session.Target{ResourceType: "aws:ec2:vpc-endpoint", ResourceArns: []string{"arn:aws:ec2:us-east-1:" + acct + ":vpc-endpoint/vpce-0abc"}}, "vpce-0abc", ""},
		{"kinesis stream", session.Target{ResourceType: "aws:kinesis:stream", ResourceArns: []string{"arn:aws:kinesis:us-east-1:" + acct + ":stream/orders"}}, "orders", ""},
		{"dsql cluster", session.Target{ResourceType: "aws:dsql:cluster", ResourceArns: []string{"arn:aws:dsql:us-east-1:" + acct + ":cluster/abcdefghijklmnopqrst"}}, "abcdefghijklmnopqrst", ""},
		{"pods by tags cannot be resolved", session.Target{ResourceType: TypeEKSPod, ResourceTags: map[string]string{"app": "x"}}, "", "cannot be resolved by tags"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := resolveOne(t, f, tc.target)
			if tc.wantErr != "" {
				if len(res.Placeholders) != 1 || res.Placeholders[0].Status != StatusUnresolved || !strings.Contains(res.Placeholders[0].Detail, tc.wantErr) {
					t.Fatalf("placeholders %+v, want unresolved %q", res.Placeholders, tc.wantErr)
				}
				return
			}
			if got := ids(res.Resources); got != tc.want {
				t.Fatalf("resolved %q, want %q (%v %+v)", got, tc.want, res.Notes, res.Placeholders)
			}
		})
	}
	calls := f.srv.Calls("tagging", "GetResources")
	if len(calls) == 0 || !strings.Contains(string(calls[0].Body), `"ResourceTypeFilters":["directconnect:dxvif"]`) {
		t.Fatalf("tagging calls %v", calls)
	}
}

// Parameter-only targets resolve for the types FIS documents parameters for
// (https://docs.aws.amazon.com/fis/latest/userguide/targets.html#target-parameters).
func TestResolveParameterOnlyTargets(t *testing.T) {
	f := newFakeAWS(t)
	f.srv.AddSubnet(awstest.Subnet{ID: "subnet-a", VPCID: "vpc-1", AZ: "us-east-1a", AZID: "use1-az1"})
	f.srv.AddSubnet(awstest.Subnet{ID: "subnet-b", VPCID: "vpc-1", AZ: "us-east-1b", AZID: "use1-az2"})
	f.srv.AddSubnet(awstest.Subnet{ID: "subnet-c", VPCID: "vpc-2", AZ: "us-east-1b", AZID: "use1-az2"})
	f.srv.AddVolume(awstest.Volume{ID: "vol-a", AZ: "us-east-1a"})
	f.srv.AddVolume(awstest.Volume{ID: "vol-b", AZ: "us-east-1b", AttachedTo: "i-1"})
	tests := []struct {
		name    string
		target  session.Target
		want    string
		wantErr string
	}{
		{"subnets by AZ code", session.Target{ResourceType: "aws:ec2:subnet", Parameters: map[string]string{"availabilityZoneIdentifier": "us-east-1b"}}, "subnet-b,subnet-c", ""},
		{"subnets by AZ ID", session.Target{ResourceType: "aws:ec2:subnet", Parameters: map[string]string{"availabilityZoneIdentifier": "use1-az2"}}, "subnet-b,subnet-c", ""},
		{"subnets by AZ and VPC", session.Target{ResourceType: "aws:ec2:subnet", Parameters: map[string]string{"availabilityZoneIdentifier": "use1-az2", "vpc": "vpc-1"}}, "subnet-b", ""},
		{"subnets by VPC", session.Target{ResourceType: "aws:ec2:subnet", Parameters: map[string]string{"vpc": "vpc-1"}}, "subnet-a,subnet-b", ""},
		{"volumes by AZ code", session.Target{ResourceType: "aws:ec2:ebs-volume", Parameters: map[string]string{"availabilityZoneIdentifier": "us-east-1b"}}, "vol-b", ""},
		{"volumes take AZ codes only", session.Target{ResourceType: "aws:ec2:ebs-volume", Parameters: map[string]string{"availabilityZoneIdentifier": "use1-az2"}}, "", "is an AZ ID"},
		{"no documented identifying parameters", session.Target{ResourceType: "aws:rds:cluster", Parameters: map[string]string{"writerAvailabilityZoneIdentifiers": "us-east-1a"}}, "", "by parameters alone are not supported"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := resolveOne(t, f, tc.target)
			if tc.wantErr != "" {
				if len(res.Placeholders) != 1 || res.Placeholders[0].Status != StatusUnresolved || !strings.Contains(res.Placeholders[0].Detail, tc.wantErr) {
					t.Fatalf("placeholders %+v, want unresolved %q", res.Placeholders, tc.wantErr)
				}
				return
			}
			if got := ids(res.Resources); got != tc.want {
				t.Fatalf("resolved %q, want %q (%v %+v)", got, tc.want, res.Notes, res.Placeholders)
			}
			for _, r := range res.Resources {
				if r.Via != ViaParameters {
					t.Fatalf("%s via %q", r.ID, r.Via)
				}
			}
		})
	}
}

func hasNote(hr session.HealthResult, s string) bool {
	return strings.Contains(strings.Join(hr.Notes, "\n"), s)
}

func resourceIDs(hr session.HealthResult) string {
	var out []string
	for _, r := range hr.Resources {
		out = append(out, r.ID)
	}
	return strings.Join(out, ",")
}

// emptyTargetResolutionMode skip: a target that selects nothing is skipped with its actions,
// and does not block; ARN targets cannot be skipped; fail (the default) blocks
// (https://docs.aws.amazon.com/fis/latest/userguide/experiment-options.html).
func TestCheckEmptyTargetResolutionMode(t *testing.T) {
	f := newFakeAWS(t)
	f.srv.AddInstance(awstest.Instance{ID: "i-web1", AZ: "us-east-1a", Tags: map[string]string{"app": "web"}})
	env := f.env()
	base := func(mode string, extra ...session.Target) session.Template {
		tm := session.Template{
			Targets: append([]session.Target{{Name: "Web", ResourceType: "aws:ec2:instance", ResourceTags: map[string]string{"app": "web"}}}, extra...),
			Actions: []session.Action{
				{Name: "Stop-Web", ActionID: "aws:ec2:stop-instances", Targets: map[string]string{"Instances": "Web"}},
				{Name: "Stop-Batch", ActionID: "aws:ec2:stop-instances", Targets: map[string]string{"Instances": "Batch"}},
				{Name: "Reboot-Batch", ActionID: "aws:ec2:reboot-instances", Targets: map[string]string{"Instances": "Batch"}},
			},
		}
		if mode != "" {
			tm.ExperimentOptions = map[string]string{"emptyTargetResolutionMode": mode}
		}
		return tm
	}
	byTags := session.Target{Name: "Batch", ResourceType: "aws:ec2:instance", ResourceTags: map[string]string{"app": "batch"}}
	filteredOut := session.Target{Name: "Batch", ResourceType: "aws:ec2:instance", ResourceTags: map[string]string{"app": "web"},
		Filters: []session.TargetFilter{{Path: "Placement.AvailabilityZone", Values: []string{"us-east-1c"}}}}
	byARN := session.Target{Name: "Batch", ResourceType: "aws:ec2:instance", ResourceArns: []string{instanceArn("i-gone")}}
	tests := []struct {
		name        string
		tmpl        session.Template
		wantVerdict string
		wantSkipped string
		wantNote    string
	}{
		{"skip: empty tag target", base("skip", byTags), session.VerdictHealthy, "Batch", "target Batch resolves no resources: FIS will skip actions Stop-Batch, Reboot-Batch"},
		{"skip: filters leave nothing", base("skip", filteredOut), session.VerdictHealthy, "Batch", "FIS will skip actions Stop-Batch, Reboot-Batch"},
		{"fail: empty tag target blocks", base("fail", byTags), session.VerdictBlocked, "", "FIS would fail the experiment at start"},
		{"default is fail", base("", byTags), session.VerdictBlocked, "", "emptyTargetResolutionMode fail"},
		{"skip: ARN targets cannot be skipped", base("skip", byARN), session.VerdictBlocked, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hr := Check(context.Background(), env, DefaultRegistry(), tc.tmpl, Options{})
			if hr.Verdict != tc.wantVerdict {
				t.Fatalf("verdict %s, want %s; resources %+v notes %v", hr.Verdict, tc.wantVerdict, hr.Resources, hr.Notes)
			}
			var skipped []string
			for _, s := range hr.SkippedTargets {
				skipped = append(skipped, s.Target)
				if s.Target == "Batch" && (strings.Join(s.Actions, ",") != "Stop-Batch,Reboot-Batch" || s.ResourceType != "aws:ec2:instance" || s.Reason == "") {
					t.Fatalf("skipped %+v", s)
				}
			}
			if strings.Join(skipped, ",") != tc.wantSkipped {
				t.Fatalf("skipped %v, want %q", skipped, tc.wantSkipped)
			}
			if tc.wantNote != "" && !hasNote(hr, tc.wantNote) {
				t.Fatalf("notes %v, want %q", hr.Notes, tc.wantNote)
			}
			for _, r := range hr.Resources {
				if r.Target == "Batch" && tc.wantSkipped != "" {
					t.Fatalf("skipped target still has a resource entry %+v", r)
				}
			}
		})
	}
}

// aws:ec2:spot-instance selects Spot Instances only; on-demand instances are left out with a
// note, not called unhealthy.
func TestCheckSpotInstancesExcludeOnDemand(t *testing.T) {
	f := newFakeAWS(t)
	tags := map[string]string{"pool": "batch"}
	f.srv.AddInstance(awstest.Instance{ID: "i-spot1", Lifecycle: "spot", Tags: tags})
	f.srv.AddInstance(awstest.Instance{ID: "i-spot2", Lifecycle: "spot", Tags: tags})
	f.srv.AddInstance(awstest.Instance{ID: "i-od1", Tags: tags})
	hr := Check(context.Background(), f.env(), DefaultRegistry(), session.Template{Targets: []session.Target{
		{Name: "Spot", ResourceType: "aws:ec2:spot-instance", ResourceTags: tags}}}, Options{})
	if hr.Verdict != session.VerdictHealthy || resourceIDs(hr) != "i-spot1,i-spot2" {
		t.Fatalf("verdict %s resources %+v notes %v", hr.Verdict, hr.Resources, hr.Notes)
	}
	if !hasNote(hr, "excluded 1 instances that are not Spot Instances") || !hasNote(hr, "i-od1") {
		t.Fatalf("notes %v", hr.Notes)
	}
}

// Resources the Tagging API still lists but that are gone are left out (FIS does not act on
// them); an ARN the template names that is gone still blocks (FIS fails on it).
func TestCheckGoneResources(t *testing.T) {
	f := newFakeAWS(t)
	tags := map[string]string{"app": "web"}
	f.srv.AddInstance(awstest.Instance{ID: "i-0aaa1", Tags: tags})
	f.srv.AddInstance(awstest.Instance{ID: "i-0bbb2", State: "terminated", Tags: tags})
	f.srv.TagResource(instanceArn("i-0ccc3"), tags) // listed by the Tagging API, unknown to EC2
	hr := Check(context.Background(), f.env(), DefaultRegistry(), session.Template{Targets: []session.Target{
		{Name: "Web", ResourceType: "aws:ec2:instance", ResourceTags: tags}}}, Options{})
	if hr.Verdict != session.VerdictHealthy || resourceIDs(hr) != "i-0aaa1" {
		t.Fatalf("verdict %s resources %+v notes %v", hr.Verdict, hr.Resources, hr.Notes)
	}
	if !hasNote(hr, "2 resolved resources are gone") || !hasNote(hr, "i-0bbb2") || !hasNote(hr, "i-0ccc3") {
		t.Fatalf("notes %v", hr.Notes)
	}
	hr = Check(context.Background(), f.env(), DefaultRegistry(), session.Template{Targets: []session.Target{
		{Name: "Web", ResourceType: "aws:ec2:instance", ResourceArns: []string{instanceArn("i-0bbb2")}}}}, Options{})
	if hr.Verdict != session.VerdictBlocked {
		t.Fatalf("a named ARN that is terminated: verdict %s %+v", hr.Verdict, hr.Resources)
	}
}

// Filters match the output FIS applies them to: ListManagedResources summaries for ARC
// managed resources, ListBuckets entries for S3 buckets (targets page, "Resource filters").
func TestCheckFiltersOnListings(t *testing.T) {
	f := newFakeAWS(t, awstest.WithClock(awstest.NewFakeClock(time.Date(2026, 4, 11, 10, 0, 0, 0, time.UTC))))
	lbA := "arn:aws:elasticloadbalancing:us-east-1:" + acct + ":loadbalancer/app/a/1"
	lbB := "arn:aws:elasticloadbalancing:us-east-1:" + acct + ":loadbalancer/app/b/2"
	f.srv.AddARCManagedResource(awstest.ARCManagedResource{Arn: lbA, Name: "a", AZs: []string{"us-east-1a", "us-east-1b"}})
	f.srv.AddARCManagedResource(awstest.ARCManagedResource{Arn: lbB, Name: "b", AZs: []string{"us-east-1a"}})
	f.srv.AddS3Bucket("reports", nil)
	f.srv.AddS3Bucket("logs", nil)
	created := "2026-01-11T10:00:00Z" // ListBuckets' CreationDate of the fake's buckets: 90 days before now
	tests := []struct {
		name   string
		target session.Target
		want   string
	}{
		{"ARC by ListManagedResources AvailabilityZones", session.Target{ResourceType: TypeARCManaged, ResourceArns: []string{lbA, lbB},
			Filters: []session.TargetFilter{{Path: "AvailabilityZones", Values: []string{"us-east-1b"}}}}, lbA},
		{"S3 by ListBuckets Name", session.Target{ResourceType: "aws:s3:bucket", ResourceArns: []string{"arn:aws:s3:::reports", "arn:aws:s3:::logs"},
			Filters: []session.TargetFilter{{Path: "Name", Values: []string{"logs"}}}}, "logs"},
		{"S3 by ListBuckets CreationDate", session.Target{ResourceType: "aws:s3:bucket", ResourceArns: []string{"arn:aws:s3:::reports"},
			Filters: []session.TargetFilter{{Path: "CreationDate", Values: []string{created}}}}, "reports"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tg := tc.target
			tg.Name = "T"
			hr := Check(context.Background(), f.env(), DefaultRegistry(), session.Template{Targets: []session.Target{tg}}, Options{})
			if got := resourceIDs(hr); got != tc.want {
				t.Fatalf("kept %q, want %q; resources %+v notes %v", got, tc.want, hr.Resources, hr.Notes)
			}
		})
	}
}
