package health

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/aws/experiment"
	"github.com/fis-mcp/fis-mcp/cmd/fis-mcp/sim"
	"github.com/fis-mcp/fis-mcp/session"
)

// The sample AZ power interruption template (testdata/experiments/…EXT1a2b3c4d5e6f7) has an
// aws:ec2:autoscaling-group target by resourceTags, an IAM role by ARN, EC2 instances by tags
// plus filters and an ElastiCache replication group by ARN plus availabilityZoneIdentifier
// (an AZ ID). On the simulated account it must come out healthy: the ASG resolves through
// DescribeAutoScalingGroups (the Tagging API returns no Auto Scaling groups), the AZ ID maps to
// the account's AZ code through DescribeAvailabilityZones.
func TestSampleTemplateHealthyOnSimulatedAccount(t *testing.T) {
	a, err := sim.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	s := a.AWS
	// What the sample template targets beyond what the simulation seeds: the node group's ASG
	// (tagged by EKS), its node role, and the eks:cluster-name tag EKS puts on its nodes.
	eksTags := map[string]string{"eks:cluster-name": sim.Cluster, "eks:nodegroup-name": sim.Nodegroup}
	s.AddAutoScalingGroup(awstest.AutoScalingGroup{Name: "eks-demo-ng-2ac6f1d2-4b8e-9c71-1f3a-5d2e7b9c0a11", MinSize: 3, MaxSize: 6, DesiredCapacity: 3,
		Instances: []awstest.ASGInstance{{ID: "i-0a1b2c3d4e5f60001", AZ: "us-east-1a"}, {ID: "i-0a1b2c3d4e5f60002", AZ: sim.TargetAZ}, {ID: "i-0a1b2c3d4e5f60003", AZ: "us-east-1c"}},
		Tags:      eksTags})
	s.AddRole("demo-eks-node-role", "")
	for _, id := range []string{"i-0a1b2c3d4e5f60001", "i-0a1b2c3d4e5f60002", "i-0a1b2c3d4e5f60003"} {
		s.TagResource("arn:aws:ec2:"+s.Region+":"+s.AccountID+":instance/"+id, eksTags)
	}
	cfn, err := os.ReadFile(filepath.Join("..", "..", "testdata", "experiments", "2026-04-11-10-30-15-az-power-int-demo-cluster-EXT1a2b3c4d5e6f7", "cfn-template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeployStack("sample-stack", "EXTsample0000001", cfn, awstest.DeployOptions{}); err != nil {
		t.Fatal(err)
	}
	clients := awsapi.NewClients(s.Config())
	tmpl, err := experiment.GetTemplate(context.Background(), clients.FIS, "EXTsample0000001")
	if err != nil {
		t.Fatal(err)
	}
	hr := Check(context.Background(), Env{Clients: clients}, DefaultRegistry(), tmpl, Options{})
	if hr.Verdict != session.VerdictHealthy {
		t.Fatalf("verdict %s\nresources %+v\nalarms %+v\nrole %+v\nnotes %v", hr.Verdict, hr.Resources, hr.Alarms, hr.Role, hr.Notes)
	}
	byTarget := map[string][]string{}
	for _, r := range hr.Resources {
		byTarget[r.Target] = append(byTarget[r.Target], r.ID)
	}
	want := map[string]string{
		"ASG": "eks-demo-ng-2ac6f1d2-4b8e-9c71-1f3a-5d2e7b9c0a11", "IAM-role": "demo-eks-node-role",
		"EC2-Instances": "i-0a1b2c3d4e5f60002", "EKS-Nodes": "i-0a1b2c3d4e5f60002",
		"RDS-Cluster": sim.Aurora, "ElastiCache-Cluster": sim.Redis,
	}
	for tg, ids := range want {
		if got := strings.Join(byTarget[tg], ","); got != ids {
			t.Errorf("target %s: %q, want %q", tg, got, ids)
		}
	}
	if !hasNote(hr, "availabilityZoneIdentifier use1-az2 is us-east-1b") {
		t.Errorf("no AZ mapping note: %v", hr.Notes)
	}
}
