package managedlogs

import (
	"context"
	"fmt"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticache"
	ectypes "github.com/aws/aws-sdk-go-v2/service/elasticache/types"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/session"
)

func addCacheDetectors(m map[string]DetectFunc) {
	m["aws:elasticache:replicationgroup"] = detectReplicationGroup
	m["aws:elasticache:redis-replicationgroup"] = detectReplicationGroup
}

// detectReplicationGroup reads the group's LogDeliveryConfigurations: CloudWatch Logs
// destinations that are active (or being enabled) are its log groups.
func detectReplicationGroup(ctx context.Context, c *awsapi.Clients, r health.Resource) (session.ManagedLogGroup, error) {
	id := rdsIdentifier(r)
	g := session.ManagedLogGroup{Service: "elasticache", Identifier: id}
	out, err := c.ElastiCache.DescribeReplicationGroups(ctx, &elasticache.DescribeReplicationGroupsInput{ReplicationGroupId: awssdk.String(id)})
	if err != nil {
		return g, awsapi.Wrap(err, "elasticache DescribeReplicationGroups", id, "elasticache:DescribeReplicationGroups")
	}
	if len(out.ReplicationGroups) == 0 {
		return g, fmt.Errorf("elasticache DescribeReplicationGroups %s: no replication group in the reply", id)
	}
	types := map[ectypes.LogType]bool{}
	var elsewhere []string
	for _, l := range out.ReplicationGroups[0].LogDeliveryConfigurations {
		switch l.Status {
		case ectypes.LogDeliveryConfigurationStatusActive, ectypes.LogDeliveryConfigurationStatusEnabling, ectypes.LogDeliveryConfigurationStatusModifying:
		default:
			continue
		}
		if l.DestinationType != ectypes.DestinationTypeCloudWatchLogs {
			if l.DestinationDetails != nil && l.DestinationDetails.KinesisFirehoseDetails != nil {
				elsewhere = append(elsewhere, fmt.Sprintf("%s to Kinesis Data Firehose %s", l.LogType, awssdk.ToString(l.DestinationDetails.KinesisFirehoseDetails.DeliveryStream)))
			}
			continue
		}
		if l.DestinationDetails == nil || l.DestinationDetails.CloudWatchLogsDetails == nil || awssdk.ToString(l.DestinationDetails.CloudWatchLogsDetails.LogGroup) == "" {
			continue
		}
		types[l.LogType] = true
		g.LogGroups = append(g.LogGroups, awssdk.ToString(l.DestinationDetails.CloudWatchLogsDetails.LogGroup))
	}
	g.Enabled = len(g.LogGroups) > 0
	if types[ectypes.LogTypeEngineLog] {
		return g, nil
	}
	g.Recommendation = fmt.Sprintf(`enable engine-log delivery to CloudWatch Logs (it records failovers and replica resyncs): `+
		`aws elasticache modify-replication-group --replication-group-id %s --apply-immediately --region %s --log-delivery-configurations `+
		`'[{"LogType":"engine-log","DestinationType":"cloudwatch-logs","DestinationDetails":{"CloudWatchLogsDetails":{"LogGroup":"/aws/elasticache/%s/engine-log"}},"LogFormat":"json"}]'`,
		id, c.Region, id)
	if len(elsewhere) > 0 {
		g.Recommendation += " (logs currently go to: " + strings.Join(elsewhere, ", ") + ")"
	}
	return g, nil
}
