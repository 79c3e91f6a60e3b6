package health

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	tagging "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	taggingtypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"

	awsx "github.com/fis-mcp/fis-mcp/aws"
	"github.com/fis-mcp/fis-mcp/session"
)

// FIS resource types with special resolution.
const (
	TypeEKSPod     = "aws:eks:pod"
	TypeEKSNode    = "aws:eks:nodegroup"
	TypeECSTask    = "aws:ecs:task"
	TypeARCManaged = "aws:arc:zonal-shift-managed-resource"
)

// Resolution is the set of resources a template's targets select, as FIS would resolve them
// (before filters, which match described attributes and so apply after checking).
type Resolution struct {
	// Resources are the candidates to check, target by target.
	Resources []Resource
	// Placeholders stand for targets that resolved nothing or could not be resolved;
	// they count as unhealthy.
	Placeholders []session.ResourceHealth
	// Notes are remarks for the user (selection modes, empty tag matches, ...).
	Notes []string
}

// taggingTypes maps FIS resource types to Resource Groups Tagging API resource type filters
// where "aws:{service}:{type}" → "{service}:{type}" does not hold.
var taggingTypes = map[string]string{
	"aws:ec2:spot-instance":                  "ec2:instance",
	"aws:ec2:autoscaling-group":              "autoscaling:autoScalingGroup",
	"aws:ec2:ebs-volume":                     "ec2:volume",
	"aws:elasticache:redis-replicationgroup": "elasticache:replicationgroup",
	"aws:memorydb:multi-region-cluster":      "memorydb:multiregioncluster",
	"aws:opensearch:domain":                  "es:domain",
	"aws:msk:cluster":                        "kafka:cluster",
	"aws:dynamodb:global-table":              "dynamodb:table",
	TypeARCManaged:                           "elasticloadbalancing:loadbalancer",
}

// TaggingTypeFilter returns the Tagging API resource type filter of a FIS resource type
// (aws:ec2:instance → ec2:instance, aws:rds:cluster → rds:cluster, ...).
func TaggingTypeFilter(fisType string) string {
	if f, ok := taggingTypes[fisType]; ok {
		return f
	}
	parts := strings.SplitN(fisType, ":", 3)
	if len(parts) == 3 && parts[0] == "aws" {
		return parts[1] + ":" + parts[2]
	}
	return ""
}

// arnServices lists the ARN service names a FIS type's resources may carry.
func arnServices(fisType string) []string {
	f := TaggingTypeFilter(fisType)
	svc, _, _ := strings.Cut(f, ":")
	switch fisType {
	case TypeARCManaged:
		return []string{"elasticloadbalancing", "eks", "autoscaling"}
	case "aws:rds:cluster":
		return []string{"rds", "docdb"}
	}
	if svc == "" {
		return nil
	}
	return []string{svc}
}

// IDFromARN returns the service's own identifier of a FIS target resource from its ARN:
// an instance ID, a cluster or replication group identifier, "cluster/nodegroup" for EKS
// node groups, "cluster/task" for ECS tasks, the ARN itself for ARC managed resources.
func IDFromARN(fisType, arn string) (string, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" || parts[5] == "" {
		return "", fmt.Errorf("%q is not an ARN", arn)
	}
	if svcs := arnServices(fisType); len(svcs) > 0 {
		ok := false
		for _, s := range svcs {
			if parts[2] == s {
				ok = true
			}
		}
		if !ok {
			return "", fmt.Errorf("ARN %s is a %s resource, not a %s", arn, parts[2], fisType)
		}
	}
	res := parts[5]
	switch fisType {
	case TypeARCManaged:
		return arn, nil
	case "aws:s3:bucket":
		return res, nil
	case TypeEKSNode:
		// nodegroup/{cluster}/{name}/{uuid}
		segs := strings.Split(res, "/")
		if len(segs) < 3 || segs[0] != "nodegroup" {
			return "", fmt.Errorf("ARN %s is not an EKS node group", arn)
		}
		return segs[1] + "/" + segs[2], nil
	case TypeECSTask:
		// task/{cluster}/{id} (or the old task/{id})
		segs := strings.Split(res, "/")
		if len(segs) < 2 || segs[0] != "task" {
			return "", fmt.Errorf("ARN %s is not an ECS task", arn)
		}
		return strings.Join(segs[1:], "/"), nil
	case "aws:ec2:autoscaling-group":
		if i := strings.Index(res, "autoScalingGroupName/"); i >= 0 {
			return res[i+len("autoScalingGroupName/"):], nil
		}
	case "aws:msk:cluster", "aws:kafka:cluster":
		// cluster/{name}/{uuid}
		segs := strings.Split(res, "/")
		if len(segs) >= 2 {
			return segs[1], nil
		}
	case "aws:iam:role":
		segs := strings.Split(res, "/")
		return segs[len(segs)-1], nil
	case "aws:lambda:function":
		// function:{name}[:{qualifier}]
		if rest, ok := strings.CutPrefix(res, "function:"); ok {
			return rest, nil
		}
	}
	if i := strings.IndexAny(res, "/:"); i >= 0 && i+1 < len(res) {
		return res[i+1:], nil
	}
	return res, nil
}

// Resolve resolves every target of t the way FIS does, read-only: resourceArns are parsed,
// resourceTags are looked up with the Tagging API (filtered by the type's tagging resource
// type), parameters make one resource (aws:eks:pod) or list tasks (aws:ecs:task). Filters
// are applied by Check after describing; selection modes keep the whole candidate set.
// It returns an error only when nothing can be resolved at all (no clients, cancelled).
func Resolve(ctx context.Context, env Env, reg Registry, t session.Template) (Resolution, error) {
	var res Resolution
	if env.Clients == nil {
		return res, errors.New("no AWS clients")
	}
	if len(t.Targets) == 0 {
		res.Notes = append(res.Notes, "the template has no targets: no resource to check")
		res.Placeholders = append(res.Placeholders, session.ResourceHealth{
			ID: "(none)", Type: "fis:target", Status: StatusNoTargetsResolved,
			Detail: "the experiment template defines no targets",
		})
		return res, nil
	}
	for _, tg := range t.Targets {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		rs, notes, err := resolveTarget(ctx, env, tg)
		res.Notes = append(res.Notes, notes...)
		if err != nil {
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
			res.Notes = append(res.Notes, fmt.Sprintf("target %s (%s) could not be resolved: %v", tg.Name, tg.ResourceType, err))
			res.Placeholders = append(res.Placeholders, session.ResourceHealth{
				ID: "(unresolved)", Type: tg.ResourceType, Target: tg.Name, Status: StatusUnresolved, Detail: err.Error(),
			})
			continue
		}
		if reg != nil && reg[tg.ResourceType] == nil && len(rs) > 0 {
			res.Notes = append(res.Notes, fmt.Sprintf("target %s: no health checker for resource type %s", tg.Name, tg.ResourceType))
		}
		if len(rs) == 0 {
			res.Notes = append(res.Notes, fmt.Sprintf("target %s (%s) resolved no resources: FIS would fail the experiment at start", tg.Name, tg.ResourceType))
			res.Placeholders = append(res.Placeholders, session.ResourceHealth{
				ID: "(none)", Type: tg.ResourceType, Target: tg.Name, Status: StatusNoTargetsResolved,
				Detail: "the target's ARNs, tags or parameters select no resource",
			})
			continue
		}
		if note := selectionNote(tg, len(rs)); note != "" {
			res.Notes = append(res.Notes, note)
		}
		res.Resources = append(res.Resources, rs...)
	}
	return res, nil
}

func resolveTarget(ctx context.Context, env Env, tg session.Target) ([]Resource, []string, error) {
	var notes []string
	seen := map[string]bool{}
	var rs []Resource
	add := func(id, arn string) {
		if seen[id] {
			return
		}
		seen[id] = true
		rs = append(rs, Resource{ID: id, ARN: arn, Type: tg.ResourceType, Target: tg.Name, Params: tg.Parameters})
	}
	if len(tg.ResourceArns) > 0 && len(tg.ResourceTags) > 0 {
		notes = append(notes, fmt.Sprintf("target %s sets both resourceArns and resourceTags (FIS accepts only one); both were resolved", tg.Name))
	}
	for _, arn := range tg.ResourceArns {
		id, err := IDFromARN(tg.ResourceType, arn)
		if err != nil {
			return nil, notes, err
		}
		add(id, arn)
	}
	if len(tg.ResourceTags) > 0 {
		arns, err := arnsByTags(ctx, env.Clients, tg.ResourceType, tg.ResourceTags)
		if err != nil {
			return nil, notes, err
		}
		for _, arn := range arns {
			id, err := IDFromARN(tg.ResourceType, arn)
			if err != nil {
				notes = append(notes, fmt.Sprintf("target %s: skipped tagged resource %s: %v", tg.Name, arn, err))
				continue
			}
			add(id, arn)
		}
	}
	if len(tg.ResourceArns) == 0 && len(tg.ResourceTags) == 0 {
		switch {
		case tg.ResourceType == TypeEKSPod:
			for _, k := range []string{"clusterIdentifier", "namespace", "selectorType", "selectorValue"} {
				if tg.Parameters[k] == "" {
					return nil, notes, fmt.Errorf("aws:eks:pod target lacks parameter %s", k)
				}
			}
			p := tg.Parameters
			rs = append(rs, Resource{ID: PodTargetID(p), Type: tg.ResourceType, Target: tg.Name, Params: p})
		case tg.ResourceType == TypeECSTask && tg.Parameters["cluster"] != "":
			arns, err := ecsTasksByParams(ctx, env.Clients, tg.Parameters)
			if err != nil {
				return nil, notes, err
			}
			for _, arn := range arns {
				id, err := IDFromARN(tg.ResourceType, arn)
				if err != nil {
					continue
				}
				add(id, arn)
			}
		case len(tg.Parameters) > 0:
			return nil, notes, fmt.Errorf("targets of type %s by parameters are not supported by the health check", tg.ResourceType)
		default:
			return nil, notes, errors.New("the target has neither resourceArns, resourceTags nor parameters")
		}
	}
	return rs, notes, nil
}

// arnsByTags lists the ARNs carrying every tag, of the FIS type's tagging resource type.
func arnsByTags(ctx context.Context, c *awsx.Clients, fisType string, tags map[string]string) ([]string, error) {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	in := &tagging.GetResourcesInput{ResourcesPerPage: aws.Int32(100)}
	for _, k := range keys {
		in.TagFilters = append(in.TagFilters, taggingtypes.TagFilter{Key: aws.String(k), Values: []string{tags[k]}})
	}
	if f := TaggingTypeFilter(fisType); f != "" {
		in.ResourceTypeFilters = []string{f}
	}
	var arns []string
	p := tagging.NewGetResourcesPaginator(c.Tagging, in)
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, awsx.Wrap(err, "tagging GetResources", strings.Join(in.ResourceTypeFilters, ","), "tag:GetResources")
		}
		for _, m := range out.ResourceTagMappingList {
			if a := aws.ToString(m.ResourceARN); a != "" {
				arns = append(arns, a)
			}
		}
	}
	return arns, nil
}

// ecsTasksByParams lists the running tasks of an aws:ecs:task target given by parameters
// (cluster, optional service).
func ecsTasksByParams(ctx context.Context, c *awsx.Clients, params map[string]string) ([]string, error) {
	in := &ecs.ListTasksInput{Cluster: aws.String(params["cluster"])}
	if s := params["service"]; s != "" {
		in.ServiceName = aws.String(s)
	}
	var arns []string
	p := ecs.NewListTasksPaginator(c.ECS, in)
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, awsx.Wrap(err, "ecs ListTasks", params["cluster"], "ecs:ListTasks")
		}
		arns = append(arns, out.TaskArns...)
	}
	return arns, nil
}

// PodTargetID is the identifier of an aws:eks:pod target: cluster/namespace/selectorType=selectorValue.
func PodTargetID(p map[string]string) string {
	return clusterName(p["clusterIdentifier"]) + "/" + p["namespace"] + "/" + p["selectorType"] + "=" + p["selectorValue"]
}

// PodParamsFromID reverses PodTargetID.
func PodParamsFromID(id string) map[string]string {
	parts := strings.SplitN(id, "/", 3)
	if len(parts) != 3 {
		return nil
	}
	typ, val, _ := strings.Cut(parts[2], "=")
	return map[string]string{"clusterIdentifier": parts[0], "namespace": parts[1], "selectorType": typ, "selectorValue": val}
}

var selectionRE = regexp.MustCompile(`^(COUNT|PERCENT)\((\d+)\)$`)

func selectionNote(tg session.Target, n int) string {
	mode := strings.ToUpper(strings.TrimSpace(tg.SelectionMode))
	if mode == "" || mode == "ALL" {
		return ""
	}
	m := selectionRE.FindStringSubmatch(mode)
	if m == nil {
		return fmt.Sprintf("target %s: unrecognised selection mode %q; all %d candidates were checked", tg.Name, tg.SelectionMode, n)
	}
	k, _ := strconv.Atoi(m[2])
	filtered := ""
	if len(tg.Filters) > 0 {
		filtered = " (before filters)"
	}
	if m[1] == "COUNT" {
		note := fmt.Sprintf("target %s: selection mode %s: FIS picks %d of the %d candidates%s at random when the experiment starts; all candidates were checked", tg.Name, mode, k, n, filtered)
		if k > n {
			note += fmt.Sprintf("; only %d candidates exist, fewer than %d", n, k)
		}
		return note
	}
	return fmt.Sprintf("target %s: selection mode %s: FIS picks %d%% of the %d candidates%s at random when the experiment starts; all candidates were checked", tg.Name, mode, k, n, filtered)
}

// MatchFilters reports whether a described resource passes every FIS target filter: the
// value at each filter's dotted path (arrays match when any element does) must equal one
// of the filter's values, case-sensitively as FIS compares.
func MatchFilters(attrs any, filters []session.TargetFilter) (bool, error) {
	if len(filters) == 0 {
		return true, nil
	}
	b, err := json.Marshal(attrs)
	if err != nil {
		return false, fmt.Errorf("encode described resource: %w", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return false, fmt.Errorf("decode described resource: %w", err)
	}
	for _, f := range filters {
		vals := walkPath(doc, strings.Split(f.Path, "."))
		if !anyEqual(vals, f.Values) {
			return false, nil
		}
	}
	return true, nil
}

// walkPath returns the leaf values at path under v, flattening arrays.
func walkPath(v any, path []string) []any {
	switch x := v.(type) {
	case []any:
		var out []any
		for _, e := range x {
			out = append(out, walkPath(e, path)...)
		}
		return out
	case map[string]any:
		if len(path) == 0 {
			return nil
		}
		next, ok := x[path[0]]
		if !ok {
			// FIS documents paths in the API's casing; tolerate a different case of the key.
			for k, e := range x {
				if strings.EqualFold(k, path[0]) {
					next, ok = e, true
					break
				}
			}
		}
		if !ok {
			return nil
		}
		return walkPath(next, path[1:])
	default:
		if len(path) != 0 || v == nil {
			return nil
		}
		return []any{v}
	}
}

func anyEqual(vals []any, want []string) bool {
	for _, v := range vals {
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case json.Number:
			s = x.String()
		case bool:
			s = strconv.FormatBool(x)
		default:
			continue
		}
		for _, w := range want {
			if s == w {
				return true
			}
		}
	}
	return false
}

// clusterName reduces an EKS cluster name or ARN to the name.
func clusterName(id string) string {
	if strings.HasPrefix(id, "arn:") {
		if i := strings.LastIndex(id, ":cluster/"); i >= 0 {
			return id[i+len(":cluster/"):]
		}
	}
	return id
}
