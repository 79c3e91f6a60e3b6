package expdir

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestParseHypothesis(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []string
	}{
		{"english section", "# FIS Experiment: X\n**Region:** us-east-1\n## Hypothesis\n\nThe shop keeps working:\n\n- orders-api recovers within 60 seconds\n* **error rate** below 5 per 10 s\n1. every action completes\n## Affected Resources\n- not a criterion\n",
			[]string{"orders-api recovers within 60 seconds", "**error rate** below 5 per 10 s", "every action completes"}},
		{"chinese section, deeper subsection kept", "# FIS 实验: X\n## 假设\n- 在 2 分钟内恢复\n### 告警\n- 告警保持 OK\n## 其他\n- 不是\n",
			[]string{"在 2 分钟内恢复", "告警保持 OK"}},
		{"steady-state heading, continuation line", "## Steady-State Hypothesis\n- orders-api recovers\n  within 60 seconds\n- no stop-condition alarm fires\n",
			[]string{"orders-api recovers within 60 seconds", "no stop-condition alarm fires"}},
		{"fenced example ignored", "## Hypothesis\n```\n- fake item\n```\n<!-- - hidden -->\n- real item\n", []string{"real item"}},
		{"h1 is the title, not a section", "# Hypothesis testing\n- item\n", nil},
		{"no section", "# FIS Experiment: X\n## Affected Resources\n- a\n", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := ParseHypothesis([]byte(tc.in)); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestLoadReadsTheHypothesis(t *testing.T) {
	root := t.TempDir()
	name := "2026-04-11-10-30-15-hypo-EXT1a2b3c4d5e6f7"
	if err := os.MkdirAll(filepath.Join(root, name), 0o755); err != nil {
		t.Fatal(err)
	}
	readme := "# FIS Experiment: Hypo\n**Region:** us-east-1\n**CFN Stack:** s\n**Estimated Duration:** PT1M\n## Hypothesis\n- orders-api recovers within 60 seconds\n"
	if err := os.WriteFile(filepath.Join(root, name, "README.md"), []byte(readme), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, name, "cfn-template.yaml"), []byte("Resources: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	exp, _ := loadDir(t, root, name)
	if !reflect.DeepEqual(exp.Hypothesis, []string{"orders-api recovers within 60 seconds"}) {
		t.Fatalf("Hypothesis = %q", exp.Hypothesis)
	}
}
