package report

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/untrusted"
)

// Sources of AWS's own records (the aws/events constants, kept here so the report does
// not import the AWS SDK; TestFaultSourcesMatchEvents keeps them equal).
const (
	srcRDSEvents      = "rds:DescribeEvents"
	srcDocDBEvents    = "docdb:DescribeEvents"
	srcCacheEvents    = "elasticache:DescribeEvents"
	srcMemoryDBEvents = "memorydb:DescribeEvents"
	srcEC2Transitions = "ec2:DescribeInstances"
	srcScaling        = "autoscaling:DescribeScalingActivities"
)

// faultSlack is how long before an action's FIS start time a record still counts as its
// effect (AWS services and FIS stamp times from different clocks).
const faultSlack = 10 * time.Second

// faultChecks says, for every action of the run, whether its effect was observed in
// AWS's own records (issue 15, "Did the fault land?").
func faultChecks(s *session.Session, a *Analysis, lang string) []FaultCheck {
	if s == nil {
		return nil
	}
	evs := faultEvents(s)
	var out []FaultCheck
	if a.Aborted || s.Run == nil {
		for _, ac := range s.Experiment.Template.Actions {
			out = append(out, FaultCheck{Action: ac.Name, ActionID: ac.ActionID, Observed: FaultNotObserved,
				Evidence: tr(lang, "no experiment was started, so the action never ran")})
		}
		return out
	}
	runs := s.Run.Actions
	if len(runs) == 0 {
		// FIS never reported action states (the run's state is unknown): every template action is unconfirmed.
		for _, ac := range s.Experiment.Template.Actions {
			runs = append(runs, session.ActionRun{Name: ac.Name, ActionID: ac.ActionID})
		}
	}
	for _, ar := range runs {
		fc := &faultCtx{s: s, a: a, lang: lang, run: ar, events: evs}
		fc.tmpl = templateAction(s, ar.Name)
		if ar.ActionID == "" && fc.tmpl != nil {
			fc.run.ActionID = fc.tmpl.ActionID
		}
		out = append(out, fc.check())
	}
	return out
}

// faultEvents merges the live timeline and the AWS observations read at finalize, once
// each, oldest first.
func faultEvents(s *session.Session) []session.Event {
	seen := map[string]bool{}
	var out []session.Event
	add := func(e session.Event) {
		k := e.Time.UTC().Format(time.RFC3339Nano) + "\x00" + e.Source + "\x00" + e.Subject + "\x00" + e.Message
		if !seen[k] {
			seen[k] = true
			out = append(out, e)
		}
	}
	for _, e := range s.Timeline {
		add(e)
	}
	if s.Observations != nil {
		for _, e := range s.Observations.ServiceEvents {
			add(e)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out
}

func templateAction(s *session.Session, name string) *session.Action {
	for i := range s.Experiment.Template.Actions {
		if s.Experiment.Template.Actions[i].Name == name {
			return &s.Experiment.Template.Actions[i]
		}
	}
	return nil
}

// faultCtx is the check of one action.
type faultCtx struct {
	s      *session.Session
	a      *Analysis
	lang   string
	run    session.ActionRun
	tmpl   *session.Action
	events []session.Event
	from   time.Time
	to     time.Time
	// named are the target resources themselves (targetIDs adds their member instances).
	named []string
}

// names lists the target resources for a message.
func (c *faultCtx) names() string { return strings.Join(c.named, ", ") }

func (c *faultCtx) t(format string, args ...any) string { return tr(c.lang, format, args...) }

func (c *faultCtx) result(observed, evidence string) FaultCheck {
	return FaultCheck{Action: c.run.Name, ActionID: c.run.ActionID, Observed: observed, Evidence: evidence}
}

// neverStarted reports whether FIS says the action did not run (action states
// pending | initiating | running | completed | cancelled | stopping | stopped | failed | skipped:
// https://docs.aws.amazon.com/fis/latest/APIReference/API_ExperimentActionState.html; pending,
// cancelled and skipped actions never started, nor did one that failed without a start time).
func neverStarted(ar session.ActionRun) bool {
	switch ar.State {
	case "", "pending", "cancelled", "skipped":
		return true
	case "initiating":
		return ar.StartTime == nil
	}
	return ar.StartTime == nil && ar.State == "failed"
}

func (c *faultCtx) fisState() string {
	st := c.run.State
	if st == "" {
		st = c.t("no state recorded")
	}
	if c.run.Reason != "" {
		st += " (" + c.run.Reason + ")"
	}
	return st
}

func (c *faultCtx) check() FaultCheck {
	if neverStarted(c.run) {
		return c.result(FaultNotObserved, c.t("the action never started: FIS state %s", c.fisState()))
	}
	c.from = c.a.FaultStart
	if c.run.StartTime != nil {
		c.from = *c.run.StartTime
	}
	if c.from.IsZero() {
		c.from = c.a.ExperimentStart
	}
	c.from = c.from.Add(-faultSlack)
	c.to = c.a.WindowClose
	id := c.run.ActionID
	// What each action does: https://docs.aws.amazon.com/fis/latest/userguide/fis-actions-reference.html.
	switch {
	case id == "aws:rds:failover-db-cluster" || strings.HasPrefix(id, "aws:docdb:") && strings.Contains(id, "failover"):
		return c.dbFailover()
	case id == "aws:rds:reboot-db-instances" || strings.HasPrefix(id, "aws:docdb:") && strings.Contains(id, "reboot"):
		return c.dbReboot()
	case strings.HasPrefix(id, "aws:elasticache:"):
		return c.cacheFailover(srcCacheEvents)
	case strings.HasPrefix(id, "aws:memorydb:"):
		return c.cacheFailover(srcMemoryDBEvents)
	case id == "aws:ec2:stop-instances" || id == "aws:ec2:terminate-instances" || id == "aws:ec2:send-spot-instance-interruptions":
		return c.ec2States(false)
	case id == "aws:ec2:reboot-instances":
		return c.ec2States(true)
	case id == "aws:ec2:asg-insufficient-instance-capacity-error":
		return c.asgCapacity()
	case id == "aws:eks:pod-delete" || id == "aws:eks:terminate-nodegroup-instances":
		return c.pods(false)
	case strings.HasPrefix(id, "aws:eks:pod-") && strings.HasSuffix(id, "-stress"):
		return c.pods(true)
	case strings.HasPrefix(id, "aws:network:") || strings.HasPrefix(id, "aws:fis:inject-api-") || strings.HasPrefix(id, "aws:eks:pod-network-"):
		return c.network()
	}
	return c.result(FaultNotCheckable, c.t("not checkable for this action type: fis-mcp reads no AWS record that shows the effect of %s", orDash(id)))
}

// inWindow reports whether e lies in the action's window.
func (c *faultCtx) inWindow(e session.Event) bool {
	if e.Time.Before(c.from) {
		return false
	}
	return c.to.IsZero() || !e.Time.After(c.to)
}

// quote renders a record: time, source API, subject and message as AWS wrote it.
func (c *faultCtx) quote(e session.Event) string {
	msg := "“" + e.Message + "”"
	if untrustedSource(e.Source) {
		msg = untrusted.Code(e.Message, untrusted.MaxLine) // AWS's text: data, not instructions
	}
	q := fmt.Sprintf("%s %s %s: %s", iso(e.Time), e.Source, e.Subject, msg)
	if e.Observed {
		q += c.t(" (time seen by fis-mcp)")
	}
	return q
}

// targetIDs are the lower-cased identifiers of the resources the action's targets
// resolved to (health check, FIS's resolved targets, template ARNs), by target type.
func (c *faultCtx) targetIDs() (ids []string, types []string) {
	if c.tmpl == nil {
		return nil, nil
	}
	seen := map[string]bool{}
	add := func(id string) {
		if i := strings.LastIndexAny(id, "/:"); i >= 0 && strings.HasPrefix(id, "arn:") {
			id = id[i+1:]
		}
		id = strings.ToLower(strings.TrimSpace(id))
		if id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	names := make([]string, 0, len(c.tmpl.Targets))
	for _, n := range c.tmpl.Targets {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, tg := range c.s.Experiment.Template.Targets {
			if tg.Name == name {
				types = append(types, tg.ResourceType)
				for _, arn := range tg.ResourceArns {
					add(arn)
				}
			}
		}
		if c.s.Health != nil {
			for _, r := range c.s.Health.Resources {
				if r.Target == name {
					add(r.ID)
				}
			}
		}
		for _, r := range c.s.Run.ResolvedTargets {
			if r.TargetName == name {
				add(r.Identifier)
			}
		}
	}
	if len(ids) == 0 && c.s.Health != nil {
		// Older sessions name no target on the checked resources: take those of the targets' types.
		for _, r := range c.s.Health.Resources {
			if r.Target == "" && contains(types, r.Type) {
				add(r.ID)
			}
		}
	}
	c.named = append([]string(nil), ids...)
	for _, id := range c.named {
		for _, m := range members(c.healthDetail(id)) {
			add(m) // a DB cluster's member instances (their own events)
		}
	}
	return ids, types
}

// subjectOf reports whether an event subject is one of ids or one of their members
// (ElastiCache "demo-redis-001" of "demo-redis", MemoryDB nodes "c-0001-001").
func subjectOf(subject string, ids []string) bool {
	s := strings.ToLower(subject)
	for _, id := range ids {
		if s == id || strings.HasPrefix(s, id+"-") {
			return true
		}
	}
	return false
}

// healthDetail is the health check's detail of resource id ("" when not checked).
func (c *faultCtx) healthDetail(id string) string {
	if c.s.Health == nil {
		return ""
	}
	for _, r := range c.s.Health.Resources {
		if strings.EqualFold(r.ID, id) {
			return r.Detail
		}
	}
	return ""
}

// resourceStatus is the new status of a sampled resource-state event ("type id: old → new (detail)").
func resourceStatus(msg string) string {
	i := strings.LastIndex(msg, "→ ")
	if i < 0 {
		return ""
	}
	st := msg[i+len("→ "):]
	if j := strings.Index(st, " ("); j >= 0 {
		st = st[:j]
	}
	return strings.TrimSpace(st)
}

var (
	writerRe  = regexp.MustCompile(`writer ([A-Za-z0-9._-]+)`)
	primaryRe = regexp.MustCompile(`primary ([A-Za-z0-9._-]+)`)
	membersRe = regexp.MustCompile(`(?:writer|readers?|,) ([A-Za-z0-9._-]+) \(`)
	// RDS-EVENT-0071 "Completed failover to DB instance: %s", RDS-EVENT-0072/0073 "Started
	// same/cross AZ failover to DB instance: %s", RDS-EVENT-0069 "Cluster failover failed"
	// (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_Events.Messages.html).
	rdsFailoverDone    = regexp.MustCompile(`(?i)completed failover to DB instance:\s*([A-Za-z0-9._-]+)`)
	rdsFailoverStarted = regexp.MustCompile(`(?i)started (?:same|cross) AZ failover to DB instance`)
	rdsFailoverFailed  = regexp.MustCompile(`(?i)cluster failover failed`)
	// DB instance availability events (RDS-EVENT-0004 "DB instance shutdown", RDS-EVENT-0006
	// "DB instance restarted") and Multi-AZ failover events (same page, DB instance events).
	rdsRebooted = regexp.MustCompile(`(?i)DB instance (?:restarted|shutdown)|rebooted|failover (?:started|completed|complete)|Restarting database`)
	// ElastiCache's failover events, in order: "Test Failover API called for node group %s",
	// "Failover from primary node %s to replica node %s completed", "Failover to replica node %s
	// completed"; nodes without a replica are "Recovering cache nodes"/"Finished recovery for cache
	// nodes" (https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_TestFailover.html,
	// https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/ECEvents.Viewing.html).
	cacheFailoverDone = regexp.MustCompile(`(?i)failover (?:from (?:primary|master) node \S+ )?to replica node (\S+) complete`)
	cacheFaultEvent   = regexp.MustCompile(`(?i)failover|recovering cache nodes|finished recovery|node.* (?:replaced|restarted)|replication`)
)

// members adds the member instances a DB cluster's health detail names ("writer X (az); readers Y (az), Z (az)").
func members(detail string) []string {
	var out []string
	for _, m := range membersRe.FindAllStringSubmatch(detail, -1) {
		out = append(out, strings.ToLower(m[1]))
	}
	return out
}

// lastResourceMatch returns the last sampled resource-state event of ids since the action
// started whose message matches re (a sample after the window closed, such as
// finalize_report's last look, still tells the state the fault left).
func (c *faultCtx) lastResourceMatch(ids []string, re *regexp.Regexp) (session.Event, string, bool) {
	var found session.Event
	val, ok := "", false
	for _, e := range c.events {
		if e.Source != session.SourceResource || !subjectOf(e.Subject, ids) || e.Time.Before(c.from) {
			continue
		}
		if m := re.FindStringSubmatch(e.Message); m != nil {
			found, val, ok = e, m[1], true
		}
	}
	return found, val, ok
}

// roleChange says how the writer (or primary) of ids moved: from the health check to the
// failover event's target, or to the last sampled state when that is no older than the event.
func (c *faultCtx) roleChange(ids []string, re *regexp.Regexp, eventTarget string, eventAt time.Time, role string) string {
	before := ""
	for _, id := range ids {
		if m := re.FindStringSubmatch(c.healthDetail(id)); m != nil {
			before = m[1]
			break
		}
	}
	after := eventTarget
	src := ""
	if e, v, ok := c.lastResourceMatch(ids, re); ok && (eventTarget == "" || !e.Time.Before(eventAt)) {
		after, src = v, c.t(" (sampled %s)", iso(e.Time))
	}
	switch {
	case before != "" && after != "" && !strings.EqualFold(before, after):
		return c.t("; %s changed: %s → %s%s", role, before, after, src)
	case before != "" && after != "":
		return c.t("; %s %s before and after the fault: no change seen%s", role, before, src)
	case after != "":
		return c.t("; new %s %s%s (the one before was not recorded)", role, after, src)
	}
	return ""
}

// firstMatch returns the first in-window event of sources about ids matching re.
func (c *faultCtx) firstMatch(sources []string, ids []string, re *regexp.Regexp) (session.Event, bool) {
	for _, e := range c.events {
		if !c.inWindow(e) || !subjectOf(e.Subject, ids) || !contains(sources, e.Source) {
			continue
		}
		if re == nil || re.MatchString(e.Message) {
			return e, true
		}
	}
	return session.Event{}, false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// stateChange returns the first sampled resource-state event of ids moving into one of states.
func (c *faultCtx) stateChange(ids []string, states ...string) (session.Event, bool) {
	for _, e := range c.events {
		if e.Source != session.SourceResource || !subjectOf(e.Subject, ids) || !c.inWindow(e) {
			continue
		}
		if contains(states, strings.ToLower(resourceStatus(e.Message))) {
			return e, true
		}
	}
	return session.Event{}, false
}

func (c *faultCtx) noTargets() FaultCheck {
	return c.result(FaultNotObserved, c.t("no resolved target of the action is known, so no record could be matched (FIS state %s)", c.fisState()))
}

func (c *faultCtx) window() string {
	to := "—"
	if !c.to.IsZero() {
		to = iso(c.to)
	}
	return c.t("%s and %s", iso(c.from), to)
}

// dbFailover checks an RDS/DocumentDB cluster failover: the failover events and the writer change.
func (c *faultCtx) dbFailover() FaultCheck {
	ids, _ := c.targetIDs()
	if len(ids) == 0 {
		return c.noTargets()
	}
	srcs := []string{srcRDSEvents, srcDocDBEvents}
	if e, ok := c.firstMatch(srcs, ids, rdsFailoverDone); ok {
		target := rdsFailoverDone.FindStringSubmatch(e.Message)[1]
		return c.result(FaultConfirmed, c.quote(e)+c.roleChange(ids, writerRe, target, e.Time, c.t("writer")))
	}
	if e, ok := c.firstMatch(srcs, ids, rdsFailoverStarted); ok {
		return c.result(FaultConfirmed, c.quote(e)+c.t("; no completion event was recorded")+c.roleChange(ids, writerRe, "", time.Time{}, c.t("writer")))
	}
	if e, ok := c.firstMatch(srcs, ids, rdsFailoverFailed); ok {
		return c.result(FaultNotObserved, c.t("the failover failed: %s", c.quote(e)))
	}
	if e, ok := c.stateChange(ids, "failing-over"); ok {
		return c.result(FaultConfirmed, c.quote(e)+c.roleChange(ids, writerRe, "", time.Time{}, c.t("writer")))
	}
	if rc := c.roleChange(ids, writerRe, "", time.Time{}, c.t("writer")); strings.Contains(rc, "→") {
		return c.result(FaultConfirmed, c.t("no failover event was recorded")+rc)
	}
	return c.result(FaultNotObserved, c.t("no failover event (DescribeEvents) and no writer change of %s between %s (FIS state %s)", c.names(), c.window(), c.fisState()))
}

// dbReboot checks an RDS/DocumentDB instance reboot: the instance's availability events or its rebooting state.
func (c *faultCtx) dbReboot() FaultCheck {
	ids, _ := c.targetIDs()
	if len(ids) == 0 {
		return c.noTargets()
	}
	if e, ok := c.firstMatch([]string{srcRDSEvents, srcDocDBEvents}, ids, rdsRebooted); ok {
		return c.result(FaultConfirmed, c.quote(e))
	}
	if e, ok := c.stateChange(ids, "rebooting"); ok {
		return c.result(FaultConfirmed, c.quote(e))
	}
	return c.result(FaultNotObserved, c.t("no restart event (DescribeEvents) and no rebooting state of %s between %s (FIS state %s)", c.names(), c.window(), c.fisState()))
}

// cacheFailover checks an ElastiCache/MemoryDB fault: the failover or recovery events and the new primary.
func (c *faultCtx) cacheFailover(src string) FaultCheck {
	ids, _ := c.targetIDs()
	if len(ids) == 0 {
		return c.noTargets()
	}
	if e, ok := c.firstMatch([]string{src}, ids, cacheFailoverDone); ok {
		target := cacheFailoverDone.FindStringSubmatch(e.Message)[1]
		return c.result(FaultConfirmed, c.quote(e)+c.roleChange(ids, primaryRe, target, e.Time, c.t("primary")))
	}
	if e, ok := c.firstMatch([]string{src}, ids, cacheFaultEvent); ok {
		return c.result(FaultConfirmed, c.quote(e)+c.roleChange(ids, primaryRe, "", time.Time{}, c.t("primary")))
	}
	if e, ok := c.stateChange(ids, "modifying", "rebooting cache cluster nodes", "failing-over"); ok {
		return c.result(FaultConfirmed, c.quote(e)+c.roleChange(ids, primaryRe, "", time.Time{}, c.t("primary")))
	}
	return c.result(FaultNotObserved, c.t("no failover or node recovery event (%s) of %s between %s (FIS state %s)", src, c.names(), c.window(), c.fisState()))
}

// ec2States checks instance stops, terminations and spot interruptions by the target
// instances' state transitions. A reboot keeps the instance running, so EC2 records no
// state transition for it (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-instance-reboot.html).
func (c *faultCtx) ec2States(reboot bool) FaultCheck {
	ids, _ := c.targetIDs()
	if len(ids) == 0 {
		return c.noTargets()
	}
	// Instance states: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-instance-lifecycle.html.
	states := []string{"stopping", "stopped", "shutting-down", "terminated"}
	var seen []string
	var first *session.Event
	for _, id := range ids {
		for _, e := range c.events {
			if !strings.EqualFold(e.Subject, id) || !c.inWindow(e) {
				continue
			}
			st := ""
			switch e.Source {
			case session.SourceResource:
				// An instance's sampled status is "state/instance-check/system-check".
				st = strings.SplitN(resourceStatus(e.Message), "/", 2)[0]
			case srcEC2Transitions:
				st = strings.TrimPrefix(strings.SplitN(e.Message, ":", 2)[0], "instance ")
			default:
				continue
			}
			if contains(states, strings.ToLower(strings.TrimSpace(st))) {
				seen = append(seen, id)
				if first == nil {
					e := e
					first = &e
				}
				break
			}
		}
	}
	if first != nil {
		return c.result(FaultConfirmed, c.t("%d of %d target instances left the running state; first: %s", len(seen), len(ids), c.quote(*first)))
	}
	if reboot {
		return c.result(FaultNotCheckable, c.t("not checkable for this action type: a rebooted instance stays in the running state, so EC2 records no state transition for it (FIS state %s)", c.fisState()))
	}
	return c.result(FaultNotObserved, c.t("no state transition of %s out of running between %s (FIS state %s)", c.names(), c.window(), c.fisState()))
}

// insufficientCapacity matches a scaling activity that failed for lack of capacity:
// StatusCode Failed (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_Activity.html)
// with EC2's InsufficientInstanceCapacity error, the error the FIS action injects
// (https://docs.aws.amazon.com/fis/latest/userguide/fis-actions-reference.html#asg-insufficient-instance-capacity-error).
var insufficientCapacity = regexp.MustCompile(`(?is)\(Failed\).*(?:InsufficientInstanceCapacity|not have sufficient \S+ capacity|insufficient capacity)|(?:InsufficientInstanceCapacity|not have sufficient \S+ capacity|insufficient capacity).*\(Failed\)`)

// asgCapacity checks the groups' scaling activities for a launch failed for lack of capacity.
func (c *faultCtx) asgCapacity() FaultCheck {
	ids, _ := c.targetIDs()
	if len(ids) == 0 {
		return c.noTargets()
	}
	if e, ok := c.firstMatch([]string{srcScaling}, ids, insufficientCapacity); ok {
		return c.result(FaultConfirmed, c.quote(e))
	}
	n := 0
	for _, e := range c.events {
		if e.Source == srcScaling && subjectOf(e.Subject, ids) && c.inWindow(e) {
			n++
		}
	}
	return c.result(FaultNotObserved, c.t("no scaling activity of %s failed with an insufficient capacity error between %s (%d activities in the window; the action only fails launches the group attempts); FIS state %s",
		c.names(), c.window(), n, c.fisState()))
}

// podApps are the collected apps the action's aws:eks:pod targets select (all apps of the
// cluster for a node group target).
func (c *faultCtx) podApps() []session.App {
	if c.tmpl == nil {
		return nil
	}
	var apps []session.App
	if c.s.Logs != nil {
		apps = c.s.Logs.Apps
	}
	var out []session.App
	for _, name := range c.tmpl.Targets {
		for _, tg := range c.s.Experiment.Template.Targets {
			if tg.Name != name {
				continue
			}
			p := tg.Parameters
			for _, app := range apps {
				if p["clusterIdentifier"] != "" && !strings.HasSuffix(p["clusterIdentifier"], app.Cluster) {
					continue
				}
				if tg.ResourceType != "aws:eks:pod" {
					out = append(out, app) // a node group's pods: every app of the cluster
					continue
				}
				if p["namespace"] != "" && p["namespace"] != app.Namespace {
					continue
				}
				if podSelects(p["selectorType"], p["selectorValue"], app) {
					out = append(out, app)
				}
			}
		}
	}
	return out
}

// podSelects reports whether a FIS pod selector selects the app's pods (podName is checked per stream).
func podSelects(typ, val string, app session.App) bool {
	switch typ {
	case "deploymentName", "daemonSetName", "statefulSetName":
		return app.Workload == val
	case "labelSelector":
		for _, kv := range strings.Split(val, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
			if app.Selector[k] != v {
				return false
			}
		}
		return val != ""
	case "podName":
		return strings.HasPrefix(val, app.Workload)
	}
	return false
}

// pods checks pod deletions and container restarts of the target's apps: a pod (UID) of the
// workload that started after the action did, or a container restart count that rose.
func (c *faultCtx) pods(stress bool) FaultCheck {
	apps := c.podApps()
	if len(apps) == 0 {
		return c.result(FaultNotCheckable, c.t("not checkable: no followed app runs the action's target pods, so no pod record was collected (FIS state %s)", c.fisState()))
	}
	keys := map[string]bool{}
	for _, app := range apps {
		keys[app.Key()] = true
	}
	var streams []session.LogStream
	if c.s.Logs != nil {
		streams = c.s.Logs.Streams
	}
	var newPods, restarted []string
	var firstAt time.Time
	recorded := false
	for _, st := range streams {
		if !keys[st.App] {
			continue
		}
		if st.PodUID != "" {
			recorded = true
		}
		if st.StartedAt == nil || st.StartedAt.Before(c.from) || (!c.to.IsZero() && st.StartedAt.After(c.to)) {
			continue
		}
		desc := c.t("pod %s (uid %s) of %s, container %s started %s", st.Pod, orDash(st.PodUID), st.App, st.Container, iso(*st.StartedAt))
		if st.Restarts > 0 {
			desc += c.t(", %d restarts", st.Restarts)
			restarted = append(restarted, desc)
		} else {
			newPods = append(newPods, desc)
		}
		if firstAt.IsZero() || st.StartedAt.Before(firstAt) {
			firstAt = *st.StartedAt
		}
	}
	if len(newPods)+len(restarted) > 0 {
		all := append(newPods, restarted...)
		if len(all) > 3 {
			all = append(all[:3], c.t("%d more", len(all)-3))
		}
		return c.result(FaultConfirmed, c.t("%d new pods and %d restarted containers after the action started: %s", len(newPods), len(restarted), strings.Join(all, "; ")))
	}
	if stress {
		return c.result(FaultNotCheckable, c.t("not checkable for this action type: a stress fault leaves pods running; no pod restart was recorded (FIS state %s)", c.fisState()))
	}
	if !recorded {
		return c.result(FaultNotObserved, c.t("no pod UIDs or start times were recorded for %s, so no deletion could be seen (FIS state %s)", strings.Join(sortedKeys(keys), ", "), c.fisState()))
	}
	return c.result(FaultNotObserved, c.t("no new pod and no container restart of %s between %s (FIS state %s)", strings.Join(sortedKeys(keys), ", "), c.window(), c.fisState()))
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// dependencyTerms are the names an app error must mention to be this action's effect: the
// API service and operations of an inject-api action, the scope of a disrupt-connectivity
// action (s3, dynamodb), and the affected resources and their endpoints.
func (c *faultCtx) dependencyTerms() []string {
	var terms []string
	add := func(s string) {
		s = strings.ToLower(strings.TrimSpace(s))
		if len(s) >= 2 && !contains(terms, s) {
			terms = append(terms, s)
		}
	}
	if c.tmpl != nil {
		p := c.tmpl.Parameters
		add(p["service"])
		for _, op := range strings.Split(p["operations"], ",") {
			add(op)
		}
		switch p["scope"] {
		case "s3", "dynamodb":
			add(p["scope"])
		}
	}
	for _, r := range c.s.Experiment.AffectedResources {
		if !strings.HasPrefix(r.Identifier, "tag:") {
			add(r.Identifier)
		}
	}
	if c.s.Discovery != nil {
		for _, ep := range c.s.Discovery.Endpoints {
			add(ep.Value)
		}
	}
	return terms
}

// network checks a network or API fault: it needs both the action's own FIS record of
// running and an app error pattern naming the dependency in the action's window.
func (c *faultCtx) network() FaultCheck {
	ran := c.run.StartTime != nil && (c.run.State == "completed" || c.run.State == "running" || c.run.State == "stopping" || c.run.State == "stopped")
	fis := c.t("FIS: action %s", c.fisState())
	if c.run.StartTime != nil {
		fis += c.t(" since %s", iso(*c.run.StartTime))
	}
	if !ran {
		return c.result(FaultNotObserved, c.t("FIS does not record the action as having run: %s", c.fisState()))
	}
	terms := c.dependencyTerms()
	for i := range c.a.Apps {
		ap := &c.a.Apps[i]
		for _, p := range ap.Patterns {
			if p.Severity != "error" || p.Last.Before(c.from) || (!c.to.IsZero() && p.First.After(c.to)) {
				continue
			}
			low := strings.ToLower(p.Template)
			for _, t := range terms {
				if strings.Contains(low, t) {
					return c.result(FaultConfirmed, c.t("%s; %s logged %d errors naming %s from %s: %s", fis, ap.Key(), p.Count, t, iso(p.First), untrusted.Code(p.Template, excerptRunes)))
				}
			}
		}
	}
	if len(terms) == 0 {
		return c.result(FaultNotObserved, c.t("%s, but fis-mcp knows no dependency name to look for in the app errors", fis))
	}
	return c.result(FaultNotObserved, c.t("%s, but no app error between %s names %s", fis, c.window(), strings.Join(terms, ", ")))
}

// faultText is the report label of a FaultCheck.Observed value.
func faultText(lang, observed string) string {
	switch observed {
	case FaultConfirmed:
		return tr(lang, "✅ confirmed")
	case FaultNotObserved:
		return tr(lang, "❌ not observed")
	case FaultNotCheckable:
		return tr(lang, "➖ not checkable")
	}
	return observed
}

// faultsSection renders whether each action's fault was observed.
func (r *renderer) faultsSection() {
	r.p("### Fault Confirmation")
	r.nl()
	if len(r.a.Faults) == 0 {
		r.p("_The template has no actions._")
		r.nl()
		return
	}
	r.p("Whether each action's effect shows in AWS's own records (events, state transitions, scaling activities, pod records), quoted as recorded.")
	r.nl()
	r.header("Action", "Action ID", "Fault observed", "Evidence")
	quoted := false
	for _, f := range r.a.Faults {
		r.row(f.Action, "`"+f.ActionID+"`", faultText(r.lang, f.Observed), f.Evidence)
		quoted = quoted || strings.Contains(f.Evidence, "`")
	}
	r.nl()
	if quoted {
		r.p(untrustedEventsNote)
		r.nl()
	}
}
