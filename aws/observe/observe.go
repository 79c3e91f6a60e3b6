// Package observe gathers AWS's own records of an experiment window: each affected
// service's events, CloudWatch metrics (batched per namespace) and the stop-condition
// alarms' state history.
package observe

import (
	"context"
	"sort"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticache"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/events"
	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/aws/metrics"
	"github.com/fis-mcp/fis-mcp/session"
)

// Collect reads events, metrics and alarm history for resources in [start, end].
// Failures are recorded in Observations.Errors; it never fails as a whole.
func Collect(ctx context.Context, c *awsapi.Clients, resources []session.ResourceHealth, stops []session.StopCondition, start, end time.Time) *session.Observations {
	obs := &session.Observations{WindowStart: start.UTC(), WindowEnd: end.UTC()}
	byType := map[string][]health.Resource{}
	var types []string
	for _, r := range resources {
		if _, ok := byType[r.Type]; !ok {
			types = append(types, r.Type)
		}
		byType[r.Type] = append(byType[r.Type], health.Resource{ID: r.ID, ARN: r.ARN, Type: r.Type, Target: r.Target})
	}
	sort.Strings(types)
	evs, errs := events.ReadAll(ctx, c, resources, start, end)
	obs.ServiceEvents = evs
	for _, err := range errs {
		obs.Errors = append(obs.Errors, err.Error())
	}

	var targets []metrics.Target
	for _, t := range types {
		if !metrics.Supported(t) {
			continue
		}
		for _, r := range byType[t] {
			targets = append(targets, metrics.Target{Service: serviceName(t), Identifier: r.ID, Type: t, MemberIDs: members(ctx, c, t, r.ID)})
		}
	}
	if len(targets) > 0 {
		series, err := metrics.Fetch(ctx, c, targets, start, end)
		if err != nil {
			obs.Errors = append(obs.Errors, "metrics: "+err.Error())
		}
		obs.Metrics = series
	}
	var alarms []string
	for _, sc := range stops {
		if sc.Source == health.StopSourceAlarm {
			alarms = append(alarms, health.AlarmName(sc.Value))
		}
	}
	if len(alarms) > 0 {
		hist, err := metrics.AlarmHistory(ctx, c, alarms, start, end)
		if err != nil {
			obs.Errors = append(obs.Errors, "alarm history: "+err.Error())
		}
		obs.AlarmHistory = hist
	}
	return obs
}

// members lists a resource's member IDs for per-member metrics (cluster instances,
// replication group member clusters); nil when unknown.
func members(ctx context.Context, c *awsapi.Clients, typ, id string) []string {
	switch typ {
	case "aws:rds:cluster":
		out, err := c.RDS.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String(id)})
		if err != nil || len(out.DBClusters) == 0 {
			return nil
		}
		var ids []string
		for _, m := range out.DBClusters[0].DBClusterMembers {
			ids = append(ids, awssdk.ToString(m.DBInstanceIdentifier))
		}
		return ids
	case "aws:elasticache:replicationgroup", "aws:elasticache:redis-replicationgroup":
		out, err := c.ElastiCache.DescribeReplicationGroups(ctx, &elasticache.DescribeReplicationGroupsInput{ReplicationGroupId: awssdk.String(id)})
		if err != nil || len(out.ReplicationGroups) == 0 {
			return nil
		}
		return out.ReplicationGroups[0].MemberClusters
	}
	return nil
}

func serviceName(typ string) string {
	switch typ {
	case "aws:rds:cluster":
		return "Aurora"
	case "aws:rds:db":
		return "RDS"
	case "aws:elasticache:replicationgroup", "aws:elasticache:redis-replicationgroup":
		return "ElastiCache"
	case "aws:ec2:instance", "aws:ec2:spot-instance":
		return "EC2"
	case "aws:eks:nodegroup":
		return "EKS"
	case "aws:ec2:autoscaling-group":
		return "Auto Scaling"
	}
	return typ
}
