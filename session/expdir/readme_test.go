package expdir

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/fis-mcp/fis-mcp/session"
)

// full is a complete English README in the documented format.
const full = `# FIS Experiment: AZ Power Interruption
**Directory:** 2026-04-11-10-30-15-az-power-int-my-cluster-EXT1a2b3c4d5e6f7
**Region:** us-east-1
**Target AZ:** use1-az2
**Created:** 2026-04-11T10:30:15+08:00
**CFN Stack:** fis-az-power-int-my-cluster-d5w1p7
**Estimated Duration:** PT10M
## Affected Resources
| Resource Type | Identifier | Impact |
|---|---|---|
| RDS Aurora Cluster | demo-aurora | Writer failover to another AZ |
## CFN Deployment Status
- **Stack Name:** fis-az-power-int-my-cluster-d5w1p7
- **Status:** CREATE_COMPLETE
- **Experiment Template ID:** EXT1a2b3c4d5e6f7
- **CloudWatch Dashboard URL:** https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/fis-x
`

func TestParseReadmeFull(t *testing.T) {
	r, missing := ParseReadme([]byte(full))
	want := Readme{
		Title:                    "FIS Experiment: AZ Power Interruption",
		Scenario:                 "AZ Power Interruption",
		Directory:                "2026-04-11-10-30-15-az-power-int-my-cluster-EXT1a2b3c4d5e6f7",
		Region:                   "us-east-1",
		TargetAZ:                 "use1-az2",
		Created:                  "2026-04-11T10:30:15+08:00",
		StackName:                "fis-az-power-int-my-cluster-d5w1p7",
		HeaderStackName:          "fis-az-power-int-my-cluster-d5w1p7",
		DeploymentStackName:      "fis-az-power-int-my-cluster-d5w1p7",
		EstimatedDuration:        "PT10M",
		EstimatedDurationSeconds: 600,
		DeploymentStatus:         "CREATE_COMPLETE",
		TemplateIDFromReadme:     "EXT1a2b3c4d5e6f7",
		DashboardURL:             "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/fis-x",
		AffectedResources:        []session.AffectedResource{{Type: "RDS Aurora Cluster", Identifier: "demo-aurora", Impact: "Writer failover to another AZ"}},
		Language:                 "en",
	}
	if !reflect.DeepEqual(r, want) {
		t.Fatalf("ParseReadme:\n got %+v\nwant %+v", r, want)
	}
	if len(missing) != 0 {
		t.Fatalf("missing = %q", missing)
	}
}

// replaceLine swaps the line starting with prefix in full for repl (removed when repl is "").
func replaceLine(prefix, repl string) string {
	lines := strings.Split(full, "\n")
	out := lines[:0]
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			if repl == "" {
				continue
			}
			l = repl
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

func TestParseReadmeLabels(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		check func(r Readme) bool
	}{
		{"plain label", replaceLine("**Region:**", "Region: eu-west-1"), func(r Readme) bool { return r.Region == "eu-west-1" }},
		{"bold outside colon, bullet", replaceLine("**Region:**", "- **Region**: eu-west-1"), func(r Readme) bool { return r.Region == "eu-west-1" }},
		{"star bullet", replaceLine("**Region:**", "* Region: eu-west-1"), func(r Readme) bool { return r.Region == "eu-west-1" }},
		{"ordered list", replaceLine("**Region:**", "1. **Region:** eu-west-1"), func(r Readme) bool { return r.Region == "eu-west-1" }},
		{"case and spacing", replaceLine("**Region:**", "  **REGION** :   eu-west-1  "), func(r Readme) bool { return r.Region == "eu-west-1" }},
		{"full-width colon", replaceLine("**Region:**", "**Region：** eu-west-1"), func(r Readme) bool { return r.Region == "eu-west-1" }},
		{"chinese label", replaceLine("**Region:**", "区域：eu-west-1"), func(r Readme) bool { return r.Region == "eu-west-1" }},
		{"bilingual label", replaceLine("**Region:**", "**区域 (Region):** eu-west-1"), func(r Readme) bool { return r.Region == "eu-west-1" }},
		{"value in code", replaceLine("**Region:**", "**Region:** `eu-west-1`"), func(r Readme) bool { return r.Region == "eu-west-1" }},
		{"value bold", replaceLine("**Region:**", "**Region:** **eu-west-1**"), func(r Readme) bool { return r.Region == "eu-west-1" }},
		{"region with note", replaceLine("**Region:**", "**Region:** us-east-1 (N. Virginia)"), func(r Readme) bool { return r.Region == "us-east-1" }},
		{"region upper case", replaceLine("**Region:**", "**Region:** US-EAST-2"), func(r Readme) bool { return r.Region == "us-east-2" }},
		{"gov region", replaceLine("**Region:**", "**Region:** us-gov-west-1"), func(r Readme) bool { return r.Region == "us-gov-west-1" }},
		{"bad region warns", replaceLine("**Region:**", "**Region:** Virginia"), func(r Readme) bool {
			return r.Region == "" && len(r.Warnings) == 1 && strings.Contains(r.Warnings[0], "Virginia")
		}},
		{"region placeholder", replaceLine("**Region:**", "**Region:** {REGION}"), func(r Readme) bool { return r.Region == "" && len(r.Warnings) == 0 }},
		{"AZ note", replaceLine("**Target AZ:**", "**Target AZ:** use1-az2 (if applicable)"), func(r Readme) bool { return r.TargetAZ == "use1-az2" }},
		{"AZ chinese note", replaceLine("**Target AZ:**", "**目标可用区：** use1-az2（如适用）"), func(r Readme) bool { return r.TargetAZ == "use1-az2" }},
		{"AZ name", replaceLine("**Target AZ:**", "**Target AZ:** us-east-1b"), func(r Readme) bool { return r.TargetAZ == "us-east-1b" }},
		{"AZ id preferred to name", replaceLine("**Target AZ:**", "**Target AZ:** us-east-1b / use1-az2"), func(r Readme) bool { return r.TargetAZ == "use1-az2" }},
		{"AZ only a note", replaceLine("**Target AZ:**", "**Target AZ:** (if applicable)"), func(r Readme) bool { return r.TargetAZ == "" }},
		{"AZ N/A", replaceLine("**Target AZ:**", "**Target AZ:** N/A"), func(r Readme) bool { return r.TargetAZ == "" }},
		{"AZ free text kept", replaceLine("**Target AZ:**", "**Target AZ:** all zones"), func(r Readme) bool { return r.TargetAZ == "all zones" }},
		{"first value wins", full + "\n**Region:** eu-west-1\n", func(r Readme) bool { return r.Region == "us-east-1" }},
		{"stack in code with note", replaceLine("**CFN Stack:**", "**CFN Stack:** `fis-other-abc123` (deployed)"), func(r Readme) bool {
			return r.HeaderStackName == "fis-other-abc123" && r.StackName == "fis-other-abc123"
		}},
		{"stack ARN", replaceLine("**CFN Stack:**", "**CFN Stack:** arn:aws:cloudformation:us-east-1:123456789012:stack/fis-arn-stack/0a1b2c3d-1111-2222-3333-444455556666"), func(r Readme) bool {
			return r.HeaderStackName == "fis-arn-stack"
		}},
		{"invalid stack warns", replaceLine("**CFN Stack:**", "**CFN Stack:** 123-bad"), func(r Readme) bool {
			return r.HeaderStackName == "" && r.StackName == "fis-az-power-int-my-cluster-d5w1p7" && strings.Contains(strings.Join(r.Warnings, ";"), "123-bad")
		}},
		{"only deployment stack", replaceLine("**CFN Stack:**", ""), func(r Readme) bool {
			return r.HeaderStackName == "" && r.StackName == "fis-az-power-int-my-cluster-d5w1p7" && len(r.Warnings) == 0
		}},
		{"stacks differ: header wins, warning", replaceLine("- **Stack Name:**", "- **Stack Name:** fis-other-stack"), func(r Readme) bool {
			return r.StackName == "fis-az-power-int-my-cluster-d5w1p7" && r.DeploymentStackName == "fis-other-stack" &&
				len(r.Warnings) == 1 && strings.Contains(r.Warnings[0], "fis-other-stack")
		}},
		{"status with emoji", replaceLine("- **Status:**", "- **Status:** ✅ UPDATE_COMPLETE (deployed 2026-04-11)"), func(r Readme) bool { return r.DeploymentStatus == "UPDATE_COMPLETE" }},
		{"status outside deployment section ignored", strings.Replace(replaceLine("- **Status:**", ""), "**Region:**", "**Status:** DRAFT\n**Region:**", 1), func(r Readme) bool {
			return r.DeploymentStatus == ""
		}},
		{"template id placeholder", replaceLine("- **Experiment Template ID:**", "- **Experiment Template ID:** EXT..."), func(r Readme) bool {
			return r.TemplateIDFromReadme == "" && len(r.Warnings) == 1
		}},
		{"template id in code", replaceLine("- **Experiment Template ID:**", "- **Experiment Template ID:** `EXTabc123`"), func(r Readme) bool { return r.TemplateIDFromReadme == "EXTabc123" }},
		{"dashboard markdown link", replaceLine("- **CloudWatch Dashboard URL:**", "- **CloudWatch Dashboard URL:** [open](https://example.com/d#x)"), func(r Readme) bool {
			return r.DashboardURL == "https://example.com/d#x"
		}},
		{"dashboard autolink", replaceLine("- **CloudWatch Dashboard URL:**", "- **Dashboard:** <https://example.com/d>"), func(r Readme) bool { return r.DashboardURL == "https://example.com/d" }},
		{"dashboard without URL", replaceLine("- **CloudWatch Dashboard URL:**", "- **Dashboard:** fis-x"), func(r Readme) bool { return r.DashboardURL == "" }},
		{"duration free text", replaceLine("**Estimated Duration:**", "**Estimated Duration:** 1 hour 30 minutes"), func(r Readme) bool {
			return r.EstimatedDuration == "1 hour 30 minutes" && r.EstimatedDurationSeconds == 5400
		}},
		{"duration with note", replaceLine("**Estimated Duration:**", "**Estimated Duration:** PT15M (plus 3 minutes of baseline)"), func(r Readme) bool {
			return r.EstimatedDuration == "PT15M" && r.EstimatedDurationSeconds == 900
		}},
		{"duration only in parentheses", replaceLine("**Estimated Duration:**", "**Estimated Duration:** (about 10 minutes)"), func(r Readme) bool {
			return r.EstimatedDurationSeconds == 600
		}},
		{"duration unparseable warns", replaceLine("**Estimated Duration:**", "**Estimated Duration:** a while"), func(r Readme) bool {
			return r.EstimatedDuration == "a while" && r.EstimatedDurationSeconds == 0 && len(r.Warnings) == 1
		}},
		{"created keeps notes", replaceLine("**Created:**", "**Created:** 2026-04-11 10:30:15 (UTC+8)"), func(r Readme) bool { return r.Created == "2026-04-11 10:30:15 (UTC+8)" }},
		{"CRLF", strings.ReplaceAll(full, "\n", "\r\n"), func(r Readme) bool {
			return r.Region == "us-east-1" && r.DashboardURL != "" && len(r.AffectedResources) == 1
		}},
		{"BOM", "\uFEFF" + full, func(r Readme) bool { return r.Scenario == "AZ Power Interruption" }},
		{"fenced example ignored", strings.Replace(full, "**Region:** us-east-1", "```\n**Region:** eu-west-1\n```\n**Region:** us-east-1", 1), func(r Readme) bool {
			return r.Region == "us-east-1"
		}},
		{"comments ignored", strings.Replace(full, "**Region:** us-east-1", "<!-- **Region:** eu-west-1 -->\n<!--\n**Region:** eu-west-2\n-->\n**Region:** us-east-1 <!-- N. Virginia -->", 1), func(r Readme) bool {
			return r.Region == "us-east-1"
		}},
		{"metadata table", strings.Replace(full, "**Region:** us-east-1", "| Field | Value |\n|---|---|\n| Region | eu-central-1 |\n", 1), func(r Readme) bool {
			return r.Region == "eu-central-1"
		}},
		{"prose with colon ignored", strings.Replace(full, "**Region:**", "Note: the region below matters.\n**Region:**", 1), func(r Readme) bool { return r.Region == "us-east-1" }},
		{"scenario label fallback", strings.Replace(full, "# FIS Experiment: AZ Power Interruption", "**Scenario:** Custom", 1), func(r Readme) bool {
			return r.Scenario == "Custom" && r.Title == ""
		}},
		{"H1 without prefix", strings.Replace(full, "# FIS Experiment: AZ Power Interruption", "# Aurora failover drill", 1), func(r Readme) bool {
			return r.Scenario == "Aurora failover drill" && r.Title == "Aurora failover drill"
		}},
		{"H1 chinese prefix", strings.Replace(full, "# FIS Experiment: AZ Power Interruption", "# FIS 实验：可用区断电", 1), func(r Readme) bool {
			return r.Scenario == "可用区断电"
		}},
		{"H1 lower case prefix", strings.Replace(full, "# FIS Experiment: AZ Power Interruption", "#   fis experiment - AZ Power  ", 1), func(r Readme) bool {
			return r.Scenario == "AZ Power"
		}},
		{"H1 bold", strings.Replace(full, "# FIS Experiment: AZ Power Interruption", "# **FIS Experiment: AZ Power**", 1), func(r Readme) bool {
			return r.Scenario == "AZ Power"
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := ParseReadme([]byte(tc.in))
			if !tc.check(r) {
				t.Fatalf("unexpected result: %+v", r)
			}
		})
	}
}

func TestParseReadmeMissing(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"complete", full, nil},
		{"empty", "", []string{FieldScenario, FieldRegion, FieldStack, FieldEstimatedDuration, FieldAffectedResources}},
		{"target AZ optional", replaceLine("**Target AZ:**", ""), nil},
		{"region and duration", strings.Replace(replaceLine("**Estimated Duration:**", ""), "**Region:** us-east-1\n", "", 1),
			[]string{FieldRegion, FieldEstimatedDuration}},
		{"no stack at all", strings.Replace(replaceLine("**CFN Stack:**", ""), "- **Stack Name:** fis-az-power-int-my-cluster-d5w1p7\n", "", 1),
			[]string{FieldStack}},
		{"empty scenario", strings.Replace(full, "# FIS Experiment: AZ Power Interruption", "# FIS Experiment:", 1), []string{FieldScenario}},
		{"empty table", strings.Replace(full, "| RDS Aurora Cluster | demo-aurora | Writer failover to another AZ |\n", "", 1), []string{FieldAffectedResources}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, missing := ParseReadme([]byte(tc.in))
			if !reflect.DeepEqual(missing, tc.want) {
				t.Fatalf("missing = %q, want %q", missing, tc.want)
			}
		})
	}
}

func TestParseReadmeAffectedResources(t *testing.T) {
	head := "# FIS Experiment: X\n\n## Affected Resources\n\n"
	tests := []struct {
		name     string
		in       string
		want     []session.AffectedResource
		warnings int
	}{
		{"column order", head + "| Impact | Identifier | Resource Type |\n|---|---|---|\n| goes down | db-1 | RDS |\n",
			[]session.AffectedResource{{Type: "RDS", Identifier: "db-1", Impact: "goes down"}}, 0},
		{"chinese headers", head + "| 标识符 | 资源类型 | 影响 |\n|---|---|---|\n| cache-1 | ElastiCache | 主节点断电 |\n",
			[]session.AffectedResource{{Type: "ElastiCache", Identifier: "cache-1", Impact: "主节点断电"}}, 0},
		{"aligned separator, code and bold", head + "| **Resource Type** | **Identifier** | **Impact** |\n|:---|:---:|---:|\n| `RDS` | `db-1` | **down** |\n",
			[]session.AffectedResource{{Type: "RDS", Identifier: "db-1", Impact: "down"}}, 0},
		{"escaped pipe", head + "| Resource Type | Identifier | Impact |\n|---|---|---|\n| EC2 | i-1 | stop \\| start |\n",
			[]session.AffectedResource{{Type: "EC2", Identifier: "i-1", Impact: "stop | start"}}, 0},
		{"no outer pipes", head + "Resource Type | Identifier | Impact\n--- | --- | ---\nEC2 | i-1 | stop\n",
			[]session.AffectedResource{{Type: "EC2", Identifier: "i-1", Impact: "stop"}}, 0},
		{"short and empty rows", head + "| Resource Type | Identifier | Impact |\n|---|---|---|\n| EC2 | i-1 |\n|  |  |  |\n| | | note only |\n",
			[]session.AffectedResource{{Type: "EC2", Identifier: "i-1"}}, 0},
		{"resource and id columns", head + "| Resource | ID |\n|---|---|\n| RDS | db-1 |\n",
			[]session.AffectedResource{{Type: "RDS", Identifier: "db-1"}}, 0},
		{"generic resource is the identifier", head + "| Service | Resource | Impact |\n|---|---|---|\n| RDS | db-1 | x |\n",
			[]session.AffectedResource{{Type: "RDS", Identifier: "db-1", Impact: "x"}}, 0},
		{"unrecognised header: positional, warning", head + "| A | B | C |\n|---|---|---|\n| RDS | db-1 | x |\n",
			[]session.AffectedResource{{Type: "RDS", Identifier: "db-1", Impact: "x"}}, 1},
		{"two tables in section", head + "| Resource Type | Identifier |\n|---|---|\n| RDS | db-1 |\n\n### More\n\n| Resource Type | Identifier |\n|---|---|\n| EC2 | i-1 |\n",
			[]session.AffectedResource{{Type: "RDS", Identifier: "db-1"}, {Type: "EC2", Identifier: "i-1"}}, 0},
		{"table after section ignored", head + "| Resource Type | Identifier |\n|---|---|\n| RDS | db-1 |\n\n## Actions\n\n| Resource Type | Identifier |\n|---|---|\n| EC2 | i-1 |\n",
			[]session.AffectedResource{{Type: "RDS", Identifier: "db-1"}}, 0},
		{"chinese heading", "# FIS 实验: X\n\n## 受影响的资源\n\n| 资源类型 | 标识符 | 影响 |\n|---|---|---|\n| RDS | db-1 | 切换 |\n",
			[]session.AffectedResource{{Type: "RDS", Identifier: "db-1", Impact: "切换"}}, 0},
		{"heading with counter", "# X\n\n### Affected Resources (3)\n\n| Resource Type | Identifier | Impact |\n|---|---|---|\n| RDS | db-1 | x |\n",
			[]session.AffectedResource{{Type: "RDS", Identifier: "db-1", Impact: "x"}}, 0},
		{"no section: table recognised by header", "# X\n\n| Resource Type | Identifier | Impact |\n|---|---|---|\n| RDS | db-1 | x |\n",
			[]session.AffectedResource{{Type: "RDS", Identifier: "db-1", Impact: "x"}}, 0},
		{"list instead of table", head + "- **RDS Aurora Cluster**: `db-1` (writer failover)\n- ElastiCache: cache-1 - primary loses power\n",
			[]session.AffectedResource{{Type: "RDS Aurora Cluster", Identifier: "db-1", Impact: "writer failover"}, {Type: "ElastiCache", Identifier: "cache-1", Impact: "primary loses power"}}, 0},
		{"links and br", head + "| Resource Type | Identifier | Impact |\n|---|---|---|\n| RDS | [db-1](https://console) | a<br>b |\n",
			[]session.AffectedResource{{Type: "RDS", Identifier: "db-1", Impact: "a b"}}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := ParseReadme([]byte(tc.in))
			if !reflect.DeepEqual(r.AffectedResources, tc.want) {
				t.Fatalf("AffectedResources = %+v, want %+v", r.AffectedResources, tc.want)
			}
			if len(r.Warnings) != tc.warnings {
				t.Fatalf("warnings = %q, want %d", r.Warnings, tc.warnings)
			}
		})
	}
}

func TestParseReadmeLanguage(t *testing.T) {
	zh := "# FIS 实验: Redis 可用区断电\n\n**区域：** ap-northeast-1\n**CFN 堆栈：** fis-x\n**预计时长：** 10 分钟\n\n## 受影响的资源\n\n| 资源类型 | 标识符 | 影响 |\n|---|---|---|\n| ElastiCache | c | 断电 |\n"
	tests := []struct {
		name, in, want string
	}{
		{"english", full, "en"},
		{"chinese", zh, "zh"},
		{"english with chinese scenario name", strings.Replace(full, "AZ Power Interruption", "订单库故障切换", 1), "en"},
		{"empty", "", "en"},
		{"chinese labels, bilingual", "# FIS 实验：X\n区域：us-east-1\n创建时间：今天\nCFN 堆栈：fis-x\n", "zh"},
	}
	for _, tc := range tests {
		r, missing := ParseReadme([]byte(tc.in))
		if r.Language != tc.want {
			t.Errorf("%s: Language = %q, want %q", tc.name, r.Language, tc.want)
		}
		if tc.name == "chinese" && len(missing) != 0 {
			t.Errorf("chinese: missing %q (%+v)", missing, r)
		}
	}
}

func TestParseReadmeNeverPanicsOnOddInput(t *testing.T) {
	for _, in := range oddInputs {
		r, _ := ParseReadme([]byte(in))
		checkInvariants(t, []byte(in), r)
	}
}

func TestParseReadmeChineseTestdata(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(goodRoot, "2026-05-03-14-20-00-redis-az-power-cache-EXT3c4d5e6f7a8b9", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	r, missing := ParseReadme(b)
	if len(missing) != 0 || r.Language != "zh" || r.DeploymentStatus != "CREATE_COMPLETE" ||
		r.TemplateIDFromReadme != "EXT3c4d5e6f7a8b9" || r.DeploymentStackName != r.HeaderStackName ||
		r.Directory != "2026-05-03-14-20-00-redis-az-power-cache-EXT3c4d5e6f7a8b9" || r.Title != "FIS 实验: Redis 可用区断电" {
		t.Fatalf("ParseReadme = %+v, missing %q", r, missing)
	}
}
