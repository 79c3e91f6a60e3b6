package tools_test

import (
	"strings"
	"testing"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/tools"
)

const otherAccount = "210987654321"

// seedMultiAccount replaces the demo template with a multi-account one whose targets (tagged
// instances) live in account B, a target account; the caller's account A has a tagged,
// stopped instance of its own that must never be looked at.
func (h *harness) seedMultiAccount() *awstest.Server {
	b := h.aws.AddAccount(otherAccount)
	for _, name := range []string{"fis-mcp-read", "untrusting"} {
		b.AddRole(name, "")
	}
	b.TrustRole("arn:aws:iam::"+otherAccount+":role/fis-mcp-read", "arn:aws:iam::"+h.aws.AccountID+":root")
	b.AddRole("fis-target", "")
	b.AddInstance(awstest.Instance{ID: "i-0bbbbbbbbbbbbbbb1", State: "running", AZ: "us-east-1a", Tags: map[string]string{"app": "orders"}})
	h.aws.AddInstance(awstest.Instance{ID: "i-0aaaaaaaaaaaaaaa1", State: "stopped", AZ: "us-east-1a", Tags: map[string]string{"app": "orders"}})
	h.aws.AddExperimentTemplate(awstest.ExperimentTemplate{
		ID: demoTemplate, Description: "multi-account instance stop", RoleArn: "arn:aws:iam::" + h.aws.AccountID + ":role/" + demoRole,
		Actions: map[string]awstest.TemplateAction{
			"Stop": {ActionID: "aws:ec2:stop-instances", Targets: map[string]string{"Instances": "Orders"}},
		},
		Targets: map[string]awstest.TemplateTarget{
			"Orders": {ResourceType: "aws:ec2:instance", ResourceTags: map[string]string{"app": "orders"}, SelectionMode: "ALL"},
		},
		StopConditions:    []awstest.StopCondition{{Source: "aws:cloudwatch:alarm", Value: h.arn("cloudwatch", "alarm", demoAlarm)}},
		ExperimentOptions: map[string]string{"accountTargeting": "multi-account"},
	})
	h.aws.AddTargetAccountConfiguration(demoTemplate, awstest.TargetAccountConfiguration{
		AccountID: otherAccount, RoleArn: "arn:aws:iam::" + otherAccount + ":role/fis-target", Description: "orders"})
	return b
}

// TestHealthCheckMultiAccount: a multi-account template's targets are checked in their
// target account through the operator's role (--account-roles), never in the caller's
// account (https://docs.aws.amazon.com/fis/latest/userguide/multi-account.html).
func TestHealthCheckMultiAccount(t *testing.T) {
	cases := []struct {
		name    string
		role    string // role name in account B configured for it ("" = none)
		verdict string
		status  string
		detail  string
		queried bool
	}{
		{name: "checked through the role", role: "fis-mcp-read", verdict: "healthy", status: "running", queried: true},
		{name: "no role configured", verdict: "blocked", status: "unchecked",
			detail: "other account " + otherAccount + ": no role to assume; add it to --account-roles (see README)"},
		{name: "AssumeRole refused", role: "untrusting", verdict: "blocked", status: "unchecked", detail: "trust policy must allow"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var opts []harnessOption
			if tc.role != "" {
				opts = append(opts, withConfig(func(c *tools.Config) {
					c.AccountRoles = map[string]string{otherAccount: "arn:aws:iam::" + otherAccount + ":role/" + tc.role}
				}))
			}
			h := newHarness(t, opts...)
			b := h.seedMultiAccount()
			res := h.ok("resolve_experiment", map[string]any{"path": h.demoPath()})
			if !strings.Contains(res.text, "multi-account template, 1 target account(s): "+otherAccount) {
				t.Errorf("resolve text does not show the target accounts:\n%s", res.text)
			}
			id := output[tools.ResolveExperimentOutput](t, res).SessionID
			if ta := h.session(id).Experiment.Template.TargetAccounts; len(ta) != 1 || ta[0].AccountID != otherAccount {
				t.Fatalf("target accounts = %+v", ta)
			}
			r := h.ok("health_check", map[string]any{"session_id": id})
			out := output[tools.HealthCheckOutput](t, r)
			if out.Verdict != tc.verdict {
				t.Fatalf("verdict %q, want %q:\n%s", out.Verdict, tc.verdict, r.text)
			}
			if len(out.Resources) != 1 {
				t.Fatalf("resources = %+v", out.Resources)
			}
			got := out.Resources[0]
			if !strings.HasPrefix(got.Status, tc.status) || got.Account != otherAccount || !strings.Contains(got.Detail, tc.detail) {
				t.Errorf("resource = %+v, want status %s in account %s, detail %q", got, tc.status, otherAccount, tc.detail)
			}
			if !strings.Contains(r.text, "(account "+otherAccount+")") {
				t.Errorf("text does not name the account:\n%s", r.text)
			}
			for _, svc := range []string{"ec2", "tagging"} {
				if n := h.aws.CallCount(svc, ""); n != 0 {
					t.Errorf("%d %s calls in the caller's account", n, svc)
				}
			}
			if q := b.CallCount("ec2", "DescribeInstances") > 0; q != tc.queried {
				t.Errorf("account B queried = %t, want %t", q, tc.queried)
			}
			if tc.verdict == "healthy" {
				tok := h.token(id, false)
				if s := h.ok("start_experiment", map[string]any{"session_id": id, "confirmation_token": tok}); output[tools.StartExperimentOutput](t, s).Status != "started" {
					t.Errorf("start after a healthy multi-account check:\n%s", s.text)
				}
			}
		})
	}
}
