package expdir

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/fis-mcp/fis-mcp/session"
)

const (
	goodRoot   = "../../testdata/experiments"
	brokenRoot = "../../testdata/experiments-broken"
)

func loadDir(t *testing.T, root, name string) (session.Experiment, []string) {
	t.Helper()
	d, err := Open(name, root)
	if err != nil {
		t.Fatalf("Open(%s): %v", name, err)
	}
	exp, warnings, err := Load(d)
	if err != nil {
		t.Fatalf("Load(%s): %v", name, err)
	}
	return exp, warnings
}

func TestLoadTestdata(t *testing.T) {
	abs := func(root, name string) string {
		p, err := filepath.Abs(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	const (
		azPower = "2026-04-11-10-30-15-az-power-int-demo-cluster-EXT1a2b3c4d5e6f7"
		aurora  = "2026-05-02-09-00-00-aurora-failover-orders-db-EXT2b3c4d5e6f7a8"
		redisZH = "2026-05-03-14-20-00-redis-az-power-cache-EXT3c4d5e6f7a8b9"
		legacy  = "az-power-int-legacy-EXT4d5e6f7a8b9c0"
	)
	tests := []struct {
		name string
		want session.Experiment
	}{
		{azPower, session.Experiment{
			Dir: abs(goodRoot, azPower), TemplateID: "EXT1a2b3c4d5e6f7", Scenario: "AZ Power Interruption",
			Region: "us-east-1", TargetAZ: "use1-az2", Created: "2026-04-11T10:30:15+08:00",
			EstimatedDuration: "PT10M", EstimatedDurationSeconds: 600, StackName: "fis-az-power-int-demo-cluster-d5w1p7",
			DashboardURL:   "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/fis-az-power-int-demo-cluster",
			ReadmeLanguage: "en",
			AffectedResources: []session.AffectedResource{
				{Type: "RDS Aurora Cluster", Identifier: "demo-aurora", Impact: "Writer failover to a reader in another AZ (about 30-60 s of write errors)"},
				{Type: "ElastiCache Redis Replication Group", Identifier: "demo-redis", Impact: "Primary node in use1-az2 loses power; a replica is promoted"},
				{Type: "EKS Managed Node Group", Identifier: "demo-eks/demo-ng", Impact: "Worker nodes in use1-az2 stopped for 10 minutes; pods rescheduled to other AZs"},
				{Type: "EC2 Instances", Identifier: "tag:fis-target=demo-cluster", Impact: "Instances in use1-az2 stopped for 10 minutes, then started again"},
				{Type: "EC2 Auto Scaling Group", Identifier: "eks-demo-ng-2ac6f1d2-4b8e-9c71-1f3a-5d2e7b9c0a11", Impact: "Launches into use1-az2 fail with InsufficientInstanceCapacity"},
			},
		}},
		{aurora, session.Experiment{
			Dir: abs(goodRoot, aurora), TemplateID: "EXT2b3c4d5e6f7a8", Scenario: "Aurora Cluster Failover",
			Region: "us-west-2", Created: "2026-05-02 09:00:00 UTC",
			EstimatedDuration: "5 minutes", EstimatedDurationSeconds: 300, StackName: "fis-aurora-failover-orders-db-q8n2x4",
			DashboardURL:   "https://us-west-2.console.aws.amazon.com/cloudwatch/home?region=us-west-2#dashboards/dashboard/fis-aurora-failover-orders-db",
			ReadmeLanguage: "en",
			AffectedResources: []session.AffectedResource{
				{Type: "RDS Aurora Cluster", Identifier: "orders-db", Impact: "Writer failover; writes fail for about 30-60 s while DNS moves to the new writer"},
			},
		}},
		{redisZH, session.Experiment{
			Dir: abs(goodRoot, redisZH), TemplateID: "EXT3c4d5e6f7a8b9", Scenario: "Redis 可用区断电",
			Region: "ap-northeast-1", TargetAZ: "apne1-az1", Created: "2026-05-03 14:20:00 +08:00",
			EstimatedDuration: "15 分钟", EstimatedDurationSeconds: 900, StackName: "fis-redis-az-power-cache-k3m9q2",
			DashboardURL:   "https://ap-northeast-1.console.aws.amazon.com/cloudwatch/home?region=ap-northeast-1#dashboards/dashboard/fis-redis-az-power-cache",
			ReadmeLanguage: "zh",
			AffectedResources: []session.AffectedResource{
				{Type: "ElastiCache Redis 复制组", Identifier: "cache-redis", Impact: "apne1-az1 中的主节点断电，副本被提升为主节点；写入中断约 30-90 秒"},
			},
		}},
		{legacy, session.Experiment{
			Dir: abs(goodRoot, legacy), TemplateID: "EXT4d5e6f7a8b9c0", Scenario: "AZ Power Interruption (legacy layout)",
			Region: "us-east-1", TargetAZ: "use1-az4", Created: "2025-11-20",
			EstimatedDuration: "approximately 10 minutes", EstimatedDurationSeconds: 600, StackName: "fis-az-power-int-legacy-7hk2m1",
			ReadmeLanguage: "en",
			AffectedResources: []session.AffectedResource{
				{Type: "RDS Aurora Cluster", Identifier: "legacy-aurora", Impact: "Writer failover out of use1-az4"},
				{Type: "ElastiCache Redis Replication Group", Identifier: "legacy-redis", Impact: "Nodes in use1-az4 lose power"},
				{Type: "EKS Managed Node Group", Identifier: "legacy-eks/legacy-ng", Impact: "Nodes in use1-az4 stopped"},
			},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			exp, warnings := loadDir(t, goodRoot, tc.name)
			if len(warnings) != 0 {
				t.Errorf("warnings: %q", warnings)
			}
			eb := exp.ExpectedBehavior
			exp.ExpectedBehavior = nil
			if !reflect.DeepEqual(exp, tc.want) {
				t.Fatalf("Load:\n got %+v\nwant %+v", exp, tc.want)
			}
			if tc.name == legacy {
				if len(eb) != 3 || !strings.Contains(eb["RDS Aurora (legacy-aurora)"], "fails over") {
					t.Fatalf("ExpectedBehavior = %q", eb)
				}
			} else if eb != nil {
				t.Fatalf("unexpected ExpectedBehavior %q", eb)
			}
		})
	}
}

func TestLoadNoStack(t *testing.T) {
	exp, warnings := loadDir(t, brokenRoot, "2026-04-11-no-stack-EXT6f7a8b9c0d1e2")
	if exp.StackName != "" || exp.TemplateID != "EXT6f7a8b9c0d1e2" {
		t.Fatalf("Load = %+v", exp)
	}
	if len(warnings) < 2 || warnings[0] != "README.md is missing: CFN Stack" || !strings.Contains(warnings[1], "cannot be checked") {
		t.Fatalf("warnings = %q", warnings)
	}
}

// writeExp writes an experiment directory with the given README under a temp root.
func writeExp(t *testing.T, name, readme string, extra map[string]string) *Dir {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, name)
	files := map[string]string{"README.md": readme, "cfn-template.yaml": "Resources: {}\n"}
	for k, v := range extra {
		files[k] = v
	}
	for f, content := range files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d, err := Open(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestLoadWarnings(t *testing.T) {
	tests := []struct {
		name     string
		dir      string
		readme   string
		extra    map[string]string
		want     []string // substrings, each in some warning, in order
		scenario string
	}{
		{
			name:   "region and duration missing",
			dir:    "x-EXT1a2b3c4d5e6f7",
			readme: strings.Replace(strings.Replace(full, "**Region:** us-east-1\n", "", 1), "**Estimated Duration:** PT10M\n", "", 1),
			want:   []string{"README.md is missing: Region, Estimated Duration", "AWS configuration will be used"},
		},
		{
			name:   "template ID differs",
			dir:    "x-EXTdifferent1",
			readme: full,
			want:   []string{"Experiment Template ID EXT1a2b3c4d5e6f7 but the directory name ends with EXTdifferent1"},
		},
		{
			name:     "no scenario: from directory name",
			dir:      "2026-04-11-10-30-15-az-power-int-my-cluster-EXT1a2b3c4d5e6f7",
			readme:   strings.Replace(full, "# FIS Experiment: AZ Power Interruption\n", "", 1),
			want:     []string{"README.md is missing: Scenario", "heading"},
			scenario: "az-power-int-my-cluster",
		},
		{
			name:   "empty README",
			dir:    "x-EXT1a2b3c4d5e6f7",
			readme: "",
			want:   []string{"README.md is missing: Scenario, Region, CFN Stack, Estimated Duration, Affected Resources", "no Region", "no CFN Stack", "no Affected Resources"},
		},
		{
			name:   "expected-behavior without sections",
			dir:    "x-EXT1a2b3c4d5e6f7",
			readme: full,
			extra:  map[string]string{"expected-behavior.md": "# nothing\n"},
			want:   []string{"expected-behavior.md has no"},
		},
		{
			name:   "stack names differ",
			dir:    "x-EXT1a2b3c4d5e6f7",
			readme: strings.Replace(full, "- **Stack Name:** fis-az-power-int-my-cluster-d5w1p7", "- **Stack Name:** fis-other", 1),
			want:   []string{"two different stacks"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := writeExp(t, tc.dir, tc.readme, tc.extra)
			exp, warnings, err := Load(d)
			if err != nil {
				t.Fatal(err)
			}
			i := 0
			for _, w := range warnings {
				if i < len(tc.want) && strings.Contains(w, tc.want[i]) {
					i++
				}
			}
			if i != len(tc.want) {
				t.Fatalf("warnings %q do not contain %q in order", warnings, tc.want)
			}
			if tc.scenario != "" && exp.Scenario != tc.scenario {
				t.Errorf("Scenario = %q, want %q", exp.Scenario, tc.scenario)
			}
			if exp.AffectedResources == nil {
				t.Error("AffectedResources is nil; want an empty slice for JSON")
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	if _, _, err := Load(nil); err == nil {
		t.Error("Load(nil): want an error")
	}
	d := writeExp(t, "x-EXT1a2b3c4d5e6f7", full, nil)
	if err := os.Remove(d.Readme); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Load(d); err == nil || !strings.Contains(err.Error(), "README.md") {
		t.Errorf("README removed after Open: %v", err)
	}
	d = writeExp(t, "x-EXT1a2b3c4d5e6f7", full, nil)
	if err := os.WriteFile(d.Readme, make([]byte, MaxFileSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Load(d); err == nil || !strings.Contains(err.Error(), "1 MiB") {
		t.Errorf("README grown after Open: %v", err)
	}
}

func BenchmarkLoad(b *testing.B) {
	d, err := Open("2026-04-11-10-30-15-az-power-int-demo-cluster-EXT1a2b3c4d5e6f7", goodRoot)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Load(d); err != nil {
			b.Fatal(err)
		}
	}
}
