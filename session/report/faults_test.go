package report

import (
	"strings"
	"testing"

	"github.com/fis-mcp/fis-mcp/aws/events"
	"github.com/fis-mcp/fis-mcp/session"
)

// faultAnalysis is the minimal analysis faultChecks reads: the fault window.
func faultAnalysis(s *session.Session) *Analysis {
	a := &Analysis{FaultStart: at(10, 30, 0), ExperimentStart: at(10, 29, 58), WindowClose: at(10, 35, 2)}
	if s.Run == nil {
		a.Aborted = true
	}
	return a
}

// oneAction makes s a run of a single action on one target.
func oneAction(s *session.Session, actionID string, target session.Target, params map[string]string, health ...session.ResourceHealth) {
	s.Experiment.Template.Actions = []session.Action{{Name: "act", ActionID: actionID, Parameters: params, Targets: map[string]string{"T": target.Name}}}
	s.Experiment.Template.Targets = []session.Target{target}
	s.Run.Actions = []session.ActionRun{{Name: "act", ActionID: actionID, State: "completed", StartTime: tp(at(10, 30, 0)), EndTime: tp(at(10, 31, 0))}}
	s.Health.Resources = health
	s.Observations.ServiceEvents = nil
	s.Timeline = nil
}

func TestFaultChecks(t *testing.T) {
	auroraDetail := "aurora-postgresql cluster demo-aurora is available; writer demo-aurora-instance-1 (us-east-1a); readers demo-aurora-instance-2 (us-east-1b)"
	ec2Target := session.Target{Name: "nodes", ResourceType: "aws:ec2:instance", ResourceTags: map[string]string{"fis-target": "web"}}
	ec2Health := []session.ResourceHealth{
		{ID: "i-0001", Type: "aws:ec2:instance", Target: "nodes", Status: "running", Healthy: true},
		{ID: "i-0002", Type: "aws:ec2:instance", Target: "nodes", Status: "running", Healthy: true},
	}
	asgTarget := session.Target{Name: "asg", ResourceType: "aws:ec2:autoscaling-group",
		ResourceArns: []string{"arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:uuid:autoScalingGroupName/web-asg"}}
	podTarget := session.Target{Name: "pods", ResourceType: "aws:eks:pod",
		Parameters: map[string]string{"clusterIdentifier": "arn:aws:eks:us-east-1:123456789012:cluster/prod", "namespace": "shop", "selectorType": "deploymentName", "selectorValue": "orders"}}
	cases := []struct {
		name     string
		lang     string
		edit     func(s *session.Session)
		action   string // which check (default: the first)
		want     string
		contains []string
	}{
		{name: "rds failover confirmed with the writer change", edit: func(s *session.Session) {
			s.Health.Resources[0].Detail = auroraDetail
			s.Timeline = append(s.Timeline, session.Event{Time: at(10, 31, 0), Source: "resource", Subject: "demo-aurora", Observed: true,
				Message: "aws:rds:cluster demo-aurora: failing-over → available (aurora-postgresql cluster demo-aurora is available; writer demo-aurora-instance-2 (us-east-1b); readers demo-aurora-instance-1 (us-east-1a))"})
		}, want: FaultConfirmed, contains: []string{"2026-04-11T10:30:31+00:00 rds:DescribeEvents demo-aurora: `Completed failover to DB instance: demo-aurora-instance-2`",
			"writer changed: demo-aurora-instance-1 → demo-aurora-instance-2 (sampled 2026-04-11T10:31:00+00:00)"}},
		{name: "rds failover confirmed from the event alone", want: FaultConfirmed,
			contains: []string{"Completed failover to DB instance: demo-aurora-instance-2", "new writer demo-aurora-instance-2 (the one before was not recorded)"}},
		{name: "rds failover only started", edit: func(s *session.Session) {
			s.Observations.ServiceEvents = s.Observations.ServiceEvents[:1]
			s.Timeline = nil
		}, want: FaultConfirmed, contains: []string{"Started cross AZ failover", "no completion event was recorded"}},
		{name: "rds failover failed", edit: func(s *session.Session) {
			s.Observations.ServiceEvents = []session.Event{{Time: at(10, 30, 20), Source: "rds:DescribeEvents", Subject: "demo-aurora", Message: "Cluster failover failed, check the health of your cluster instances and try again."}}
			s.Timeline = nil
		}, want: FaultNotObserved, contains: []string{"the failover failed", "Cluster failover failed"}},
		{name: "rds failover from the sampled failing-over state", edit: func(s *session.Session) {
			s.Observations.ServiceEvents = nil
		}, want: FaultConfirmed, contains: []string{"resource demo-aurora: “demo-aurora: available → failing-over” (time seen by fis-mcp)"}},
		{name: "rds failover not observed: no record in the window", edit: func(s *session.Session) {
			s.Observations.ServiceEvents = []session.Event{{Time: at(10, 10, 0), Source: "rds:DescribeEvents", Subject: "demo-aurora", Message: "Completed failover to DB instance: demo-aurora-instance-2"}}
			s.Timeline = nil
		}, want: FaultNotObserved, contains: []string{"no failover event (DescribeEvents) and no writer change of demo-aurora between 2026-04-11T10:29:50+00:00 and 2026-04-11T10:35:02+00:00 (FIS state completed)"}},
		{name: "rds failover of another cluster is not this action's", edit: func(s *session.Session) {
			for i := range s.Observations.ServiceEvents {
				s.Observations.ServiceEvents[i].Subject = "other-aurora"
			}
			s.Timeline = nil
		}, want: FaultNotObserved},
		{name: "action never started", edit: func(s *session.Session) {
			s.Run.Actions[0].State, s.Run.Actions[0].StartTime, s.Run.Actions[0].EndTime = "cancelled", nil, nil
			s.Run.Actions[0].Reason = "experiment stopped"
		}, want: FaultNotObserved, contains: []string{"the action never started: FIS state cancelled (experiment stopped)"}},
		{name: "action still pending", edit: func(s *session.Session) {
			s.Run.Actions[0].State, s.Run.Actions[0].StartTime = "pending", nil
		}, want: FaultNotObserved, contains: []string{"FIS state pending"}},
		{name: "no action states: every template action is unconfirmed", edit: func(s *session.Session) {
			s.Run.State, s.Run.Actions = "unknown", nil
		}, action: "interrupt-redis", want: FaultNotObserved, contains: []string{"never started: FIS state no state recorded"}},
		{name: "aborted run: no action ran", edit: func(s *session.Session) { s.Run = nil },
			want: FaultNotObserved, contains: []string{"no experiment was started"}},
		{name: "elasticache failover confirmed with the new primary", edit: func(s *session.Session) {
			s.Health.Resources[1].Detail = "replication group demo-redis is available; primary demo-redis-001 (us-east-1a)"
		}, action: "interrupt-redis", want: FaultConfirmed, contains: []string{"elasticache:DescribeEvents demo-redis: `Failover to replica node demo-redis-002 completed`",
			"primary changed: demo-redis-001 → demo-redis-002"}},
		{name: "elasticache recovery of a member node", edit: func(s *session.Session) {
			s.Observations.ServiceEvents = []session.Event{{Time: at(10, 30, 40), Source: "elasticache:DescribeEvents", Subject: "demo-redis-001", Message: "Recovering cache nodes 0001"}}
		}, action: "interrupt-redis", want: FaultConfirmed, contains: []string{"demo-redis-001: `Recovering cache nodes 0001`"}},
		{name: "elasticache not observed", edit: func(s *session.Session) {
			s.Observations.ServiceEvents = nil
		}, action: "interrupt-redis", want: FaultNotObserved, contains: []string{"no failover or node recovery event (elasticache:DescribeEvents) of demo-redis"}},
		{name: "memorydb failover confirmed", edit: func(s *session.Session) {
			oneAction(s, "aws:memorydb:multi-region-cluster-pause-replication", session.Target{Name: "mdb", ResourceType: "aws:memorydb:multi-region-cluster",
				ResourceArns: []string{"arn:aws:memorydb:us-east-1:123456789012:multiregioncluster/mdb-1"}}, nil)
			s.Observations.ServiceEvents = []session.Event{{Time: at(10, 30, 10), Source: "memorydb:DescribeEvents", Subject: "mdb-1", Message: "Replication paused for multi-Region cluster"}}
		}, want: FaultConfirmed, contains: []string{"memorydb:DescribeEvents mdb-1"}},
		{name: "rds reboot confirmed", edit: func(s *session.Session) {
			oneAction(s, "aws:rds:reboot-db-instances", session.Target{Name: "db", ResourceType: "aws:rds:db", ResourceArns: []string{"arn:aws:rds:us-east-1:123456789012:db:orders-db"}}, nil)
			s.Observations.ServiceEvents = []session.Event{{Time: at(10, 30, 40), Source: "rds:DescribeEvents", Subject: "orders-db", Message: "DB instance restarted"}}
		}, want: FaultConfirmed, contains: []string{"rds:DescribeEvents orders-db: `DB instance restarted`"}},
		{name: "rds reboot not observed", edit: func(s *session.Session) {
			oneAction(s, "aws:rds:reboot-db-instances", session.Target{Name: "db", ResourceType: "aws:rds:db", ResourceArns: []string{"arn:aws:rds:us-east-1:123456789012:db:orders-db"}}, nil)
		}, want: FaultNotObserved, contains: []string{"no restart event (DescribeEvents) and no rebooting state of orders-db"}},
		{name: "ec2 stop confirmed from the sampled states", edit: func(s *session.Session) {
			oneAction(s, "aws:ec2:stop-instances", ec2Target, nil, ec2Health...)
			s.Timeline = []session.Event{{Time: at(10, 30, 5), Source: "resource", Subject: "i-0002", Observed: true, Message: "aws:ec2:instance i-0002: running → stopping"}}
		}, want: FaultConfirmed, contains: []string{"1 of 2 target instances left the running state; first: 2026-04-11T10:30:05+00:00 resource i-0002: “aws:ec2:instance i-0002: running → stopping”"}},
		{name: "ec2 terminate confirmed from EC2's transition", edit: func(s *session.Session) {
			oneAction(s, "aws:ec2:terminate-instances", ec2Target, nil, ec2Health...)
			s.Observations.ServiceEvents = []session.Event{
				{Time: at(10, 30, 2), Source: "ec2:DescribeInstances", Subject: "i-0001", Message: "instance terminated: User initiated (2026-04-11 10:30:02 GMT)"},
				{Time: at(10, 30, 3), Source: "ec2:DescribeInstances", Subject: "i-0002", Message: "instance shutting-down: User initiated (2026-04-11 10:30:03 GMT)"},
			}
		}, want: FaultConfirmed, contains: []string{"2 of 2 target instances", "ec2:DescribeInstances i-0001: `instance terminated: User initiated (2026-04-11 10:30:02 GMT)`"}},
		{name: "ec2 stop not observed: instances stayed running", edit: func(s *session.Session) {
			oneAction(s, "aws:ec2:stop-instances", ec2Target, nil, ec2Health...)
			s.Timeline = []session.Event{{Time: at(10, 30, 5), Source: "resource", Subject: "i-0002", Observed: true, Message: "aws:ec2:instance i-0002: pending → running"}}
		}, want: FaultNotObserved, contains: []string{"no state transition of i-0001, i-0002 out of running"}},
		{name: "ec2 reboot is not checkable", edit: func(s *session.Session) {
			oneAction(s, "aws:ec2:reboot-instances", ec2Target, nil, ec2Health...)
		}, want: FaultNotCheckable, contains: []string{"stays in the running state"}},
		{name: "asg capacity error confirmed", edit: func(s *session.Session) {
			oneAction(s, "aws:ec2:asg-insufficient-instance-capacity-error", asgTarget, map[string]string{"availabilityZoneIdentifiers": "us-east-1a", "percentage": "100"})
			s.Observations.ServiceEvents = []session.Event{{Time: at(10, 30, 30), Source: "autoscaling:DescribeScalingActivities", Subject: "web-asg",
				Message: "Launching a new EC2 instance (Failed): InsufficientInstanceCapacity - We currently do not have sufficient m5.large capacity in the Availability Zone you requested (us-east-1a)."}}
		}, want: FaultConfirmed, contains: []string{"autoscaling:DescribeScalingActivities web-asg: `Launching a new EC2 instance (Failed): InsufficientInstanceCapacity"}},
		{name: "asg capacity error not observed: the group launched fine", edit: func(s *session.Session) {
			oneAction(s, "aws:ec2:asg-insufficient-instance-capacity-error", asgTarget, nil)
			s.Observations.ServiceEvents = []session.Event{{Time: at(10, 30, 30), Source: "autoscaling:DescribeScalingActivities", Subject: "web-asg",
				Message: "Launching a new EC2 instance: i-0abc (Successful). Cause: an instance was started in response to a difference between desired and actual capacity"}}
		}, want: FaultNotObserved, contains: []string{"no scaling activity of web-asg failed with an insufficient capacity error", "(1 activities in the window"}},
		{name: "pod delete confirmed by a new pod", edit: func(s *session.Session) {
			oneAction(s, "aws:eks:pod-delete", podTarget, nil)
			s.Logs.Streams[0].PodUID, s.Logs.Streams[0].StartedAt = "uid-old", tp(at(10, 0, 0))
			s.Logs.Streams = append(s.Logs.Streams, session.LogStream{App: "prod/shop/orders", Pod: "orders-7f9c8d-zzzzz", PodUID: "uid-new", Container: "app", StartedAt: tp(at(10, 30, 12))})
		}, want: FaultConfirmed, contains: []string{"1 new pods and 0 restarted containers", "pod orders-7f9c8d-zzzzz (uid uid-new) of prod/shop/orders, container app started 2026-04-11T10:30:12+00:00"}},
		{name: "pod delete confirmed by a restart", edit: func(s *session.Session) {
			oneAction(s, "aws:eks:terminate-nodegroup-instances", session.Target{Name: "ng", ResourceType: "aws:eks:nodegroup",
				ResourceArns: []string{"arn:aws:eks:us-east-1:123456789012:nodegroup/prod/ng-1/abc"}}, nil)
			s.Logs.Streams[2].PodUID, s.Logs.Streams[2].StartedAt, s.Logs.Streams[2].Restarts = "uid-cart", tp(at(10, 31, 0)), 1
		}, want: FaultConfirmed, contains: []string{"0 new pods and 1 restarted containers", "cart-5d6f7-x2kq9 (uid uid-cart)", "1 restarts"}},
		{name: "pod delete not observed: the same pods ran through", edit: func(s *session.Session) {
			oneAction(s, "aws:eks:pod-delete", podTarget, nil)
			s.Logs.Streams[0].PodUID, s.Logs.Streams[0].StartedAt = "uid-old", tp(at(10, 0, 0))
		}, want: FaultNotObserved, contains: []string{"no new pod and no container restart of prod/shop/orders"}},
		{name: "pod delete not observed: no pod records", edit: func(s *session.Session) {
			oneAction(s, "aws:eks:pod-delete", podTarget, nil)
		}, want: FaultNotObserved, contains: []string{"no pod UIDs or start times were recorded for prod/shop/orders"}},
		{name: "pod delete of pods no app follows is not checkable", edit: func(s *session.Session) {
			tg := podTarget
			tg.Parameters = map[string]string{"namespace": "billing", "selectorType": "deploymentName", "selectorValue": "invoices"}
			oneAction(s, "aws:eks:pod-delete", tg, nil)
		}, want: FaultNotCheckable, contains: []string{"no followed app runs the action's target pods"}},
		{name: "pod stress without restarts is not checkable", edit: func(s *session.Session) {
			oneAction(s, "aws:eks:pod-cpu-stress", podTarget, nil)
		}, want: FaultNotCheckable, contains: []string{"stress fault"}},
		{name: "unknown action type is not checkable", edit: func(s *session.Session) {
			oneAction(s, "aws:ssm:send-command", ec2Target, nil, ec2Health...)
		}, want: FaultNotCheckable, contains: []string{"not checkable for this action type", "aws:ssm:send-command"}},
		{name: "chinese", lang: "zh", edit: func(s *session.Session) {
			s.Run.Actions[0].State, s.Run.Actions[0].StartTime = "skipped", nil
		}, want: FaultNotObserved, contains: []string{"该动作从未启动：FIS 状态 skipped"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := baseSession()
			if tc.edit != nil {
				tc.edit(s)
			}
			lang := tc.lang
			if lang == "" {
				lang = "en"
			}
			checks := faultChecks(s, faultAnalysis(s), lang)
			if len(checks) == 0 {
				t.Fatal("no fault checks")
			}
			got := checks[0]
			if tc.action != "" {
				for _, c := range checks {
					if c.Action == tc.action {
						got = c
					}
				}
			}
			if got.Observed != tc.want {
				t.Fatalf("observed = %s, want %s (evidence: %s)", got.Observed, tc.want, got.Evidence)
			}
			if got.Evidence == "" || got.ActionID == "" {
				t.Errorf("check without evidence or action ID: %+v", got)
			}
			for _, c := range tc.contains {
				if !strings.Contains(got.Evidence, c) {
					t.Errorf("evidence %q\n does not contain %q", got.Evidence, c)
				}
			}
		})
	}
}

// TestFaultChecksNetwork: a network or API fault is confirmed only by both the action's
// FIS record of running and an app error naming the dependency.
func TestFaultChecksNetwork(t *testing.T) {
	tg := session.Target{Name: "role", ResourceType: "aws:iam:role", ResourceArns: []string{"arn:aws:iam::123456789012:role/app"}}
	errPattern := Pattern{Template: "ec2 DescribeInstances failed: InternalError <*>", Count: 12, First: at(10, 30, 4), Last: at(10, 30, 50), New: true, Severity: "error"}
	cases := []struct {
		name     string
		state    string
		patterns []Pattern
		want     string
		contains string
	}{
		{"ran and an app error names the service", "completed", []Pattern{errPattern}, FaultConfirmed, "prod/shop/orders logged 12 errors naming ec2 from 2026-04-11T10:30:04+00:00: `ec2 DescribeInstances failed: InternalError <*>`"},
		{"ran but no app error names it", "completed", []Pattern{{Template: "payment declined <*>", Count: 3, First: at(10, 30, 4), Last: at(10, 30, 5), Severity: "error"}}, FaultNotObserved, "no app error between"},
		{"app errors only before the action", "completed", []Pattern{{Template: errPattern.Template, Count: 2, First: at(10, 0, 0), Last: at(10, 1, 0), Severity: "error"}}, FaultNotObserved, "names ec2"},
		{"app error but FIS says it failed", "failed", []Pattern{errPattern}, FaultNotObserved, "FIS does not record the action as having run: failed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := baseSession()
			oneAction(s, "aws:fis:inject-api-internal-error", tg, map[string]string{"service": "ec2", "operations": "DescribeInstances", "percentage": "100"})
			s.Experiment.AffectedResources = nil
			s.Run.Actions[0].State = tc.state
			a := faultAnalysis(s)
			a.Apps = []AppAnalysis{{Cluster: "prod", Namespace: "shop", Workload: "orders", Patterns: tc.patterns}}
			got := faultChecks(s, a, "en")[0]
			if got.Observed != tc.want || !strings.Contains(got.Evidence, tc.contains) {
				t.Fatalf("got %s %q, want %s containing %q", got.Observed, got.Evidence, tc.want, tc.contains)
			}
		})
	}
}

// TestFaultSourcesMatchEvents keeps the report's source names equal to aws/events'.
func TestFaultSourcesMatchEvents(t *testing.T) {
	for got, want := range map[string]string{
		srcRDSEvents: events.SourceRDSEvents, srcDocDBEvents: events.SourceDocDBEvents, srcCacheEvents: events.SourceElastiCacheEvents,
		srcMemoryDBEvents: events.SourceMemoryDBEvents, srcEC2Transitions: events.SourceEC2StateTransitions, srcScaling: events.SourceScalingActivities,
	} {
		if got != want {
			t.Errorf("report source %q, aws/events %q", got, want)
		}
	}
}

// TestFaultsSection renders the Fault Confirmation table right after the verdict, in both languages.
func TestFaultsSection(t *testing.T) {
	for _, lang := range []string{"en", "zh"} {
		s := baseSession()
		a, err := Analyze(s, Options{Now: fixtureNow, Language: lang})
		if err != nil {
			t.Fatal(err)
		}
		md, js, err := Render(s, a, "")
		if err != nil {
			t.Fatal(err)
		}
		head, header, row := "### Fault Confirmation", "| Action | Action ID | Fault observed | Evidence |", "| failover-writer | `aws:rds:failover-db-cluster` | ✅ confirmed |"
		if lang == "zh" {
			head, header, row = "### 故障确认", "| 动作 |", "| failover-writer | `aws:rds:failover-db-cluster` | ✅ 已确认 |"
		}
		out := string(md)
		i := strings.Index(out, head)
		if i < 0 {
			t.Fatalf("%s: no %q section", lang, head)
		}
		sec := out[i:]
		if j := strings.Index(sec[len(head):], "\n### "); j >= 0 {
			sec = sec[:len(head)+j]
		}
		if !strings.Contains(sec, header) || !strings.Contains(sec, row) {
			t.Errorf("%s: section lacks the header or the failover row:\n%s", lang, sec)
		}
		if k := strings.Index(out, "### Action Results"); lang == "en" && k >= 0 && k < i {
			t.Errorf("the fault section comes after Action Results")
		}
		if !strings.Contains(string(js), `"faults": [`) || !strings.Contains(string(js), `"observed": "confirmed"`) {
			t.Errorf("%s: JSON twin lacks the faults", lang)
		}
	}
}

// faultNotObservedSession is a run FIS reports as completed whose faults AWS never
// recorded: no failover event, no failing-over state, no writer or primary change.
func faultNotObservedSession() *session.Session {
	s := baseSession()
	s.Observations.ServiceEvents = nil
	var tl []session.Event
	for _, e := range s.Timeline {
		if e.Source != session.SourceResource {
			tl = append(tl, e)
		}
	}
	s.Timeline = tl
	s.Health.Resources[0].Detail = "aurora-postgresql cluster demo-aurora is available; writer demo-aurora-instance-1 (us-east-1a); readers demo-aurora-instance-2 (us-east-1b)"
	return s
}

// TestGoldenFaultNotObserved is the golden report of a run whose faults were not observed
// (go test ./session/report -run TestGoldenFaultNotObserved -update rewrites it).
func TestGoldenFaultNotObserved(t *testing.T) {
	s := faultNotObservedSession()
	a, err := Analyze(s, Options{Now: fixtureNow})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range a.Faults {
		if f.Observed != FaultNotObserved {
			t.Errorf("%s: observed %s, want not_observed (%s)", f.Action, f.Observed, f.Evidence)
		}
	}
	md, js, err := Render(s, a, "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "| failover-writer | `aws:rds:failover-db-cluster` | ❌ not observed | no failover event (DescribeEvents) and no writer change of demo-aurora") {
		t.Errorf("the report does not say the failover was not observed")
	}
	compareGolden(t, "testdata/golden/fault-not-observed.md", md)
	compareGolden(t, "testdata/golden/fault-not-observed.json", js)
}

// TestFaultEvidenceQuotesAWSTextAsCode: AWS's event text is data from the system under
// test: it is quoted as a code span (its backticks fenced), never as Markdown.
func TestFaultEvidenceQuotesAWSTextAsCode(t *testing.T) {
	s := baseSession()
	s.Observations.ServiceEvents = []session.Event{{Time: at(10, 30, 31), Source: "rds:DescribeEvents", Subject: "demo-aurora",
		Message: "Completed failover to DB instance: demo-aurora-instance-2 [click](http://x) `ignore the above`"}}
	got := faultChecks(s, faultAnalysis(s), "en")[0]
	if got.Observed != FaultConfirmed || !strings.Contains(got.Evidence, "`` Completed failover to DB instance: demo-aurora-instance-2 [click](http://x) `ignore the above` ``") {
		t.Fatalf("evidence %q does not fence AWS's text", got.Evidence)
	}
	a, err := Analyze(s, Options{Now: fixtureNow})
	if err != nil {
		t.Fatal(err)
	}
	md, _, err := Render(s, a, "")
	if err != nil {
		t.Fatal(err)
	}
	sec := string(md)[strings.Index(string(md), "### Fault Confirmation"):]
	sec = sec[:strings.Index(sec, "### Action Results")]
	if !strings.Contains(sec, untrustedEventsNote) {
		t.Errorf("the section quoting AWS text does not label it:\n%s", sec)
	}
}
