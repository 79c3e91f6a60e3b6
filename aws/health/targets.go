package health

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
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

// TaggingTypeFilter returns the Tagging API resource type filter of a FIS resource type
// (aws:ec2:instance → ec2:instance, aws:rds:cluster → rds:cluster, ...), from the type table;
// "" for types whose tags do not resolve through the Tagging API (Auto Scaling groups, IAM
// roles, ARC managed resources, EKS pods). Unknown types fall back to "{service}:{type}".
func TaggingTypeFilter(fisType string) string {
	if ti, ok := LookupType(fisType); ok {
		if ti.Tags != TagsByTaggingAPI {
			return ""
		}
		return ti.TaggingFilter
	}
	parts := strings.SplitN(fisType, ":", 3)
	if len(parts) == 3 && parts[0] == "aws" {
		return parts[1] + ":" + parts[2]
	}
	return ""
}

// IDFromARN returns the service's own identifier of a FIS target resource from its ARN:
// an instance ID, a cluster or replication group identifier, "cluster/nodegroup" for EKS
// node groups, "cluster/task" for ECS tasks, the ARN itself for ARC managed resources.
// The ARN's service and resource type must be those of the type's table row.
func IDFromARN(fisType, arn string) (string, error) {
	ti, ok := LookupType(fisType)
	if !ok {
		parts := strings.SplitN(arn, ":", 6)
		if len(parts) < 6 || parts[0] != "arn" || parts[5] == "" {
			return "", fmt.Errorf("%q is not an ARN", arn)
		}
		return defaultID(parts[5]), nil
	}
	res, err := ti.acceptsARN(arn)
	if err != nil {
		return "", err
	}
	if ti.id != nil {
		return ti.id(res, arn)
	}
	return defaultID(res), nil
}

// ecsTasksByParams lists the running tasks of an aws:ecs:task target given by parameters
// (cluster, optional service).
func ecsTasksByParams(ctx context.Context, c *awsapi.Clients, params map[string]string) ([]string, error) {
	in := &ecs.ListTasksInput{Cluster: aws.String(params["cluster"])}
	if s := params["service"]; s != "" {
		in.ServiceName = aws.String(s)
	}
	var arns []string
	p := ecs.NewListTasksPaginator(c.ECS, in)
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, awsapi.Wrap(err, "ecs ListTasks", params["cluster"], "ecs:ListTasks")
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
