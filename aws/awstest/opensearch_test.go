package awstest

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/opensearch"
	"github.com/aws/smithy-go"
)

func TestOpenSearchFake(t *testing.T) {
	srv := New()
	defer srv.Close()
	srv.AddOpenSearchDomain(OpenSearchDomain{
		Name: "logs", VPCEndpoint: "vpc-logs-abc.us-east-1.es.amazonaws.com", ZoneAwareness: true, AZCount: 3,
		LogPublishing: map[string]string{"ES_APPLICATION_LOGS": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/opensearch/logs/app"},
		DisabledLogs:  map[string]string{"AUDIT_LOGS": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/opensearch/logs/audit"},
	})
	client := opensearch.NewFromConfig(srv.Config())
	ctx := context.Background()
	out, err := client.DescribeDomain(ctx, &opensearch.DescribeDomainInput{DomainName: aws.String("logs")})
	if err != nil {
		t.Fatal(err)
	}
	d := out.DomainStatus
	if aws.ToBool(d.Processing) || d.Endpoints["vpc"] != "vpc-logs-abc.us-east-1.es.amazonaws.com" || string(d.DomainProcessingStatus) != "Active" ||
		!aws.ToBool(d.LogPublishingOptions["ES_APPLICATION_LOGS"].Enabled) || aws.ToBool(d.LogPublishingOptions["AUDIT_LOGS"].Enabled) ||
		aws.ToInt32(d.ClusterConfig.ZoneAwarenessConfig.AvailabilityZoneCount) != 3 {
		t.Fatalf("domain %+v", d)
	}
	srv.UpdateOpenSearchDomain("logs", func(d *OpenSearchDomain) { d.ClusterHealth = "Red"; d.Processing = true })
	h, err := client.DescribeDomainHealth(ctx, &opensearch.DescribeDomainHealthInput{DomainName: aws.String("logs")})
	if err != nil || string(h.ClusterHealth) != "Red" || string(h.DomainState) != "Processing" {
		t.Fatalf("health %+v %v", h, err)
	}
	_, err = client.DescribeDomain(ctx, &opensearch.DescribeDomainInput{DomainName: aws.String("nope")})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ResourceNotFoundException" {
		t.Fatalf("err %v", err)
	}
}
