// Package sim is fis-mcp's simulated account: the wire-level fake AWS account
// (aws/awstest) and a fake EKS API server (kube/kubetest) seeded with an Aurora
// cluster, an ElastiCache replication group, an EKS cluster with three apps, and the
// FIS template and CloudFormation stack of the sample AZ power interruption
// experiment (testdata). Time is compressed: the experiment runs for seconds.
//
// When the experiment starts, the Aurora writer fails over, the ElastiCache primary
// is promoted away, the instances in the target AZ stop, and the apps' logs show the
// errors a real run causes, then recover. Truth() says when, so tests can check the
// report's figures. The "failing" scenario (WithScenario) keeps one app failing after the
// fault, so the report can show a run that did not pass.
package sim

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
	corev1 "k8s.io/api/core/v1"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/kube/kubetest"
)

// The sample experiment (testdata/experiments/2026-04-11-10-30-15-az-power-int-demo-cluster-EXT1a2b3c4d5e6f7).
const (
	TemplateID = "EXT1a2b3c4d5e6f7"
	StackName  = "fis-az-power-int-demo-cluster-d5w1p7"
	AlarmName  = "fis-stop-az-power-int-demo-cluster"
	Aurora     = "demo-aurora"
	Redis      = "demo-redis"
	Cluster    = "demo-eks"
	Nodegroup  = "demo-ng"
	TargetAZ   = "us-east-1b"
	Namespace  = "shop"
)

// Timing is the compressed timeline of the simulated experiment.
type Timing struct {
	// Initiating is how long FIS takes before actions run.
	Initiating time.Duration
	// Fault is the duration of the timed actions (ElastiCache power interruption, stopped instances).
	Fault time.Duration
	// Failover is how long the Aurora failover takes (an instantaneous action).
	Failover time.Duration
}

// DefaultTiming keeps the whole demo under a minute.
func DefaultTiming() Timing {
	return Timing{Initiating: 1500 * time.Millisecond, Fault: 10 * time.Second, Failover: 6 * time.Second}
}

// App is one simulated application and when its errors happen relative to the fault start.
type App struct {
	Name       string
	Service    string // the affected resource it uses
	ErrorsFrom time.Duration
	ErrorsTo   time.Duration
	Error      string
	Recovery   string
}

// Apps are the three simulated applications.
func Apps(t Timing) []App {
	return []App{
		{Name: "orders-api", Service: Aurora, ErrorsFrom: 1 * time.Second, ErrorsTo: t.Failover + 2*time.Second,
			Error:    `ERROR db: pq: terminating connection due to administrator command (host=demo-aurora.cluster-c1a2b3c4d5e6.us-east-1.rds.amazonaws.com)`,
			Recovery: `INFO db: reconnected to demo-aurora writer after failover`},
		{Name: "payments-worker", Service: Aurora, ErrorsFrom: 2 * time.Second, ErrorsTo: t.Failover,
			Error:    `ERROR payment batch failed: Communications link failure: the last packet sent successfully to the server was 0 milliseconds ago`,
			Recovery: `INFO connection restored, resuming payment batches`},
		{Name: "cart-service", Service: Redis, ErrorsFrom: 1 * time.Second, ErrorsTo: t.Fault - 2*time.Second,
			Error:    `ERROR redis: READONLY You can't write against a read only replica.`,
			Recovery: `INFO redis: reconnected to new primary demo-redis-002`},
	}
}

// Storefront is the front end that calls orders-api: never touching the affected
// resources, it fails while orders-api does (an indirectly affected app).
func Storefront(t Timing) App {
	return App{Name: "storefront-web", ErrorsFrom: 2 * time.Second, ErrorsTo: t.Failover + 2*time.Second,
		Error:    `ERROR upstream orders-api.shop.svc.cluster.local returned 503 Service Unavailable for GET /checkout`,
		Recovery: `INFO upstream orders-api healthy again`}
}

// The simulated account's scenarios.
const (
	// ScenarioDefault: every app recovers after the fault.
	ScenarioDefault = "default"
	// ScenarioFailing: payments-worker never recovers: its pooled connection to the old
	// Aurora writer (now a reader) keeps failing writes long after the fault.
	ScenarioFailing = "failing"
)

// Scenarios are the valid scenario names.
func Scenarios() []string { return []string{ScenarioDefault, ScenarioFailing} }

// ParseScenario checks a scenario name ("" is the default one).
func ParseScenario(name string) (string, error) {
	switch name {
	case "":
		return ScenarioDefault, nil
	case ScenarioDefault, ScenarioFailing:
		return name, nil
	}
	return "", fmt.Errorf("unknown simulated scenario %q: use one of %s", name, strings.Join(Scenarios(), ", "))
}

// FailingApp is the app that never recovers in the failing scenario.
const FailingApp = "payments-worker"

// Never is the ErrorsTo of an app that never recovers.
const Never = 100 * 365 * 24 * time.Hour

// ScenarioApps are the three simulated applications of a scenario: in the failing one,
// FailingApp's errors go on for ever (and it never logs a recovery).
func ScenarioApps(t Timing, scenario string) []App {
	apps := Apps(t)
	if scenario != ScenarioFailing {
		return apps
	}
	for i := range apps {
		if apps[i].Name == FailingApp {
			apps[i].ErrorsTo = Never
			apps[i].Error = `ERROR payment batch failed: ERROR: cannot execute INSERT in a read-only transaction (SQLSTATE 25006) on stale pooled connection to demo-aurora-instance-1`
			apps[i].Recovery = ""
		}
	}
	return apps
}

// Truth is what the simulation did, for tests to compare the report against.
type Truth struct {
	ExperimentID string
	Start        time.Time // the StartExperiment time
	FaultStart   time.Time // when actions began
	Apps         []App
	Scenario     string
}

// Account is a running simulated account.
type Account struct {
	AWS    *awstest.Server
	Kube   *kubetest.Server
	Timing Timing
	// Scenario is ScenarioDefault or ScenarioFailing.
	Scenario string

	mu    sync.Mutex
	truth Truth
	// faults are the fault starts of every experiment that ran, in start order.
	faults []time.Time

	awsHTTP *httptest.Server
	persist *persister // nil without WithStateDir
	nodes   []awstest.Instance
	pods    map[string][]string // app → pod names
}

// Pods are the pod names of a simulated app (the same in every process of an account).
func (a *Account) Pods(app string) []string {
	return append([]string(nil), a.pods[app]...)
}

// Option configures the account.
type Option func(*options)

type options struct {
	timing   Timing
	scenario string
	stateDir string
	log      zerolog.Logger
	clock    awstest.Clock // nil: the wall clock (tests set it)
}

// WithTiming overrides the compressed timings.
func WithTiming(t Timing) Option { return func(o *options) { o.timing = t } }

// WithScenario selects the scenario (ScenarioDefault or ScenarioFailing; New refuses others).
func WithScenario(name string) Option { return func(o *options) { o.scenario = name } }

// WithStateDir keeps the account's state in dir (persist.go), so that an account started
// later on the same directory continues the same run: its experiments progress and end,
// pods keep their logs, and experiment IDs are not handed out twice. Warnings (an
// unreadable state file) and failed saves go to log.
func WithStateDir(dir string, log zerolog.Logger) Option {
	return func(o *options) { o.stateDir, o.log = dir, log }
}

// epochClock is the wall clock, except while the account is seeded: then it reads the
// account's epoch, so resources and pods seeded by every process of a persisted account
// have the same creation and start times.
type epochClock struct {
	base   awstest.Clock
	frozen atomic.Pointer[time.Time]
}

func (c *epochClock) Now() time.Time {
	if t := c.frozen.Load(); t != nil {
		return *t
	}
	return c.base.Now()
}

// New starts a simulated account on loopback ports. Close it when done.
func New(opts ...Option) (*Account, error) {
	o := options{timing: DefaultTiming()}
	for _, f := range opts {
		f(&o)
	}
	scenario, err := ParseScenario(o.scenario)
	if err != nil {
		return nil, err
	}
	clock := &epochClock{base: o.clock}
	if clock.base == nil {
		clock.base = awstest.RealClock{}
	}
	epoch := clock.Now()
	var (
		p     *persister
		saved persistedState
	)
	if o.stateDir != "" {
		if p, saved, err = openPersister(o.stateDir, o.log, epoch); err != nil {
			return nil, err
		}
		epoch = p.epoch
	}
	clock.frozen.Store(&epoch)
	a := &Account{AWS: awstest.NewUnstarted(awstest.WithClock(clock)), Kube: kubetest.New(kubetest.WithClock(clock)), Timing: o.timing, Scenario: scenario}
	a.Kube.RequireToken(func(tok string) bool { return strings.HasPrefix(tok, "k8s-aws-v1.") })
	err = a.seed()
	clock.frozen.Store(nil)
	if err != nil {
		a.Close()
		return nil, err
	}
	var h = http.Handler(a.AWS)
	if p != nil {
		p.acct = a
		a.persist = p
		a.AWS.SetExperimentIDs(p.nextID)
		p.apply(saved)
		p.stamp()
		h = p.handler(a.AWS)
	}
	a.awsHTTP = httptest.NewServer(h)
	a.AWS.URL = a.awsHTTP.URL
	return a, nil
}

// Close stops both servers.
func (a *Account) Close() {
	if a.awsHTTP != nil {
		a.awsHTTP.Close()
	}
	a.AWS.Close()
	a.Kube.Close()
}

// StateDir is where the account keeps its state ("" when it is not persisted).
func (a *Account) StateDir() string {
	if a.persist == nil {
		return ""
	}
	return a.persist.dir
}

// Region is the simulated region.
func (a *Account) Region() string { return a.AWS.Region }

// Truth returns what happened so far.
func (a *Account) Truth() Truth {
	a.mu.Lock()
	defer a.mu.Unlock()
	t := a.truth
	t.Apps = a.apps()
	t.Scenario = a.Scenario
	return t
}

// apps are the three simulated applications of the account's scenario.
func (a *Account) apps() []App { return ScenarioApps(a.Timing, a.Scenario) }

// faultStarts are the fault starts of every experiment that ran.
func (a *Account) faultStarts() []time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.faults
}

// inFault reports whether t is within d of a fault start.
func (a *Account) inFault(t time.Time, d time.Duration) bool {
	for _, fs := range a.faultStarts() {
		if !t.Before(fs) && t.Before(fs.Add(d)) {
			return true
		}
	}
	return false
}

func (a *Account) seed() error {
	s, t := a.AWS, a.Timing
	region, acct := s.Region, s.AccountID
	now := s.Now()
	roleArn := fmt.Sprintf("arn:aws:iam::%s:role/fis-az-power-int-demo-cluster-role", acct)
	s.AddRole("fis-az-power-int-demo-cluster-role", roleArn)
	s.SetFISTiming(awstest.FISTiming{Pending: 500 * time.Millisecond, Initiating: t.Initiating, DefaultAction: t.Failover, Stopping: time.Second})
	s.AddStack(awstest.Stack{Name: StackName, Status: "CREATE_COMPLETE", CreationTime: now.Add(-time.Hour),
		Outputs: map[string]string{"ExperimentTemplateId": TemplateID, "DashboardName": "fis-az-power-int-demo-cluster"}})

	// Aurora: writer in the target AZ, reader in another.
	s.AddDBCluster(awstest.DBCluster{ID: Aurora, Engine: "aurora-postgresql", MultiAZ: true, LogExports: []string{"postgresql"},
		Members: []awstest.DBClusterMember{
			{InstanceID: Aurora + "-instance-1", Writer: true, AZ: TargetAZ},
			{InstanceID: Aurora + "-instance-2", AZ: "us-east-1a"},
		}, Tags: map[string]string{"app": "shop"}})
	s.AddReplicationGroup(awstest.ReplicationGroup{ID: Redis, Engine: "redis", MultiAZ: "enabled",
		NodeGroups: []awstest.CacheNodeGroup{{Members: []awstest.CacheNodeGroupMember{
			{CacheClusterID: Redis + "-001", Role: "primary", AZ: TargetAZ},
			{CacheClusterID: Redis + "-002", Role: "replica", AZ: "us-east-1a"},
		}}},
		LogDelivery: []awstest.CacheLogDelivery{{LogType: "engine-log", DestinationType: "cloudwatch-logs", LogGroup: "/aws/elasticache/demo-redis/engine-log", Format: "text"}},
	})
	s.AddLogGroup("/aws/rds/cluster/demo-aurora/postgresql")
	s.AddLogGroup("/aws/elasticache/demo-redis/engine-log")

	// EKS nodes: one per AZ; the one in the target AZ is stopped by the experiment.
	nodes := []awstest.Instance{
		{ID: "i-0a1b2c3d4e5f60001", AZ: "us-east-1a", Tags: map[string]string{"fis-target": "demo-cluster", "eks:nodegroup-name": Nodegroup}},
		{ID: "i-0a1b2c3d4e5f60002", AZ: TargetAZ, Tags: map[string]string{"fis-target": "demo-cluster", "eks:nodegroup-name": Nodegroup}},
		{ID: "i-0a1b2c3d4e5f60003", AZ: "us-east-1c", Tags: map[string]string{"fis-target": "demo-cluster", "eks:nodegroup-name": Nodegroup}},
	}
	for _, n := range nodes {
		s.AddInstance(n)
	}
	s.AddEKSCluster(awstest.EKSCluster{Name: Cluster, Endpoint: a.Kube.URL, CAData: a.Kube.CAData(), LoggingTypes: []string{"api", "audit"}})
	s.AddNodegroup(awstest.EKSNodegroup{Cluster: Cluster, Name: Nodegroup, MinSize: 3, MaxSize: 6, DesiredSize: 3})
	s.AddAlarm(awstest.Alarm{Name: AlarmName, State: awstest.AlarmOK, Reason: "Threshold Crossed: no datapoints were breaching",
		Namespace: "AWS/ApplicationELB", MetricName: "HTTPCode_Target_5XX_Count", Statistic: "Sum", Period: 60, EvaluationPeriods: 3, Threshold: 500, ComparisonOperator: "GreaterThanThreshold"})
	a.seedMetrics()

	s.AddExperimentTemplate(sampleTemplate(region, acct, roleArn, t))
	s.OnExperimentStart(func(id string, start time.Time) {
		// The hook runs with the fake's lock held; the scripts take it themselves, so
		// they run on their own goroutine.
		a.experimentStarted(id, start, true)
	})
	a.nodes = nodes
	return a.seedKube()
}

// experimentStarted records an experiment whose actions run and scripts the scenario's
// resource changes, as AWS records them, relative to its fault start: on a goroutine
// when called from the fake's start hook (async), at once when a persisted experiment
// is restored (before the account serves).
func (a *Account) experimentStarted(id string, start time.Time, async bool) {
	faultStart := start.Add(500*time.Millisecond + a.Timing.Initiating)
	a.mu.Lock()
	a.truth = Truth{ExperimentID: id, Start: start, FaultStart: faultStart}
	a.faults = append(append([]time.Time(nil), a.faults...), faultStart)
	a.mu.Unlock()
	if async {
		go a.scriptFault(faultStart)
		return
	}
	a.scriptFault(faultStart)
}

// scriptFault schedules the scenario's resource changes, events and engine logs.
func (a *Account) scriptFault(faultStart time.Time) {
	s, t, nodes := a.AWS, a.Timing, a.nodes
	s.ScriptAuroraFailover(Aurora, faultStart, t.Failover)
	s.ScriptElastiCacheFailover(Redis, faultStart, t.Fault)
	s.SetInstanceStateAt(faultStart.Add(time.Second), nodes[1].ID, "stopping", "")
	s.SetInstanceStateAt(faultStart.Add(2*time.Second), nodes[1].ID, "stopped", "")
	s.SetInstanceStateAt(faultStart.Add(t.Fault), nodes[1].ID, "pending", "")
	s.SetInstanceStateAt(faultStart.Add(t.Fault+time.Second), nodes[1].ID, "running", "")
	s.PutLogEvents("/aws/rds/cluster/demo-aurora/postgresql", "demo-aurora-instance-1.0",
		awstest.LogEvent{Time: faultStart.Add(500 * time.Millisecond), Message: "LOG:  received fast shutdown request"},
		awstest.LogEvent{Time: faultStart.Add(time.Second), Message: "FATAL:  terminating connection due to administrator command"},
		awstest.LogEvent{Time: faultStart.Add(t.Failover), Message: "LOG:  database system is ready to accept connections"})
	s.PutLogEvents("/aws/elasticache/demo-redis/engine-log", "demo-redis-002-001",
		awstest.LogEvent{Time: faultStart.Add(2 * time.Second), Message: "MASTER MODE enabled (user request from 'id=5 addr=10.0.1.12:6379')"})
}

// sampleTemplate is the simulated account's FIS template: three of the six actions of the
// sample's cfn-template.yaml (the ones whose effects the simulation scripts), on the same
// target names and action IDs, with the fault duration compressed to t.Fault.
// TestSeededTemplateIsPartOfTheSample keeps it a part of the sample template.
func sampleTemplate(region, acct, roleArn string, t Timing) awstest.ExperimentTemplate {
	fault := fmt.Sprintf("PT%dS", int(t.Fault.Seconds()))
	return awstest.ExperimentTemplate{
		ID: TemplateID, Description: "AZ Power Interruption of " + TargetAZ + " (simulated, time-compressed)", RoleArn: roleArn,
		Actions: map[string]awstest.TemplateAction{
			"Failover-RDS": {ActionID: "aws:rds:failover-db-cluster", Description: "Fail the Aurora writer over to another AZ",
				Targets: map[string]string{"Clusters": "RDS-Cluster"}},
			"Interrupt-ElastiCache": {ActionID: "aws:elasticache:replicationgroup-interrupt-az-power", Description: "Interrupt power to the cache nodes in the AZ",
				Parameters: map[string]string{"duration": fault}, Targets: map[string]string{"ReplicationGroups": "ElastiCache-Cluster"}},
			"Stop-EKS-Nodes": {ActionID: "aws:ec2:stop-instances", Description: "Stop the EKS nodes in the AZ",
				Parameters: map[string]string{"startInstancesAfterDuration": fault, "duration": fault}, Targets: map[string]string{"Instances": "EKS-Nodes"}},
		},
		Targets: map[string]awstest.TemplateTarget{
			"RDS-Cluster": {ResourceType: "aws:rds:cluster", SelectionMode: "ALL",
				ResourceArns: []string{fmt.Sprintf("arn:aws:rds:%s:%s:cluster:%s", region, acct, Aurora)}},
			"ElastiCache-Cluster": {ResourceType: "aws:elasticache:replicationgroup", SelectionMode: "ALL",
				ResourceArns: []string{fmt.Sprintf("arn:aws:elasticache:%s:%s:replicationgroup:%s", region, acct, Redis)}},
			"EKS-Nodes": {ResourceType: "aws:ec2:instance", SelectionMode: "ALL",
				ResourceTags: map[string]string{"fis-target": "demo-cluster"},
				Filters:      []awstest.TemplateTargetFilter{{Path: "Placement.AvailabilityZone", Values: []string{TargetAZ}}}},
		},
		StopConditions: []awstest.StopCondition{{Source: "aws:cloudwatch:alarm", Value: fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", region, acct, AlarmName)}},
		Tags:           map[string]string{"Name": "az-power-int-demo-cluster"},
	}
}

func (a *Account) seedMetrics() {
	s := a.AWS
	inFault := a.inFault
	s.SetMetric("AWS/RDS", "DatabaseConnections", map[string]string{"DBClusterIdentifier": Aurora}, func(t time.Time) float64 {
		if inFault(t, a.Timing.Failover) {
			return 3
		}
		return 42
	})
	s.SetMetric("AWS/RDS", "CPUUtilization", map[string]string{"DBClusterIdentifier": Aurora}, func(t time.Time) float64 { return 18 })
	for _, id := range []string{Redis + "-001", Redis + "-002"} {
		s.SetMetric("AWS/ElastiCache", "CurrConnections", map[string]string{"CacheClusterId": id}, func(t time.Time) float64 {
			if inFault(t, a.Timing.Fault) {
				return 0
			}
			return 120
		})
	}
}

// seedKube creates the three apps (and an unrelated one) whose config references the
// affected resources, with logs that show the fault.
func (a *Account) seedKube() error {
	k := a.Kube
	k.AddNamespace(Namespace)
	k.AddNamespace("monitoring")
	auroraEndpoint := Aurora + ".cluster-c1a2b3c4d5e6.us-east-1.rds.amazonaws.com"
	k.AddSecret(Namespace, "orders-db", map[string]string{"DB_PASSWORD": randomSecret()})
	k.AddConfigMap(Namespace, "payments-config", map[string]string{"database.url": "postgres://payments@" + auroraEndpoint + ":5432/payments"})
	container := func(name string, env map[string]string, envFrom string) corev1.Container {
		c := corev1.Container{Name: name, Image: "example.com/shop/" + name + ":1.4.2"}
		for key, v := range env {
			c.Env = append(c.Env, corev1.EnvVar{Name: key, Value: v})
		}
		if envFrom != "" {
			c.EnvFrom = []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: envFrom}}}}
		}
		return c
	}
	specs := map[string]corev1.PodSpec{
		"orders-api": {Containers: []corev1.Container{container("orders-api", map[string]string{"DB_HOST": auroraEndpoint, "DB_NAME": "orders"}, "")}},
		"payments-worker": {Containers: []corev1.Container{container("payments-worker", nil, "payments-config")},
			Volumes: []corev1.Volume{{Name: "cfg", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "payments-config"}}}}}},
		"cart-service":   {Containers: []corev1.Container{container("cart-service", map[string]string{"REDIS_URL": "redis://" + Redis + ".abc123.ng.0001.use1.cache.amazonaws.com:6379"}, "")}},
		"storefront-web": {Containers: []corev1.Container{container("storefront-web", map[string]string{"ORDERS_URL": "http://orders-api.shop.svc.cluster.local"}, "")}},
	}
	for _, name := range []string{"orders-api", "cart-service", "storefront-web"} {
		k.AddService(Namespace, name, corev1.ServiceSpec{Selector: map[string]string{"app": name}, Ports: []corev1.ServicePort{{Port: 80}}})
	}
	start := k.Now().Add(-2 * time.Minute)
	for _, name := range []string{"orders-api", "payments-worker", "cart-service", "storefront-web"} {
		pods := k.AddDeployment(Namespace, name, map[string]string{"app": name}, specs[name], 2)
		if a.pods == nil {
			a.pods = map[string][]string{}
		}
		a.pods[name] = pods
		var app *App
		for _, x := range append(a.apps(), Storefront(a.Timing)) {
			if x.Name == name {
				x := x
				app = &x
			}
		}
		for i, pod := range pods {
			if err := k.SetLogs(Namespace, pod, name, a.generator(start, name, i, app)); err != nil {
				return fmt.Errorf("simulated logs of %s: %w", pod, err)
			}
		}
	}
	return nil
}

// generator emits a request log line every 500 ms per pod, errors during the app's
// error window after the fault start, and one recovery line after it.
func (a *Account) generator(start time.Time, name string, replica int, app *App) kubetest.Generator {
	return kubetest.Periodic(start.Add(time.Duration(replica)*137*time.Millisecond), 500*time.Millisecond, func(buf []byte, i int64, t time.Time) []byte {
		if app != nil {
			for _, fs := range a.faultStarts() {
				from, to := fs.Add(app.ErrorsFrom), fs.Add(app.ErrorsTo)
				switch {
				case !t.Before(from) && t.Before(to):
					return append(buf, app.Error...)
				case app.Recovery != "" && !t.Before(to) && t.Before(to.Add(500*time.Millisecond)):
					return append(buf, app.Recovery...)
				}
			}
		}
		return fmt.Appendf(buf, `INFO %s: GET /api/v1/items/%d 200 in %dms`, name, i%977, 3+i%17)
	})
}

func randomSecret() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("sim-%x", b)
}
