package health

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
)

// azIDPattern matches AZ IDs (use1-az1, euc1-az3, usw2-lax1-az1); AZ codes look like us-east-1a.
var azIDPattern = regexp.MustCompile(`^[a-z]{2,5}[0-9]+(-[a-z]+[0-9]*)?-az[0-9]+$`)

// isAZID reports whether s is an AZ ID rather than an AZ code (name).
func isAZID(s string) bool { return azIDPattern.MatchString(strings.TrimSpace(s)) }

// azNames maps AZ IDs to the account's AZ codes with DescribeAvailabilityZones (the
// mapping differs per account), caching answers for one health check.
type azNames struct {
	mu    sync.Mutex
	names map[string]string // zone ID → zone name
}

// name returns the AZ code of an AZ ID.
func (a *azNames) name(ctx context.Context, c *awsapi.Clients, id string) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if n, ok := a.names[id]; ok {
		return n, nil
	}
	out, err := c.EC2.DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{ZoneIds: []string{id}})
	if err != nil {
		return "", awsapi.Wrap(err, "ec2 DescribeAvailabilityZones", id, "ec2:DescribeAvailabilityZones")
	}
	if a.names == nil {
		a.names = map[string]string{}
	}
	for _, z := range out.AvailabilityZones {
		a.names[aws.ToString(z.ZoneId)] = aws.ToString(z.ZoneName)
	}
	n, ok := a.names[id]
	if !ok {
		return "", fmt.Errorf("ec2 DescribeAvailabilityZones: no Availability Zone with ID %s in region %s", id, c.Region)
	}
	return n, nil
}

// subnetsByParams lists the subnets of an aws:ec2:subnet target given by parameters
// (availabilityZoneIdentifier: AZ code or AZ ID; vpc), with DescribeSubnets (paged).
func subnetsByParams(ctx context.Context, c *awsapi.Clients, params map[string]string) ([]tagged, error) {
	az, vpc := strings.TrimSpace(params["availabilityZoneIdentifier"]), strings.TrimSpace(params["vpc"])
	if az == "" && vpc == "" {
		return nil, fmt.Errorf("aws:ec2:subnet target by parameters needs availabilityZoneIdentifier or vpc")
	}
	in := &ec2.DescribeSubnetsInput{}
	if vpc != "" {
		in.Filters = append(in.Filters, ec2types.Filter{Name: aws.String("vpc-id"), Values: []string{vpc}})
	}
	var out []tagged
	p := ec2.NewDescribeSubnetsPaginator(c.EC2, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, awsapi.Wrap(err, "ec2 DescribeSubnets", orElse(vpc, "subnets"), "ec2:DescribeSubnets")
		}
		for _, s := range page.Subnets {
			if az != "" && aws.ToString(s.AvailabilityZone) != az && aws.ToString(s.AvailabilityZoneId) != az {
				continue
			}
			out = append(out, tagged{id: aws.ToString(s.SubnetId), arn: aws.ToString(s.SubnetArn)})
		}
	}
	return out, nil
}

// volumesByParams lists the volumes of an aws:ec2:ebs-volume target given by parameters
// (availabilityZoneIdentifier: an AZ code, e.g. us-east-1a, per the FIS targets page).
func volumesByParams(ctx context.Context, c *awsapi.Clients, params map[string]string) ([]tagged, error) {
	az := strings.TrimSpace(params["availabilityZoneIdentifier"])
	if az == "" {
		return nil, fmt.Errorf("aws:ec2:ebs-volume target by parameters needs availabilityZoneIdentifier")
	}
	if isAZID(az) {
		return nil, fmt.Errorf("aws:ec2:ebs-volume availabilityZoneIdentifier takes an Availability Zone code such as us-east-1a (FIS User Guide, targets: resource parameters); %s is an AZ ID", az)
	}
	in := &ec2.DescribeVolumesInput{Filters: []ec2types.Filter{{Name: aws.String("availability-zone"), Values: []string{az}}}}
	var out []tagged
	p := ec2.NewDescribeVolumesPaginator(c.EC2, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, awsapi.Wrap(err, "ec2 DescribeVolumes", az, "ec2:DescribeVolumes")
		}
		for _, v := range page.Volumes {
			// DescribeVolumes returns no volume ARN; checkers use the volume ID.
			out = append(out, tagged{id: aws.ToString(v.VolumeId)})
		}
	}
	return out, nil
}
