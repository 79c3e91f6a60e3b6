package health

import (
	"context"
	"testing"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/session"
)

func rgArn(id string) string {
	return "arn:aws:elasticache:us-east-1:" + acct + ":replicationgroup:" + id
}

// Every target form the prepare step writes (../shared/reference/prepare: az-power-interruption,
// elasticache-redis, eks-pod-action guides) resolves as FIS resolves it
// (https://docs.aws.amazon.com/fis/latest/userguide/targets.html).
func TestPrepareGuideTargetForms(t *testing.T) {
	f := newFakeAWS(t)
	azTag := func(v string) map[string]string { return map[string]string{"AzImpairmentPower": v} }
	// ElastiCache: one group with a node in the target AZ, one (modifying) entirely elsewhere.
	f.srv.AddReplicationGroup(awstest.ReplicationGroup{ID: "sessions", NodeGroups: []awstest.CacheNodeGroup{{Members: []awstest.CacheNodeGroupMember{
		{CacheClusterID: "sessions-001", Role: "primary", AZ: "us-east-1b"}, {CacheClusterID: "sessions-002", Role: "replica", AZ: "us-east-1a"}}}}})
	f.srv.AddReplicationGroup(awstest.ReplicationGroup{ID: "elsewhere", Status: "modifying", NodeGroups: []awstest.CacheNodeGroup{{Members: []awstest.CacheNodeGroupMember{
		{CacheClusterID: "elsewhere-001", Role: "primary", AZ: "us-east-1a"}, {CacheClusterID: "elsewhere-002", Role: "replica", AZ: "us-east-1c"}}}}})
	f.srv.TagResource(rgArn("sessions"), azTag("ElasticacheImpact"))
	f.srv.TagResource(rgArn("elsewhere"), azTag("ElasticacheImpact"))
	// EBS: attached volumes in both AZs, a detached one in the target AZ.
	f.srv.AddVolume(awstest.Volume{ID: "vol-0a", AZ: "us-east-1a", AttachedTo: "i-0a", Tags: azTag("ApiPauseVolume")})
	f.srv.AddVolume(awstest.Volume{ID: "vol-0b", AZ: "us-east-1b", AttachedTo: "i-0b", KeepOnTermination: true, Tags: azTag("ApiPauseVolume")})
	f.srv.AddVolume(awstest.Volume{ID: "vol-0c", AZ: "us-east-1b", Tags: azTag("ApiPauseVolume")})
	f.srv.AddVolume(awstest.Volume{ID: "vol-0d", AZ: "us-east-1b", AttachedTo: "i-0b", Device: "/dev/xvda", Tags: azTag("ApiPauseVolume")}) // root volume: DeleteOnTermination true
	for _, v := range []string{"vol-0a", "vol-0b", "vol-0c", "vol-0d"} {
		f.srv.TagResource("arn:aws:ec2:us-east-1:"+acct+":volume/"+v, azTag("ApiPauseVolume"))
	}
	// Subnets tagged in every AZ; the template's AvailabilityZone filter picks the target AZ.
	f.srv.AddSubnet(awstest.Subnet{ID: "subnet-0a", VPCID: "vpc-1", AZ: "us-east-1a", AZID: "use1-az1", Tags: azTag("DisruptSubnet")})
	f.srv.AddSubnet(awstest.Subnet{ID: "subnet-0b", VPCID: "vpc-1", AZ: "us-east-1b", AZID: "use1-az2", Tags: azTag("DisruptSubnet")})
	for _, sn := range []string{"subnet-0a", "subnet-0b"} {
		f.srv.TagResource("arn:aws:ec2:us-east-1:"+acct+":subnet/"+sn, azTag("DisruptSubnet"))
	}
	f.srv.AddAutoScalingGroup(awstest.AutoScalingGroup{Name: "web-asg", MinSize: 1, MaxSize: 2, DesiredCapacity: 1,
		Instances: []awstest.ASGInstance{{ID: "i-0b", AZ: "us-east-1b"}}, Tags: azTag("IceAsg")})
	f.srv.AddEKSCluster(awstest.EKSCluster{Name: "demo-eks"})
	env := f.env()
	pod := map[string]string{"clusterIdentifier": "demo-eks", "namespace": "shop", "selectorType": "labelSelector", "selectorValue": "app=cart"}
	env.Pods = fakePods{pods: map[string][]Pod{"demo-eks/shop/labelSelector=app=cart": {{Name: "cart-1", Phase: "Running", Ready: true}}}}

	tests := []struct {
		name     string
		target   session.Target
		want     string
		wantNote string
	}{
		{"ElastiCache by tags plus availabilityZoneIdentifier (AZ ID)", session.Target{ResourceType: "aws:elasticache:replicationgroup",
			ResourceTags: azTag("ElasticacheImpact"), Parameters: map[string]string{"availabilityZoneIdentifier": "use1-az2"}},
			"sessions", "resources outside the Availability Zone its parameters name were left out"},
		{"ElastiCache by tags plus availabilityZoneIdentifier (AZ code)", session.Target{ResourceType: "aws:elasticache:replicationgroup",
			ResourceTags: azTag("ElasticacheImpact"), Parameters: map[string]string{"availabilityZoneIdentifier": "us-east-1b"}}, "sessions", "elsewhere"},
		{"EBS by tags plus availabilityZoneIdentifier plus Attachments.DeleteOnTermination filter", session.Target{ResourceType: "aws:ec2:ebs-volume",
			ResourceTags: azTag("ApiPauseVolume"), Parameters: map[string]string{"availabilityZoneIdentifier": "us-east-1b"},
			// The guide keeps volumes that survive termination; a detached volume has no attachment and does not match.
			Filters: []session.TargetFilter{{Path: "Attachments.DeleteOnTermination", Values: []string{"false"}}}}, "vol-0b", "filters kept 1 of 3"},
		{"EBS by availabilityZoneIdentifier alone", session.Target{ResourceType: "aws:ec2:ebs-volume",
			Parameters: map[string]string{"availabilityZoneIdentifier": "us-east-1b"}}, "vol-0b,vol-0c,vol-0d", ""},
		{"subnets by tags plus AvailabilityZone filter", session.Target{ResourceType: "aws:ec2:subnet", ResourceTags: azTag("DisruptSubnet"),
			Filters: []session.TargetFilter{{Path: "AvailabilityZone", Values: []string{"us-east-1b"}}}}, "subnet-0b", "filters kept 1 of 2"},
		{"subnets by availabilityZoneIdentifier", session.Target{ResourceType: "aws:ec2:subnet",
			Parameters: map[string]string{"availabilityZoneIdentifier": "use1-az2"}}, "subnet-0b", ""},
		{"ASG by tags", session.Target{ResourceType: "aws:ec2:autoscaling-group", ResourceTags: azTag("IceAsg")}, "web-asg", ""},
		{"EKS pods by selector", session.Target{ResourceType: TypeEKSPod, Parameters: pod}, "demo-eks/shop/labelSelector=app=cart", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tg := tc.target
			tg.Name = "T"
			hr := Check(context.Background(), env, DefaultRegistry(), session.Template{Targets: []session.Target{tg}}, Options{})
			if got := resourceIDs(hr); got != tc.want || hr.Verdict != session.VerdictHealthy {
				t.Fatalf("kept %q verdict %s, want %q healthy; resources %+v notes %v", got, hr.Verdict, tc.want, hr.Resources, hr.Notes)
			}
			if tc.wantNote != "" && !hasNote(hr, tc.wantNote) {
				t.Fatalf("notes %v, want %q", hr.Notes, tc.wantNote)
			}
		})
	}
}
