package health

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"
	dxtypes "github.com/aws/aws-sdk-go-v2/service/directconnect/types"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
)

// TypeDXVirtualInterface is the FIS resource type of Direct Connect virtual interfaces
// (https://docs.aws.amazon.com/fis/latest/userguide/targets.html); their ARN resource is dxvif/dxvif-xxxx.
const TypeDXVirtualInterface = "aws:directconnect:virtual-interface"

// addDirectConnectCheckers registers aws:directconnect:virtual-interface.
func addDirectConnectCheckers(r Registry) {
	r[TypeDXVirtualInterface] = checkVirtualInterfaces
}

// dxVirtualInterfaceStates classifies every virtualInterfaceState:
// https://docs.aws.amazon.com/directconnect/latest/APIReference/API_VirtualInterface.html
// (confirming | verifying | pending | available | down | testing | deleting | deleted | rejected | unknown).
var dxVirtualInterfaceStates = statusTable{
	"available":  ruleOK(),
	"confirming": ruleBlock("the virtual interface owner has not confirmed its creation yet"),
	"verifying":  ruleInProgress("verification of the public virtual interface"),
	"pending":    ruleInProgress("provisioning (the interface is not ready to forward traffic yet)"),
	"down":       ruleBlock("BGP is down: the interface forwards no traffic"),
	"testing":    ruleBlock("a BGP failover test (StartBgpFailoverTest) is running; wait for it to finish or stop it"),
	"deleting":   ruleBlock("the interface is being deleted"),
	"deleted":    ruleBlock("the interface is deleted and forwards no traffic"),
	"rejected":   ruleBlock("the interface owner declined its creation"),
	"unknown":    ruleBlock("Direct Connect cannot report the interface's state"),
}

// checkVirtualInterfaces lists the account's virtual interfaces once (DescribeVirtualInterfaces
// without an ID returns every one in the Region, paginated) and matches them locally: one
// call per check whatever the number of targets, and a missing ID is simply absent.
func checkVirtualInterfaces(ctx context.Context, env Env, rs []Resource) []Result {
	out := make([]Result, len(rs))
	found := map[string]dxtypes.VirtualInterface{}
	in := &directconnect.DescribeVirtualInterfacesInput{}
	for {
		resp, err := env.Clients.DirectConnect.DescribeVirtualInterfaces(ctx, in)
		if err != nil {
			for i, r := range rs {
				out[i] = Unchecked(r, awsapi.Wrap(err, "directconnect DescribeVirtualInterfaces", resourceName(r, "dxvif/"), "directconnect:DescribeVirtualInterfaces").Error())
			}
			return out
		}
		for _, v := range resp.VirtualInterfaces {
			found[aws.ToString(v.VirtualInterfaceId)] = v
		}
		next := aws.ToString(resp.NextToken)
		if next == "" || next == aws.ToString(in.NextToken) {
			break
		}
		in.NextToken = aws.String(next)
	}
	for i, r := range rs {
		id := resourceName(r, "dxvif/")
		v, ok := found[id]
		if !ok {
			out[i] = missingResult(r, "Direct Connect virtual interface "+id)
			continue
		}
		st := string(v.VirtualInterfaceState)
		detail := fmt.Sprintf("%s virtual interface %s (%s) on %s, VLAN %d, is %s", aws.ToString(v.VirtualInterfaceType), id,
			aws.ToString(v.VirtualInterfaceName), aws.ToString(v.ConnectionId), v.Vlan, st)
		var bgp []string
		for _, p := range v.BgpPeers {
			bgp = append(bgp, fmt.Sprintf("%s %s", aws.ToString(p.BgpPeerId), p.BgpStatus))
		}
		if len(bgp) > 0 {
			detail += fmt.Sprintf("; BGP peers %v", bgp)
		}
		out[i] = classified(r, dxVirtualInterfaceStates, "state", st, detail, v)
	}
	return out
}
