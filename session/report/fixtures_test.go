package report

import (
	"time"

	"github.com/fis-mcp/fis-mcp/session"
)

// Fixed sessions for the golden tests. Log files live in testdata/logs (paths are
// relative to the package directory, where go test runs).

func at(h, m, s int) time.Time { return time.Date(2026, 4, 11, h, m, s, 0, time.UTC) }

func tp(t time.Time) *time.Time { return &t }

var fixtureNow = at(10, 36, 0)

func baseSession() *session.Session {
	return &session.Session{
		ID:        "sess-0001",
		CreatedAt: at(10, 20, 0),
		UpdatedAt: at(10, 36, 0),
		State:     session.StateEnded,
		Language:  "en",
		Experiment: session.Experiment{
			Dir:               "/experiments/2026-04-11-10-00-00-aurora-failover-demo-EXTabc123def456",
			TemplateID:        "EXTabc123def456",
			Scenario:          "Aurora Failover: Writer/Redis AZ Power",
			Region:            "us-east-1",
			TargetAZ:          "use1-az2",
			StackName:         "fis-aurora-failover-demo-x1y2z3",
			StackStatus:       "CREATE_COMPLETE",
			DashboardURL:      "https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards:name=fis-aurora-failover",
			ReadmeLanguage:    "en",
			EstimatedDuration: "PT3M",
			AffectedResources: []session.AffectedResource{
				{Type: "RDS Aurora Cluster", Identifier: "demo-aurora", Impact: "Writer failover to another AZ"},
				{Type: "ElastiCache Redis", Identifier: "demo-redis", Impact: "Primary node power interruption"},
			},
			ExpectedBehavior: map[string]string{
				"RDS Aurora Cluster (demo-aurora)": "Writer fails over within 30-60 s; clients reconnect.",
			},
			Template: session.Template{
				ID: "EXTabc123def456",
				Actions: []session.Action{
					{Name: "failover-writer", ActionID: "aws:rds:failover-db-cluster", Targets: map[string]string{"Clusters": "aurora"}},
					{Name: "interrupt-redis", ActionID: "aws:elasticache:replicationgroup-interrupt-az-power",
						Parameters: map[string]string{"duration": "PT2M"}, Targets: map[string]string{"ReplicationGroups": "redis"}},
				},
				Targets: []session.Target{
					{Name: "aurora", ResourceType: "aws:rds:cluster", ResourceArns: []string{"arn:aws:rds:us-east-1:123456789012:cluster:demo-aurora"}},
					{Name: "redis", ResourceType: "aws:elasticache:replicationgroup", ResourceTags: map[string]string{"Name": "demo-redis"}},
				},
				StopConditions: []session.StopCondition{{Source: "aws:cloudwatch:alarm",
					Value: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:fis-stop-aurora-failover"}},
			},
		},
		Health: &session.HealthResult{
			CheckedAt: at(10, 26, 0), Verdict: session.VerdictHealthy, AllHealthy: true,
			Resources: []session.ResourceHealth{
				{ID: "demo-aurora", Type: "aws:rds:cluster", Status: "available", Healthy: true},
				{ID: "demo-redis", Type: "aws:elasticache:replicationgroup", Status: "available", Healthy: true},
			},
			Alarms: []session.AlarmHealth{{Name: "fis-stop-aurora-failover", Exists: true, State: "OK", Healthy: true}},
		},
		Discovery: &session.Discovery{
			At:       at(10, 26, 30),
			Clusters: []session.ClusterAccess{{Name: "prod", Reachable: true}},
			Apps:     fixtureApps(),
			ManagedLogGroups: []session.ManagedLogGroup{
				{Service: "rds", Identifier: "demo-aurora", Enabled: true, LogGroups: []string{"/aws/rds/cluster/demo-aurora/postgresql"},
					Fetched: "testdata/logs/aurora-postgresql.log"},
				{Service: "elasticache", Identifier: "demo-redis", Enabled: false,
					Recommendation: "Enable slow-log and engine-log delivery to CloudWatch Logs for demo-redis."},
			},
		},
		Logs: &session.LogCollection{
			Dir:       "/tmp/fis-mcp/sess-0001/logs",
			StartedAt: at(10, 25, 0),
			StoppedAt: tp(at(10, 35, 30)),
			Apps:      fixtureApps(),
			Streams: []session.LogStream{
				{App: "prod/shop/orders", Pod: "orders-7f9c8d-abcde", Container: "app", File: "testdata/logs/orders.log", Status: "stopped"},
				{App: "prod/shop/orders", Pod: "orders-7f9c8d-fghij", Container: "app", File: "testdata/logs/orders.log", Status: "stopped"},
				{App: "prod/shop/cart", Pod: "cart-5d6f7-x2kq9", Container: "cart", File: "testdata/logs/cart.log", Status: "stopped"},
				{App: "prod/shop/frontend", Pod: "frontend-6c7d8-qwert", Container: "web", File: "testdata/logs/frontend.log", Status: "stopped"},
				{App: "prod/shop/catalog", Pod: "catalog-1a2b3-zzzzz", Container: "app", File: "testdata/logs/catalog.log", Status: "stopped"},
			},
		},
		Run: &session.Run{
			ExperimentID: "EXPq1w2e3r4t5y6",
			ConfirmedAt:  at(10, 29, 50),
			ConfirmedBy:  "alice@example.com",
			RequestedAt:  at(10, 29, 55),
			State:        "completed",
			StartTime:    tp(at(10, 29, 58)),
			EndTime:      tp(at(10, 32, 2)),
			Actions: []session.ActionRun{
				{Name: "failover-writer", ActionID: "aws:rds:failover-db-cluster", State: "completed", StartTime: tp(at(10, 30, 0)), EndTime: tp(at(10, 30, 5))},
				{Name: "interrupt-redis", ActionID: "aws:elasticache:replicationgroup-interrupt-az-power", State: "completed", StartTime: tp(at(10, 30, 0)), EndTime: tp(at(10, 32, 0))},
			},
			ResourceStates: map[string]string{"demo-aurora": "available", "demo-redis": "available"},
			AlarmStates:    map[string][]string{"fis-stop-aurora-failover": {"OK", "OK"}},
		},
		Timeline: []session.Event{
			{Time: at(10, 25, 0), Source: "fis-mcp", Message: "log collection started for 4 apps"},
			{Time: at(10, 29, 58), Source: "fis", Kind: "state", Message: "experiment EXPq1w2e3r4t5y6 running"},
			{Time: at(10, 30, 0), Source: "fis-action", Subject: "failover-writer", Message: "failover-writer running"},
			{Time: at(10, 30, 0), Source: "fis-action", Subject: "interrupt-redis", Message: "interrupt-redis running"},
			{Time: at(10, 30, 5), Source: "fis-action", Subject: "failover-writer", Message: "failover-writer completed"},
			{Time: at(10, 30, 30), Source: "resource", Subject: "demo-aurora", Message: "demo-aurora: available → failing-over", Observed: true},
			{Time: at(10, 31, 0), Source: "resource", Subject: "demo-aurora", Message: "demo-aurora: failing-over → available", Observed: true},
			{Time: at(10, 32, 0), Source: "fis-action", Subject: "interrupt-redis", Message: "interrupt-redis completed"},
			{Time: at(10, 32, 2), Source: "fis", Kind: "state", Message: "experiment EXPq1w2e3r4t5y6 completed"},
		},
		Observations: &session.Observations{
			WindowStart: at(10, 29, 58), WindowEnd: at(10, 35, 2),
			ServiceEvents: []session.Event{
				{Time: at(10, 30, 1), Source: "rds:DescribeEvents", Subject: "demo-aurora", Message: "Started cross AZ failover to DB instance: demo-aurora-instance-2"},
				{Time: at(10, 30, 31), Source: "rds:DescribeEvents", Subject: "demo-aurora", Message: "Completed failover to DB instance: demo-aurora-instance-2"},
				{Time: at(10, 30, 3), Source: "elasticache:DescribeEvents", Subject: "demo-redis", Message: "Failover to replica node demo-redis-002 completed"},
			},
			Metrics: []session.MetricSeries{
				{Service: "rds", Identifier: "demo-aurora", Namespace: "AWS/RDS", Metric: "DatabaseConnections", Stat: "Average", Unit: "Count",
					Points: metricPoints(at(10, 28, 0), time.Minute, []float64{42, 41, 3, 18, 39, 42, 43, 42})},
			},
			AlarmHistory: []session.AlarmTransition{},
		},
		APICalls: []session.APICall{
			{Time: at(10, 20, 1), Tool: "resolve_experiment", Service: "cloudformation", Operation: "DescribeStacks", Resource: "fis-aurora-failover-demo-x1y2z3", Result: "ok", LatencyMS: 120},
			{Time: at(10, 29, 55), Tool: "start_experiment", Service: "fis", Operation: "StartExperiment", Resource: "EXTabc123def456", Result: "ok", LatencyMS: 310,
				CLI: "aws fis start-experiment --experiment-template-id EXTabc123def456 --region us-east-1"},
		},
	}
}

func metricPoints(start time.Time, step time.Duration, vals []float64) []session.MetricPoint {
	out := make([]session.MetricPoint, len(vals))
	for i, v := range vals {
		out[i] = session.MetricPoint{Time: start.Add(time.Duration(i) * step), Value: v}
	}
	return out
}

func fixtureApps() []session.App {
	return []session.App{
		{Cluster: "prod", Namespace: "shop", Workload: "orders", Kind: "Deployment", Containers: []string{"app"}, Service: "demo-aurora",
			Evidence: []string{"env DB_HOST=demo-aurora.cluster-abc.us-east-1.rds.amazonaws.com"}, Confidence: session.ConfidenceConfirmed},
		{Cluster: "prod", Namespace: "shop", Workload: "cart", Kind: "Deployment", Containers: []string{"cart"}, Service: "demo-redis",
			Evidence: []string{"configmap REDIS_URL"}, Confidence: session.ConfidenceConfirmed},
		{Cluster: "prod", Namespace: "shop", Workload: "frontend", Kind: "Deployment", Containers: []string{"web"}, Service: "",
			Confidence: session.ConfidenceMayReference},
		{Cluster: "prod", Namespace: "shop", Workload: "catalog", Kind: "Deployment", Containers: []string{"app"}, Service: "demo-aurora",
			Confidence: session.ConfidenceConfirmed},
	}
}

// fixtures are the golden cases.
func fixtures() map[string]func() *session.Session {
	return map[string]func() *session.Session{
		"completed": baseSession,
		"stopped": func() *session.Session {
			s := baseSession()
			s.Run.State = "stopped"
			s.Run.Reason = "Experiment stopped by stop condition fis-stop-aurora-failover"
			s.Run.EndTime = tp(at(10, 31, 0))
			s.Run.Actions[0].State = "completed"
			s.Run.Actions[1].State = "stopped"
			s.Run.Actions[1].EndTime = tp(at(10, 31, 0))
			s.Run.AlarmStates = map[string][]string{"fis-stop-aurora-failover": {"OK", "ALARM", "ALARM"}}
			s.Observations.AlarmHistory = []session.AlarmTransition{
				{Alarm: "fis-stop-aurora-failover", Time: at(10, 30, 55), From: "OK", To: "ALARM", Reason: "Threshold Crossed: 1 datapoint [57.0] was greater than 50.0"},
				{Alarm: "fis-stop-aurora-failover", Time: at(10, 33, 0), From: "ALARM", To: "OK"},
			}
			// orders never recovers in this variant
			for i := range s.Logs.Streams {
				if s.Logs.Streams[i].App == "prod/shop/orders" {
					s.Logs.Streams[i].File = "testdata/logs/orders-stuck.log"
				}
			}
			s.Timeline = append(s.Timeline[:6], session.Event{Time: at(10, 31, 0), Source: "fis", Kind: "state", Message: "experiment EXPq1w2e3r4t5y6 stopped: stop condition"})
			return s
		},
		"failed": func() *session.Session {
			s := baseSession()
			s.Run.State = "failed"
			s.Run.Reason = "Unable to assume role arn:aws:iam::123456789012:role/fis-role"
			s.Run.EndTime = tp(at(10, 30, 1))
			s.Run.Actions = []session.ActionRun{
				{Name: "failover-writer", ActionID: "aws:rds:failover-db-cluster", State: "failed", Reason: "AccessDenied: rds:FailoverDBCluster", StartTime: tp(at(10, 30, 0)), EndTime: tp(at(10, 30, 1))},
				{Name: "interrupt-redis", ActionID: "aws:elasticache:replicationgroup-interrupt-az-power", State: "cancelled"},
			}
			s.Logs.Streams = []session.LogStream{
				{App: "prod/shop/catalog", Pod: "catalog-1a2b3-zzzzz", Container: "app", File: "testdata/logs/catalog.log", Status: "stopped"},
				{App: "prod/shop/orders", Pod: "orders-7f9c8d-abcde", Container: "app", File: "testdata/logs/missing.log", Status: "failed", Error: `pods "orders-7f9c8d-abcde" is forbidden: User cannot get resource "pods/log"`},
			}
			s.Logs.Apps = []session.App{fixtureApps()[3], fixtureApps()[0]}
			s.Observations = nil
			s.Timeline = s.Timeline[:3]
			return s
		},
		"aborted": func() *session.Session {
			s := baseSession()
			s.State = session.StateAborted
			s.Experiment.StackStatus = "ROLLBACK_COMPLETE"
			s.Health, s.Discovery, s.Logs, s.Run, s.Observations = nil, nil, nil, nil, nil
			s.Abort = &session.Abort{At: at(10, 20, 5), Reason: "CloudFormation stack fis-aurora-failover-demo-x1y2z3 is ROLLBACK_COMPLETE, not CREATE_COMPLETE",
				Remedy:  "Check the stack events, fix the template and redeploy it with the prepare step.",
				Details: []string{"stack status reason: The following resource(s) failed to create: [FisRole]"}}
			s.Timeline = []session.Event{
				{Time: at(10, 20, 1), Source: "fis-mcp", Message: "experiment directory resolved"},
				{Time: at(10, 20, 5), Source: "fis-mcp", Kind: "abort", Message: "aborted: stack not deployed"},
			}
			s.APICalls = s.APICalls[:1]
			return s
		},
		"no-apps": func() *session.Session {
			s := baseSession()
			s.Discovery.Apps = nil
			s.Discovery.Clusters = append(s.Discovery.Clusters, session.ClusterAccess{Name: "legacy", Reachable: false, Error: "AccessDeniedException: no access entry"})
			s.Logs = nil
			s.Experiment.Template.StopConditions = []session.StopCondition{{Source: "none"}}
			s.Run.AlarmStates = nil
			return s
		},
		"override": func() *session.Session {
			s := baseSession()
			s.Health.Verdict = session.VerdictOverridden
			s.Health.AllHealthy = false
			s.Health.Resources[1].Status = "modifying"
			s.Health.Resources[1].Healthy = false
			s.Health.Override = &session.Override{Reason: "maintenance window already approved; modifying is a tag change", At: at(10, 27, 0), By: "bob@example.com",
				Unhealthy: []string{"demo-redis (modifying)"}}
			return s
		},
		"zh": func() *session.Session {
			s := baseSession()
			s.Language = "zh"
			s.Experiment.ReadmeLanguage = "zh"
			s.Experiment.Scenario = "Aurora 故障转移"
			return s
		},
	}
}
