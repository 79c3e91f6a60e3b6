package health

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kafka"
	"github.com/aws/aws-sdk-go-v2/service/opensearch"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
)

// addAnalyticsCheckers registers MSK clusters and OpenSearch domains.
func addAnalyticsCheckers(r Registry) {
	r["aws:msk:cluster"] = checkMSKClusters
	r["aws:kafka:cluster"] = checkMSKClusters
	r["aws:opensearch:domain"] = checkOpenSearchDomains
	r["aws:es:domain"] = checkOpenSearchDomains
}

// mskClusterStates classifies every MSK cluster state:
// https://docs.aws.amazon.com/msk/1.0/apireference/clusters-clusterarn.html#clusters-clusterarn-model-clusterstate
var mskClusterStates = statusTable{
	"ACTIVE":           ruleOK(),
	"CREATING":         ruleInProgress("cluster creation"),
	"UPDATING":         ruleInProgress("an update"),
	"REBOOTING_BROKER": ruleInProgress("a broker reboot"),
	"HEALING":          ruleInProgress("an internal repair (MSK is replacing an unhealthy broker)"),
	"MAINTENANCE":      ruleInProgress("routine maintenance (brokers are patched one at a time)"),
	"DELETING":         ruleBlock("the cluster is being deleted"),
	"FAILED":           ruleBlock("the cluster failed"),
}

// openSearchProcessingStatuses classifies every OpenSearch DomainProcessingStatus:
// https://docs.aws.amazon.com/opensearch-service/latest/APIReference/API_DomainStatus.html
// (Creating | Active | Modifying | UpgradingEngineVersion | UpdatingServiceSoftware | Isolated | Deleting).
var openSearchProcessingStatuses = statusTable{
	"Active":                  ruleOK(),
	"Creating":                ruleInProgress("domain creation"),
	"Modifying":               ruleInProgress("a configuration change"),
	"UpgradingEngineVersion":  ruleInProgress("an engine upgrade"),
	"UpdatingServiceSoftware": ruleInProgress("a service software update"),
	"Isolated":                ruleBlock("the domain is isolated (suspended)"),
	"Deleting":                ruleBlock("the domain is being deleted"),
}

// openSearchClusterHealth classifies every DescribeDomainHealth ClusterHealth value:
// https://docs.aws.amazon.com/opensearch-service/latest/APIReference/API_DescribeDomainHealth.html (Red | Yellow | Green | NotAvailable)
var openSearchClusterHealth = statusTable{
	"Green":        ruleOK(),
	"Yellow":       ruleBlock("replica shards unassigned"),
	"Red":          ruleBlock("primary shards unassigned"),
	"NotAvailable": ruleNote("OpenSearch Service could not report the cluster health"),
}

// MSKClusterArn is the ARN by which MSK APIs address a resource ("" when unknown).
func MSKClusterArn(r Resource) string {
	if r.ARN != "" {
		return r.ARN
	}
	if strings.HasPrefix(r.ID, "arn:") {
		return r.ID
	}
	return ""
}

// checkMSKClusters: healthy when ACTIVE.
func checkMSKClusters(ctx context.Context, env Env, rs []Resource) []Result {
	out := make([]Result, len(rs))
	for i, r := range rs {
		arn := MSKClusterArn(r)
		if arn == "" {
			out[i] = Unchecked(r, fmt.Sprintf("MSK cluster %s: MSK APIs need the cluster ARN (give the target resourceArns or resourceTags)", r.ID))
			continue
		}
		resp, err := env.Clients.Kafka.DescribeClusterV2(ctx, &kafka.DescribeClusterV2Input{ClusterArn: aws.String(arn)})
		if err != nil {
			out[i] = failedCall(r, err, "kafka DescribeClusterV2", "kafka:DescribeClusterV2")
			continue
		}
		c := resp.ClusterInfo
		if c == nil || c.State == "" {
			out[i] = emptyResponse(r, "kafka DescribeClusterV2")
			continue
		}
		var detail []string
		rule := mskClusterStates.classify(string(c.State))
		if rule.Class == classUnhealthy {
			detail = append(detail, "state "+string(c.State)+" (needs ACTIVE): "+rule.Reason)
		}
		if si := c.StateInfo; si != nil && (aws.ToString(si.Code) != "" || aws.ToString(si.Message) != "") {
			detail = append(detail, strings.TrimSpace(aws.ToString(si.Code)+" "+aws.ToString(si.Message)))
		}
		detail = append(detail, strings.ToLower(string(c.ClusterType)))
		if c.Provisioned != nil && c.Provisioned.NumberOfBrokerNodes != nil {
			detail = append(detail, fmt.Sprintf("%d brokers", aws.ToInt32(c.Provisioned.NumberOfBrokerNodes)))
		}
		out[i] = describedResult(r, string(c.State), rule.Class != classUnhealthy, strings.Join(detail, "; "), c)
	}
	return out
}

// OpenSearchDomainName is the domain name of an OpenSearch resource (ID or ARN domain/{name}).
func OpenSearchDomainName(r Resource) string {
	id := r.ID
	if strings.HasPrefix(id, "arn:") {
		if i := strings.LastIndex(id, ":domain/"); i >= 0 {
			return id[i+len(":domain/"):]
		}
	}
	return id
}

// checkOpenSearchDomains reads DomainStatus (Deleted, Processing, UpgradeProcessing,
// DomainProcessingStatus: https://docs.aws.amazon.com/opensearch-service/latest/APIReference/API_DomainStatus.html):
// healthy when not deleted, not processing, not upgrading, the
// processing status is Active and the cluster health (when readable) is Green.
func checkOpenSearchDomains(ctx context.Context, env Env, rs []Resource) []Result {
	out := make([]Result, len(rs))
	for i, r := range rs {
		name := OpenSearchDomainName(r)
		resp, err := env.Clients.OpenSearch.DescribeDomain(ctx, &opensearch.DescribeDomainInput{DomainName: aws.String(name)})
		if err != nil {
			out[i] = failedCall(r, err, "opensearch DescribeDomain", "es:DescribeDomain")
			continue
		}
		d := resp.DomainStatus
		if d == nil || aws.ToString(d.DomainName) == "" {
			out[i] = emptyResponse(r, "opensearch DescribeDomain")
			continue
		}
		status, healthy := "Active", true
		var detail []string
		healthNote := ""
		switch {
		case aws.ToBool(d.Deleted):
			status, healthy = "Deleted", false
			detail = append(detail, "the domain is being deleted")
		case aws.ToBool(d.UpgradeProcessing):
			status, healthy = "UpgradeProcessing", false
			detail = append(detail, "an engine upgrade is in progress; wait for it to finish")
		case aws.ToBool(d.Processing):
			status, healthy = "Processing", false
			detail = append(detail, "a configuration change is in progress; wait for it to finish")
		}
		if ps := d.DomainProcessingStatus; ps != "" {
			if rule := openSearchProcessingStatuses.classify(string(ps)); rule.Class == classUnhealthy {
				if healthy {
					status = string(ps)
				}
				healthy = false
				detail = append(detail, "processing status "+string(ps)+": "+rule.Reason)
			}
		}
		h, herr := env.Clients.OpenSearch.DescribeDomainHealth(ctx, &opensearch.DescribeDomainHealthInput{DomainName: aws.String(name)})
		switch {
		case herr != nil:
			if ctx.Err() != nil {
				out[i] = Unchecked(r, awsapi.Wrap(herr, "opensearch DescribeDomainHealth", name, "es:DescribeDomainHealth").Error())
				continue
			}
			if awsapi.Classify(herr) == awsapi.KindThrottled {
				out[i] = Unchecked(r, awsapi.Wrap(herr, "opensearch DescribeDomainHealth", name, "es:DescribeDomainHealth").Error())
				continue
			}
			detail = append(detail, "cluster health not read ("+awsapi.Wrap(herr, "opensearch DescribeDomainHealth", name, "es:DescribeDomainHealth").Error()+")")
		default:
			ch := string(h.ClusterHealth)
			rule := openSearchClusterHealth.classify(ch)
			switch rule.Class {
			case classUnhealthy:
				healthy = false
				if status == "Active" {
					status = orElse(ch, "no-cluster-health")
				}
				detail = append(detail, "cluster health "+orElse(ch, "(none)")+": "+rule.Reason)
			case classNote:
				healthNote = "cluster health " + ch + ": " + rule.Reason
				detail = append(detail, "cluster health "+ch)
			default:
				detail = append(detail, "cluster health "+ch)
			}
		}
		if cc := d.ClusterConfig; cc != nil {
			detail = append(detail, fmt.Sprintf("%d × %s", aws.ToInt32(cc.InstanceCount), cc.InstanceType))
		}
		res := describedResult(r, status, healthy, strings.Join(detail, "; "), d)
		if healthy {
			res = withNote(res, healthNote)
		}
		out[i] = res
	}
	return out
}
