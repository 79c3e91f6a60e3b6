package experiment_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/aws/experiment"
)

const hostile = `it's "x"; touch PWNED; $(touch PWNED) ` + "`touch PWNED`" + ` ~ * \ ,=`

func TestStartCLI(t *testing.T) {
	tok := experiment.ClientToken("fis-20260411-103015-a1b2c3", tmplID)
	dry := experiment.DryRunClientToken("fis-20260411-103015-a1b2c3", tmplID)
	for _, tc := range []struct {
		name   string
		in     experiment.StartInput
		region string
		want   string
	}{
		{"a session's real start", experiment.SessionStart("fis-20260411-103015-a1b2c3", tmplID, false), "us-east-1",
			"aws fis start-experiment --experiment-template-id EXT1a2b3c4d5e6f7 --client-token " + tok +
				" --experiment-options actionsMode=run-all --tags created-by=fis-mcp,fis-mcp-session=fis-20260411-103015-a1b2c3 --region us-east-1"},
		{"a session's dry run", experiment.SessionStart("fis-20260411-103015-a1b2c3", tmplID, true), "eu-west-1",
			"aws fis start-experiment --experiment-template-id EXT1a2b3c4d5e6f7 --client-token " + dry +
				" --experiment-options actionsMode=skip-all --tags created-by=fis-mcp,fis-mcp-session=fis-20260411-103015-a1b2c3 --region eu-west-1"},
		{"no tags, no region", experiment.StartInput{TemplateID: "EXT1", ClientToken: "tok"}, "",
			"aws fis start-experiment --experiment-template-id EXT1 --client-token tok --experiment-options actionsMode=run-all"},
		{"a tag value the shorthand cannot carry goes as JSON", experiment.StartInput{TemplateID: "EXT1", ClientToken: "tok", Tags: map[string]string{"b": "x,y=z", "a": "1"}}, "us-east-1",
			`aws fis start-experiment --experiment-template-id EXT1 --client-token tok --experiment-options actionsMode=run-all --tags '{"a":"1","b":"x,y=z"}' --region us-east-1`},
		{"quotes and spaces are single-quoted", experiment.StartInput{TemplateID: "EXT 1'x", ClientToken: "tok", Tags: map[string]string{"k": "it's <me> & you"}}, "us-east-1",
			`aws fis start-experiment --experiment-template-id 'EXT 1'\''x' --client-token tok --experiment-options actionsMode=run-all --tags '{"k":"it'\''s <me> & you"}' --region us-east-1`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := experiment.StartCLI(tc.in, tc.region); got != tc.want {
				t.Errorf("StartCLI =\n  %s\nwant\n  %s", got, tc.want)
			}
		})
	}
}

func TestStopCLI(t *testing.T) {
	for _, tc := range []struct{ id, region, want string }{
		{"EXPaBcD1234", "us-east-1", "aws fis stop-experiment --id EXPaBcD1234 --region us-east-1"},
		{"EXP 1", "us-east-1", "aws fis stop-experiment --id 'EXP 1' --region us-east-1"},
		{"", "us-east-1", "aws fis stop-experiment --id '' --region us-east-1"},
		{"EXP1", "", "aws fis stop-experiment --id EXP1"},
		{"~root", "a;b", "aws fis stop-experiment --id '~root' --region 'a;b'"},
	} {
		if got := experiment.StopCLI(tc.id, tc.region); got != tc.want {
			t.Errorf("StopCLI(%q, %q) = %s, want %s", tc.id, tc.region, got, tc.want)
		}
	}
}

// TestCLIShellWords runs the commands through /bin/sh (with printf in place of aws): every
// value, however hostile, reaches the program as exactly one unchanged argument, and nothing
// in it runs.
func TestCLIShellWords(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no POSIX shell")
	}
	tags := map[string]string{experiment.SessionTag: hostile, "k'ey": "v"}
	for _, tc := range []struct {
		name string
		cmd  string
		want []string
	}{
		{"start", experiment.StartCLI(experiment.StartInput{TemplateID: hostile, ClientToken: "a b", Tags: tags, DryRun: true}, "us-east-1"),
			[]string{"fis", "start-experiment", "--experiment-template-id", hostile, "--client-token", "a b",
				"--experiment-options", "actionsMode=skip-all", "--tags", "", "--region", "us-east-1"}},
		{"start with shorthand tags", experiment.StartCLI(experiment.SessionStart("fis-20260411-103015-a1b2c3", tmplID, false), "us-east-1"),
			[]string{"fis", "start-experiment", "--experiment-template-id", tmplID, "--client-token", experiment.ClientToken("fis-20260411-103015-a1b2c3", tmplID),
				"--experiment-options", "actionsMode=run-all", "--tags", "created-by=fis-mcp,fis-mcp-session=fis-20260411-103015-a1b2c3", "--region", "us-east-1"}},
		{"stop", experiment.StopCLI(hostile, hostile), []string{"fis", "stop-experiment", "--id", hostile, "--region", hostile}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.HasPrefix(tc.cmd, "aws ") {
				t.Fatalf("command %q does not start with aws", tc.cmd)
			}
			dir := t.TempDir()
			c := exec.Command(sh, "-c", `printf '%s\0' `+strings.TrimPrefix(tc.cmd, "aws "))
			c.Dir = dir
			out, err := c.Output()
			if _, serr := os.Stat(filepath.Join(dir, "PWNED")); serr == nil {
				t.Errorf("a value ran a command: %s", tc.cmd)
			}
			if err != nil {
				t.Fatalf("sh: %v (%s)", err, tc.cmd)
			}
			got := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
			if len(got) != len(tc.want) {
				t.Fatalf("%d words, want %d:\n%q\nfrom %s", len(got), len(tc.want), got, tc.cmd)
			}
			for i, w := range tc.want {
				if i > 0 && tc.want[i-1] == "--tags" && w == "" {
					// the JSON tags: decoded, the very map
					var m map[string]string
					if err := json.Unmarshal([]byte(got[i]), &m); err != nil || !reflect.DeepEqual(m, tags) {
						t.Errorf("--tags %q decodes to %v (%v), want %v", got[i], m, err, tags)
					}
					continue
				}
				if got[i] != w {
					t.Errorf("word %d = %q, want %q", i, got[i], w)
				}
			}
		})
	}
}

// TestStartSendsWhatStartCLIShows: what FIS receives from Start is, field by field, the
// command StartCLI shows for the same input (template, client token, actions mode, tags).
func TestStartSendsWhatStartCLIShows(t *testing.T) {
	srv := awstest.New(awstest.WithClock(awstest.NewFakeClock(epoch)))
	defer srv.Close()
	seedTemplate(srv)
	c := newClient(srv)
	for i, dryRun := range []bool{false, true} {
		in := experiment.SessionStart("fis-20260411-103015-a1b2c3", tmplID, dryRun)
		shown := experiment.StartCLI(in, "us-east-1")
		if _, err := experiment.Start(context.Background(), c, in); err != nil {
			t.Fatal(err)
		}
		started := srv.StartedExperiments()
		if len(started) != i+1 {
			t.Fatalf("%d experiments started", len(started))
		}
		got := started[i]
		var tags []string
		for _, k := range []string{"created-by", "fis-mcp-session"} {
			tags = append(tags, k+"="+got.Tags[k])
		}
		if len(got.Tags) != 2 {
			t.Errorf("FIS received tags %v", got.Tags)
		}
		want := "aws fis start-experiment --experiment-template-id " + got.TemplateID + " --client-token " + got.ClientToken +
			" --experiment-options actionsMode=" + got.ActionsMode + " --tags " + strings.Join(tags, ",") + " --region us-east-1"
		if shown != want {
			t.Errorf("dry_run=%t: shown\n  %s\nFIS received\n  %s", dryRun, shown, want)
		}
	}
}
