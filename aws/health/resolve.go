package health

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/fis-mcp/fis-mcp/session"
)

// Resolve resolves every target of t the way FIS does, read-only: resourceArns are parsed,
// resourceTags are looked up the way the type's table row says (Tagging API, Auto Scaling,
// IAM or ARC), parameters identify resources for the types FIS documents parameters for
// (https://docs.aws.amazon.com/fis/latest/userguide/targets.html). Filters, parameter
// narrowing (Availability Zones), Spot selection and gone resources are applied by Check
// after describing; selection modes keep the whole candidate set.
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
	rv := &resolver{env: env}
	for _, tg := range t.Targets {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		rs, notes, err := rv.target(ctx, tg)
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
			res.Notes = append(res.Notes, fmt.Sprintf("target %s (%s) resolved no resources", tg.Name, tg.ResourceType))
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

// resolver resolves targets, sharing lookups (AZ names) within one health check.
type resolver struct {
	env Env
	azs azNames
}

// target resolves one target: its ARNs, its tags, or (without either) its parameters.
func (rv *resolver) target(ctx context.Context, tg session.Target) ([]Resource, []string, error) {
	ti, known := LookupType(tg.ResourceType)
	var notes []string
	seen := map[string]bool{}
	var rs []Resource
	add := func(id, arn, via string, listing any) {
		if seen[id] {
			return
		}
		seen[id] = true
		rs = append(rs, Resource{ID: id, ARN: arn, Type: tg.ResourceType, Target: tg.Name, Params: tg.Parameters, Via: via, FilterAttributes: listing})
	}
	if len(tg.ResourceArns) > 0 && len(tg.ResourceTags) > 0 {
		notes = append(notes, fmt.Sprintf("target %s sets both resourceArns and resourceTags (FIS accepts only one); both were resolved", tg.Name))
	}
	for _, arn := range tg.ResourceArns {
		id, err := IDFromARN(tg.ResourceType, arn)
		if err != nil {
			return nil, notes, err
		}
		add(id, arn, ViaARN, nil)
	}
	if len(tg.ResourceTags) > 0 {
		found, err := rv.byTags(ctx, tg, ti, known)
		if err != nil {
			return nil, notes, err
		}
		for _, f := range found {
			if f.id == "" {
				id, err := IDFromARN(tg.ResourceType, f.arn)
				if err != nil {
					notes = append(notes, fmt.Sprintf("target %s: skipped tagged resource %s: %v", tg.Name, f.arn, err))
					continue
				}
				f.id = id
			}
			add(f.id, f.arn, ViaTags, f.listing)
		}
	}
	if len(tg.ResourceArns) == 0 && len(tg.ResourceTags) == 0 {
		found, err := rv.byParams(ctx, tg, ti, known)
		if err != nil {
			return nil, notes, err
		}
		for _, f := range found {
			add(f.id, f.arn, ViaParameters, f.listing)
		}
	}
	notes = append(notes, unappliedParamNotes(tg, ti)...)
	if known && ti.FilterOnListing && len(tg.Filters) > 0 {
		if err := rv.attachListings(ctx, ti, rs); err != nil {
			notes = append(notes, fmt.Sprintf("target %s: the %s output its filters apply to could not be read: %v", tg.Name, ti.FilterAPI, err))
		}
	}
	return rs, notes, nil
}

// byTags resolves a target's resourceTags the way its type's row says.
func (rv *resolver) byTags(ctx context.Context, tg session.Target, ti TypeInfo, known bool) ([]tagged, error) {
	c := rv.env.Clients
	method := TagsByTaggingAPI
	if known {
		method = ti.Tags
	}
	switch method {
	case TagsByAutoScaling:
		return asgsByTags(ctx, c, tg.ResourceTags)
	case TagsByIAM:
		return rolesByTags(ctx, c, tg.ResourceTags)
	case TagsByARC:
		return arcByTags(ctx, c, tg.ResourceTags)
	case TagsUnsupported:
		return nil, fmt.Errorf("%s targets cannot be resolved by tags: FIS identifies them by parameters (%s); replace resourceTags with parameters",
			tg.ResourceType, strings.Join(ti.Parameters, ", "))
	}
	arns, err := arnsByTags(ctx, c, TaggingTypeFilter(tg.ResourceType), tg.ResourceTags)
	if err != nil {
		return nil, err
	}
	out := make([]tagged, 0, len(arns))
	for _, a := range arns {
		out = append(out, tagged{arn: a})
	}
	return out, nil
}

// byParams resolves a target given by parameters only, for the types FIS documents it for.
func (rv *resolver) byParams(ctx context.Context, tg session.Target, ti TypeInfo, known bool) ([]tagged, error) {
	c := rv.env.Clients
	p := tg.Parameters
	if len(p) == 0 {
		return nil, errors.New("the target has neither resourceArns, resourceTags nor parameters")
	}
	if !known || !ti.ParamsOnly {
		return nil, fmt.Errorf("targets of type %s by parameters alone are not supported: FIS documents no identifying parameters for it (FIS User Guide, targets: resource parameters); add resourceArns or resourceTags", tg.ResourceType)
	}
	switch tg.ResourceType {
	case TypeEKSPod:
		for _, k := range []string{"clusterIdentifier", "namespace", "selectorType", "selectorValue"} {
			if p[k] == "" {
				return nil, fmt.Errorf("aws:eks:pod target lacks parameter %s", k)
			}
		}
		return []tagged{{id: PodTargetID(p)}}, nil
	case TypeECSTask:
		if p["cluster"] == "" {
			return nil, errors.New("aws:ecs:task target by parameters needs the cluster parameter")
		}
		arns, err := ecsTasksByParams(ctx, c, p)
		if err != nil {
			return nil, err
		}
		var out []tagged
		for _, arn := range arns {
			if id, err := IDFromARN(tg.ResourceType, arn); err == nil {
				out = append(out, tagged{id: id, arn: arn})
			}
		}
		return out, nil
	case "aws:ec2:subnet":
		return subnetsByParams(ctx, c, p)
	case "aws:ec2:ebs-volume":
		return volumesByParams(ctx, c, p)
	}
	return nil, fmt.Errorf("targets of type %s by parameters are not supported by the health check", tg.ResourceType)
}

// attachListings carries, on each resource, the listing object FIS applies filters to for
// types whose filters match a listing (S3 ListBuckets entries, ARC ListManagedResources summaries).
func (rv *resolver) attachListings(ctx context.Context, ti TypeInfo, rs []Resource) error {
	c := rv.env.Clients
	need := false
	for _, r := range rs {
		if r.FilterAttributes == nil {
			need = true
		}
	}
	if !need {
		return nil
	}
	byKey := map[string]any{}
	switch ti.Type {
	case "aws:s3:bucket":
		buckets, err := s3Buckets(ctx, c)
		if err != nil {
			return err
		}
		for name, b := range buckets {
			byKey[name] = b
		}
	case TypeARCManaged:
		items, err := arcManagedResources(ctx, c)
		if err != nil {
			return err
		}
		for _, it := range items {
			byKey[aws.ToString(it.Arn)] = it
		}
	default:
		return nil
	}
	for i := range rs {
		if rs[i].FilterAttributes == nil {
			if v, ok := byKey[rs[i].ID]; ok {
				rs[i].FilterAttributes = v
			}
		}
	}
	return nil
}

// unappliedParamNotes says which documented parameters narrow what FIS acts on inside the
// resolved resources (a Lambda qualifier, the writer's AZ, a pod's AZ by host IP) rather than
// the set of resources: the health check covers the whole resources.
func unappliedParamNotes(tg session.Target, ti TypeInfo) []string {
	var notes []string
	for _, k := range ti.Parameters {
		v := tg.Parameters[k]
		if v == "" || k == ti.AZParam {
			continue
		}
		switch {
		case tg.ResourceType == "aws:lambda:function" && k == "functionQualifier",
			tg.ResourceType == "aws:rds:cluster" && k == "writerAvailabilityZoneIdentifiers",
			tg.ResourceType == TypeEKSPod && k == "availabilityZoneIdentifier":
			notes = append(notes, fmt.Sprintf("target %s: parameter %s=%s narrows what FIS acts on within the selected resources; the health check covers them whole", tg.Name, k, v))
		}
	}
	return notes
}
