package health

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
)

// TypeVPCEndpoint is the FIS resource type of VPC endpoints
// (https://docs.aws.amazon.com/fis/latest/userguide/targets.html).
const TypeVPCEndpoint = "aws:ec2:vpc-endpoint"

// vpcEndpointBatch is how many IDs one DescribeVpcEndpoints call carries.
const vpcEndpointBatch = 100

var vpceIDPattern = regexp.MustCompile(`vpce-[0-9a-f]+`)

// addVPCEndpointCheckers registers aws:ec2:vpc-endpoint.
func addVPCEndpointCheckers(r Registry) {
	r[TypeVPCEndpoint] = checkVPCEndpoints
}

// vpcEndpointStates classifies every VPC endpoint State:
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_VpcEndpoint.html
// (PendingAcceptance | Pending | Available | Deleting | Deleted | Rejected | Failed | Expired | Partial).
// The service sends them in lower camel case ("available", "pendingAcceptance"), as the
// DescribeVpcEndpoints examples show, so values are matched with a lower-case first letter.
var vpcEndpointStates = statusTable{
	"available":         ruleOK(),
	"pendingAcceptance": ruleBlock("the endpoint service owner has not accepted the connection yet"),
	"pending":           ruleInProgress("endpoint provisioning"),
	"deleting":          ruleBlock("the endpoint is being deleted"),
	"deleted":           ruleBlock("the endpoint is deleted"),
	"rejected":          ruleBlock("the endpoint service owner rejected the connection"),
	"failed":            ruleBlock("the endpoint could not be created"),
	"expired":           ruleBlock("the connection request expired before it was accepted"),
	"partial":           ruleBlock("the endpoint is only partly available (some of its network interfaces failed)"),
}

// vpceState normalises a State value to the wire's lower camel case.
func vpceState(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func checkVPCEndpoints(ctx context.Context, env Env, rs []Resource) []Result {
	ids := make([]Resource, len(rs))
	for i, r := range rs {
		ids[i] = r
		ids[i].ID = resourceName(r, "vpc-endpoint/")
	}
	out := checkByID(ctx, ids, vpcEndpointBatch, "InvalidVpcEndpointId.NotFound", vpceIDPattern, "VPC endpoint",
		func(ctx context.Context, b []string) ([]ec2types.VpcEndpoint, error) {
			var all []ec2types.VpcEndpoint
			p := ec2.NewDescribeVpcEndpointsPaginator(env.Clients.EC2, &ec2.DescribeVpcEndpointsInput{VpcEndpointIds: b})
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				if err != nil {
					return nil, awsapi.Wrap(err, "ec2 DescribeVpcEndpoints", idSummary(b), "ec2:DescribeVpcEndpoints")
				}
				all = append(all, page.VpcEndpoints...)
			}
			return all, nil
		},
		func(e ec2types.VpcEndpoint) string { return awssdk.ToString(e.VpcEndpointId) },
		func(r Resource, e ec2types.VpcEndpoint) Result {
			st := vpceState(string(e.State))
			detail := fmt.Sprintf("%s VPC endpoint %s to %s in %s is %s", orElse(string(e.VpcEndpointType), "VPC"),
				awssdk.ToString(e.VpcEndpointId), awssdk.ToString(e.ServiceName), awssdk.ToString(e.VpcId), st)
			if len(e.SubnetIds) > 0 {
				detail += " (subnets " + strings.Join(e.SubnetIds, ", ") + ")"
			}
			if le := e.LastError; le != nil && awssdk.ToString(le.Message) != "" && st != "available" {
				detail += "; last error " + awssdk.ToString(le.Code) + ": " + awssdk.ToString(le.Message)
			}
			return classified(r, vpcEndpointStates, "state", st, detail, e)
		})
	// Results carry the caller's Resource (ID as given), not the normalised one.
	for i := range out {
		out[i].ID, out[i].ARN = rs[i].ID, rs[i].ARN
	}
	return out
}
