package awstest_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/fis"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
)

// TestDeployStackTestdata deploys every testdata experiment's cfn-template.yaml and reads
// the FIS template and the stack back through the real SDK clients.
func TestDeployStackTestdata(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("..", "..", "testdata", "experiments", "*-EXT*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no testdata experiments: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			cfn, err := os.ReadFile(filepath.Join(dir, "cfn-template.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			id := dir[strings.LastIndex(dir, "-")+1:]
			srv := awstest.New()
			t.Cleanup(srv.Close)
			d, err := srv.DeployStack("stack-"+id, id, cfn, awstest.DeployOptions{})
			if err != nil {
				t.Fatalf("DeployStack: %v", err)
			}
			if d.Outputs["ExperimentTemplateId"] != id {
				t.Errorf("output ExperimentTemplateId = %q, want %q", d.Outputs["ExperimentTemplateId"], id)
			}
			ctx := context.Background()
			got, err := fis.NewFromConfig(srv.Config()).GetExperimentTemplate(ctx, &fis.GetExperimentTemplateInput{Id: &id})
			if err != nil {
				t.Fatalf("GetExperimentTemplate: %v", err)
			}
			if len(got.ExperimentTemplate.Targets) != len(d.Template.Targets) || len(got.ExperimentTemplate.Targets) == 0 {
				t.Errorf("targets = %d, deployed %d", len(got.ExperimentTemplate.Targets), len(d.Template.Targets))
			}
			for name, tg := range d.Template.Targets {
				for _, arn := range tg.ResourceArns {
					if strings.Contains(arn, "${") || !strings.HasPrefix(arn, "arn:aws:") {
						t.Errorf("target %s: ARN %q was not evaluated", name, arn)
					}
				}
			}
			for _, sc := range got.ExperimentTemplate.StopConditions {
				if sc.Value != nil && strings.Contains(*sc.Value, "alarm:") && len(d.Alarms) == 0 {
					t.Errorf("stop condition %s but no alarm deployed", *sc.Value)
				}
			}
			st, err := cloudformation.NewFromConfig(srv.Config()).DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: &d.StackName})
			if err != nil || len(st.Stacks) != 1 || st.Stacks[0].StackStatus != "CREATE_COMPLETE" {
				t.Fatalf("DescribeStacks: %v %+v", err, st)
			}
		})
	}
}

func TestDeployStackEvaluatesIntrinsics(t *testing.T) {
	cfn := `
Parameters:
  Name: {Type: String, Default: exp}
  AZ: {Type: String, Default: use1-az2}
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties: {RoleName: !Sub "fis-role-${Name}"}
  Alarm:
    Type: AWS::CloudWatch::Alarm
    Properties: {AlarmName: !Sub "fis-stop-${Name}"}
  Tmpl:
    Type: AWS::FIS::ExperimentTemplate
    Properties:
      Description: !Sub ["AZ ${Z} in ${AWS::Region}", {Z: !Ref AZ}]
      RoleArn: !GetAtt Role.Arn
      StopConditions: [{Source: aws:cloudwatch:alarm, Value: !GetAtt [Alarm, Arn]}]
      ExperimentOptions: {AccountTargeting: single-account, EmptyTargetResolutionMode: skip}
      Targets:
        Subnets:
          ResourceType: aws:ec2:subnet
          SelectionMode: ALL
          Parameters: {availabilityZoneIdentifier: !Ref AZ}
      Actions:
        Disrupt:
          ActionId: aws:network:disrupt-connectivity
          Parameters: {duration: PT5M}
          Targets: {Subnets: Subnets}
Outputs:
  ExperimentTemplateId: {Value: !Ref Tmpl}
  Role: {Value: !Sub "${Role.Arn}"}
`
	srv := awstest.New()
	t.Cleanup(srv.Close)
	d, err := srv.DeployStack("s", "EXTabcdef0123456", []byte(cfn), awstest.DeployOptions{Parameters: map[string]string{"Name": "n1"}})
	if err != nil {
		t.Fatal(err)
	}
	tm := d.Template
	if tm.RoleArn != "arn:aws:iam::123456789012:role/fis-role-n1" {
		t.Errorf("RoleArn = %q", tm.RoleArn)
	}
	if tm.Description != "AZ use1-az2 in us-east-1" {
		t.Errorf("Description = %q", tm.Description)
	}
	if tm.StopConditions[0].Value != "arn:aws:cloudwatch:us-east-1:123456789012:alarm:fis-stop-n1" {
		t.Errorf("stop condition = %q", tm.StopConditions[0].Value)
	}
	if tm.ExperimentOptions["emptyTargetResolutionMode"] != "skip" {
		t.Errorf("options = %v", tm.ExperimentOptions)
	}
	if tm.Targets["Subnets"].Parameters["availabilityZoneIdentifier"] != "use1-az2" {
		t.Errorf("target = %+v", tm.Targets["Subnets"])
	}
	if d.Outputs["ExperimentTemplateId"] != "EXTabcdef0123456" || d.Outputs["Role"] != tm.RoleArn {
		t.Errorf("outputs = %v", d.Outputs)
	}
	if _, err := srv.DeployStack("s2", "EXT1", []byte("Resources:\n  X:\n    Type: AWS::FIS::ExperimentTemplate\n    Properties:\n      RoleArn: !Join [a, [b]]\n"), awstest.DeployOptions{}); err == nil {
		t.Error("an unsupported intrinsic was accepted")
	}
}
