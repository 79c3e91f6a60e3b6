package health

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/fis-mcp/fis-mcp/session"
)

// selection is what FIS would act on after describing: the kept results, a placeholder per
// target left with nothing, and notes saying what was left out and why.
type selection struct {
	kept  []session.ResourceHealth
	empty []session.ResourceHealth
	notes []string
}

// targetTally counts, for one target, what each selection step left out.
type targetTally struct {
	resolved                         int
	kept                             int
	gone, onDemand, otherAZ, noMatch []string
	filtered                         bool
}

// selectResults applies, target by target, what FIS applies after describing
// (https://docs.aws.amazon.com/fis/latest/userguide/targets.html): resources listed by tags or
// that are gone are left out (the Tagging API still lists them; FIS would not act on them); aws:ec2:spot-instance
// selects Spot Instances only; Availability Zone parameters narrow the set; filters match the
// output of the API the type's table row names. results[i] is the result of rs[i].
func selectResults(ctx context.Context, env Env, t session.Template, rs []Resource, results []Result) selection {
	var sel selection
	targets := map[string]session.Target{}
	tallies := map[string]*targetTally{}
	for _, tg := range t.Targets {
		targets[tg.Name] = tg
		tallies[tg.Name] = &targetTally{}
	}
	azs := &azNames{}
	azNotes := map[string]string{}
	for i, r := range results {
		if i >= len(rs) {
			break
		}
		res := rs[i]
		tg := targets[r.Target]
		tl := tallies[r.Target]
		if tl == nil {
			tl = &targetTally{}
			tallies[r.Target] = tl
		}
		tl.resolved++
		ti, _ := LookupType(res.Type)
		if res.Via == ViaTags && ti.isGone(r.Status) {
			tl.gone = append(tl.gone, r.ID)
			continue
		}
		doc, derr := describedDoc(r.Attributes)
		if ti.SelectPath != "" && doc != nil && !anyEqual(walkPath(doc, strings.Split(ti.SelectPath, ".")), ti.SelectValues) {
			tl.onDemand = append(tl.onDemand, r.ID)
			continue
		}
		if keep, note := inAZ(ctx, env, azs, ti, tg, doc); !keep {
			tl.otherAZ = append(tl.otherAZ, r.ID)
			continue
		} else if note != "" {
			azNotes[r.Target] = note
		}
		if len(tg.Filters) > 0 {
			tl.filtered = true
			attrs, what := r.Attributes, "its description"
			if ti.FilterOnListing {
				attrs, what = res.FilterAttributes, ti.FilterAPI+" output"
			}
			switch {
			case attrs == nil:
				// Not described: it cannot be filtered out, so it stays (and is already not healthy
				// when the checker could not describe it).
				r.Detail = joinDetail(r.Detail, "target filters could not be applied: "+what+" is not available")
			case derr != nil && !ti.FilterOnListing:
				r.Detail = joinDetail(r.Detail, "target filters could not be applied: "+derr.Error())
			default:
				ok, ferr := MatchFilters(attrs, tg.Filters)
				if ferr != nil {
					r.Detail = joinDetail(r.Detail, "target filters could not be applied: "+ferr.Error())
				} else if !ok {
					tl.noMatch = append(tl.noMatch, r.ID)
					continue
				}
			}
		}
		tl.kept++
		sel.kept = append(sel.kept, r.ResourceHealth)
	}
	for _, tg := range t.Targets {
		tl := tallies[tg.Name]
		if tl.resolved == 0 {
			continue
		}
		sel.notes = append(sel.notes, tallyNotes(tg, tl, azNotes[tg.Name])...)
		if tl.kept == 0 {
			sel.empty = append(sel.empty, session.ResourceHealth{
				ID: "(none)", Type: tg.ResourceType, Target: tg.Name, Status: StatusNoTargetsResolved, Detail: emptyReason(tl),
			})
		}
	}
	return sel
}

func tallyNotes(tg session.Target, tl *targetTally, azNote string) []string {
	var notes []string
	if len(tl.gone) > 0 {
		notes = append(notes, fmt.Sprintf("target %s: %d resolved resources are gone (terminated or deleted) and were left out, as FIS does not act on them: %s",
			tg.Name, len(tl.gone), strings.Join(tl.gone, ", ")))
	}
	if len(tl.onDemand) > 0 {
		notes = append(notes, fmt.Sprintf("target %s (%s): excluded %d instances that are not Spot Instances (InstanceLifecycle is not spot): %s",
			tg.Name, tg.ResourceType, len(tl.onDemand), strings.Join(tl.onDemand, ", ")))
	}
	if azNote != "" {
		notes = append(notes, fmt.Sprintf("target %s: %s", tg.Name, azNote))
	}
	if len(tl.otherAZ) > 0 {
		notes = append(notes, fmt.Sprintf("target %s: %d resources outside the Availability Zone its parameters name were left out (FIS does not act on them): %s",
			tg.Name, len(tl.otherAZ), strings.Join(tl.otherAZ, ", ")))
	}
	if tl.filtered {
		before := tl.resolved - len(tl.gone) - len(tl.onDemand) - len(tl.otherAZ)
		notes = append(notes, fmt.Sprintf("target %s: filters kept %d of %d resolved resources", tg.Name, tl.kept, before))
		if tl.kept == 0 && before > 0 {
			notes = append(notes, fmt.Sprintf("target %s (%s): no resource matches the filters", tg.Name, tg.ResourceType))
		}
	}
	return notes
}

func emptyReason(tl *targetTally) string {
	var why []string
	if len(tl.gone) > 0 {
		why = append(why, fmt.Sprintf("%d gone", len(tl.gone)))
	}
	if len(tl.onDemand) > 0 {
		why = append(why, fmt.Sprintf("%d not Spot Instances", len(tl.onDemand)))
	}
	if len(tl.otherAZ) > 0 {
		why = append(why, fmt.Sprintf("%d in another Availability Zone", len(tl.otherAZ)))
	}
	if len(tl.noMatch) > 0 {
		why = append(why, fmt.Sprintf("%d not matching the filters", len(tl.noMatch)))
	}
	if len(tl.noMatch) > 0 && len(why) == 1 {
		return "no resource matches the target's filters"
	}
	return fmt.Sprintf("none of the %d resolved resources is selected (%s)", tl.resolved, strings.Join(why, ", "))
}

// describedDoc decodes a described object into generic JSON for path lookups; nil for nil.
func describedDoc(attrs any) (any, error) {
	if attrs == nil {
		return nil, nil
	}
	b, err := json.Marshal(attrs)
	if err != nil {
		return nil, fmt.Errorf("encode described resource: %w", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("decode described resource: %w", err)
	}
	return doc, nil
}

// inAZ reports whether a described resource lies in the Availability Zone(s) the target's AZ
// parameter names (a comma-separated list, "all" for every zone). AZ IDs are mapped to the
// account's AZ codes when the described object carries codes only. A resource that could not
// be described stays (it cannot be placed), and so does one when the mapping fails (with a note).
func inAZ(ctx context.Context, env Env, azs *azNames, ti TypeInfo, tg session.Target, doc any) (bool, string) {
	if ti.AZParam == "" || doc == nil {
		return true, ""
	}
	raw := strings.TrimSpace(tg.Parameters[ti.AZParam])
	if raw == "" || strings.EqualFold(raw, "all") {
		return true, ""
	}
	hasIDPath := false
	for _, p := range ti.AZPaths {
		if strings.HasSuffix(p, "Id") {
			hasIDPath = true
		}
	}
	var want []string
	var note string
	for _, id := range strings.Split(raw, ",") {
		id = strings.TrimSpace(id)
		if id == "" {
			continue
		}
		want = append(want, id)
		if isAZID(id) && !hasIDPath && !ti.AZNameOnly && env.Clients != nil {
			name, err := azs.name(ctx, env.Clients, id)
			if err != nil {
				return true, fmt.Sprintf("%s %s could not be mapped to an Availability Zone code (%v): the resources were not narrowed to it", ti.AZParam, id, err)
			}
			want = append(want, name)
			note = fmt.Sprintf("%s %s is %s in this account", ti.AZParam, id, name)
		}
	}
	for _, p := range ti.AZPaths {
		if anyEqual(walkPath(doc, strings.Split(p, ".")), want) {
			return true, note
		}
	}
	return false, note
}

// applyEmptyTargetMode turns the placeholders of targets that select nothing into skipped
// targets when the template's emptyTargetResolutionMode is skip, as FIS does: "If no resources
// are resolved for the target, the experiment will continue and any actions with no resolved
// targets are skipped. Actions with targets that are defined using unique identifiers, such as
// ARNs, cannot be skipped" (https://docs.aws.amazon.com/fis/latest/userguide/experiment-options.html).
// Under fail (the default) they stay and block.
func applyEmptyTargetMode(t session.Template, placeholders []session.ResourceHealth) ([]session.ResourceHealth, []session.SkippedTarget, []string) {
	mode := strings.ToLower(strings.TrimSpace(t.ExperimentOptions["emptyTargetResolutionMode"]))
	targets := map[string]session.Target{}
	for _, tg := range t.Targets {
		targets[tg.Name] = tg
	}
	var kept []session.ResourceHealth
	var skipped []session.SkippedTarget
	var notes []string
	for _, p := range placeholders {
		tg, ok := targets[p.Target]
		if p.Status != StatusNoTargetsResolved || !ok {
			kept = append(kept, p)
			continue
		}
		switch {
		case mode == "skip" && len(tg.ResourceArns) == 0:
			acts := ActionsUsing(t, tg.Name)
			skipped = append(skipped, session.SkippedTarget{Target: tg.Name, ResourceType: tg.ResourceType, Actions: acts, Reason: p.Detail})
			notes = append(notes, SkipNote(tg.Name, acts))
		case mode == "skip":
			kept = append(kept, p)
			notes = append(notes, fmt.Sprintf("target %s (%s) selects no resource and is defined by resourceArns: even with emptyTargetResolutionMode skip, FIS fails the experiment when a target given by unique identifiers is not found", tg.Name, tg.ResourceType))
		default:
			kept = append(kept, p)
			notes = append(notes, fmt.Sprintf("target %s (%s) selects no resource: FIS would fail the experiment at start (emptyTargetResolutionMode fail); set emptyTargetResolutionMode skip to skip its actions instead", tg.Name, tg.ResourceType))
		}
	}
	return kept, skipped, notes
}

// ActionsUsing names the template's actions whose targets use the target, in template order.
func ActionsUsing(t session.Template, target string) []string {
	var out []string
	for _, a := range t.Actions {
		for _, name := range a.Targets {
			if name == target {
				out = append(out, a.Name)
				break
			}
		}
	}
	return out
}

// SkipNote says which actions FIS skips for an empty target under emptyTargetResolutionMode skip.
func SkipNote(target string, actions []string) string {
	if len(actions) == 0 {
		return fmt.Sprintf("target %s resolves no resources: FIS will skip it (emptyTargetResolutionMode skip); no action uses it", target)
	}
	return fmt.Sprintf("target %s resolves no resources: FIS will skip actions %s (emptyTargetResolutionMode skip)", target, strings.Join(actions, ", "))
}
