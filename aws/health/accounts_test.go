package health

import (
	"context"
	"strings"
	"testing"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/session"
)

const (
	acctB = "210987654321"
	acctC = "345678901234"
)

// multiAccountFake is the caller's account A (with a tagged instance of its own that must never
// be looked at), target accounts B and C with roles that trust A, and B's instances.
func multiAccountFake(t *testing.T) (*fakeAWS, *awstest.Server, *awstest.Server) {
	t.Helper()
	f := newFakeAWS(t)
	a := f.srv
	a.AddInstance(awstest.Instance{ID: "i-0aaaaaaaaaaaaaaa1", State: "stopped", AZ: "us-east-1a", Tags: map[string]string{"app": "orders"}})
	a.AddRole("fis-orchestrator", "")
	a.AddAlarm(awstest.Alarm{Name: "orders-5xx", State: awstest.AlarmOK, Reason: "ok", Namespace: "AWS/ApplicationELB", MetricName: "HTTPCode_Target_5XX_Count",
		Statistic: "Sum", Period: 60, EvaluationPeriods: 1, Threshold: 10, ComparisonOperator: "GreaterThanThreshold"})
	b, c := a.AddAccount(acctB), a.AddAccount(acctC)
	for _, o := range []*awstest.Server{b, c} {
		role := "arn:aws:iam::" + o.AccountID + ":role/fis-mcp-read"
		o.AddRole("fis-mcp-read", role)
		o.TrustRole(role, "arn:aws:iam::"+awstest.DefaultAccountID+":root")
		o.AddRole("untrusting", "")
	}
	b.AddInstance(awstest.Instance{ID: "i-0bbbbbbbbbbbbbbb1", State: "running", AZ: "us-east-1a", Tags: map[string]string{"app": "orders"}})
	b.AddInstance(awstest.Instance{ID: "i-0bbbbbbbbbbbbbbb2", State: "running", AZ: "us-east-1b"})
	return f, b, c
}

func multiAccountTemplate(extra ...session.Target) session.Template {
	t := session.Template{
		ID: "EXTmulti1234567", RoleArn: "arn:aws:iam::" + awstest.DefaultAccountID + ":role/fis-orchestrator",
		ExperimentOptions: map[string]string{"accountTargeting": "multi-account", "emptyTargetResolutionMode": "fail"},
		Actions:           []session.Action{{Name: "stop", ActionID: "aws:ec2:stop-instances", Targets: map[string]string{"Instances": "Tagged"}}},
		Targets: []session.Target{
			{Name: "Tagged", ResourceType: "aws:ec2:instance", ResourceTags: map[string]string{"app": "orders"}, SelectionMode: "ALL"},
			{Name: "ByArn", ResourceType: "aws:ec2:instance", SelectionMode: "ALL",
				ResourceArns: []string{"arn:aws:ec2:us-east-1:" + acctB + ":instance/i-0bbbbbbbbbbbbbbb2"}},
		},
		StopConditions: []session.StopCondition{{Source: StopSourceAlarm, Value: "arn:aws:cloudwatch:us-east-1:" + awstest.DefaultAccountID + ":alarm:orders-5xx"}},
	}
	t.Targets = append(t.Targets, extra...)
	for _, tg := range extra {
		t.TargetAccounts = append(t.TargetAccounts, session.TargetAccount{AccountID: tg.Name})
	}
	return t
}

// assumed returns the access to account acct through role (AssumeRole with the caller's clients).
func assumed(t *testing.T, f *fakeAWS, acct, role string) AccountAccess {
	t.Helper()
	cfg, err := awsapi.AssumedRoleConfig(context.Background(), f.clients().Config, "arn:aws:iam::"+acct+":role/"+role)
	if err != nil {
		return AccountAccess{AccountID: acct, Err: err}
	}
	return AccountAccess{AccountID: acct, Env: Env{Clients: awsapi.NewClients(cfg)}}
}

func TestCheckAccounts(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name     string
		accounts func(t *testing.T, f *fakeAWS) []AccountAccess
		extra    []session.Target
		verdict  string
		// want maps "target/id" to "status-prefix account healthy detail-substring".
		want      map[string]string
		notes     []string
		bQueried  bool
		assumeRol int // AssumeRole calls expected in the caller's account
	}{
		{
			name: "targets in account B are checked through the role",
			accounts: func(t *testing.T, f *fakeAWS) []AccountAccess {
				return []AccountAccess{assumed(t, f, acctB, "fis-mcp-read")}
			},
			verdict: session.VerdictHealthy,
			want: map[string]string{
				"Tagged/i-0bbbbbbbbbbbbbbb1": "running " + acctB + " true ",
				"ByArn/i-0bbbbbbbbbbbbbbb2":  "running " + acctB + " true ",
			},
			bQueried: true, assumeRol: 1,
		},
		{
			name: "no role configured: unchecked, other account",
			accounts: func(t *testing.T, f *fakeAWS) []AccountAccess {
				return []AccountAccess{{AccountID: acctB, Err: NoRoleError(acctB)}}
			},
			verdict: session.VerdictBlocked,
			want: map[string]string{
				"Tagged/(account " + acctB + ")": "unchecked " + acctB + " false other account " + acctB + ": no role to assume; add it to --account-roles (see README)",
				"ByArn/i-0bbbbbbbbbbbbbbb2":      "unchecked " + acctB + " false other account " + acctB + ": no role to assume",
			},
		},
		{
			name: "AssumeRole AccessDenied: unchecked with the remedy",
			accounts: func(t *testing.T, f *fakeAWS) []AccountAccess {
				return []AccountAccess{assumed(t, f, acctB, "untrusting")}
			},
			verdict: session.VerdictBlocked,
			want: map[string]string{
				"Tagged/(account " + acctB + ")": "unchecked " + acctB + " false trust policy must allow",
				"ByArn/i-0bbbbbbbbbbbbbbb2":      "unchecked " + acctB + " false AccessDenied",
			},
			assumeRol: 1,
		},
		{
			name: "a tag target empty in account C but resolved in B is not empty",
			accounts: func(t *testing.T, f *fakeAWS) []AccountAccess {
				return []AccountAccess{assumed(t, f, acctB, "fis-mcp-read"), assumed(t, f, acctC, "fis-mcp-read")}
			},
			verdict: session.VerdictHealthy,
			want: map[string]string{
				"Tagged/i-0bbbbbbbbbbbbbbb1": "running " + acctB + " true ",
				"ByArn/i-0bbbbbbbbbbbbbbb2":  "running " + acctB + " true ",
			},
			notes:    []string{"target Tagged selects no resource in account " + acctC},
			bQueried: true, assumeRol: 2,
		},
		{
			name: "an ARN of an account that is not a target account",
			accounts: func(t *testing.T, f *fakeAWS) []AccountAccess {
				return []AccountAccess{assumed(t, f, acctB, "fis-mcp-read")}
			},
			extra: []session.Target{{Name: "Elsewhere", ResourceType: "aws:ec2:instance",
				ResourceArns: []string{"arn:aws:ec2:us-east-1:999999999999:instance/i-0ccccccccccccccc1"}}},
			verdict: session.VerdictBlocked,
			want: map[string]string{
				"Tagged/i-0bbbbbbbbbbbbbbb1":    "running " + acctB + " true ",
				"ByArn/i-0bbbbbbbbbbbbbbb2":     "running " + acctB + " true ",
				"Elsewhere/i-0ccccccccccccccc1": "unchecked 999999999999 false not a target account of this template",
			},
			bQueried: true, assumeRol: 1,
		},
		{
			name:     "no target account configurations",
			accounts: func(t *testing.T, f *fakeAWS) []AccountAccess { return nil },
			verdict:  session.VerdictBlocked,
			want: map[string]string{
				"Tagged/(no target accounts)": "unresolved  false without target account configurations",
				"ByArn/(no target accounts)":  "unresolved  false without target account configurations",
			},
			notes: []string{"no target account configurations"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, b, _ := multiAccountFake(t)
			tmpl := multiAccountTemplate()
			tmpl.Targets = append(tmpl.Targets, tc.extra...)
			accounts := tc.accounts(t, f)
			hr := CheckAccounts(ctx, f.env(), DefaultRegistry(), tmpl, accounts, Options{})
			if hr.Verdict != tc.verdict || hr.AllHealthy != (tc.verdict == session.VerdictHealthy) {
				t.Errorf("verdict %s, want %s: %+v", hr.Verdict, tc.verdict, hr.Resources)
			}
			got := map[string]session.ResourceHealth{}
			for _, r := range hr.Resources {
				got[r.Target+"/"+r.ID] = r
			}
			if len(got) != len(tc.want) {
				t.Errorf("resources %+v, want %v", hr.Resources, tc.want)
			}
			for key, w := range tc.want {
				parts := strings.SplitN(w, " ", 4)
				r, ok := got[key]
				if !ok {
					t.Errorf("no resource %s in %+v", key, hr.Resources)
					continue
				}
				if !strings.HasPrefix(r.Status, parts[0]) || r.Account != parts[1] || (r.Healthy != (parts[2] == "true")) || !strings.Contains(r.Detail, parts[3]) {
					t.Errorf("%s = %s %s %t %q, want %s", key, r.Status, r.Account, r.Healthy, r.Detail, w)
				}
			}
			notes := strings.Join(hr.Notes, "\n")
			for _, n := range tc.notes {
				if !strings.Contains(notes, n) {
					t.Errorf("notes lack %q:\n%s", n, notes)
				}
			}
			// The orchestrator's stop condition and role are checked in the caller's account.
			if len(hr.Alarms) != 1 || !hr.Alarms[0].Healthy || hr.Role == nil || !hr.Role.Exists {
				t.Errorf("alarms %+v role %+v", hr.Alarms, hr.Role)
			}
			// The caller's own account is never searched for the targets.
			for _, svc := range []string{"ec2", "tagging"} {
				if n := f.srv.CallCount(svc, ""); n != 0 {
					t.Errorf("%d %s calls in the caller's account", n, svc)
				}
			}
			if got := b.CallCount("ec2", "DescribeInstances") > 0; got != tc.bQueried {
				t.Errorf("account B queried = %t, want %t", got, tc.bQueried)
			}
			if n := f.srv.CallCount("sts", "AssumeRole"); n != tc.assumeRol {
				t.Errorf("AssumeRole calls = %d, want %d", n, tc.assumeRol)
			}
		})
	}
}

func TestCheckAccountsSkipOnlyWhenEmptyEverywhere(t *testing.T) {
	ctx := context.Background()
	f, _, _ := multiAccountFake(t)
	tmpl := multiAccountTemplate()
	tmpl.ExperimentOptions["emptyTargetResolutionMode"] = "skip"
	tmpl.Targets = append(tmpl.Targets, session.Target{Name: "Nothing", ResourceType: "aws:ec2:instance", ResourceTags: map[string]string{"app": "none"}})
	accounts := []AccountAccess{assumed(t, f, acctB, "fis-mcp-read"), assumed(t, f, acctC, "fis-mcp-read")}
	hr := CheckAccounts(ctx, f.env(), DefaultRegistry(), tmpl, accounts, Options{})
	if hr.Verdict != session.VerdictHealthy {
		t.Fatalf("verdict %s: %+v", hr.Verdict, hr.Resources)
	}
	var skipped []string
	for _, s := range hr.SkippedTargets {
		skipped = append(skipped, s.Target)
	}
	// Tagged is empty in C but not in B: not skipped. Nothing is empty in both: skipped once.
	if strings.Join(skipped, ",") != "Nothing" {
		t.Errorf("skipped targets = %v", skipped)
	}
}

func TestRecheckAccounts(t *testing.T) {
	ctx := context.Background()
	f, b, _ := multiAccountFake(t)
	accounts := []AccountAccess{assumed(t, f, acctB, "fis-mcp-read"), {AccountID: acctC, Err: NoRoleError(acctC)}}
	hr := CheckAccounts(ctx, f.env(), DefaultRegistry(), multiAccountTemplate(), accounts[:1], Options{})
	rs := append(hr.Resources, session.ResourceHealth{ID: "(account " + acctC + ")", Type: "aws:ec2:instance", Target: "Tagged", Account: acctC,
		Status: StatusUnchecked, Detail: NoRoleError(acctC).Error()})
	b.SetInstanceState("i-0bbbbbbbbbbbbbbb1", "stopping", "")
	out := RecheckAccounts(ctx, f.env(), DefaultRegistry(), accounts, rs)
	byID := map[string]session.ResourceHealth{}
	for _, r := range out {
		byID[r.ID] = r
	}
	if r := byID["i-0bbbbbbbbbbbbbbb1"]; !strings.HasPrefix(r.Status, "stopping") || r.Healthy || r.Account != acctB {
		t.Errorf("rechecked B instance = %+v", r)
	}
	if r := byID["(account "+acctC+")"]; r.Status != StatusUnchecked || r.Account != acctC {
		t.Errorf("unreadable account entry = %+v", r)
	}
	if n := f.srv.CallCount("ec2", ""); n != 0 {
		t.Errorf("%d ec2 calls in the caller's account", n)
	}
}
