package expdir

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// oddInputs are inputs that once looked risky for the parser.
var oddInputs = []string{
	"", "\x00", "#", "# ", "#######", "|", "||", "|\\|", "| a | b |\n|", "|---|", "\\", "**", "**:**", ":", "：", "（", "）",
	"(()", "())", "- ", "1.", "```", "```\n**Region:** us-east-1", "<!--", "<!-- -->-->", "\xff\xfe", "\uFEFF",
	"**Region:** \xff", "**Estimated Duration:** PT", "**Estimated Duration:** 99999999999999999999 hours",
	"## Affected Resources\n|", "## Affected Resources\n| Resource Type |\n|---|\n|", "## 受影响的资源\n- a:",
	"**Target AZ:** )", "**CFN Stack:** arn:aws:cloudformation:::stack//", "# FIS Experiment:",
	strings.Repeat("(", 1000) + strings.Repeat(")", 999), strings.Repeat("| ", 5000), strings.Repeat("# x\n", 1000),
}

func checkInvariants(t *testing.T, in []byte, r Readme) {
	t.Helper()
	if r.EstimatedDurationSeconds < 0 || r.EstimatedDurationSeconds > maxDurationSeconds {
		t.Errorf("EstimatedDurationSeconds = %d for %q", r.EstimatedDurationSeconds, in)
	}
	if r.Language != "en" && r.Language != "zh" {
		t.Errorf("Language = %q for %q", r.Language, in)
	}
	if r.StackName != "" && r.StackName != r.HeaderStackName && r.StackName != r.DeploymentStackName {
		t.Errorf("StackName %q is neither header nor deployment stack for %q", r.StackName, in)
	}
	if r.TemplateIDFromReadme != "" && !ValidTemplateID(r.TemplateIDFromReadme) {
		t.Errorf("TemplateIDFromReadme %q invalid for %q", r.TemplateIDFromReadme, in)
	}
	for _, s := range []string{r.Title, r.Scenario, r.Region, r.TargetAZ, r.StackName, r.EstimatedDuration, r.DashboardURL} {
		if !utf8.ValidString(s) {
			t.Errorf("invalid UTF-8 %q from %q", s, in)
		}
	}
	for _, a := range r.AffectedResources {
		if a.Type == "" && a.Identifier == "" {
			t.Errorf("empty affected resource from %q", in)
		}
	}
}

func FuzzParseReadme(f *testing.F) {
	for _, root := range []string{"../../testdata/experiments", "../../testdata/experiments-broken"} {
		paths, _ := filepath.Glob(filepath.Join(root, "*", "README.md"))
		for _, p := range paths {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte(full))
	for _, s := range oddInputs {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, missing := ParseReadme(b)
		checkInvariants(t, b, r)
		known := map[string]bool{FieldScenario: true, FieldRegion: true, FieldStack: true, FieldEstimatedDuration: true, FieldAffectedResources: true}
		for _, m := range missing {
			if !known[m] {
				t.Errorf("unknown missing field %q", m)
			}
		}
		if (r.Region == "") != contains(missing, FieldRegion) || (r.StackName == "") != contains(missing, FieldStack) {
			t.Errorf("missing %q inconsistent with %+v", missing, r)
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
