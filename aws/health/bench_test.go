package health

import (
	"context"
	"fmt"
	"testing"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/session"
)

// BenchmarkCheck500 checks a template with 500 target resources against the fake account:
// 480 EC2 instances found by tag (paged through the Tagging API) and 20 Aurora clusters by ARN.
func BenchmarkCheck500(b *testing.B) {
	f := newFakeAWS(b)
	for i := 0; i < 480; i++ {
		id := fmt.Sprintf("i-%017x", i)
		f.srv.AddInstance(awstest.Instance{ID: id, AZ: fmt.Sprintf("us-east-1%c", 'a'+i%3)})
		f.srv.TagResource(fmt.Sprintf("arn:aws:ec2:us-east-1:123456789012:instance/%s", id), map[string]string{"fis": "az-power"})
	}
	var clusters []string
	for i := 0; i < 20; i++ {
		id := fmt.Sprintf("aurora-%02d", i)
		f.srv.AddDBCluster(awstest.DBCluster{ID: id, Members: []awstest.DBClusterMember{
			{InstanceID: id + "-1", Writer: true, AZ: "us-east-1a"}, {InstanceID: id + "-2", AZ: "us-east-1b"},
		}})
		clusters = append(clusters, "arn:aws:rds:us-east-1:123456789012:cluster:"+id)
	}
	tmpl := session.Template{Targets: []session.Target{
		{Name: "Instances", ResourceType: "aws:ec2:instance", ResourceTags: map[string]string{"fis": "az-power"}},
		{Name: "Clusters", ResourceType: "aws:rds:cluster", ResourceArns: clusters},
	}}
	env := f.env()
	reg := DefaultRegistry()
	b.ResetTimer()
	for b.Loop() {
		hr := Check(context.Background(), env, reg, tmpl, Options{})
		if len(hr.Resources) != 500 {
			b.Fatalf("%d resources checked", len(hr.Resources))
		}
		if hr.Verdict != session.VerdictHealthy {
			for _, r := range hr.Resources {
				if !r.Healthy {
					b.Fatalf("unhealthy %+v", r)
				}
			}
		}
	}
}
