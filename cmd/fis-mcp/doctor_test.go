package main

import (
	"bytes"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/fis-mcp/fis-mcp/cmd/fis-mcp/sim"
)

// TestE2EDoctorSimulate runs the binary's doctor against the simulated account: a fully
// set-up caller passes (exit 0); a caller that lacks fis:StartExperiment (IAM simulation)
// and get pods/log (SelfSubjectAccessReview) is blocked (exit 1), each named in its row.
func TestE2EDoctorSimulate(t *testing.T) {
	tests := []struct {
		name    string
		deny    string
		rc      int
		rows    map[string][]string // check → what its row must say
		notRows []string            // checks whose row must not say BLOCKING
	}{
		{name: "ready", rc: 0, rows: map[string][]string{
			"Mode":                                            {"SIMULATED"},
			"AWS identity":                                    {"ok", "arn:aws:iam::"},
			"IAM: start_experiment":                           {"ok", "3 actions allowed"},
			"FIS template " + sim.TemplateID:                  {"ok", "readable"},
			"FIS role of " + sim.TemplateID:                   {"ok", "trusts fis.amazonaws.com"},
			"FIS safety lever":                                {"ok", "disengaged"},
			"EKS " + sim.Cluster + ": access entry":           {"ok"},
			"EKS " + sim.Cluster + ": Kubernetes permissions": {"ok"},
			"State directory writable":                        {"ok"},
		}},
		{name: "caller lacks fis:StartExperiment and pods/log", deny: "fis:StartExperiment,get pods/log", rc: 1, rows: map[string][]string{
			"IAM: start_experiment":                           {"BLOCKING", "fis:StartExperiment (implicitDeny)", "statement StartStopPoll"},
			"EKS " + sim.Cluster + ": Kubernetes permissions": {"BLOCKING", "get pods/log"},
		}, notRows: []string{"IAM: resolve_experiment", "FIS safety lever"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(fisBin, "doctor", "--simulate", "--state-dir", t.TempDir())
			cmd.Env = hermeticEnv(t)
			if tt.deny != "" {
				cmd.Env = append(cmd.Env, simulateDenyEnv+"="+tt.deny)
			}
			var out, errOut bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errOut
			err := cmd.Run()
			rc := 0
			var exitErr *exec.ExitError
			if errors.As(err, &exitErr) {
				rc = exitErr.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if rc != tt.rc {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", rc, tt.rc, out.String(), errOut.String())
			}
			table := out.String()
			if !strings.HasPrefix(table, "CHECK") {
				t.Errorf("stdout does not start with the table header:\n%s", table)
			}
			for check, wants := range tt.rows {
				row := rowOf(table, check)
				if row == "" {
					t.Errorf("no row %q:\n%s", check, table)
					continue
				}
				for _, w := range wants {
					if !strings.Contains(row, w) {
						t.Errorf("row %q lacks %q", row, w)
					}
				}
			}
			for _, check := range tt.notRows {
				if row := rowOf(table, check); row == "" || strings.Contains(row, "BLOCKING") {
					t.Errorf("row %q missing or blocking", row)
				}
			}
			if strings.Contains(table, "simulated-secret") {
				t.Error("doctor printed the secret key")
			}
		})
	}
}

// rowOf is the table row of check ("" when absent).
func rowOf(table, check string) string {
	for _, l := range strings.Split(table, "\n") {
		if strings.HasPrefix(l, check+"  ") {
			return l
		}
	}
	return ""
}

// TestDoctorUsage: bad flags and stray arguments are usage errors (exit 2, nothing on stdout);
// --help shows doctor's own flags.
func TestDoctorUsage(t *testing.T) {
	for _, tt := range []struct {
		args []string
		rc   int
		want string
	}{
		{args: []string{"doctor", "--bogus"}, rc: 2, want: "run `fis-mcp doctor --help` for its flags"},
		{args: []string{"doctor", "extra"}, rc: 2, want: "unexpected arguments: extra"},
		{args: []string{"doctor", "--read-only"}, rc: 2, want: "read-only"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			if rc := run(tt.args, strings.NewReader(""), &out, &errOut); rc != tt.rc {
				t.Errorf("exit %d, want %d (stderr %q)", rc, tt.rc, errOut.String())
			}
			if out.Len() != 0 {
				t.Errorf("stdout: %q", out.String())
			}
			if !strings.Contains(errOut.String(), tt.want) {
				t.Errorf("stderr %q lacks %q", errOut.String(), tt.want)
			}
		})
	}
	var out, errOut bytes.Buffer
	if rc := run([]string{"doctor", "--help"}, strings.NewReader(""), &out, &errOut); rc != 0 {
		t.Errorf("--help exit %d", rc)
	}
	for _, f := range []string{"-template-id", "-experiments-dir", "-region", "-state-dir", "-simulate"} {
		if !strings.Contains(out.String(), f) {
			t.Errorf("doctor --help lacks %s:\n%s", f, out.String())
		}
	}
	if strings.Contains(out.String(), "-max-log-streams") {
		t.Errorf("doctor --help shows a serve flag:\n%s", out.String())
	}
}

func TestTemplateIDsFlag(t *testing.T) {
	var ids templateIDs
	_ = ids.Set("EXTa, EXTb")
	_ = ids.Set("EXTc")
	if got := ids.String(); got != "EXTa,EXTb,EXTc" {
		t.Errorf("template IDs = %s", got)
	}
}
