package health

import (
	"fmt"
	"sort"
	"strings"
)

// TagMethod says how a FIS resource type's resourceTags are resolved.
type TagMethod string

// Tag resolution methods.
const (
	// TagsByTaggingAPI: Resource Groups Tagging API GetResources with the row's resource type filter.
	TagsByTaggingAPI TagMethod = "tagging"
	// TagsByAutoScaling: DescribeAutoScalingGroups with tag:<key> filters; GetResources returns
	// no Auto Scaling groups (https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/supported-services.html).
	TagsByAutoScaling TagMethod = "autoscaling"
	// TagsByIAM: IAM ListRoles + ListRoleTags; GetResources does not support IAM roles (same page).
	TagsByIAM TagMethod = "iam"
	// TagsByARC: ARC zonal shift ListManagedResources, with each resource's tags read from its own service.
	TagsByARC TagMethod = "arc"
	// TagsUnsupported: the type has no resource ARNs to tag (aws:eks:pod).
	TagsUnsupported TagMethod = "none"
)

// TypeInfo is one row of the FIS resource type table: how fis-mcp identifies, resolves,
// filters and checks targets of that type, following the FIS User Guide's targets page
// (https://docs.aws.amazon.com/fis/latest/userguide/targets.html).
type TypeInfo struct {
	// Type is the FIS resource type, e.g. "aws:ec2:instance".
	Type string
	// Documented is true for the types the FIS targets page lists; the others are accepted
	// for older templates (legacy spellings, service aliases).
	Documented bool
	// Description is the page's wording.
	Description string
	// ARNServices are the service names a resource ARN of this type carries; empty means no ARN.
	ARNServices []string
	// ARNResources are the ARN resource types accepted ("instance", "dxvif", ...); empty accepts any.
	ARNResources []string
	// Tags is how resourceTags resolve.
	Tags TagMethod
	// TaggingFilter is the Tagging API resource type filter (TagsByTaggingAPI).
	TaggingFilter string
	// FilterAPI is the API action whose output FIS applies target filters to (targets page,
	// "Resource filters" table); "" where the page documents none.
	FilterAPI string
	// FilterOnListing: filters match the listing object carried on Resource.FilterAttributes
	// (ARC ListManagedResources summaries, S3 ListBuckets entries), not the checker's description.
	FilterOnListing bool
	// Parameters are the target parameters FIS documents for the type ("Resource parameters").
	Parameters []string
	// ParamsOnly: parameters alone identify targets of this type.
	ParamsOnly bool
	// AZParam is the parameter naming an Availability Zone that narrows the set, if any.
	AZParam string
	// AZNameOnly: the AZ parameter takes an AZ code (us-east-1a) only, not an AZ ID.
	AZNameOnly bool
	// AZPaths are the dotted paths of the described object holding the resource's AZ names
	// (or IDs); a resource with no value matching AZParam is left out, as FIS leaves it out.
	AZPaths []string
	// SelectPath/SelectValues: FIS only selects resources whose described value at the path is
	// one of the values (aws:ec2:spot-instance: InstanceLifecycle spot).
	SelectPath   string
	SelectValues []string
	// Gone are the checker statuses (first "/"-separated part, case-insensitive) of a resource
	// that no longer exists; besides these, not-found always counts as gone.
	Gone []string
	// id extracts the service's identifier from the ARN's resource part; nil uses the part
	// after the first "/" or ":".
	id func(res, arn string) (string, error)
}

// typeTable is the one table of FIS resource types. Rows with Documented true follow the FIS
// User Guide's targets page (https://docs.aws.amazon.com/fis/latest/userguide/targets.html):
// "Resource types", "Resource filters" (which API's output filters apply to) and
// "Resource parameters".
var typeTable = []TypeInfo{
	{Type: TypeARCManaged, Documented: true, Description: "An AWS resource that is registered with ARC zonal shift",
		ARNServices: []string{"elasticloadbalancing", "eks", "autoscaling"}, Tags: TagsByARC,
		FilterAPI: "ListManagedResources", FilterOnListing: true, id: func(_, arn string) (string, error) { return arn, nil }},
	{Type: "aws:directconnect:virtual-interface", Documented: true, Description: "A Direct Connect Virtual Interface",
		ARNServices: []string{"directconnect"}, ARNResources: []string{"dxvif"}, Tags: TagsByTaggingAPI, TaggingFilter: "directconnect:dxvif",
		FilterAPI: "DescribeVirtualInterfaces", Gone: []string{"deleted"}},
	{Type: "aws:dsql:cluster", Documented: true, Description: "An Amazon Aurora DSQL cluster",
		ARNServices: []string{"dsql"}, ARNResources: []string{"cluster"}, Tags: TagsByTaggingAPI, TaggingFilter: "dsql:cluster",
		FilterAPI: "GetCluster", Gone: []string{"deleted"}},
	{Type: "aws:dynamodb:global-table", Documented: true, Description: "An Amazon DynamoDB multi-Region global table",
		ARNServices: []string{"dynamodb"}, ARNResources: []string{"table"}, Tags: TagsByTaggingAPI, TaggingFilter: "dynamodb:table",
		FilterAPI: "DescribeTable"},
	{Type: "aws:ec2:autoscaling-group", Documented: true, Description: "An Amazon EC2 Auto Scaling group",
		ARNServices: []string{"autoscaling"}, ARNResources: []string{"autoScalingGroup"}, Tags: TagsByAutoScaling,
		FilterAPI: "DescribeAutoScalingGroups", id: asgIDFromARN},
	{Type: "aws:ec2:ebs-volume", Documented: true, Description: "An Amazon EBS volume",
		ARNServices: []string{"ec2"}, ARNResources: []string{"volume"}, Tags: TagsByTaggingAPI, TaggingFilter: "ec2:volume",
		FilterAPI: "DescribeVolumes", Parameters: []string{"availabilityZoneIdentifier"}, ParamsOnly: true,
		AZParam: "availabilityZoneIdentifier", AZNameOnly: true, AZPaths: []string{"AvailabilityZone"}, Gone: []string{"deleted"}},
	{Type: "aws:ec2:instance", Documented: true, Description: "An Amazon EC2 instance",
		ARNServices: []string{"ec2"}, ARNResources: []string{"instance"}, Tags: TagsByTaggingAPI, TaggingFilter: "ec2:instance",
		FilterAPI: "DescribeInstances", Gone: []string{"terminated", "shutting-down"}},
	{Type: "aws:ec2:spot-instance", Documented: true, Description: "An Amazon EC2 Spot Instance",
		ARNServices: []string{"ec2"}, ARNResources: []string{"instance"}, Tags: TagsByTaggingAPI, TaggingFilter: "ec2:instance",
		FilterAPI: "DescribeInstances", SelectPath: "InstanceLifecycle", SelectValues: []string{"spot"}, Gone: []string{"terminated", "shutting-down"}},
	{Type: "aws:ec2:subnet", Documented: true, Description: "An Amazon VPC subnet",
		ARNServices: []string{"ec2"}, ARNResources: []string{"subnet"}, Tags: TagsByTaggingAPI, TaggingFilter: "ec2:subnet",
		FilterAPI: "DescribeSubnets", Parameters: []string{"availabilityZoneIdentifier", "vpc"}, ParamsOnly: true,
		AZParam: "availabilityZoneIdentifier", AZPaths: []string{"AvailabilityZone", "AvailabilityZoneId"}},
	{Type: "aws:ec2:transit-gateway", Documented: true, Description: "A transit gateway",
		ARNServices: []string{"ec2"}, ARNResources: []string{"transit-gateway"}, Tags: TagsByTaggingAPI, TaggingFilter: "ec2:transit-gateway",
		FilterAPI: "DescribeTransitGateways", Gone: []string{"deleted"}},
	{Type: "aws:ec2:vpc-endpoint", Documented: true, Description: "An Amazon VPC Endpoint",
		ARNServices: []string{"ec2"}, ARNResources: []string{"vpc-endpoint"}, Tags: TagsByTaggingAPI, TaggingFilter: "ec2:vpc-endpoint",
		FilterAPI: "DescribeVpcEndpoints", Gone: []string{"deleted"}},
	{Type: "aws:ecs:cluster", Documented: true, Description: "An Amazon ECS cluster",
		ARNServices: []string{"ecs"}, ARNResources: []string{"cluster"}, Tags: TagsByTaggingAPI, TaggingFilter: "ecs:cluster",
		FilterAPI: "DescribeClusters"},
	{Type: TypeECSTask, Documented: true, Description: "An Amazon ECS task",
		ARNServices: []string{"ecs"}, ARNResources: []string{"task"}, Tags: TagsByTaggingAPI, TaggingFilter: "ecs:task",
		FilterAPI: "DescribeTasks", Parameters: []string{"cluster", "service"}, ParamsOnly: true, Gone: []string{"stopped"}, id: ecsTaskIDFromARN},
	{Type: "aws:eks:cluster", Documented: true, Description: "An Amazon EKS cluster",
		ARNServices: []string{"eks"}, ARNResources: []string{"cluster"}, Tags: TagsByTaggingAPI, TaggingFilter: "eks:cluster",
		FilterAPI: "DescribeClusters"},
	{Type: TypeEKSNode, Documented: true, Description: "An Amazon EKS node group",
		ARNServices: []string{"eks"}, ARNResources: []string{"nodegroup"}, Tags: TagsByTaggingAPI, TaggingFilter: "eks:nodegroup",
		FilterAPI: "DescribeNodegroup", id: nodegroupIDFromARN},
	{Type: TypeEKSPod, Documented: true, Description: "A Kubernetes pod", Tags: TagsUnsupported,
		Parameters: []string{"availabilityZoneIdentifier", "clusterIdentifier", "namespace", "selectorType", "selectorValue", "targetContainerName"},
		ParamsOnly: true},
	{Type: "aws:elasticache:replicationgroup", Documented: true, Description: "An ElastiCache Replication Group",
		ARNServices: []string{"elasticache"}, ARNResources: []string{"replicationgroup"}, Tags: TagsByTaggingAPI, TaggingFilter: "elasticache:replicationgroup",
		FilterAPI: "DescribeReplicationGroups", Parameters: []string{"availabilityZoneIdentifier"},
		AZParam: "availabilityZoneIdentifier", AZPaths: []string{"NodeGroups.NodeGroupMembers.PreferredAvailabilityZone"}},
	{Type: "aws:iam:role", Documented: true, Description: "An IAM role",
		ARNServices: []string{"iam"}, ARNResources: []string{"role"}, Tags: TagsByIAM,
		FilterAPI: "ListRoles", id: lastSegment},
	{Type: "aws:kinesis:stream", Documented: true, Description: "An Amazon Kinesis data stream",
		ARNServices: []string{"kinesis"}, ARNResources: []string{"stream"}, Tags: TagsByTaggingAPI, TaggingFilter: "kinesis:stream",
		FilterAPI: "DescribeStreamSummary"},
	{Type: "aws:lambda:function", Documented: true, Description: "An AWS Lambda function",
		ARNServices: []string{"lambda"}, ARNResources: []string{"function"}, Tags: TagsByTaggingAPI, TaggingFilter: "lambda:function",
		FilterAPI: "ListFunctions", Parameters: []string{"functionQualifier"}, id: lambdaIDFromARN},
	{Type: "aws:memorydb:multi-region-cluster", Documented: true, Description: "An Amazon MemoryDB multi-Region cluster",
		ARNServices: []string{"memorydb"}, ARNResources: []string{"multiregioncluster"}, Tags: TagsByTaggingAPI, TaggingFilter: "memorydb:multiregioncluster",
		FilterAPI: "DescribeMultiRegionClusters"},
	{Type: "aws:rds:cluster", Documented: true, Description: "An Amazon Aurora DB cluster",
		ARNServices: []string{"rds"}, ARNResources: []string{"cluster"}, Tags: TagsByTaggingAPI, TaggingFilter: "rds:cluster",
		FilterAPI: "DescribeDBClusters", Parameters: []string{"writerAvailabilityZoneIdentifiers"}},
	{Type: "aws:rds:db", Documented: true, Description: "An Amazon RDS DB instance",
		ARNServices: []string{"rds"}, ARNResources: []string{"db"}, Tags: TagsByTaggingAPI, TaggingFilter: "rds:db",
		FilterAPI: "DescribeDBInstances", Parameters: []string{"availabilityZoneIdentifiers"},
		AZParam: "availabilityZoneIdentifiers", AZPaths: []string{"AvailabilityZone"}, Gone: []string{"deleting"}},
	{Type: "aws:s3:bucket", Documented: true, Description: "An Amazon S3 bucket",
		ARNServices: []string{"s3"}, Tags: TagsByTaggingAPI, TaggingFilter: "s3",
		FilterAPI: "ListBuckets", FilterOnListing: true, id: func(res, _ string) (string, error) { return res, nil }},

	// Accepted for older templates and service aliases; not on the FIS targets page.
	{Type: "aws:elasticache:redis-replicationgroup", Description: "Legacy spelling of aws:elasticache:replicationgroup",
		ARNServices: []string{"elasticache"}, ARNResources: []string{"replicationgroup"}, Tags: TagsByTaggingAPI, TaggingFilter: "elasticache:replicationgroup",
		FilterAPI: "DescribeReplicationGroups", Parameters: []string{"availabilityZoneIdentifier"},
		AZParam: "availabilityZoneIdentifier", AZPaths: []string{"NodeGroups.NodeGroupMembers.PreferredAvailabilityZone"}},
	{Type: "aws:docdb:cluster", Description: "An Amazon DocumentDB cluster (RDS ARN)",
		ARNServices: []string{"rds"}, ARNResources: []string{"cluster"}, Tags: TagsByTaggingAPI, TaggingFilter: "rds:cluster", FilterAPI: "DescribeDBClusters"},
	{Type: "aws:memorydb:cluster", Description: "An Amazon MemoryDB cluster",
		ARNServices: []string{"memorydb"}, ARNResources: []string{"cluster"}, Tags: TagsByTaggingAPI, TaggingFilter: "memorydb:cluster", FilterAPI: "DescribeClusters"},
	{Type: "aws:msk:cluster", Description: "An Amazon MSK cluster",
		ARNServices: []string{"kafka"}, ARNResources: []string{"cluster"}, Tags: TagsByTaggingAPI, TaggingFilter: "kafka:cluster", FilterAPI: "DescribeClusterV2", id: mskIDFromARN},
	{Type: "aws:kafka:cluster", Description: "Alias of aws:msk:cluster",
		ARNServices: []string{"kafka"}, ARNResources: []string{"cluster"}, Tags: TagsByTaggingAPI, TaggingFilter: "kafka:cluster", FilterAPI: "DescribeClusterV2", id: mskIDFromARN},
	{Type: "aws:opensearch:domain", Description: "An Amazon OpenSearch Service domain",
		ARNServices: []string{"es"}, ARNResources: []string{"domain"}, Tags: TagsByTaggingAPI, TaggingFilter: "es:domain", FilterAPI: "DescribeDomains"},
	{Type: "aws:es:domain", Description: "Alias of aws:opensearch:domain",
		ARNServices: []string{"es"}, ARNResources: []string{"domain"}, Tags: TagsByTaggingAPI, TaggingFilter: "es:domain", FilterAPI: "DescribeDomains"},
}

var typeIndex = func() map[string]int {
	m := make(map[string]int, len(typeTable))
	for i, t := range typeTable {
		m[t.Type] = i
	}
	return m
}()

// LookupType returns the table row of a FIS resource type.
func LookupType(fisType string) (TypeInfo, bool) {
	i, ok := typeIndex[fisType]
	if !ok {
		return TypeInfo{}, false
	}
	return typeTable[i], true
}

// Types returns every row of the table, documented types first, each group sorted by type.
func Types() []TypeInfo {
	out := append([]TypeInfo(nil), typeTable...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Documented != out[j].Documented {
			return out[i].Documented
		}
		return out[i].Type < out[j].Type
	})
	return out
}

// isGone reports whether a checker status says the resource no longer exists.
func (ti TypeInfo) isGone(status string) bool {
	if status == StatusNotFound {
		return true
	}
	first, _, _ := strings.Cut(status, "/")
	for _, g := range ti.Gone {
		if strings.EqualFold(first, g) {
			return true
		}
	}
	return false
}

// acceptsARN checks an ARN's service and resource type against the row.
func (ti TypeInfo) acceptsARN(arn string) (res string, err error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" || parts[5] == "" {
		return "", fmt.Errorf("%q is not an ARN", arn)
	}
	if len(ti.ARNServices) == 0 {
		return "", fmt.Errorf("resources of type %s have no ARN: identify them by parameters", ti.Type)
	}
	if !contains(ti.ARNServices, parts[2]) {
		return "", fmt.Errorf("ARN %s is a %s resource, not a %s", arn, parts[2], ti.Type)
	}
	res = parts[5]
	if len(ti.ARNResources) > 0 {
		rt := res
		if i := strings.IndexAny(res, "/:"); i >= 0 {
			rt = res[:i]
		}
		if !contains(ti.ARNResources, rt) {
			return "", fmt.Errorf("ARN %s names a %s:%s, not a %s (expected arn:…:%s:…:%s/…)", arn, parts[2], rt, ti.Type, ti.ARNServices[0], ti.ARNResources[0])
		}
	}
	return res, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func asgIDFromARN(res, arn string) (string, error) {
	if i := strings.Index(res, "autoScalingGroupName/"); i >= 0 && i+len("autoScalingGroupName/") < len(res) {
		return res[i+len("autoScalingGroupName/"):], nil
	}
	return "", fmt.Errorf("ARN %s is not an Auto Scaling group (…:autoScalingGroupName/<name>)", arn)
}

func ecsTaskIDFromARN(res, arn string) (string, error) {
	// task/{cluster}/{id} (or the old task/{id})
	segs := strings.Split(res, "/")
	if len(segs) < 2 || segs[0] != "task" {
		return "", fmt.Errorf("ARN %s is not an ECS task", arn)
	}
	return strings.Join(segs[1:], "/"), nil
}

func nodegroupIDFromARN(res, arn string) (string, error) {
	// nodegroup/{cluster}/{name}/{uuid}
	segs := strings.Split(res, "/")
	if len(segs) < 3 || segs[0] != "nodegroup" {
		return "", fmt.Errorf("ARN %s is not an EKS node group", arn)
	}
	return segs[1] + "/" + segs[2], nil
}

func lambdaIDFromARN(res, arn string) (string, error) {
	// function:{name}[:{qualifier}]
	if rest, ok := strings.CutPrefix(res, "function:"); ok && rest != "" {
		return rest, nil
	}
	return "", fmt.Errorf("ARN %s is not a Lambda function", arn)
}

func mskIDFromARN(res, _ string) (string, error) {
	// cluster/{name}/{uuid}
	if segs := strings.Split(res, "/"); len(segs) >= 2 && segs[1] != "" {
		return segs[1], nil
	}
	return defaultID(res), nil
}

func lastSegment(res, _ string) (string, error) {
	segs := strings.Split(res, "/")
	return segs[len(segs)-1], nil
}

func defaultID(res string) string {
	if i := strings.IndexAny(res, "/:"); i >= 0 && i+1 < len(res) {
		return res[i+1:]
	}
	return res
}

// tagMethodText is the README wording of a tag resolution method.
func (ti TypeInfo) tagMethodText() string {
	switch ti.Tags {
	case TagsByTaggingAPI:
		return "Tagging API GetResources (`" + ti.TaggingFilter + "`)"
	case TagsByAutoScaling:
		return "DescribeAutoScalingGroups `tag:<key>` filters"
	case TagsByIAM:
		return "IAM ListRoles + ListRoleTags"
	case TagsByARC:
		return "ARC ListManagedResources + each resource's tags"
	}
	return "not supported (parameters)"
}

func (ti TypeInfo) arnText() string {
	if len(ti.ARNServices) == 0 {
		return "none"
	}
	res := "*"
	if len(ti.ARNResources) > 0 {
		res = strings.Join(ti.ARNResources, ", ")
	}
	if len(ti.ARNServices) > 1 {
		return "`" + strings.Join(ti.ARNServices, "`, `") + "` (the resource's own ARN)"
	}
	return "`" + ti.ARNServices[0] + "` " + res
}

// SupportedTypesMarkdown renders the type table as the README's "Supported FIS target types"
// section body; reg says which types have a health checker.
func SupportedTypesMarkdown(reg Registry) string {
	var b strings.Builder
	b.WriteString("| FIS resource type | ARN service, resource | Tags resolve through | Filters match | Parameters | Checker |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	for _, ti := range Types() {
		name := "`" + ti.Type + "`"
		if !ti.Documented {
			name += " ¹"
		}
		filters := "—"
		if ti.FilterAPI != "" {
			filters = ti.FilterAPI + " output"
		}
		params := "—"
		if len(ti.Parameters) > 0 {
			params = "`" + strings.Join(ti.Parameters, "`, `") + "`"
			if ti.ParamsOnly {
				params += " (alone identify targets)"
			}
		}
		checker := "no"
		if reg[ti.Type] != nil {
			checker = "yes"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", name, ti.arnText(), ti.tagMethodText(), filters, params, checker)
	}
	b.WriteString("\n¹ Not on the FIS targets page; accepted for older templates and service aliases.\n")
	return b.String()
}
