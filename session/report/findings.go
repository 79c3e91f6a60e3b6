package report

import (
	"strings"
	"time"

	"github.com/fis-mcp/fis-mcp/session"
)

// Evidence-based advice per recommendation key (signature → finding → recommendation).
var advice = map[string]string{
	"db-connection-long": "Database connection errors lasted %s, longer than the failover itself (%s): validate pooled connections before use (test on borrow / validation query), set a maximum connection lifetime (e.g. HikariCP maxLifetime), and keep the client's DNS TTL low (JVM networkaddress.cache.ttl ≤ 5 s) so new connections follow the endpoint to the new writer.",
	"db-connection":      "Make the connection pool validate connections before use and retry with backoff; set a maximum connection lifetime and a low DNS TTL so clients follow the endpoint to the new writer.",
	"db-readonly":        "Writes reached an instance that had become a reader: connect through the cluster (writer) endpoint, drop connections on read-only errors (e.g. the AWS Advanced JDBC Wrapper failover plugin) and keep DNS caching short.",
	"db-restart":         "Connections were terminated while the database restarted: retry idempotent transactions on connection termination and let the pool replace dead connections (validation query / test on borrow).",
	"redis-cluster":      "Use a cluster-mode-aware Redis client that follows MOVED/ASK redirects and refreshes its topology, retry READONLY/TRYAGAIN/CLUSTERDOWN errors with backoff, and send writes through the primary or configuration endpoint.",
	"kafka-leader":       "Let producers ride out leader elections: retries enabled (delivery.timeout.ms long enough), acks=all with enable.idempotence=true, and a metadata refresh (metadata.max.age.ms) short enough to find the new leader.",
	"dns":                "Name resolution failed: cache DNS answers close to the app (e.g. NodeLocal DNSCache), retry EAI_AGAIN / unknown-host errors with backoff, and spread CoreDNS replicas across Availability Zones.",
	"throttling":         "AWS API calls were throttled: retry with exponential backoff and jitter (SDK adaptive retry mode) and lower call rates during failover storms.",
	"timeout":            "Calls timed out: set explicit client timeouts shorter than the caller's, retry idempotent calls within a retry budget, and add a circuit breaker so a slow dependency does not pile up requests.",
	"connection":         "Connections were refused or reset: reconnect with exponential backoff, evict broken pooled connections, and rely on readiness probes and health checks so traffic only reaches healthy endpoints.",
}

// findings builds the evidence-based recommendations and the numbered issues.
func findings(s *session.Session, a *Analysis, lang string) ([]Recommendation, []Issue) {
	var recs []Recommendation
	var issues []Issue
	add := func(p, r string) { issues = append(issues, Issue{Problem: p, Recommendation: r}) }
	issues = append(issues, undeterminedIssues(s, a, lang)...)

	if a.Aborted {
		reason, remedy := tr(lang, "unknown reason"), tr(lang, "Fix the cause and run the workflow again.")
		if s.Abort != nil {
			reason = s.Abort.Reason
			if s.Abort.Remedy != "" {
				remedy = s.Abort.Remedy
			}
		}
		add(tr(lang, "The session was aborted before any experiment ran: %s", reason), remedy)
	}
	if r := s.Run; r != nil && !a.Aborted {
		switch strings.ToLower(r.State) {
		case "failed":
			add(tr(lang, "The experiment failed: %s", orDash(r.Reason)),
				tr(lang, "Check each action's state and reason above and the FIS role's permissions, then rerun."))
		case "stopped":
			add(tr(lang, "The experiment was stopped before completing: %s", orDash(r.Reason)),
				tr(lang, "Confirm why it stopped (stop condition alarm or manual stop) and whether the impact was expected before rerunning."))
		case "cancelled":
			add(tr(lang, "The experiment was cancelled: %s", orDash(r.Reason)), tr(lang, "Rerun once the cause is understood."))
		}
	}
	if !hasStopCondition(s) {
		add(tr(lang, "No stop condition alarm is configured: nothing would stop the experiment automatically if the impact grew beyond plan."),
			tr(lang, "Add a CloudWatch alarm stop condition on a customer-facing signal (error rate, latency) to the template."))
	}
	if h := s.Health; h != nil && h.Override != nil {
		add(tr(lang, "The health check was overridden by %s (%s): %s. Unhealthy at the time: %s.", orDash(h.Override.By),
			iso(h.Override.At), orDash(h.Override.Reason), orDash(strings.Join(h.Override.Unhealthy, ", "))),
			tr(lang, "Read these results with the unhealthy starting state in mind, and check those resources are back to their baseline state before the next run."))
	}
	for i := range a.Apps {
		ap := &a.Apps[i]
		switch ap.RecoveryStatus {
		case StatusNotRecovered:
			add(tr(lang, "%s did not recover before the observation window closed: %s", ap.Key(), ap.RecoveryNote),
				tr(lang, "Check the app now (kubectl -n %s logs deploy/%s --since=10m) and review its retry and reconnect behaviour.", ap.Namespace, ap.Workload))
		case StatusPartiallyRecovered:
			add(tr(lang, "%s only partially recovered: %s", ap.Key(), ap.RecoveryNote),
				tr(lang, "Check the app now and review its retry and reconnect behaviour."))
		}
	}
	if s.Logs != nil {
		if s.Logs.Skipped != "" {
			add(tr(lang, "Application log collection was skipped: %s", s.Logs.Skipped),
				tr(lang, "Give fis-mcp access to the EKS clusters (access entry with pods/log read) to analyse application impact next time."))
		}
		for _, st := range s.Logs.Streams {
			if st.Error == "" && !strings.EqualFold(st.Status, "failed") && !strings.EqualFold(st.Status, "error") {
				continue
			}
			add(tr(lang, "Log stream %s/%s of %s failed: %s", st.Pod, st.Container, st.App, orDash(st.Error)),
				tr(lang, "Check RBAC (pods/log) and the pod's state; the analysis of this app is incomplete."))
		}
	}
	if s.Discovery != nil {
		for _, m := range s.Discovery.ManagedLogGroups {
			if !m.Enabled {
				rec := m.Recommendation
				if rec == "" {
					rec = tr(lang, "Enable CloudWatch log export for this resource.")
				}
				add(tr(lang, "CloudWatch logging is not enabled for %s (%s): its own view of the fault is missing.", m.Identifier, m.Service), rec)
			}
		}
	}
	if !a.Aborted {
		recs = evidence(s, a, lang)
		for _, r := range recs {
			add(r.Finding, r.Advice)
		}
	}
	return recs, issues
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

func hasStopCondition(s *session.Session) bool {
	for _, sc := range s.Experiment.Template.StopConditions {
		if sc.Source != "" && sc.Source != "none" {
			return true
		}
	}
	return false
}

func serviceType(s *session.Session, id string) string {
	for _, r := range s.Experiment.AffectedResources {
		if r.Identifier == id {
			return strings.ToLower(r.Type)
		}
	}
	return ""
}

func isDatabase(t string) bool {
	for _, w := range []string{"rds", "aurora", "docdb", "documentdb", "database", "db ", "mysql", "postgres", "neptune"} {
		if strings.Contains(t+" ", w) {
			return true
		}
	}
	return false
}

// evidence turns the failure-mode signatures seen in impacted apps into findings.
func evidence(s *session.Session, a *Analysis, lang string) []Recommendation {
	var out []Recommendation
	for i := range a.Apps {
		ap := &a.Apps[i]
		if !ap.Impacted() {
			continue
		}
		for _, c := range ap.Categories {
			key := c.Recommendation
			if key == "connection" && isDatabase(serviceType(s, ap.Service)) {
				key = "db-connection"
			}
			span := c.Last.Sub(c.First)
			finding := tr(lang, "%s logged %d %s errors (%s) from %s to %s (%s) during the fault window.",
				ap.Key(), c.Count, c.Category, c.Signature, hms(c.First), hms(c.Last), fmtDur(lang, span))
			adv := tr(lang, advice[key])
			if key == "db-connection" {
				if fs, ok := faultSpan(s, a, ap.Service); ok && span > fs+10*time.Second {
					adv = tr(lang, advice["db-connection-long"], fmtDur(lang, span), fmtDur(lang, fs))
				}
			}
			out = append(out, Recommendation{Key: key, App: ap.Key(), Service: ap.Service, Category: c.Category, Count: c.Count,
				First: c.First, Last: c.Last, Finding: finding, Advice: adv})
		}
	}
	return out
}

// faultSpan is how long the fault itself lasted for a service: the span of AWS's own
// events for it when the fault is instantaneous (e.g. failover started → completed),
// else the fault window.
func faultSpan(s *session.Session, a *Analysis, id string) (time.Duration, bool) {
	if !a.Instantaneous {
		return a.FaultEnd.Sub(a.FaultStart), true
	}
	if s.Observations == nil {
		return 0, false
	}
	var first, last time.Time
	for _, e := range s.Observations.ServiceEvents {
		if e.Subject != id || e.Time.Before(a.FaultStart) || e.Time.After(a.WindowClose) {
			continue
		}
		if first.IsZero() || e.Time.Before(first) {
			first = e.Time
		}
		if e.Time.After(last) {
			last = e.Time
		}
	}
	if first.IsZero() || !last.After(first) {
		return 0, false
	}
	return last.Sub(a.FaultStart), true
}

// stopConditionAlarms lists the alarm names of the template's stop conditions.
func stopConditionAlarms(s *session.Session) []string {
	var out []string
	for _, sc := range s.Experiment.Template.StopConditions {
		if sc.Source == "" || sc.Source == "none" {
			continue
		}
		name := sc.Value
		if i := strings.LastIndex(name, ":alarm:"); i >= 0 {
			name = name[i+len(":alarm:"):]
		}
		out = append(out, name)
	}
	return out
}

// alarmStates returns the states seen during the run and the final state of one alarm.
func alarmStates(s *session.Session, name string) ([]string, string) {
	var seen []string
	if s.Run != nil {
		for k, v := range s.Run.AlarmStates {
			if k == name || strings.HasSuffix(k, ":alarm:"+name) {
				seen = append(seen, v...)
			}
		}
	}
	final := ""
	if len(seen) > 0 {
		final = seen[len(seen)-1]
	}
	if s.Observations != nil {
		var lt time.Time
		for _, t := range s.Observations.AlarmHistory {
			if t.Alarm == name && !t.Time.Before(lt) {
				lt, final = t.Time, t.To
			}
		}
	}
	if final == "" && s.Health != nil {
		for _, al := range s.Health.Alarms {
			if al.Name == name {
				final = al.State
			}
		}
	}
	return dedupeConsecutive(seen), final
}

func dedupeConsecutive(in []string) []string {
	var out []string
	for _, v := range in {
		if len(out) == 0 || out[len(out)-1] != v {
			out = append(out, v)
		}
	}
	return out
}
