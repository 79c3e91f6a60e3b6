package health

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
)

// EC2 batch sizes: DescribeInstances takes up to 1000 IDs, DescribeInstanceStatus up to 100.
const (
	ec2DescribeBatch = 1000
	ec2StatusBatch   = 100
)

// addEC2Checkers registers aws:ec2:instance, aws:ec2:spot-instance, aws:ec2:autoscaling-group,
// aws:ec2:subnet, aws:ec2:transit-gateway and aws:ec2:ebs-volume.
func addEC2Checkers(r Registry) {
	r["aws:ec2:instance"] = func(ctx context.Context, env Env, rs []Resource) []Result {
		return checkEC2Instances(ctx, env, rs, false)
	}
	r["aws:ec2:spot-instance"] = func(ctx context.Context, env Env, rs []Resource) []Result {
		return checkEC2Instances(ctx, env, rs, true)
	}
	r["aws:ec2:autoscaling-group"] = checkAutoScalingGroups
	r["aws:ec2:subnet"] = checkSubnets
	r["aws:ec2:transit-gateway"] = checkTransitGateways
	r["aws:ec2:ebs-volume"] = checkVolumes
}

// resourceID is the resource's own identifier: ID, else the last segment of its ARN.
func idOrARN(r Resource) string {
	if r.ID != "" {
		return r.ID
	}
	a := r.ARN
	if i := strings.LastIndexAny(a, "/:"); i >= 0 {
		return a[i+1:]
	}
	return a
}

func missingResult(r Resource, what string) Result {
	return describedResult(r, StatusNotFound, false, what+" does not exist (deleted, wrong region or wrong account?)", nil)
}

func batchIDs(ids []string, n int) [][]string {
	var out [][]string
	for len(ids) > n {
		out = append(out, ids[:n])
		ids = ids[n:]
	}
	if len(ids) > 0 {
		out = append(out, ids)
	}
	return out
}

// idSummary names a batch of identifiers briefly (for error messages).
func idSummary(ids []string) string {
	if len(ids) <= 3 {
		return strings.Join(ids, ",")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(ids[:3], ","), len(ids)-3)
}

func distinctIDs(ids []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// describeSkippingMissing calls fn with batches of ids. EC2 fails a whole call when any
// explicit ID is unknown (code notFoundCode, the IDs in the message): those IDs are
// reported missing and the call repeated without them. Other failures are per ID.
func describeSkippingMissing(ctx context.Context, ids []string, batch int, notFoundCode string, idPattern *regexp.Regexp,
	fn func(ctx context.Context, ids []string) error) (missing map[string]bool, failed map[string]error) {
	missing, failed = map[string]bool{}, map[string]error{}
	for _, b := range batchIDs(distinctIDs(ids), batch) {
		for len(b) > 0 {
			err := fn(ctx, b)
			if err == nil {
				break
			}
			var apiErr smithy.APIError
			gone := map[string]bool{}
			if errors.As(err, &apiErr) && apiErr.ErrorCode() == notFoundCode {
				for _, id := range idPattern.FindAllString(apiErr.ErrorMessage(), -1) {
					gone[id] = true
				}
			}
			var rest []string
			for _, id := range b {
				if gone[id] {
					missing[id] = true
				} else {
					rest = append(rest, id)
				}
			}
			if len(rest) == len(b) { // nothing identifiable: every ID of the batch fails
				for _, id := range b {
					failed[id] = err
				}
				break
			}
			b = rest
		}
	}
	return missing, failed
}

var (
	instanceIDPattern = regexp.MustCompile(`i-[0-9a-f]+`)
	subnetIDPattern   = regexp.MustCompile(`subnet-[0-9a-f]+`)
	tgwIDPattern      = regexp.MustCompile(`tgw-[0-9a-f]+`)
	volumeIDPattern   = regexp.MustCompile(`vol-[0-9a-f]+`)
)

// ec2InstanceStates classifies every EC2 instance state name:
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_InstanceState.html
// (pending | running | shutting-down | terminated | stopping | stopped).
var ec2InstanceStates = statusTable{
	"running":       ruleOK(),
	"pending":       ruleInProgress("the instance launch or start"),
	"shutting-down": ruleBlock("the instance is being terminated"),
	"terminated":    ruleBlock("the instance is terminated"),
	"stopping":      ruleBlock("the instance is stopping"),
	"stopped":       ruleBlock("the instance is stopped"),
}

// ec2StatusChecks classifies every status check summary (instance and system checks):
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_InstanceStatusSummary.html
// (ok | impaired | insufficient-data | not-applicable | initializing).
var ec2StatusChecks = statusTable{
	"ok":                ruleOK(),
	"impaired":          ruleBlock("the check fails"),
	"initializing":      ruleInProgress("status check initialization (the instance started recently)"),
	"insufficient-data": ruleBlock("the check has no data yet; wait for it to complete"),
	"not-applicable":    ruleNote("the check does not apply to this instance"),
}

func checkEC2Instances(ctx context.Context, env Env, rs []Resource, spot bool) []Result {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = idOrARN(r)
	}
	instances := map[string]ec2types.Instance{}
	missing, failed := describeSkippingMissing(ctx, ids, ec2DescribeBatch, "InvalidInstanceID.NotFound", instanceIDPattern,
		func(ctx context.Context, b []string) error {
			p := ec2.NewDescribeInstancesPaginator(env.Clients.EC2, &ec2.DescribeInstancesInput{InstanceIds: b})
			for p.HasMorePages() {
				out, err := p.NextPage(ctx)
				if err != nil {
					return awsapi.Wrap(err, "ec2 DescribeInstances", idSummary(b), "ec2:DescribeInstances")
				}
				for _, res := range out.Reservations {
					for _, in := range res.Instances {
						instances[awssdk.ToString(in.InstanceId)] = in
					}
				}
			}
			return nil
		})
	var present []string
	for _, id := range distinctIDs(ids) {
		if _, ok := instances[id]; ok {
			present = append(present, id)
		}
	}
	statuses := map[string]ec2types.InstanceStatus{}
	_, statusFailed := describeSkippingMissing(ctx, present, ec2StatusBatch, "InvalidInstanceID.NotFound", instanceIDPattern,
		func(ctx context.Context, b []string) error {
			p := ec2.NewDescribeInstanceStatusPaginator(env.Clients.EC2, &ec2.DescribeInstanceStatusInput{InstanceIds: b, IncludeAllInstances: awssdk.Bool(true)})
			for p.HasMorePages() {
				out, err := p.NextPage(ctx)
				if err != nil {
					return awsapi.Wrap(err, "ec2 DescribeInstanceStatus", idSummary(b), "ec2:DescribeInstanceStatus")
				}
				for _, st := range out.InstanceStatuses {
					statuses[awssdk.ToString(st.InstanceId)] = st
				}
			}
			return nil
		})

	out := make([]Result, len(rs))
	for i, r := range rs {
		id := ids[i]
		if err, ok := failed[id]; ok {
			out[i] = Unchecked(r, err.Error())
			continue
		}
		in, ok := instances[id]
		if !ok || missing[id] {
			out[i] = missingResult(r, "instance "+id)
			continue
		}
		out[i] = instanceHealth(r, in, statuses, statusFailed[id], spot)
	}
	return out
}

func instanceHealth(r Resource, in ec2types.Instance, statuses map[string]ec2types.InstanceStatus, statusErr error, spot bool) Result {
	id := awssdk.ToString(in.InstanceId)
	state := ""
	if in.State != nil {
		state = string(in.State.Name)
	}
	az := ""
	if in.Placement != nil {
		az = awssdk.ToString(in.Placement.AvailabilityZone)
	}
	instStatus, sysStatus := "unknown", "unknown"
	if st, ok := statuses[id]; ok {
		if st.InstanceStatus != nil {
			instStatus = string(st.InstanceStatus.Status)
		}
		if st.SystemStatus != nil {
			sysStatus = string(st.SystemStatus.Status)
		}
	}
	status := state + "/" + instStatus + "/" + sysStatus
	var problems, notes []string
	if rule := ec2InstanceStates.classify(state); rule.Class != classHealthy {
		p := "state " + state
		if reason := awssdk.ToString(in.StateTransitionReason); reason != "" {
			p += " (" + reason + ")"
		}
		if in.StateReason != nil && awssdk.ToString(in.StateReason.Message) != "" {
			p += ": " + awssdk.ToString(in.StateReason.Message)
		}
		problems = append(problems, p+"; "+rule.Reason)
	} else {
		if statusErr != nil {
			return Unchecked(r, fmt.Sprintf("instance %s is running in %s but its status checks could not be read: %v", id, az, statusErr))
		}
		for _, chk := range []struct{ name, value string }{{"instance status check", instStatus}, {"system status check", sysStatus}} {
			switch rule := ec2StatusChecks.classify(chk.value); rule.Class {
			case classUnhealthy:
				problems = append(problems, chk.name+" "+chk.value+": "+rule.Reason)
			case classNote:
				notes = append(notes, chk.name+" "+chk.value+": "+rule.Reason)
			}
		}
	}
	if spot && in.InstanceLifecycle != ec2types.InstanceLifecycleTypeSpot {
		problems = append(problems, "not a Spot instance (lifecycle "+orElse(string(in.InstanceLifecycle), "on-demand")+")")
	}
	if len(problems) > 0 {
		return describedResult(r, status, false, fmt.Sprintf("instance %s in %s: %s", id, az, strings.Join(problems, "; ")), in)
	}
	res := describedResult(r, status, true, fmt.Sprintf("instance %s running in %s, instance and system status checks %s/%s", id, az, instStatus, sysStatus), in)
	return withNote(res, strings.Join(notes, "; "))
}

func orElse(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// asgName extracts the group name from an ID or an Auto Scaling ARN (…:autoScalingGroupName/name).
func asgName(r Resource) string {
	if r.ID != "" && !strings.HasPrefix(r.ID, "arn:") {
		return r.ID
	}
	a := r.ID
	if a == "" {
		a = r.ARN
	}
	if i := strings.Index(a, "autoScalingGroupName/"); i >= 0 {
		return a[i+len("autoScalingGroupName/"):]
	}
	return idOrARN(Resource{ARN: a})
}

func checkAutoScalingGroups(ctx context.Context, env Env, rs []Resource) []Result {
	names := make([]string, len(rs))
	for i, r := range rs {
		names[i] = asgName(r)
	}
	groups := map[string]astypes.AutoScalingGroup{}
	failed := map[string]error{}
	for _, b := range batchIDs(distinctIDs(names), 50) {
		p := autoscaling.NewDescribeAutoScalingGroupsPaginator(env.Clients.AutoScaling, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: b})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				for _, n := range b {
					failed[n] = awsapi.Wrap(err, "autoscaling DescribeAutoScalingGroups", n, "autoscaling:DescribeAutoScalingGroups")
				}
				break
			}
			for _, g := range out.AutoScalingGroups {
				groups[awssdk.ToString(g.AutoScalingGroupName)] = g
			}
		}
	}
	out := make([]Result, len(rs))
	for i, r := range rs {
		n := names[i]
		if err, ok := failed[n]; ok {
			out[i] = Unchecked(r, err.Error())
			continue
		}
		g, ok := groups[n]
		if !ok {
			out[i] = missingResult(r, "Auto Scaling group "+n)
			continue
		}
		out[i] = asgHealth(r, g)
	}
	return out
}

// asgGroupStatuses classifies the Auto Scaling group Status, which is set only while the
// group is being deleted: https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_AutoScalingGroup.html
// (Status: "Delete in progress"). An empty Status is the normal case.
var asgGroupStatuses = statusTable{
	"Delete in progress": ruleBlock("the group is being deleted"),
}

// asgInstanceStates classifies every instance lifecycle state in a group:
// https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-lifecycle.html and
// https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_Instance.html (LifecycleState).
// Only InService instances count towards the desired capacity being served.
var asgInstanceStates = statusTable{
	"InService":                  ruleOK(),
	"Pending":                    ruleInProgress("instance launch"),
	"Pending:Wait":               ruleInProgress("a launch lifecycle hook"),
	"Pending:Proceed":            ruleInProgress("instance launch"),
	"Quarantined":                ruleBlock("the instance is quarantined"),
	"Standby":                    ruleBlock("the instance is in standby and serves no traffic"),
	"EnteringStandby":            ruleBlock("the instance is entering standby"),
	"Detaching":                  ruleBlock("the instance is being detached"),
	"Detached":                   ruleBlock("the instance is detached"),
	"Terminating":                ruleBlock("the instance is being terminated"),
	"Terminating:Wait":           ruleBlock("the instance is being terminated (lifecycle hook)"),
	"Terminating:Proceed":        ruleBlock("the instance is being terminated"),
	"Terminated":                 ruleBlock("the instance is terminated"),
	"Warmed:Pending":             ruleBlock("a warm pool instance"),
	"Warmed:Pending:Wait":        ruleBlock("a warm pool instance"),
	"Warmed:Pending:Proceed":     ruleBlock("a warm pool instance"),
	"Warmed:Terminating":         ruleBlock("a warm pool instance"),
	"Warmed:Terminating:Wait":    ruleBlock("a warm pool instance"),
	"Warmed:Terminating:Proceed": ruleBlock("a warm pool instance"),
	"Warmed:Terminated":          ruleBlock("a warm pool instance"),
	"Warmed:Stopped":             ruleBlock("a warm pool instance"),
	"Warmed:Running":             ruleBlock("a warm pool instance"),
	"Warmed:Hibernated":          ruleBlock("a warm pool instance"),
}

func asgHealth(r Resource, g astypes.AutoScalingGroup) Result {
	desired := int(awssdk.ToInt32(g.DesiredCapacity))
	healthy := 0
	var bad []string
	for _, in := range g.Instances {
		if in.LifecycleState == astypes.LifecycleStateInService && awssdk.ToString(in.HealthStatus) == "Healthy" {
			healthy++
			continue
		}
		b := fmt.Sprintf("%s %s/%s in %s", awssdk.ToString(in.InstanceId), in.LifecycleState, awssdk.ToString(in.HealthStatus), awssdk.ToString(in.AvailabilityZone))
		if rule := asgInstanceStates.classify(string(in.LifecycleState)); rule.Class == classUnhealthy {
			b += " (" + rule.Reason + ")"
		}
		bad = append(bad, b)
	}
	status := fmt.Sprintf("in-service %d/%d", healthy, desired)
	name := awssdk.ToString(g.AutoScalingGroupName)
	if st := awssdk.ToString(g.Status); st != "" {
		return describedResult(r, st, false, fmt.Sprintf("group %s: %s (%s)", name, st, asgGroupStatuses.classify(st).Reason), g)
	}
	detail := fmt.Sprintf("group %s: %d of %d desired instances InService and Healthy across %s", name, healthy, desired, strings.Join(g.AvailabilityZones, ", "))
	if len(bad) > 0 {
		detail += "; not ready: " + strings.Join(bad, ", ")
	}
	if healthy < desired {
		return describedResult(r, status, false, detail, g)
	}
	return describedResult(r, status, true, detail, g)
}

// checkByID is the shape shared by subnet, transit gateway and volume checks.
func checkByID[T any](ctx context.Context, rs []Resource, batch int, notFoundCode string, pattern *regexp.Regexp, noun string,
	describe func(ctx context.Context, ids []string) ([]T, error), idOf func(T) string, judge func(Resource, T) Result) []Result {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = idOrARN(r)
	}
	found := map[string]T{}
	missing, failed := describeSkippingMissing(ctx, ids, batch, notFoundCode, pattern, func(ctx context.Context, b []string) error {
		items, err := describe(ctx, b)
		if err != nil {
			return err
		}
		for _, it := range items {
			found[idOf(it)] = it
		}
		return nil
	})
	out := make([]Result, len(rs))
	for i, r := range rs {
		id := ids[i]
		if err, ok := failed[id]; ok {
			out[i] = Unchecked(r, err.Error())
			continue
		}
		it, ok := found[id]
		if !ok || missing[id] {
			out[i] = missingResult(r, noun+" "+id)
			continue
		}
		out[i] = judge(r, it)
	}
	return out
}

// ec2SubnetStates classifies every subnet state:
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Subnet.html
// (pending | available | unavailable | failed | failed-insufficient-capacity).
var ec2SubnetStates = statusTable{
	"available":                    ruleOK(),
	"pending":                      ruleInProgress("subnet creation"),
	"unavailable":                  ruleBlock("the subnet is unavailable"),
	"failed":                       ruleBlock("the subnet failed"),
	"failed-insufficient-capacity": ruleBlock("the subnet failed for lack of capacity"),
}

// ec2TransitGatewayStates classifies every transit gateway state:
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_TransitGateway.html
// (pending | available | modifying | deleting | deleted).
var ec2TransitGatewayStates = statusTable{
	"available": ruleOK(),
	"pending":   ruleInProgress("transit gateway creation"),
	"modifying": ruleInProgress("a transit gateway modification"),
	"deleting":  ruleBlock("the transit gateway is being deleted"),
	"deleted":   ruleBlock("the transit gateway is deleted"),
}

// ec2VolumeStates classifies every EBS volume state:
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Volume.html
// (creating | available | in-use | deleting | deleted | error).
var ec2VolumeStates = statusTable{
	"in-use":    ruleOK(),
	"available": ruleOK(),
	"creating":  ruleInProgress("volume creation"),
	"deleting":  ruleBlock("the volume is being deleted"),
	"deleted":   ruleBlock("the volume is deleted"),
	"error":     ruleBlock("the underlying hardware of the volume failed"),
}

func checkSubnets(ctx context.Context, env Env, rs []Resource) []Result {
	return checkByID(ctx, rs, 200, "InvalidSubnetID.NotFound", subnetIDPattern, "subnet",
		func(ctx context.Context, ids []string) ([]ec2types.Subnet, error) {
			var all []ec2types.Subnet
			p := ec2.NewDescribeSubnetsPaginator(env.Clients.EC2, &ec2.DescribeSubnetsInput{SubnetIds: ids})
			for p.HasMorePages() {
				out, err := p.NextPage(ctx)
				if err != nil {
					return nil, awsapi.Wrap(err, "ec2 DescribeSubnets", idSummary(ids), "ec2:DescribeSubnets")
				}
				all = append(all, out.Subnets...)
			}
			return all, nil
		},
		func(s ec2types.Subnet) string { return awssdk.ToString(s.SubnetId) },
		func(r Resource, s ec2types.Subnet) Result {
			st := string(s.State)
			detail := fmt.Sprintf("subnet %s (%s) in %s is %s", awssdk.ToString(s.SubnetId), awssdk.ToString(s.CidrBlock), awssdk.ToString(s.AvailabilityZone), st)
			return classified(r, ec2SubnetStates, "state", st, detail, s)
		})
}

func checkTransitGateways(ctx context.Context, env Env, rs []Resource) []Result {
	return checkByID(ctx, rs, 200, "InvalidTransitGatewayID.NotFound", tgwIDPattern, "transit gateway",
		func(ctx context.Context, ids []string) ([]ec2types.TransitGateway, error) {
			var all []ec2types.TransitGateway
			p := ec2.NewDescribeTransitGatewaysPaginator(env.Clients.EC2, &ec2.DescribeTransitGatewaysInput{TransitGatewayIds: ids})
			for p.HasMorePages() {
				out, err := p.NextPage(ctx)
				if err != nil {
					return nil, awsapi.Wrap(err, "ec2 DescribeTransitGateways", idSummary(ids), "ec2:DescribeTransitGateways")
				}
				all = append(all, out.TransitGateways...)
			}
			return all, nil
		},
		func(t ec2types.TransitGateway) string { return awssdk.ToString(t.TransitGatewayId) },
		func(r Resource, t ec2types.TransitGateway) Result {
			st := string(t.State)
			return classified(r, ec2TransitGatewayStates, "state", st,
				fmt.Sprintf("transit gateway %s is %s", awssdk.ToString(t.TransitGatewayId), st), t)
		})
}

func checkVolumes(ctx context.Context, env Env, rs []Resource) []Result {
	return checkByID(ctx, rs, 500, "InvalidVolume.NotFound", volumeIDPattern, "volume",
		func(ctx context.Context, ids []string) ([]ec2types.Volume, error) {
			var all []ec2types.Volume
			p := ec2.NewDescribeVolumesPaginator(env.Clients.EC2, &ec2.DescribeVolumesInput{VolumeIds: ids})
			for p.HasMorePages() {
				out, err := p.NextPage(ctx)
				if err != nil {
					return nil, awsapi.Wrap(err, "ec2 DescribeVolumes", idSummary(ids), "ec2:DescribeVolumes")
				}
				all = append(all, out.Volumes...)
			}
			return all, nil
		},
		func(v ec2types.Volume) string { return awssdk.ToString(v.VolumeId) },
		func(r Resource, v ec2types.Volume) Result {
			st := string(v.State)
			detail := fmt.Sprintf("volume %s (%s, %d GiB) in %s is %s", awssdk.ToString(v.VolumeId), v.VolumeType, awssdk.ToInt32(v.Size), awssdk.ToString(v.AvailabilityZone), st)
			for _, a := range v.Attachments {
				detail += fmt.Sprintf(", attached to %s as %s", awssdk.ToString(a.InstanceId), awssdk.ToString(a.Device))
			}
			return classified(r, ec2VolumeStates, "state", st, detail, v)
		})
}
