package health

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/session"
)

func TestIDFromARN(t *testing.T) {
	tests := []struct {
		typ, arn, want, wantErr string
	}{
		{"aws:ec2:instance", "arn:aws:ec2:us-east-1:123456789012:instance/i-0abc", "i-0abc", ""},
		{"aws:ec2:spot-instance", "arn:aws:ec2:us-east-1:123456789012:instance/i-0abc", "i-0abc", ""},
		{"aws:rds:cluster", "arn:aws:rds:us-east-1:123456789012:cluster:demo-aurora", "demo-aurora", ""},
		{"aws:rds:db", "arn:aws:rds:us-east-1:123456789012:db:demo-aurora-1", "demo-aurora-1", ""},
		{"aws:elasticache:replicationgroup", "arn:aws:elasticache:us-east-1:123456789012:replicationgroup:cache", "cache", ""},
		{"aws:memorydb:multi-region-cluster", "arn:aws:memorydb::123456789012:multiregioncluster/mrc-x", "mrc-x", ""},
		{"aws:eks:nodegroup", "arn:aws:eks:us-east-1:123456789012:nodegroup/prod/ng-a/0cc6a1a1-1111-2222-3333-444455556666", "prod/ng-a", ""},
		{"aws:eks:cluster", "arn:aws:eks:us-east-1:123456789012:cluster/prod", "prod", ""},
		{"aws:ecs:cluster", "arn:aws:ecs:us-east-1:123456789012:cluster/web", "web", ""},
		{"aws:ecs:task", "arn:aws:ecs:us-east-1:123456789012:task/web/abc123", "web/abc123", ""},
		{"aws:ec2:autoscaling-group", "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:uuid-1:autoScalingGroupName/eks-ng", "eks-ng", ""},
		{"aws:msk:cluster", "arn:aws:kafka:us-east-1:123456789012:cluster/orders/uuid-1", "orders", ""},
		{"aws:opensearch:domain", "arn:aws:es:us-east-1:123456789012:domain/logs", "logs", ""},
		{"aws:dynamodb:global-table", "arn:aws:dynamodb:us-east-1:123456789012:table/orders", "orders", ""},
		{"aws:s3:bucket", "arn:aws:s3:::reports", "reports", ""},
		{"aws:lambda:function", "arn:aws:lambda:us-east-1:123456789012:function:api", "api", ""},
		{"aws:iam:role", "arn:aws:iam::123456789012:role/service/fis-role", "fis-role", ""},
		{TypeARCManaged, "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/1", "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/1", ""},
		{"aws:ec2:subnet", "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-1", "subnet-1", ""},
		{"aws:rds:cluster", "arn:aws:ec2:us-east-1:123456789012:instance/i-1", "", "not a aws:rds:cluster"},
		{"aws:eks:nodegroup", "arn:aws:eks:us-east-1:123456789012:cluster/prod", "", "not a aws:eks:nodegroup"},
		{"aws:ec2:instance", "i-0abc", "", "not an ARN"},
	}
	for _, tc := range tests {
		t.Run(tc.typ+" "+tc.arn, func(t *testing.T) {
			got, err := IDFromARN(tc.typ, tc.arn)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q %v, want %q", got, err, tc.want)
			}
		})
	}
}

func TestTaggingTypeFilter(t *testing.T) {
	for typ, want := range map[string]string{
		"aws:ec2:instance": "ec2:instance", "aws:rds:cluster": "rds:cluster", "aws:rds:db": "rds:db",
		"aws:elasticache:replicationgroup": "elasticache:replicationgroup", "aws:eks:nodegroup": "eks:nodegroup",
		"aws:ec2:spot-instance": "ec2:instance", "aws:opensearch:domain": "es:domain", "aws:dynamodb:global-table": "dynamodb:table",
	} {
		if got := TaggingTypeFilter(typ); got != want {
			t.Errorf("%s: got %q want %q", typ, got, want)
		}
	}
}

func instanceArn(id string) string {
	return "arn:aws:ec2:us-east-1:123456789012:instance/" + id
}

func TestResolve(t *testing.T) {
	f := newFakeAWS(t)
	for i := 0; i < 150; i++ {
		f.srv.TagResource(instanceArn(fmt.Sprintf("i-%04d", i)), map[string]string{"env": "prod", "app": "web"})
	}
	for i := 0; i < 20; i++ {
		f.srv.TagResource(instanceArn(fmt.Sprintf("i-dev%02d", i)), map[string]string{"env": "dev", "app": "web"})
	}
	f.srv.TagResource("arn:aws:rds:us-east-1:123456789012:cluster:demo", map[string]string{"env": "prod", "app": "web"})
	f.srv.AddEKSCluster(awstest.EKSCluster{Name: "prod"})
	f.srv.AddNodegroup(awstest.EKSNodegroup{Cluster: "prod", Name: "ng-a", Tags: map[string]string{"fis": "yes"}})
	f.srv.AddNodegroup(awstest.EKSNodegroup{Cluster: "prod", Name: "ng-b", Tags: map[string]string{"fis": "yes"}})
	f.srv.AddECSCluster(awstest.ECSCluster{Name: "web"})
	f.srv.AddECSTask(awstest.ECSTask{Cluster: "web", ID: "t1", Service: "front"})
	f.srv.AddECSTask(awstest.ECSTask{Cluster: "web", ID: "t2", Service: "back"})
	env := f.env()
	podParams := map[string]string{"clusterIdentifier": "prod", "namespace": "shop", "selectorType": "labelSelector", "selectorValue": "app=cart"}

	tests := []struct {
		name       string
		target     session.Target
		wantIDs    []string // a prefix of the resolved IDs, in order
		wantCount  int
		wantStatus string // placeholder status when nothing resolves
		wantNote   string
		wantCalls  int // tagging GetResources calls, when > 0
	}{
		{name: "ARNs", target: session.Target{ResourceType: "aws:eks:nodegroup", ResourceArns: []string{
			"arn:aws:eks:us-east-1:123456789012:nodegroup/prod/ng-a/u1", "arn:aws:eks:us-east-1:123456789012:nodegroup/prod/ng-b/u2",
			"arn:aws:eks:us-east-1:123456789012:nodegroup/prod/ng-a/u1"}},
			wantIDs: []string{"prod/ng-a", "prod/ng-b"}, wantCount: 2},
		{name: "tags with paging", target: session.Target{ResourceType: "aws:ec2:instance", ResourceTags: map[string]string{"env": "prod", "app": "web"}},
			wantIDs: []string{"i-0000", "i-0001"}, wantCount: 150, wantCalls: 2},
		{name: "tags of another type", target: session.Target{ResourceType: "aws:rds:cluster", ResourceTags: map[string]string{"env": "prod"}},
			wantIDs: []string{"demo"}, wantCount: 1, wantCalls: 1},
		{name: "nodegroups by tag", target: session.Target{ResourceType: "aws:eks:nodegroup", ResourceTags: map[string]string{"fis": "yes"}},
			wantIDs: []string{"prod/ng-a", "prod/ng-b"}, wantCount: 2, wantCalls: 1},
		{name: "count selection", target: session.Target{ResourceType: "aws:ec2:instance", ResourceTags: map[string]string{"env": "dev"}, SelectionMode: "COUNT(2)"},
			wantCount: 20, wantNote: "FIS picks 2 of the 20 candidates at random"},
		{name: "percent selection", target: session.Target{ResourceType: "aws:ec2:instance", ResourceTags: map[string]string{"env": "dev"}, SelectionMode: "PERCENT(25)"},
			wantCount: 20, wantNote: "FIS picks 25% of the 20 candidates"},
		{name: "count larger than set", target: session.Target{ResourceType: "aws:ec2:instance", ResourceTags: map[string]string{"env": "dev"}, SelectionMode: "COUNT(30)"},
			wantCount: 20, wantNote: "only 20 candidates exist, fewer than 30"},
		{name: "odd selection", target: session.Target{ResourceType: "aws:ec2:instance", ResourceTags: map[string]string{"env": "dev"}, SelectionMode: "SOME"},
			wantCount: 20, wantNote: "unrecognised selection mode"},
		{name: "no tag match", target: session.Target{ResourceType: "aws:ec2:instance", ResourceTags: map[string]string{"env": "staging"}},
			wantStatus: StatusNoTargetsResolved, wantNote: "resolved no resources"},
		{name: "pod parameters", target: session.Target{ResourceType: "aws:eks:pod", Parameters: podParams},
			wantIDs: []string{"prod/shop/labelSelector=app=cart"}, wantCount: 1},
		{name: "pod parameters missing", target: session.Target{ResourceType: "aws:eks:pod", Parameters: map[string]string{"clusterIdentifier": "prod"}},
			wantStatus: StatusUnresolved, wantNote: "lacks parameter namespace"},
		{name: "ecs tasks by service", target: session.Target{ResourceType: "aws:ecs:task", Parameters: map[string]string{"cluster": "web", "service": "front"}},
			wantIDs: []string{"web/t1"}, wantCount: 1},
		{name: "bad ARN", target: session.Target{ResourceType: "aws:rds:cluster", ResourceArns: []string{"demo"}},
			wantStatus: StatusUnresolved, wantNote: "not an ARN"},
		{name: "nothing given", target: session.Target{ResourceType: "aws:rds:cluster"},
			wantStatus: StatusUnresolved, wantNote: "neither resourceArns"},
		{name: "unknown type", target: session.Target{ResourceType: "aws:foo:bar", ResourceArns: []string{"arn:aws:foo:us-east-1:123456789012:bar/x"}},
			wantIDs: []string{"x"}, wantCount: 1, wantNote: "no health checker for resource type aws:foo:bar"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := f.srv.CallCount("tagging", "GetResources")
			tg := tc.target
			tg.Name = "Targets"
			res, err := Resolve(context.Background(), env, DefaultRegistry(), session.Template{Targets: []session.Target{tg}})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Resources) != tc.wantCount {
				t.Fatalf("resolved %d resources, want %d (notes %v)", len(res.Resources), tc.wantCount, res.Notes)
			}
			for i, id := range tc.wantIDs {
				if res.Resources[i].ID != id || res.Resources[i].Target != "Targets" || res.Resources[i].Type != tg.ResourceType {
					t.Fatalf("resource %d = %+v, want ID %s", i, res.Resources[i], id)
				}
			}
			if tc.wantStatus != "" {
				if len(res.Placeholders) != 1 || res.Placeholders[0].Status != tc.wantStatus || res.Placeholders[0].Healthy || res.Placeholders[0].Target != "Targets" {
					t.Fatalf("placeholders %+v", res.Placeholders)
				}
			} else if len(res.Placeholders) != 0 {
				t.Fatalf("unexpected placeholders %+v", res.Placeholders)
			}
			if tc.wantNote != "" && !strings.Contains(strings.Join(res.Notes, "\n"), tc.wantNote) {
				t.Fatalf("notes %v, want %q", res.Notes, tc.wantNote)
			}
			if tc.wantCalls > 0 {
				if got := f.srv.CallCount("tagging", "GetResources") - before; got != tc.wantCalls {
					t.Fatalf("%d GetResources calls, want %d", got, tc.wantCalls)
				}
			}
		})
	}

	// The tagging call carries the FIS type's resource type filter.
	calls := f.srv.Calls("tagging", "GetResources")
	if len(calls) == 0 || !strings.Contains(string(calls[0].Body), `"ResourceTypeFilters":["ec2:instance"]`) {
		t.Fatalf("first GetResources body %s", calls[0].Body)
	}
}

func TestResolveTaggingDenied(t *testing.T) {
	f := newFakeAWS(t)
	f.srv.InjectFault(awstest.Fault{Service: "tagging", Operation: "GetResources", Status: 400, Code: "AccessDeniedException"})
	res, err := Resolve(context.Background(), f.env(), DefaultRegistry(), session.Template{Targets: []session.Target{
		{Name: "A", ResourceType: "aws:ec2:instance", ResourceTags: map[string]string{"env": "prod"}},
		{Name: "B", ResourceType: "aws:eks:cluster", ResourceArns: []string{"arn:aws:eks:us-east-1:123456789012:cluster/prod"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Placeholders) != 1 || res.Placeholders[0].Status != StatusUnresolved || !strings.Contains(res.Placeholders[0].Detail, "tag:GetResources") {
		t.Fatalf("placeholders %+v", res.Placeholders)
	}
	if len(res.Resources) != 1 || res.Resources[0].ID != "prod" {
		t.Fatalf("resources %+v", res.Resources)
	}
}

func TestResolveNoTargets(t *testing.T) {
	f := newFakeAWS(t)
	res, err := Resolve(context.Background(), f.env(), DefaultRegistry(), session.Template{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Placeholders) != 1 || res.Placeholders[0].Status != StatusNoTargetsResolved || len(res.Notes) == 0 {
		t.Fatalf("resolution %+v", res)
	}
	if _, err := Resolve(context.Background(), Env{}, DefaultRegistry(), session.Template{}); err == nil {
		t.Fatal("no error without clients")
	}
}

func TestMatchFilters(t *testing.T) {
	in := ec2types.Instance{
		InstanceId:   aws.String("i-1"),
		State:        &ec2types.InstanceState{Name: ec2types.InstanceStateNameRunning, Code: aws.Int32(16)},
		Placement:    &ec2types.Placement{AvailabilityZone: aws.String("us-east-1a")},
		Tags:         []ec2types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}, {Key: aws.String("tier"), Value: aws.String("web")}},
		EbsOptimized: aws.Bool(true),
	}
	tests := []struct {
		name    string
		filters []session.TargetFilter
		want    bool
	}{
		{"none", nil, true},
		{"state", []session.TargetFilter{{Path: "State.Name", Values: []string{"running"}}}, true},
		{"state other", []session.TargetFilter{{Path: "State.Name", Values: []string{"stopped"}}}, false},
		{"case-sensitive value", []session.TargetFilter{{Path: "State.Name", Values: []string{"Running"}}}, false},
		{"one of values", []session.TargetFilter{{Path: "Placement.AvailabilityZone", Values: []string{"us-east-1b", "us-east-1a"}}}, true},
		{"all filters must match", []session.TargetFilter{{Path: "State.Name", Values: []string{"running"}}, {Path: "Placement.AvailabilityZone", Values: []string{"us-east-1b"}}}, false},
		{"array element", []session.TargetFilter{{Path: "Tags.Value", Values: []string{"web"}}}, true},
		{"number", []session.TargetFilter{{Path: "State.Code", Values: []string{"16"}}}, true},
		{"bool", []session.TargetFilter{{Path: "EbsOptimized", Values: []string{"true"}}}, true},
		{"key case tolerated", []session.TargetFilter{{Path: "state.name", Values: []string{"running"}}}, true},
		{"missing path", []session.TargetFilter{{Path: "Nope.Name", Values: []string{"running"}}}, false},
		{"path to object", []session.TargetFilter{{Path: "State", Values: []string{"running"}}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := MatchFilters(&in, tc.filters)
			if err != nil || got != tc.want {
				t.Fatalf("got %v %v, want %v", got, err, tc.want)
			}
		})
	}
	if _, err := MatchFilters(map[string]any{"f": func() {}}, []session.TargetFilter{{Path: "f", Values: []string{"x"}}}); err == nil {
		t.Fatal("unencodable attributes: no error")
	}
}
