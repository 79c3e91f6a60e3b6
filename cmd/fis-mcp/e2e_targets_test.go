package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/tools"
)

// targetsCase is one testdata experiment directory whose FIS template is deployed into a
// healthy fake account from its own cfn-template.yaml, then resolved and health-checked by
// the binary over stdio, the way FIS would select its targets.
type targetsCase struct {
	dir, stack string
	status     string // stack status (default CREATE_COMPLETE)
	seed       func(t *testing.T, s *awstest.Server, stateDir string) (args []string)
	// want are resource IDs the health check must list (and nothing else, where exact).
	want  []string
	exact bool
	// notes must each appear in the health result's notes or text.
	notes []string
	check func(t *testing.T, s *proc, sessionID string, health tools.HealthCheckOutput)
}

const (
	e2eAcct  = awstest.DefaultAccountID
	workload = "210987654321"
)

func azTag(v string) map[string]string { return map[string]string{"AzImpairmentPower": v} }

func ec2ARN(kind, id string) string {
	return "arn:aws:ec2:us-east-1:" + e2eAcct + ":" + kind + "/" + id
}

// TestE2ETargetRules runs the testdata templates that exercise FIS's documented target
// rules (https://docs.aws.amazon.com/fis/latest/userguide/targets.html): each comes out
// healthy, with its notes, on a healthy account.
func TestE2ETargetRules(t *testing.T) {
	t.Parallel()
	cases := []targetsCase{
		{
			dir: "2026-06-01-10-00-00-az-power-int-asg-web-EXT5a1b2c3d4e5f6", stack: "fis-az-power-int-2b-w7k3p9",
			seed: func(t *testing.T, s *awstest.Server, _ string) []string {
				zones := []string{"us-east-1a", "us-east-1b", "us-east-1c"}
				var asgInstances []awstest.ASGInstance
				for i, az := range zones {
					id := "i-0web00000000000" + string(rune('1'+i))
					s.AddInstance(awstest.Instance{ID: id, State: "running", AZ: az, Tags: azTag("IceAsg")})
					asgInstances = append(asgInstances, awstest.ASGInstance{ID: id, AZ: az})
					sn := "subnet-0web" + string(rune('a'+i))
					s.AddSubnet(awstest.Subnet{ID: sn, VPCID: "vpc-0web", AZ: az, State: "available", Tags: azTag("DisruptSubnet")})
					s.TagResource(ec2ARN("subnet", sn), azTag("DisruptSubnet"))
				}
				s.AddAutoScalingGroup(awstest.AutoScalingGroup{Name: "web-asg", MinSize: 3, MaxSize: 6, DesiredCapacity: 3, AZs: zones,
					Instances: asgInstances, Tags: azTag("IceAsg")})
				s.AddDBCluster(awstest.DBCluster{ID: "web-aurora", MultiAZ: true, Tags: azTag("DisruptRds"), Members: []awstest.DBClusterMember{
					{InstanceID: "web-aurora-1", Writer: true, AZ: "us-east-1b"}, {InstanceID: "web-aurora-2", AZ: "us-east-1a"}}})
				s.AddReplicationGroup(awstest.ReplicationGroup{ID: "web-redis", MultiAZ: "enabled", NodeGroups: []awstest.CacheNodeGroup{{
					Members: []awstest.CacheNodeGroupMember{
						{CacheClusterID: "web-redis-001", Role: "primary", AZ: "us-east-1b"},
						{CacheClusterID: "web-redis-002", Role: "replica", AZ: "us-east-1a"}}}}})
				s.TagResource("arn:aws:elasticache:us-east-1:"+e2eAcct+":replicationgroup:web-redis", azTag("ElasticacheImpact"))
				for _, v := range []awstest.Volume{
					{ID: "vol-0webdata1b", AZ: "us-east-1b", State: "in-use", AttachedTo: "i-0web000000000002", Device: "/dev/sdf", KeepOnTermination: true},
					{ID: "vol-0webroot1b", AZ: "us-east-1b", State: "in-use", AttachedTo: "i-0web000000000002", Device: "/dev/xvda"},
					{ID: "vol-0webdata1a", AZ: "us-east-1a", State: "in-use", AttachedTo: "i-0web000000000001", Device: "/dev/sdf", KeepOnTermination: true},
				} {
					v.Tags = azTag("ApiPauseVolume")
					s.AddVolume(v)
					s.TagResource(ec2ARN("volume", v.ID), v.Tags)
				}
				return nil
			},
			want:  []string{"web-asg", "i-0web000000000002", "subnet-0webb", "web-aurora", "web-redis", "vol-0webdata1b"},
			exact: true,
			notes: []string{"target ASG-Instances: filters kept 1 of 3", "COUNT(1)"},
			check: func(t *testing.T, s *proc, id string, h tools.HealthCheckOutput) {
				calls := h.APICalls
				if _, ok := hasCall(calls, "Auto Scaling", "DescribeAutoScalingGroups"); !ok {
					if _, ok := hasCall(calls, "autoscaling", "DescribeAutoScalingGroups"); !ok {
						t.Errorf("the ASG target was not resolved through DescribeAutoScalingGroups: %+v", calls)
					}
				}
			},
		},
		{
			dir: "2026-06-02-09-30-00-network-disrupt-az-subnets-EXT6b2c3d4e5f6a7", stack: "fis-network-disrupt-az-subnets-m4t8q1",
			seed: func(t *testing.T, s *awstest.Server, _ string) []string {
				for _, sn := range []awstest.Subnet{
					{ID: "subnet-0app1c1", VPCID: "vpc-0a1b2c3d4e5f60789", AZ: "us-east-1c", AZID: "use1-az4", State: "available"},
					{ID: "subnet-0app1c2", VPCID: "vpc-0a1b2c3d4e5f60789", AZ: "us-east-1c", AZID: "use1-az4", State: "available"},
					{ID: "subnet-0app1a1", VPCID: "vpc-0a1b2c3d4e5f60789", AZ: "us-east-1a", AZID: "use1-az1", State: "available"},
					{ID: "subnet-0oth1c1", VPCID: "vpc-0ffffffffffffffff", AZ: "us-east-1c", AZID: "use1-az4", State: "available"},
				} {
					s.AddSubnet(sn)
				}
				return nil
			},
			want: []string{"subnet-0app1c1", "subnet-0app1c2"}, exact: true,
		},
		{
			dir: "2026-06-03-14-00-00-ec2-stop-skip-canary-EXT7c3d4e5f6a7b8", stack: "fis-ec2-stop-skip-canary-r2d5v8",
			seed: func(t *testing.T, s *awstest.Server, _ string) []string {
				s.AddInstance(awstest.Instance{ID: "i-0batch00000000001", State: "running", AZ: "us-east-1a", Tags: map[string]string{"fis-target": "batch"}})
				s.AddInstance(awstest.Instance{ID: "i-0batch00000000002", State: "running", AZ: "us-east-1b", Tags: map[string]string{"fis-target": "batch"}})
				return nil
			},
			want: []string{"i-0batch00000000001", "i-0batch00000000002"}, exact: true,
			check: func(t *testing.T, s *proc, id string, h tools.HealthCheckOutput) {
				if len(h.SkippedTargets) != 1 || h.SkippedTargets[0].Target != "Canary-Instances" || strings.Join(h.SkippedTargets[0].Actions, ",") != "Stop-Canary" {
					t.Errorf("skipped_targets = %+v, want Canary-Instances → Stop-Canary", h.SkippedTargets)
				}
				s.ok("discover_apps", map[string]any{"session_id": id})
				w := decodeAs[tools.StartExperimentOutput](t, s.ok("start_experiment", map[string]any{"session_id": id}))
				if warning := w.Warning; !strings.Contains(warning, "Canary-Instances") || !strings.Contains(warning, "Stop-Canary") {
					t.Errorf("the impact warning does not say FIS will skip Stop-Canary:\n%s", warning)
				}
			},
		},
		{
			dir: "2026-06-04-11-00-00-multi-account-ec2-stop-payments-EXT8d4e5f6a7b8c9", stack: "fis-multi-account-ec2-stop-payments-h6j2n4",
			seed: func(t *testing.T, s *awstest.Server, stateDir string) []string {
				b := s.AddAccount(workload)
				b.AddRole("fis-target-payments", "")
				b.AddRole("fis-mcp-read", "")
				b.TrustRole("arn:aws:iam::"+workload+":role/fis-mcp-read", "arn:aws:iam::"+e2eAcct+":root")
				b.AddInstance(awstest.Instance{ID: "i-0pay000000000001", State: "running", AZ: "us-east-1a", Tags: map[string]string{"fis-target": "payments"}})
				b.AddInstance(awstest.Instance{ID: "i-0pay000000000002", State: "running", AZ: "us-east-1b", Tags: map[string]string{"fis-target": "payments"}})
				// A stopped look-alike in the caller's own account: checking it would block.
				s.AddInstance(awstest.Instance{ID: "i-0own000000000001", State: "stopped", AZ: "us-east-1a", Tags: map[string]string{"fis-target": "payments"}})
				roles := filepath.Join(stateDir, "..", "account-roles.yaml")
				if err := os.WriteFile(roles, []byte(`"`+workload+`": arn:aws:iam::`+workload+`:role/fis-mcp-read`+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				return []string{"--account-roles", roles}
			},
			want: []string{"i-0pay000000000001", "i-0pay000000000002"}, exact: true,
			check: func(t *testing.T, s *proc, id string, h tools.HealthCheckOutput) {
				for _, r := range h.Resources {
					if r.Account != workload {
						t.Errorf("resource %s checked in account %q, want %s", r.ID, r.Account, workload)
					}
				}
			},
		},
		{
			dir: "2026-06-05-08-15-00-aurora-failover-billing-db-EXT9e5f6a7b8c9d0", stack: "fis-aurora-failover-billing-db-c9x3z5",
			status: "UPDATE_ROLLBACK_COMPLETE",
			seed: func(t *testing.T, s *awstest.Server, _ string) []string {
				s.AddDBCluster(awstest.DBCluster{ID: "billing-db", MultiAZ: true, Members: []awstest.DBClusterMember{
					{InstanceID: "billing-db-1", Writer: true, AZ: "us-east-1a"}, {InstanceID: "billing-db-2", AZ: "us-east-1b"}}})
				return nil
			},
			want: []string{"billing-db"}, exact: true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.dir[strings.LastIndex(tc.dir, "-")+1:], func(t *testing.T) {
			t.Parallel()
			src := filepath.Join("..", "..", "testdata", "experiments", tc.dir)
			cfn, err := os.ReadFile(filepath.Join(src, "cfn-template.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			srv := awstest.New()
			t.Cleanup(srv.Close)
			id := tc.dir[strings.LastIndex(tc.dir, "-")+1:]
			if _, err := srv.DeployStack(tc.stack, id, cfn, awstest.DeployOptions{Status: tc.status}); err != nil {
				t.Fatalf("deploy %s: %v", tc.dir, err)
			}
			stateDir := filepath.Join(t.TempDir(), "state")
			args := tc.seed(t, srv, stateDir)
			s := startServer(t, serverOpts{stateDir: stateDir, env: srv.Env(),
				args: append([]string{"--experiments-dir", filepath.Join("..", "..", "testdata", "experiments")}, args...)})
			// The experiments dir is relative to the test's package directory; the server runs elsewhere.
			abs, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "experiments"))
			rr := s.ok("resolve_experiment", map[string]any{"template_id": id, "search_dir": abs})
			res := decodeAs[tools.ResolveExperimentOutput](t, rr)
			if res.State != "resolved" {
				t.Fatalf("resolve: state %s\n%s", res.State, rr.Text)
			}
			if tc.status != "" && (!strings.Contains(res.StackWarning, tc.status) || !strings.Contains(rr.Text, tc.status)) {
				t.Errorf("no stack warning for %s: %q\n%s", tc.status, res.StackWarning, rr.Text)
			}
			sid := res.SessionID
			hr := s.ok("health_check", map[string]any{"session_id": sid})
			out := decodeAs[tools.HealthCheckOutput](t, hr)
			if out.Verdict != "healthy" {
				t.Fatalf("verdict %s, want healthy:\n%s", out.Verdict, hr.Text)
			}
			got := map[string]bool{}
			for _, r := range out.Resources {
				got[r.ID] = true
			}
			for _, w := range tc.want {
				if !got[w] {
					t.Errorf("resource %s not checked; got %v\n%s", w, sortedKeys(got), hr.Text)
				}
			}
			if tc.exact && len(got) != len(tc.want) {
				t.Errorf("checked %v, want exactly %v (FIS would not select the others)\n%s", sortedKeys(got), tc.want, hr.Text)
			}
			all := strings.Join(out.Notes, "\n") + "\n" + hr.Text
			for _, n := range tc.notes {
				if !strings.Contains(all, n) {
					t.Errorf("note %q missing:\n%s", n, all)
				}
			}
			if tc.check != nil {
				tc.check(t, s, sid, out)
			}
		})
	}
}
