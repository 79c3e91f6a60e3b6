package setup

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateREADME = flag.Bool("update", false, "rewrite README.md's generated IAM policy")

const (
	policyBegin = "<!-- BEGIN iam-policy: generated from aws/setup/iam.go by `go test ./aws/setup -run TestREADMEPolicy -update` -->\n"
	policyEnd   = "<!-- END iam-policy -->"
)

// TestREADMEPolicy compares the README's IAM policy with the one generated from Policy
// (the table doctor checks); -update rewrites it.
func TestREADMEPolicy(t *testing.T) {
	path := filepath.Join("..", "..", "README.md")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i, j := strings.Index(doc, policyBegin), strings.Index(doc, policyEnd)
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the generated section markers %q … %q", policyBegin, policyEnd)
	}
	want := "```json\n" + PolicyJSON(Policy) + "```\n"
	got := doc[i+len(policyBegin) : j]
	if got == want {
		return
	}
	if *updateREADME {
		if err := os.WriteFile(path, []byte(doc[:i+len(policyBegin)]+want+doc[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's IAM policy is out of date: run go test ./aws/setup -run TestREADMEPolicy -update and review the diff.\nwant:\n%s\ngot:\n%s", want, got)
}

// TestPolicyKeepsEveryAction: the table holds each action of the hand-written policy it replaced.
func TestPolicyKeepsEveryAction(t *testing.T) {
	have := map[string]bool{}
	for _, a := range AllActions(Policy) {
		have[a] = true
	}
	for _, a := range []string{"cloudformation:DescribeStacks", "fis:ListTargetAccountConfigurations", "tag:GetResources", "arc-zonal-shift:GetManagedResource",
		"kafka:GetBootstrapBrokers", "fis:StartExperiment", "fis:GetSafetyLever", "kafka:ListClusterOperationsV2",
		"iam:SimulatePrincipalPolicy", "eks:ListAccessEntries", "sts:GetCallerIdentity", "iam:GetRole"} {
		if !have[a] {
			t.Errorf("Policy lacks %s", a)
		}
	}
}
