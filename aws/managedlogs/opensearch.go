package managedlogs

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/opensearch"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/session"
)

func addOpenSearchDetectors(m map[string]DetectFunc) {
	m["aws:opensearch:domain"] = detectOpenSearch
	m["aws:es:domain"] = detectOpenSearch
}

// logGroupName turns a CloudWatch log group ARN (arn:aws:logs:r:a:log-group:NAME[:*]) into its name.
func logGroupName(arn string) string {
	if i := strings.Index(arn, ":log-group:"); i >= 0 {
		return strings.TrimSuffix(arn[i+len(":log-group:"):], ":*")
	}
	return arn
}

// detectOpenSearch reports the domain's enabled log publishing options (ES_APPLICATION_LOGS,
// INDEX_SLOW_LOGS, SEARCH_SLOW_LOGS, AUDIT_LOGS) and their log groups.
func detectOpenSearch(ctx context.Context, c *awsapi.Clients, r health.Resource) (session.ManagedLogGroup, error) {
	name := health.OpenSearchDomainName(r)
	g := session.ManagedLogGroup{Service: "opensearch", Identifier: name}
	out, err := c.OpenSearch.DescribeDomain(ctx, &opensearch.DescribeDomainInput{DomainName: aws.String(name)})
	if err != nil {
		return g, awsapi.Wrap(err, "opensearch DescribeDomain", name, "es:DescribeDomain")
	}
	if out.DomainStatus == nil {
		return g, fmt.Errorf("opensearch DescribeDomain %s: empty response", name)
	}
	opts := out.DomainStatus.LogPublishingOptions
	types := make([]string, 0, len(opts))
	for t := range opts {
		types = append(types, string(t))
	}
	sort.Strings(types)
	appLogs := false
	seen := map[string]bool{}
	for _, t := range types {
		o := opts[t]
		if !aws.ToBool(o.Enabled) || aws.ToString(o.CloudWatchLogsLogGroupArn) == "" {
			continue
		}
		if t == "ES_APPLICATION_LOGS" {
			appLogs = true
		}
		lg := logGroupName(aws.ToString(o.CloudWatchLogsLogGroupArn))
		if !seen[lg] {
			seen[lg] = true
			g.LogGroups = append(g.LogGroups, lg)
		}
	}
	g.Enabled = len(g.LogGroups) > 0
	if !appLogs {
		g.Recommendation = fmt.Sprintf("Enable ES_APPLICATION_LOGS publishing to CloudWatch Logs for domain %s (error logs show node loss, "+
			"shard reallocation and cluster state changes during the experiment)", name)
	}
	return g, nil
}
