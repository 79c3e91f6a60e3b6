package sim

import (
	"bytes"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
)

// testdataDir is the sample experiment the embedded copy follows.
var testdataDir = filepath.Join("..", "..", "..", "testdata", "experiments", ExperimentDirName)

// What the simulation must change in the embedded copy of the sample experiment; every other
// byte of it is the testdata copy's.
var (
	// The README fields whose values say the account is simulated and time compressed.
	allowedFieldDiffs = map[string]string{
		"Target AZ":          "names the simulated account",
		"Estimated Duration": "the simulated fault lasts seconds",
	}
	// The README sections that describe the simulated account's template (three of the six
	// actions, compressed durations, no FIS log group) or the simulated account's lifetime.
	allowedSectionDiffs = map[string]string{
		"Scenario Description": "the simulated template's three actions, compressed",
		"Affected Resources":   "drives discovery and the report: only what the simulation seeds",
		"Experiment Actions":   "the simulated template's actions (sampleTemplate), compressed durations",
		"Monitoring":           "the simulated template has no FIS log group",
		"Cleanup":              "nothing to delete: the simulated stack is gone when fis-mcp exits",
	}
	// The banner before the fields: a blockquote in the embedded copy only.
	bannerMark = "> SIMULATED:"
)

// TestEmbeddedExperimentMatchesTestdata keeps the simulator's embedded experiment directory
// identical to testdata's, apart from the differences listed above.
func TestEmbeddedExperimentMatchesTestdata(t *testing.T) {
	embedded, err := fs.Sub(experimentFS, path.Join("experiment", ExperimentDirName))
	if err != nil {
		t.Fatal(err)
	}
	sample := os.DirFS(testdataDir)
	ef, sf := listFiles(t, embedded), listFiles(t, sample)
	if !reflect.DeepEqual(ef, sf) {
		t.Fatalf("files: embedded %v, testdata %v", ef, sf)
	}
	for _, name := range ef {
		eb, err := fs.ReadFile(embedded, name)
		if err != nil {
			t.Fatal(err)
		}
		sb, err := fs.ReadFile(sample, name)
		if err != nil {
			t.Fatal(err)
		}
		if name == "README.md" {
			compareReadmes(t, string(eb), string(sb))
			continue
		}
		if !bytes.Equal(eb, sb) {
			t.Errorf("%s differs from testdata's copy", name)
		}
	}
}

func listFiles(t *testing.T, fsys fs.FS) []string {
	t.Helper()
	var names []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	return names
}

// readme is a README split into its preamble (title, fields) and its "## " sections in order.
type readme struct {
	preamble []string
	headings []string
	sections map[string]string
}

func splitReadme(s string) readme {
	r := readme{sections: map[string]string{}}
	cur := ""
	for _, line := range strings.Split(s, "\n") {
		if h, ok := strings.CutPrefix(line, "## "); ok {
			cur = strings.TrimSpace(h)
			r.headings = append(r.headings, cur)
			continue
		}
		if cur == "" {
			r.preamble = append(r.preamble, line)
			continue
		}
		r.sections[cur] += line + "\n"
	}
	return r
}

// field is the label of a "**Label:** value" line.
func field(line string) string {
	rest, ok := strings.CutPrefix(line, "**")
	if !ok {
		return ""
	}
	label, _, ok := strings.Cut(rest, ":**")
	if !ok {
		return ""
	}
	return label
}

func compareReadmes(t *testing.T, embedded, sample string) {
	t.Helper()
	e, s := splitReadme(embedded), splitReadme(sample)
	if !strings.Contains(embedded, bannerMark) {
		t.Errorf("embedded README lacks the %q banner", bannerMark)
	}
	if got, want := preambleWithoutAllowed(e.preamble), preambleWithoutAllowed(s.preamble); !reflect.DeepEqual(got, want) {
		t.Errorf("README preamble:\nembedded %q\ntestdata %q", got, want)
	}
	if !reflect.DeepEqual(e.headings, s.headings) {
		t.Errorf("README sections: embedded %q, testdata %q", e.headings, s.headings)
	}
	for _, h := range s.headings {
		if _, allowed := allowedSectionDiffs[h]; allowed {
			continue
		}
		if e.sections[h] != s.sections[h] {
			t.Errorf("README section %q:\nembedded %q\ntestdata %q", h, e.sections[h], s.sections[h])
		}
	}
}

// preambleWithoutAllowed drops the banner, its blank line and the allowed fields' values.
func preambleWithoutAllowed(lines []string) []string {
	var out []string
	for i, line := range lines {
		if strings.HasPrefix(line, ">") {
			continue
		}
		if line == "" && i > 0 && strings.HasPrefix(lines[i-1], ">") {
			continue
		}
		if label := field(line); label != "" {
			if _, allowed := allowedFieldDiffs[label]; allowed {
				out = append(out, "**"+label+":** (simulated)")
				continue
			}
		}
		out = append(out, line)
	}
	return out
}

// TestSeededTemplateIsPartOfTheSample keeps the simulated account's FIS template a part of the
// sample's cfn-template.yaml: each of its actions and targets is one of the sample's, with the
// same action ID and target names, resource type and selection mode. The embedded README's
// Experiment Actions table lists exactly the seeded actions.
//
// The simulation does not deploy the cfn-template.yaml itself (awstest.DeployStack): its other
// three targets need resources the simulation does not seed (the node role, the node group's
// ASG), and Interrupt-ElastiCache's startAfter Failover-RDS would move the ElastiCache fault
// after the failover, away from the timeline the simulation scripts and Truth reports
// (https://docs.aws.amazon.com/fis/latest/APIReference/API_ExperimentTemplateAction.html:
// startAfter names the action that must be completed before this one starts).
func TestSeededTemplateIsPartOfTheSample(t *testing.T) {
	cfn, err := os.ReadFile(filepath.Join(testdataDir, "cfn-template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	fake := awstest.New()
	t.Cleanup(fake.Close)
	dep, err := fake.DeployStack(StackName, TemplateID, cfn, awstest.DeployOptions{})
	if err != nil {
		t.Fatal(err)
	}
	full := dep.Template
	seeded := sampleTemplate(fake.Region, fake.AccountID, "arn:aws:iam::123456789012:role/x", DefaultTiming())
	if len(seeded.Actions) == 0 || len(seeded.Targets) == 0 {
		t.Fatalf("seeded template has %d actions, %d targets", len(seeded.Actions), len(seeded.Targets))
	}
	for name, a := range seeded.Actions {
		f, ok := full.Actions[name]
		switch {
		case !ok:
			t.Errorf("seeded action %s is not in cfn-template.yaml", name)
		case f.ActionID != a.ActionID:
			t.Errorf("action %s: seeded %s, cfn-template.yaml %s", name, a.ActionID, f.ActionID)
		case !reflect.DeepEqual(f.Targets, a.Targets):
			t.Errorf("action %s targets: seeded %v, cfn-template.yaml %v", name, a.Targets, f.Targets)
		}
	}
	for name, tg := range seeded.Targets {
		f, ok := full.Targets[name]
		switch {
		case !ok:
			t.Errorf("seeded target %s is not in cfn-template.yaml", name)
		case f.ResourceType != tg.ResourceType || f.SelectionMode != tg.SelectionMode:
			t.Errorf("target %s: seeded %s/%s, cfn-template.yaml %s/%s", name, tg.ResourceType, tg.SelectionMode, f.ResourceType, f.SelectionMode)
		}
	}

	b, err := experimentFS.ReadFile(path.Join("experiment", ExperimentDirName, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]string{}
	for _, line := range strings.Split(splitReadme(string(b)).sections["Experiment Actions"], "\n") {
		cells := strings.Split(strings.Trim(line, "| "), "|")
		if len(cells) < 2 || strings.HasPrefix(cells[0], "---") || strings.TrimSpace(cells[0]) == "Action" {
			continue
		}
		listed[strings.TrimSpace(cells[0])] = strings.TrimSpace(cells[1])
	}
	want := map[string]string{}
	for name, a := range seeded.Actions {
		want[name] = a.ActionID
	}
	if !reflect.DeepEqual(listed, want) {
		t.Errorf("embedded README lists actions %v, the seeded template has %v", listed, want)
	}
}
