package tools_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/rs/zerolog"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/tools"
)

// pollScale is a fis-mcp server over a fake account holding the demo experiment widened to
// many resources: instances EC2 instances by tag, a replication group of shards × replicas
// nodes and the Aurora cluster. It takes a testing.TB so benchmarks can use it too.
type pollScale struct {
	tb    testing.TB
	clock *awstest.FakeClock
	aws   *awstest.Server
	store *session.Store
	cl    *client.Client
	root  string // the experiments directory
	id    string // the session, once started
}

const scaleRedis = "demo-redis"

func newPollScale(tb testing.TB, instances, shards, replicas int) *pollScale {
	tb.Helper()
	p := &pollScale{tb: tb, clock: awstest.NewFakeClock(epoch)}
	p.aws = awstest.New(awstest.WithClock(p.clock))
	tb.Cleanup(p.aws.Close)
	tmp := tb.TempDir()
	root := filepath.Join(tmp, "experiments")
	if err := os.CopyFS(root, os.DirFS("../testdata/experiments")); err != nil {
		tb.Fatal(err)
	}
	h := &harness{clock: p.clock, aws: p.aws}
	h.seedDemo()
	p.seedScale(h, instances, shards, replicas)

	store, err := session.Open(filepath.Join(tmp, "state"), zerolog.Nop(), p.clock.Now)
	if err != nil {
		tb.Fatal(err)
	}
	p.store, p.root = store, root
	base, err := awsapi.LoadConfig(context.Background(), awsapi.Options{Endpoint: p.aws.URL, Region: awstest.DefaultRegion, MaxAttempts: 4, MaxBackoff: 2 * time.Millisecond})
	if err != nil {
		tb.Fatal(err)
	}
	deps := tools.NewDeps(store, base, tools.Config{ExperimentsDir: root}, awstest.SteppingClock{A: p.clock}, zerolog.Nop())
	tb.Cleanup(deps.Close)
	cl, err := client.NewInProcessClient(tools.NewServer(deps, "test"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = cl.Close() })
	if err := cl.Start(context.Background()); err != nil {
		tb.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "fis-mcp-poll-scale", Version: "1"}
	if _, err := cl.Initialize(context.Background(), init); err != nil {
		tb.Fatal(err)
	}
	p.cl = cl
	return p
}

// seedScale replaces the demo template with one over the instances, the replication group
// and the Aurora cluster, as the prepare step's AZ-power template targets them.
func (p *pollScale) seedScale(h *harness, instances, shards, replicas int) {
	s := p.aws
	for i := range instances {
		s.AddInstance(awstest.Instance{ID: fmt.Sprintf("i-%017x", i+1), AZ: "us-east-1b", Tags: map[string]string{"fis-target": "demo-cluster"}})
	}
	var groups []awstest.CacheNodeGroup
	for sh := 1; sh <= shards; sh++ {
		var ms []awstest.CacheNodeGroupMember
		for r := 1; r <= replicas; r++ {
			role := "replica"
			if r == 1 {
				role = "primary"
			}
			ms = append(ms, awstest.CacheNodeGroupMember{CacheClusterID: fmt.Sprintf("%s-%04d-%03d", scaleRedis, sh, r), Role: role, AZ: fmt.Sprintf("us-east-1%c", 'a'+(r-1)%3)})
		}
		groups = append(groups, awstest.CacheNodeGroup{ID: fmt.Sprintf("%04d", sh), Members: ms})
	}
	s.AddReplicationGroup(awstest.ReplicationGroup{ID: scaleRedis, ClusterEnabled: true, NodeGroups: groups})
	roleArn := fmt.Sprintf("arn:aws:iam::%s:role/%s", s.AccountID, demoRole)
	s.AddExperimentTemplate(awstest.ExperimentTemplate{
		ID: demoTemplate, Description: "AZ power interruption (scale)", RoleArn: roleArn,
		Actions: map[string]awstest.TemplateAction{
			"Stop-Instances":        {ActionID: "aws:ec2:stop-instances", Targets: map[string]string{"Instances": "EC2-Instances"}},
			"Interrupt-ElastiCache": {ActionID: "aws:elasticache:replicationgroup-interrupt-az-power", Targets: map[string]string{"ReplicationGroups": "ElastiCache-Cluster"}},
			"Failover-RDS":          {ActionID: "aws:rds:failover-db-cluster", Targets: map[string]string{"Clusters": "RDS-Cluster"}},
			"Wait":                  {ActionID: "aws:fis:wait", Parameters: map[string]string{"duration": "PT6M"}},
		},
		Targets: map[string]awstest.TemplateTarget{
			"EC2-Instances":       {ResourceType: "aws:ec2:instance", SelectionMode: "ALL", ResourceTags: map[string]string{"fis-target": "demo-cluster"}},
			"ElastiCache-Cluster": {ResourceType: "aws:elasticache:replicationgroup", SelectionMode: "ALL", ResourceArns: []string{h.arn("elasticache", "replicationgroup", scaleRedis)}},
			"RDS-Cluster":         {ResourceType: "aws:rds:cluster", SelectionMode: "ALL", ResourceArns: []string{h.arn("rds", "cluster", demoAurora)}},
		},
		StopConditions: []awstest.StopCondition{{Source: "aws:cloudwatch:alarm", Value: h.arn("cloudwatch", "alarm", demoAlarm)}},
	})
}

// call invokes a tool and fails on an error result; it returns the structured content.
func (p *pollScale) call(name string, args map[string]any) map[string]any {
	p.tb.Helper()
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := p.cl.CallTool(ctx, req)
	if err != nil {
		p.tb.Fatalf("%s: %v", name, err)
	}
	var text []string
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			text = append(text, tc.Text)
		}
	}
	if res.IsError {
		p.tb.Fatalf("%s failed:\n%s", name, strings.Join(text, "\n"))
	}
	out := map[string]any{}
	b, _ := json.Marshal(res.StructuredContent)
	_ = json.Unmarshal(b, &out)
	return out
}

// start resolves, health-checks and starts the experiment.
func (p *pollScale) start() {
	p.tb.Helper()
	r := p.call("resolve_experiment", map[string]any{"path": filepath.Join(p.root, demoDirName)})
	p.id, _ = r["session_id"].(string)
	if r := p.call("health_check", map[string]any{"session_id": p.id}); r["verdict"] != "healthy" {
		p.tb.Fatalf("health verdict %v", r["verdict"])
	}
	tok, _ := p.call("start_experiment", map[string]any{"session_id": p.id})["confirmation_token"].(string)
	if r := p.call("start_experiment", map[string]any{"session_id": p.id, "confirmation_token": tok}); r["status"] != "started" {
		p.tb.Fatalf("start: %v", r["status"])
	}
}

// pollCalls polls once, step after the previous poll, and returns the AWS calls it made per
// operation and in all, and the poll's result.
func (p *pollScale) pollCalls(step time.Duration) (map[string]int, int, tools.PollOutput) {
	p.tb.Helper()
	p.clock.Set(p.clock.Now().Add(step))
	before := len(p.aws.Calls("", ""))
	raw := p.call("poll", map[string]any{"session_id": p.id})
	calls := p.aws.Calls("", "")[before:]
	var out tools.PollOutput
	if b, err := json.Marshal(raw); err != nil || json.Unmarshal(b, &out) != nil {
		p.tb.Fatalf("poll: structured content is not a PollOutput: %v", raw)
	}
	byOp := map[string]int{}
	for _, c := range calls {
		byOp[c.Service+":"+c.Operation]++
	}
	return byOp, len(calls), out
}

func opsText(m map[string]int) string {
	var keys []string
	for k, n := range m {
		keys = append(keys, fmt.Sprintf("%s=%d", k, n))
	}
	sort.Strings(keys)
	return strings.Join(keys, " ")
}

// TestPollCallsDoNotGrow: the AWS calls of a poll are the same at poll 20 as at poll 2, and
// the same for a 1×3 as for a 15×3 replication group (O(services), not O(nodes or time)).
func TestPollCallsDoNotGrow(t *testing.T) {
	if testing.Short() {
		t.Skip("500 instances")
	}
	counts := map[string]int{} // "<nodes>/<poll>" → calls
	for _, tc := range []struct{ shards, polls int }{{15, 20}, {1, 2}} {
		p := newPollScale(t, 500, tc.shards, 3)
		p.start()
		for i := 1; i <= tc.polls; i++ {
			ops, n, out := p.pollCalls(15 * time.Second)
			if out.Terminal {
				t.Fatalf("poll %d: the experiment ended early", i)
			}
			if len(out.Notes) > 0 {
				t.Errorf("poll %d notes: %v", i, out.Notes)
			}
			if i == 2 || i == 20 {
				counts[fmt.Sprintf("%d/%d", tc.shards*3, i)] = n
				t.Logf("500 instances, %d×3 cache nodes, Aurora cluster, poll %d: %d AWS calls (%s)", tc.shards, i, n, opsText(ops))
				if got := ops["elasticache:DescribeEvents"]; got != 2 {
					t.Errorf("%d ElastiCache DescribeEvents a poll, want 2 (replication-group, cache-cluster)", got)
				}
			}
		}
	}
	if counts["45/2"] != counts["45/20"] {
		t.Errorf("calls a poll grow with time: %d at poll 2, %d at poll 20", counts["45/2"], counts["45/20"])
	}
	if counts["3/2"] != counts["45/2"] {
		t.Errorf("calls a poll grow with the cache nodes: %d for 3 nodes, %d for 45", counts["3/2"], counts["45/2"])
	}
}

// BenchmarkPollCalls reports the AWS calls of poll #1 and poll #20 for 500 EC2 instances, a
// 15-shard × 3-node replication group and an Aurora cluster (go test -bench PollCalls ./tools).
func BenchmarkPollCalls(b *testing.B) {
	for range b.N {
		p := newPollScale(b, 500, 15, 3)
		p.start()
		_, first, _ := p.pollCalls(15 * time.Second)
		var last int
		for i := 2; i <= 20; i++ {
			_, last, _ = p.pollCalls(15 * time.Second)
		}
		b.ReportMetric(float64(first), "calls/poll#1")
		b.ReportMetric(float64(last), "calls/poll#20")
	}
}
