package awstest

import (
	"fmt"
	"sort"
	"strings"
)

// The fake FIS resolves an experiment's targets when it starts, by the documented rules:
// "AWS FIS identifies all targets at the start of the experiment ... If no targets are found,
// the experiment fails" (https://docs.aws.amazon.com/fis/latest/userguide/targets.html), unless
// emptyTargetResolutionMode is skip: "any actions with no resolved targets are skipped. Actions
// with targets that are defined using unique identifiers, such as ARNs, cannot be skipped"
// (https://docs.aws.amazon.com/fis/latest/userguide/experiment-options.html).

// fisTaggingTypes is the Tagging API resource type ("service:type" of the ARN) of each FIS
// resource type the fake resolves through its tag state.
var fisTaggingTypes = map[string]string{
	"aws:ec2:instance": "ec2:instance", "aws:ec2:spot-instance": "ec2:instance", "aws:ec2:ebs-volume": "ec2:volume",
	"aws:ec2:subnet": "ec2:subnet", "aws:ec2:transit-gateway": "ec2:transit-gateway", "aws:ec2:vpc-endpoint": "ec2:vpc-endpoint",
	"aws:rds:cluster": "rds:cluster", "aws:rds:db": "rds:db", "aws:elasticache:replicationgroup": "elasticache:replicationgroup",
	"aws:eks:cluster": "eks:cluster", "aws:eks:nodegroup": "eks:nodegroup", "aws:ecs:cluster": "ecs:cluster", "aws:ecs:task": "ecs:task",
	"aws:lambda:function": "lambda:function", "aws:dynamodb:global-table": "dynamodb:table", "aws:s3:bucket": "s3:bucket",
	"aws:kinesis:stream": "kinesis:stream", "aws:dsql:cluster": "dsql:cluster", "aws:directconnect:virtual-interface": "directconnect:dxvif",
	"aws:memorydb:multi-region-cluster": "memorydb:multiregioncluster",
}

// fisResolution is the outcome of resolving a template's targets.
type fisResolution struct {
	targets []fisResolvedTarget
	// failReason is set when the experiment fails at start (a target resolved nothing).
	failReason string
	// skippedActions are the actions FIS skips (emptyTargetResolutionMode skip).
	skippedActions map[string]bool
}

// fisResolveTargets resolves every target of t with the lock held.
func (s *Server) fisResolveTargets(t *ExperimentTemplate) fisResolution {
	res := fisResolution{skippedActions: map[string]bool{}}
	skip := strings.EqualFold(t.ExperimentOptions["emptyTargetResolutionMode"], "skip")
	names := make([]string, 0, len(t.Targets))
	for name := range t.Targets {
		names = append(names, name)
	}
	sort.Strings(names)
	var empty []string
	for _, name := range names {
		tg := t.Targets[name]
		ids, ok := s.fis.resolved[t.ID][name]
		if !ok {
			var multi bool
			if ids, multi = s.fisMultiAccountResolve(t, tg); !multi {
				ids = s.fisResolveTarget(tg)
			}
		}
		for _, rid := range ids {
			res.targets = append(res.targets, fisResolvedTarget{targetName: name, resourceType: tg.ResourceType, identifier: rid})
		}
		if len(ids) > 0 {
			continue
		}
		if !skip || len(tg.ResourceArns) > 0 {
			empty = append(empty, name)
			continue
		}
		for an, a := range t.Actions {
			for _, tn := range a.Targets {
				if tn == name {
					res.skippedActions[an] = true
				}
			}
		}
	}
	if len(empty) > 0 {
		res.failReason = fmt.Sprintf("Target resolution failed: no resources were resolved for target(s) %s.", strings.Join(empty, ", "))
	}
	return res
}

// fisResolveTarget resolves one target: its ARNs as given, its tags from the account's
// resources, or its parameters; then the filters the fake models.
func (s *Server) fisResolveTarget(tg TemplateTarget) []string {
	if len(tg.ResourceArns) > 0 {
		return append([]string(nil), tg.ResourceArns...)
	}
	var ids []string
	switch {
	case len(tg.ResourceTags) > 0:
		ids = s.fisByTags(tg)
	case len(tg.Parameters) > 0:
		ids = s.fisByParams(tg)
	}
	return s.fisFilter(tg, ids)
}

// fisByTags finds the resources of tg's type carrying every tag. FIS resolves each type through
// its own service, so Auto Scaling groups and IAM roles are found although the Tagging API's
// GetResources leaves them out.
func (s *Server) fisByTags(tg TemplateTarget) []string {
	var out []string
	switch tg.ResourceType {
	case "aws:ec2:autoscaling-group":
		for _, n := range s.autoscaling.order {
			if g := s.autoscaling.groups[n]; g != nil && fisHasTags(g.Tags, tg.ResourceTags) {
				out = append(out, fmt.Sprintf("arn:aws:autoscaling:%s:%s:autoScalingGroup:6d3f0c8e-1111-4b5c-9d2e-0123456789ab:autoScalingGroupName/%s", s.Region, s.AccountID, n))
			}
		}
		return out
	case "aws:iam:role":
		for _, r := range s.iam.roles {
			if fisHasTags(r.tags, tg.ResourceTags) {
				out = append(out, r.arn)
			}
		}
		sort.Strings(out)
		return out
	}
	want, ok := fisTaggingTypes[tg.ResourceType]
	if !ok {
		return nil
	}
	for arn, tags := range s.tagging.tags {
		svc, typ := arnResourceType(arn)
		if svc+":"+typ == want && fisHasTags(tags, tg.ResourceTags) {
			out = append(out, arn)
		}
	}
	sort.Strings(out)
	return out
}

// fisByParams resolves the parameter-only targets FIS documents (targets page, "Resource parameters").
func (s *Server) fisByParams(tg TemplateTarget) []string {
	p := tg.Parameters
	var out []string
	switch tg.ResourceType {
	case "aws:ec2:subnet":
		az, vpc := p["availabilityZoneIdentifier"], p["vpc"]
		for _, id := range s.ec2.subnetOrder {
			sn := s.ec2.subnets[id]
			if (az == "" || sn.AZ == az || sn.AZID == az) && (vpc == "" || sn.VPCID == vpc) {
				out = append(out, fmt.Sprintf("arn:aws:ec2:%s:%s:subnet/%s", s.Region, s.AccountID, sn.ID))
			}
		}
	case "aws:ec2:ebs-volume":
		for _, id := range s.ec2.volumeOrder {
			if v := s.ec2.volumes[id]; v.AZ == p["availabilityZoneIdentifier"] {
				out = append(out, fmt.Sprintf("arn:aws:ec2:%s:%s:volume/%s", s.Region, s.AccountID, v.ID))
			}
		}
	case "aws:ecs:task":
		for _, t := range s.ecs.tasks[p["cluster"]] {
			if (p["service"] == "" || t.Service == p["service"]) && t.LastStatus == "RUNNING" {
				out = append(out, t.Arn)
			}
		}
	case "aws:eks:pod":
		if p["clusterIdentifier"] != "" && p["namespace"] != "" {
			out = append(out, p["clusterIdentifier"]+"/"+p["namespace"]+"/"+p["selectorType"]+"="+p["selectorValue"])
		}
	}
	return out
}

// fisFilter applies the filters the fake models (EC2 instance fields of DescribeInstances, EBS
// volume AZs) and selects Spot Instances for aws:ec2:spot-instance; filters on paths it does not
// model keep the resources.
func (s *Server) fisFilter(tg TemplateTarget, ids []string) []string {
	if tg.ResourceType != "aws:ec2:instance" && tg.ResourceType != "aws:ec2:spot-instance" {
		return ids
	}
	var out []string
	for _, arn := range ids {
		in := s.ec2.instances[arn[strings.LastIndex(arn, "/")+1:]]
		if in == nil {
			continue
		}
		if tg.ResourceType == "aws:ec2:spot-instance" && in.Lifecycle != "spot" {
			continue
		}
		fields := map[string]string{"Placement.AvailabilityZone": in.AZ, "State.Name": in.State, "VpcId": in.VPCID,
			"SubnetId": in.SubnetID, "InstanceType": in.InstanceType, "InstanceLifecycle": in.Lifecycle}
		ok := true
		for _, f := range tg.Filters {
			if v, modelled := fields[f.Path]; modelled && !containsStr(f.Values, v) {
				ok = false
			}
		}
		if ok {
			out = append(out, arn)
		}
	}
	return out
}

func fisHasTags(have, want map[string]string) bool {
	for k, v := range want {
		if got, ok := have[k]; !ok || got != v {
			return false
		}
	}
	return true
}
