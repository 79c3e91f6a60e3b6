package health

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/session"
)

// Statuses the orchestrator assigns itself (checkers use their service's own words).
const (
	StatusUnchecked         = "unchecked"
	StatusNotFound          = "not-found"
	StatusNoTargetsResolved = "no-targets-resolved"
	StatusUnresolved        = "unresolved"
)

// chunkSize bounds how many resources one checker call gets (AWS batch APIs take ≤ 100 IDs).
const chunkSize = 100

// Options tune Check.
type Options struct {
	// Concurrency bounds how many checker calls run at once; 0 means 8.
	Concurrency int
	// Now stamps CheckedAt; nil means time.Now.
	Now func() time.Time
}

// Check resolves the template's targets, checks every resource's live state, applies
// the targets' filters, checks the stop-condition alarms and the IAM role, and returns
// the verdict: healthy only when every resource and alarm is healthy and the role exists.
// It is read-only: nothing is started or changed.
func Check(ctx context.Context, env Env, reg Registry, t session.Template, opts Options) session.HealthResult {
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	hr := session.HealthResult{}
	res, err := Resolve(ctx, env, reg, t)
	if err != nil {
		hr.Notes = append(hr.Notes, "target resolution failed: "+err.Error())
		hr.Resources = append(hr.Resources, session.ResourceHealth{
			ID: "(resolution)", Type: "fis:target", Status: StatusUnresolved, Detail: err.Error(),
		})
	}
	hr.Notes = append(hr.Notes, res.Notes...)

	results := runCheckers(ctx, env, reg, res.Resources, opts.Concurrency)
	sel := selectResults(ctx, env, t, res.Resources, results)
	hr.Notes = append(hr.Notes, sel.notes...)
	hr.Resources = append(hr.Resources, sel.kept...)
	placeholders := append(res.Placeholders, sel.empty...)
	kept, skipped, notes := applyEmptyTargetMode(t, placeholders)
	hr.Resources = append(hr.Resources, kept...)
	hr.SkippedTargets = skipped
	hr.Notes = append(hr.Notes, notes...)
	sortResources(hr.Resources)

	if env.Clients != nil {
		hr.Alarms = CheckAlarms(ctx, env.Clients, t.StopConditions)
		hr.Role = CheckRole(ctx, env.Clients, t.RoleArn)
		AddAlarmWarnings(&hr) // INSUFFICIENT_DATA stop conditions: loud, not a block
	}

	hr.Verdict = Verdict(hr.Resources, hr.Alarms, hr.Role)
	hr.AllHealthy = hr.Verdict == session.VerdictHealthy
	hr.CheckedAt = now().UTC()
	return hr
}

// Verdict is healthy only when every resource is healthy, every alarm is healthy and the
// role exists (a nil role check means not applicable); otherwise blocked.
func Verdict(rs []session.ResourceHealth, alarms []session.AlarmHealth, role *session.RoleCheck) string {
	for _, r := range rs {
		if !r.Healthy {
			return session.VerdictBlocked
		}
	}
	for _, a := range alarms {
		if !a.Healthy {
			return session.VerdictBlocked
		}
	}
	if role != nil && !role.Exists {
		return session.VerdictBlocked
	}
	return session.VerdictHealthy
}

// Recheck checks a known list of resources again (no re-resolution), for sampling live
// states while an experiment runs. Entries that stand for no resource are returned as they are.
func Recheck(ctx context.Context, env Env, reg Registry, rs []session.ResourceHealth) []session.ResourceHealth {
	out := make([]session.ResourceHealth, len(rs))
	var todo []Resource
	var idx []int
	for i, h := range rs {
		if h.Status == StatusNoTargetsResolved || h.Status == StatusUnresolved {
			out[i] = h
			continue
		}
		r := Resource{ID: h.ID, ARN: h.ARN, Type: h.Type, Target: h.Target}
		if h.Type == TypeEKSPod {
			r.Params = PodParamsFromID(h.ID)
		}
		todo = append(todo, r)
		idx = append(idx, i)
	}
	results := runCheckers(ctx, env, reg, todo, 0)
	for j, r := range results {
		out[idx[j]] = r.ResourceHealth
	}
	return out
}

// runCheckers checks rs with the registry's checkers, grouped per type in chunks of at most
// chunkSize, at most conc chunks at a time. It returns one result per resource, in order.
func runCheckers(ctx context.Context, env Env, reg Registry, rs []Resource, conc int) []Result {
	if conc <= 0 {
		conc = 8
	}
	out := make([]Result, len(rs))
	type job struct {
		typ string
		idx []int
	}
	var jobs []job
	byType := map[string][]int{}
	var typeOrder []string
	for i, r := range rs {
		if _, ok := byType[r.Type]; !ok {
			typeOrder = append(typeOrder, r.Type)
		}
		byType[r.Type] = append(byType[r.Type], i)
	}
	for _, typ := range typeOrder {
		idx := byType[typ]
		if reg[typ] == nil {
			for _, i := range idx {
				out[i] = Unchecked(rs[i], "no health checker for resource type "+typ)
			}
			continue
		}
		for start := 0; start < len(idx); start += chunkSize {
			jobs = append(jobs, job{typ: typ, idx: idx[start:min(start+chunkSize, len(idx))]})
		}
	}
	sem := make(chan struct{}, conc)
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			chunk := make([]Resource, len(j.idx))
			for k, i := range j.idx {
				chunk[k] = rs[i]
			}
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				for k, i := range j.idx {
					out[i] = Unchecked(chunk[k], "not checked: "+ctx.Err().Error())
				}
				return
			}
			defer func() { <-sem }()
			results := safeCheck(ctx, env, reg[j.typ], chunk)
			for k, i := range j.idx {
				out[i] = normalise(chunk[k], results, k)
			}
		}()
	}
	wg.Wait()
	return out
}

// safeCheck runs one checker, turning a panic into unchecked results.
func safeCheck(ctx context.Context, env Env, fn CheckFunc, chunk []Resource) (results []Result) {
	defer func() {
		if p := recover(); p != nil {
			results = make([]Result, len(chunk))
			for k, r := range chunk {
				results[k] = Unchecked(r, fmt.Sprintf("health checker failed: %v", p))
			}
		}
	}()
	return fn(ctx, env, chunk)
}

// normalise returns result k for resource r, with the resource's identity filled in.
func normalise(r Resource, results []Result, k int) Result {
	if k >= len(results) {
		return Unchecked(r, "the health checker returned no result for this resource")
	}
	res := results[k]
	if res.ID == "" {
		res.ID = r.ID
	}
	if res.ARN == "" {
		res.ARN = r.ARN
	}
	res.Type = r.Type
	res.Target = r.Target
	if res.Status == "" {
		res.Status = StatusUnchecked
		res.Healthy = false
	}
	return res
}

func sortResources(rs []session.ResourceHealth) {
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].Target != rs[j].Target {
			return rs[i].Target < rs[j].Target
		}
		return rs[i].ID < rs[j].ID
	})
}

func joinDetail(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// describedResult builds a checker result for r.
func describedResult(r Resource, status string, healthy bool, detail string, attrs any) Result {
	return Result{ResourceHealth: session.ResourceHealth{
		ID: r.ID, ARN: r.ARN, Type: r.Type, Target: r.Target,
		Status: status, Healthy: healthy, Detail: detail,
	}, Attributes: attrs}
}

// failedCall turns a failed AWS call for r into its result: not-found (unhealthy) when the
// resource does not exist, otherwise unchecked with an actionable reason.
func failedCall(r Resource, err error, op, permission string) Result {
	if awsapi.IsNotFound(err) {
		return describedResult(r, StatusNotFound, false, fmt.Sprintf("%s: %s does not exist (%s)", op, r.ID, awsapi.Code(err)), nil)
	}
	msg := awsapi.Wrap(err, op, r.ID, permission).Error()
	if c := awsapi.Code(err); (c == "ForbiddenException" || c == "Forbidden") && awsapi.Classify(err) != awsapi.KindAccessDenied {
		// MSK and S3 spell access denied their own way.
		msg += ". Grant the caller's IAM identity " + permission
	}
	return Unchecked(r, msg)
}

// emptyResponse is the result for a call that answered without the described object.
func emptyResponse(r Resource, op string) Result {
	return Unchecked(r, op+" returned no description of "+r.ID)
}
