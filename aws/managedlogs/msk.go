package managedlogs

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kafka"
	kafkatypes "github.com/aws/aws-sdk-go-v2/service/kafka/types"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/session"
)

func addMSKDetectors(m map[string]DetectFunc) {
	m["aws:msk:cluster"] = detectMSK
	m["aws:kafka:cluster"] = detectMSK
}

// detectMSK reports the cluster's broker logs delivered to CloudWatch Logs.
func detectMSK(ctx context.Context, c *awsapi.Clients, r health.Resource) (session.ManagedLogGroup, error) {
	g := session.ManagedLogGroup{Service: "msk", Identifier: r.ID}
	arn := health.MSKClusterArn(r)
	if arn == "" {
		return g, fmt.Errorf("kafka DescribeClusterV2 %s: the cluster ARN is needed", r.ID)
	}
	out, err := c.Kafka.DescribeClusterV2(ctx, &kafka.DescribeClusterV2Input{ClusterArn: aws.String(arn)})
	if err != nil {
		return g, awsapi.Wrap(err, "kafka DescribeClusterV2", arn, "kafka:DescribeClusterV2")
	}
	ci := out.ClusterInfo
	if ci == nil {
		return g, fmt.Errorf("kafka DescribeClusterV2 %s: empty response", arn)
	}
	if ci.ClusterType == kafkatypes.ClusterTypeServerless || ci.Provisioned == nil {
		g.Recommendation = "MSK Serverless clusters do not publish broker logs; watch the client applications' logs instead"
		return g, nil
	}
	var cw *kafkatypes.CloudWatchLogs
	if li := ci.Provisioned.LoggingInfo; li != nil && li.BrokerLogs != nil {
		cw = li.BrokerLogs.CloudWatchLogs
	}
	if cw != nil && aws.ToBool(cw.Enabled) && aws.ToString(cw.LogGroup) != "" {
		g.Enabled = true
		g.LogGroups = []string{aws.ToString(cw.LogGroup)}
		return g, nil
	}
	name := aws.ToString(ci.ClusterName)
	if name == "" {
		name = r.ID
	}
	g.Recommendation = fmt.Sprintf("Enable MSK broker logs to CloudWatch Logs for %s (aws kafka update-monitoring --cluster-arn %s "+
		`--current-version <version> --logging-info '{"BrokerLogs":{"CloudWatchLogs":{"Enabled":true,"LogGroup":"/aws/msk/%s"}}}')`, name, arn, name)
	return g, nil
}
