package endpoints

import (
	"context"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/session"
)

// EC2 endpoint kinds.
const (
	KindPrivateIP  = "private-ip"
	KindPrivateDNS = "private-dns"
	KindPublicIP   = "public-ip"
	KindPublicDNS  = "public-dns"
)

func addEC2Lookups(m map[string]LookupFunc) {
	m["aws:ec2:instance"] = lookupEC2Instance
	m["aws:ec2:spot-instance"] = lookupEC2Instance
}

// lookupEC2Instance returns an instance's private (and public) IP addresses and DNS names,
// including those of every network interface.
func lookupEC2Instance(ctx context.Context, c *awsapi.Clients, r health.Resource) ([]session.ResourceEndpoint, error) {
	id := dbIdentifier(r)
	out, err := c.EC2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	if err != nil {
		return nil, awsapi.Wrap(err, "ec2 DescribeInstances", id, "ec2:DescribeInstances")
	}
	l := newEndpointList("ec2", id)
	for _, res := range out.Reservations {
		for _, in := range res.Instances {
			l.add(KindPrivateIP, awssdk.ToString(in.PrivateIpAddress))
			l.add(KindPrivateDNS, awssdk.ToString(in.PrivateDnsName))
			for _, ni := range in.NetworkInterfaces {
				for _, a := range ni.PrivateIpAddresses {
					l.add(KindPrivateIP, awssdk.ToString(a.PrivateIpAddress))
					l.add(KindPrivateDNS, awssdk.ToString(a.PrivateDnsName))
				}
			}
			l.add(KindPublicIP, awssdk.ToString(in.PublicIpAddress))
			l.add(KindPublicDNS, awssdk.ToString(in.PublicDnsName))
		}
	}
	return l.out, nil
}
