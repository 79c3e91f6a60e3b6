package health

import (
	"testing"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
)

func TestCheckECSCluster(t *testing.T) {
	seed := func(f *fakeAWS) {
		f.srv.AddECSCluster(awstest.ECSCluster{Name: "web"})
		f.srv.AddECSCluster(awstest.ECSCluster{Name: "old", Status: "INACTIVE"})
	}
	runCheckCases(t, "aws:ecs:cluster", []checkCase{
		{name: "active", seed: seed, res: Resource{ID: "web"}, wantStatus: "ACTIVE", wantHealthy: true, wantAttrs: true},
		{name: "by ARN", seed: seed, res: Resource{ID: "arn:aws:ecs:us-east-1:123456789012:cluster/web"}, wantStatus: "ACTIVE", wantHealthy: true, wantAttrs: true},
		{name: "inactive", seed: seed, res: Resource{ID: "old"}, wantStatus: "INACTIVE", wantDetail: "needs ACTIVE", wantAttrs: true},
		{name: "missing", seed: seed, res: Resource{ID: "gone"}, wantStatus: StatusNotFound, wantDetail: "MISSING"},
		{name: "empty reply", seed: seeds(seed, func(f *fakeAWS) { f.replace("ecs", "DescribeClusters", 200, "application/x-amz-json-1.1", "{}") }),
			res: Resource{ID: "web"}, wantStatus: StatusUnchecked, wantDetail: "returned no description"},
		{name: "throttled then ok", seed: seeds(seed, fault("ecs", "DescribeClusters", 400, "ThrottlingException", 2)),
			res: Resource{ID: "web"}, wantStatus: "ACTIVE", wantHealthy: true, wantAttrs: true},
		{name: "access denied", seed: seeds(seed, fault("ecs", "DescribeClusters", 400, "AccessDeniedException", 0)),
			res: Resource{ID: "web"}, wantStatus: StatusUnchecked, wantDetail: "ecs:DescribeClusters"},
	})
}

func TestCheckECSTask(t *testing.T) {
	var running, sick, stopped string
	seed := func(f *fakeAWS) {
		f.srv.AddECSCluster(awstest.ECSCluster{Name: "web"})
		running = f.srv.AddECSTask(awstest.ECSTask{Cluster: "web", ID: "t1", HealthStatus: "HEALTHY", AvailabilityZone: "us-east-1a"})
		sick = f.srv.AddECSTask(awstest.ECSTask{Cluster: "web", ID: "t2", HealthStatus: "UNHEALTHY"})
		stopped = f.srv.AddECSTask(awstest.ECSTask{Cluster: "web", ID: "t3", LastStatus: "STOPPED"})
		_, _, _ = running, sick, stopped
	}
	runCheckCases(t, "aws:ecs:task", []checkCase{
		{name: "running healthy", seed: seed, res: Resource{ID: "web/t1"}, wantStatus: "RUNNING", wantHealthy: true, wantDetail: "health HEALTHY; us-east-1a", wantAttrs: true},
		{name: "by ARN", seed: seed, res: Resource{ID: "web/t1", ARN: "arn:aws:ecs:us-east-1:123456789012:task/web/t1"}, wantStatus: "RUNNING", wantHealthy: true, wantAttrs: true},
		{name: "unhealthy", seed: seed, res: Resource{ID: "web/t2"}, wantStatus: "RUNNING", wantDetail: "health UNHEALTHY", wantAttrs: true},
		{name: "stopped", seed: seed, res: Resource{ID: "web/t3"}, wantStatus: "STOPPED", wantDetail: "needs RUNNING", wantAttrs: true},
		{name: "missing task", seed: seed, res: Resource{ID: "web/t9"}, wantStatus: StatusNotFound, wantDetail: "MISSING"},
		{name: "missing cluster", seed: seed, res: Resource{ID: "api/t1"}, wantStatus: StatusNotFound, wantDetail: "ECS cluster api does not exist"},
		{name: "access denied", seed: seeds(seed, fault("ecs", "DescribeTasks", 400, "AccessDeniedException", 0)),
			res: Resource{ID: "web/t1"}, wantStatus: StatusUnchecked, wantDetail: "ecs:DescribeTasks"},
	})
}
