package endpoints

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kafka"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/session"
)

// KindBootstrapBroker is an MSK bootstrap broker host:port.
const KindBootstrapBroker = "bootstrap-broker"

func addMSKLookups(m map[string]LookupFunc) {
	m["aws:msk:cluster"] = lookupMSK
	m["aws:kafka:cluster"] = lookupMSK
}

// lookupMSK returns every bootstrap broker (host:port) of the cluster, of every
// authentication mode and network (plaintext, TLS, SASL/SCRAM, IAM, public, VPC connectivity).
func lookupMSK(ctx context.Context, c *awsapi.Clients, r health.Resource) ([]session.ResourceEndpoint, error) {
	arn := health.MSKClusterArn(r)
	if arn == "" {
		return nil, fmt.Errorf("kafka GetBootstrapBrokers %s: the cluster ARN is needed", r.ID)
	}
	out, err := c.Kafka.GetBootstrapBrokers(ctx, &kafka.GetBootstrapBrokersInput{ClusterArn: aws.String(arn)})
	if err != nil {
		return nil, awsapi.Wrap(err, "kafka GetBootstrapBrokers", arn, "kafka:GetBootstrapBrokers")
	}
	lists := []*string{
		out.BootstrapBrokerString, out.BootstrapBrokerStringTls, out.BootstrapBrokerStringSaslScram,
		out.BootstrapBrokerStringSaslIam, out.BootstrapBrokerStringPublicTls, out.BootstrapBrokerStringPublicSaslScram,
		out.BootstrapBrokerStringPublicSaslIam, out.BootstrapBrokerStringVpcConnectivityTls,
		out.BootstrapBrokerStringVpcConnectivitySaslScram, out.BootstrapBrokerStringVpcConnectivitySaslIam,
		out.BootstrapBrokerStringIpv6, out.BootstrapBrokerStringTlsIpv6, out.BootstrapBrokerStringSaslScramIpv6,
		out.BootstrapBrokerStringSaslIamIpv6,
	}
	seen := map[string]bool{}
	var eps []session.ResourceEndpoint
	for _, l := range lists {
		for _, hp := range strings.Split(aws.ToString(l), ",") {
			hp = strings.TrimSpace(hp)
			if hp == "" || seen[hp] {
				continue
			}
			seen[hp] = true
			eps = append(eps, session.ResourceEndpoint{Service: "msk", Identifier: r.ID, Kind: KindBootstrapBroker, Value: hp})
		}
	}
	return eps, nil
}
