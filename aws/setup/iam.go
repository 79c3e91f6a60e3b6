package setup

import (
	"fmt"
	"strings"
)

// ToolActions are the IAM actions a tool (or a part of it) calls. Sid names the README
// policy statement they are listed in; Optional actions only narrow what the tool can
// do (a missing one is a warning, not a blocker).
type ToolActions struct {
	Tool     string
	Sid      string
	Actions  []string
	Optional bool
}

// Policy is the single table of the IAM actions fis-mcp uses: doctor and check_setup
// simulate it, and the README's IAM policy is generated from it (TestREADMEPolicy).
var Policy = []ToolActions{
	{Tool: "resolve_experiment", Sid: "Resolve", Actions: []string{
		"cloudformation:DescribeStacks", "cloudformation:DescribeStackEvents", "fis:GetExperimentTemplate"}},
	{Tool: "resolve_experiment (multi-account templates)", Sid: "Resolve", Optional: true, Actions: []string{
		"fis:ListTargetAccountConfigurations"}},
	{Tool: "health_check", Sid: "HealthCheck", Actions: []string{
		"tag:GetResources", "iam:GetRole", "iam:ListRoles", "iam:ListRoleTags", "cloudwatch:DescribeAlarms"}},
	{Tool: "health_check (per target type)", Sid: "HealthCheck", Optional: true, Actions: []string{
		"ec2:DescribeInstances", "ec2:DescribeInstanceStatus", "ec2:DescribeSubnets", "ec2:DescribeTransitGateways", "ec2:DescribeVolumes",
		"ec2:DescribeVpcEndpoints", "ec2:DescribeAvailabilityZones", "dsql:GetCluster", "kinesis:DescribeStreamSummary",
		"directconnect:DescribeVirtualInterfaces", "arc-zonal-shift:ListManagedResources", "s3:ListAllMyBuckets",
		"autoscaling:DescribeAutoScalingGroups", "rds:DescribeDBClusters", "rds:DescribeDBInstances",
		"elasticache:DescribeReplicationGroups", "elasticache:DescribeCacheClusters",
		"memorydb:DescribeClusters", "memorydb:DescribeMultiRegionClusters",
		"eks:DescribeCluster", "eks:DescribeNodegroup", "kafka:DescribeClusterV2", "kafka:DescribeCluster",
		"es:DescribeDomain", "es:DescribeDomainHealth", "lambda:GetFunction", "ecs:DescribeClusters", "ecs:DescribeTasks", "ecs:ListTasks",
		"dynamodb:DescribeTable", "s3:ListBucket", "arc-zonal-shift:GetManagedResource"}},
	{Tool: "health_check (multi-account: the --account-roles roles)", Sid: "AccountRoles", Optional: true, Actions: []string{
		"sts:AssumeRole"}},
	{Tool: "discover_apps / start_logs", Sid: "DiscoverApps", Actions: []string{
		"eks:ListClusters", "eks:DescribeCluster"}},
	{Tool: "discover_apps (endpoints)", Sid: "DiscoverApps", Optional: true, Actions: []string{
		"rds:DescribeDBClusterEndpoints", "kafka:GetBootstrapBrokers", "sts:GetCallerIdentity"}},
	{Tool: "start_experiment", Sid: "StartStopPoll", Actions: []string{
		"fis:StartExperiment", "fis:TagResource", "fis:GetSafetyLever"}},
	{Tool: "stop_experiment / poll", Sid: "StartStopPoll", Actions: []string{
		"fis:GetExperiment", "fis:StopExperiment", "fis:ListExperiments", "fis:ListExperimentResolvedTargets"}},
	{Tool: "finalize_report", Sid: "Report", Actions: []string{
		"logs:FilterLogEvents", "logs:DescribeLogGroups", "cloudwatch:GetMetricData", "cloudwatch:DescribeAlarmHistory"}},
	{Tool: "finalize_report (resource events)", Sid: "Report", Optional: true, Actions: []string{
		"rds:DescribeEvents", "elasticache:DescribeEvents", "memorydb:DescribeEvents",
		"autoscaling:DescribeScalingActivities", "kafka:ListClusterOperationsV2"}},
	{Tool: "doctor / check_setup", Sid: "Doctor", Optional: true, Actions: []string{
		"sts:GetCallerIdentity", "iam:SimulatePrincipalPolicy", "iam:GetRole", "eks:ListAccessEntries"}},
}

// AllActions is every action of the table, once each, in table order.
func AllActions(p []ToolActions) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range p {
		for _, a := range t.Actions {
			if !seen[strings.ToLower(a)] {
				seen[strings.ToLower(a)] = true
				out = append(out, a)
			}
		}
	}
	return out
}

// policyLineWidth is where PolicyJSON wraps a statement's action list.
const policyLineWidth = 110

// PolicyJSON renders the table as the README's IAM policy: one Allow statement per Sid,
// in table order, its actions (once each) wrapped at policyLineWidth.
func PolicyJSON(p []ToolActions) string {
	var sids []string
	actions := map[string][]string{}
	seen := map[string]bool{}
	for _, t := range p {
		if _, ok := actions[t.Sid]; !ok {
			sids = append(sids, t.Sid)
			actions[t.Sid] = nil
		}
		for _, a := range t.Actions {
			if k := t.Sid + " " + a; !seen[k] {
				seen[k] = true
				actions[t.Sid] = append(actions[t.Sid], a)
			}
		}
	}
	var b strings.Builder
	b.WriteString("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n")
	for i, sid := range sids {
		fmt.Fprintf(&b, "    { \"Sid\": %q, \"Effect\": \"Allow\", \"Resource\": \"*\", \"Action\": [\n", sid)
		line := "     "
		for j, a := range actions[sid] {
			item := fmt.Sprintf(" %q", a)
			if j < len(actions[sid])-1 {
				item += ","
			}
			if len(line)+len(item) > policyLineWidth && line != "     " {
				b.WriteString(line + "\n")
				line = "     "
			}
			line += item
		}
		b.WriteString(line + " ] }")
		if i < len(sids)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("  ]\n}\n")
	return b.String()
}
