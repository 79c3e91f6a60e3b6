package setup

import (
	"context"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/aws/clusters"
)

const (
	tmplID   = "EXT1a2b3c4d5e6f7"
	roleName = "fis-demo-role"
	cluster  = "demo"
)

// account is a fake account with one template, its role and one EKS cluster.
func account(t *testing.T) *awstest.Server {
	t.Helper()
	s := awstest.New()
	t.Cleanup(s.Close)
	s.AddRole(roleName, "")
	s.AddExperimentTemplate(awstest.ExperimentTemplate{ID: tmplID, RoleArn: "arn:aws:iam::" + s.AccountID + ":role/" + roleName})
	s.AddEKSCluster(awstest.EKSCluster{Name: cluster, Endpoint: "https://127.0.0.1:1", CAData: []byte("PEM")})
	return s
}

func allowAll(context.Context, clusters.Cluster) []KubePermission {
	return []KubePermission{{Verb: "list", Resource: "pods", Allowed: true}, {Verb: "get", Resource: "pods", Subresource: "log", Allowed: true}}
}

func find(r Report, name string) (Check, bool) {
	for _, c := range r.Checks {
		if c.Name == name {
			return c, true
		}
	}
	return Check{}, false
}

func TestRun(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(*awstest.Server)
		kube  KubeChecker
		// check is the name of the check asserted; ok its outcome; contains what its detail or remedy names.
		check    string
		ok       bool
		blocking bool
		contains []string
	}{
		{name: "everything allowed", check: "IAM: start_experiment", ok: true, contains: []string{"3 actions allowed"}},
		{name: "identity", check: "AWS identity", ok: true, contains: []string{"arn:aws:iam::123456789012:user/awstest"}},
		{name: "static credentials named, secret not printed", check: "AWS credentials", ok: true, contains: []string{"static credentials"}},
		{name: "implicitDeny names the action of its tool",
			setup: func(s *awstest.Server) { s.SimulateDecision(awstest.DecisionImplicitDeny, "fis:StartExperiment") },
			check: "IAM: start_experiment", blocking: true, contains: []string{"fis:StartExperiment (implicitDeny)", "statement StartStopPoll"}},
		{name: "explicitDeny of an optional action warns",
			setup: func(s *awstest.Server) { s.SimulateDecision(awstest.DecisionExplicitDeny, "dsql:GetCluster") },
			check: "IAM: health_check (per target type)", contains: []string{"dsql:GetCluster (explicitDeny)", "optional"}},
		{name: "simulation AccessDenied lists the actions to verify by hand",
			setup: func(s *awstest.Server) {
				s.InjectFault(awstest.Fault{Service: "iam", Operation: "SimulatePrincipalPolicy", Status: http.StatusForbidden, Code: "AccessDenied"})
			},
			check: "IAM: simulation", contains: []string{"iam:SimulatePrincipalPolicy", "verify by hand", "fis:StartExperiment", "cloudformation:DescribeStacks"}},
		{name: "assumed role: derived role ARN simulated",
			setup: func(s *awstest.Server) {
				s.AddRole("operator", "")
				s.SetCallerIdentity("arn:aws:sts::123456789012:assumed-role/operator/alice", "AROAOPERATOR:alice")
			},
			check: "AWS identity", ok: true, contains: []string{"IAM principal arn:aws:iam::123456789012:role/operator"}},
		{name: "assumed role with a path: found with GetRole, then simulated",
			setup: func(s *awstest.Server) {
				s.AddRole("AWSReservedSSO_Admin_1", "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_1")
				s.SetCallerIdentity("arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_1/alice", "AROASSO:alice")
				s.SimulateDecision(awstest.DecisionImplicitDeny, "fis:StopExperiment")
			},
			check: "IAM: stop_experiment / poll", blocking: true,
			contains: []string{"fis:StopExperiment (implicitDeny)", "role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_1"}},
		{name: "assumed role with an unknown path: NoSuchEntity said",
			setup: func(s *awstest.Server) {
				s.AddRole("AWSReservedSSO_Admin_1", "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_1")
				s.SetCallerIdentity("arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_1/alice", "AROASSO:alice")
				s.InjectFault(awstest.Fault{Service: "iam", Operation: "GetRole", Status: http.StatusForbidden, Code: "AccessDenied"})
			},
			check: "IAM: simulation", contains: []string{"path", "verify by hand"}},
		{name: "template readable", check: "FIS template " + tmplID, ok: true},
		{name: "role trusts FIS", check: "FIS role of " + tmplID, ok: true, contains: []string{"trusts fis.amazonaws.com"}},
		{name: "role trust missing fis.amazonaws.com",
			setup: func(s *awstest.Server) {
				s.SetRoleTrust(roleName, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
			},
			check: "FIS role of " + tmplID, blocking: true, contains: []string{"does not trust fis.amazonaws.com", "Principal"}},
		{name: "role deleted", setup: func(s *awstest.Server) { s.DeleteRole(roleName) },
			check: "FIS role of " + tmplID, blocking: true, contains: []string{"does not exist"}},
		{name: "unknown template", setup: func(s *awstest.Server) { s.AddExperimentTemplate(awstest.ExperimentTemplate{ID: "EXTother"}) },
			check: "FIS template EXTnone", blocking: true, contains: []string{"template ID"}},
		{name: "lever disengaged", check: "FIS safety lever", ok: true, contains: []string{"disengaged"}},
		{name: "lever engaged", setup: func(s *awstest.Server) { s.SetSafetyLever("engaged", "game day freeze") },
			check: "FIS safety lever", blocking: true, contains: []string{"engaged", "game day freeze"}},
		{name: "access entry present", check: "EKS demo: access entry", ok: true},
		{name: "no access entry", setup: func(s *awstest.Server) { s.SetAccessEntries(cluster, "arn:aws:iam::123456789012:role/someone-else") },
			check: "EKS demo: access entry", contains: []string{"no access entry", "create-access-entry"}},
		{name: "access entries AccessDenied: cannot tell",
			setup: func(s *awstest.Server) {
				s.InjectFault(awstest.Fault{Service: "eks", Operation: "ListAccessEntries", Status: http.StatusForbidden, Code: "AccessDeniedException"})
			},
			check: "EKS demo: access entry", contains: []string{"cannot tell"}},
		{name: "pods/log denied blocks",
			kube: func(context.Context, clusters.Cluster) []KubePermission {
				return []KubePermission{{Verb: "list", Resource: "pods", Allowed: true}, {Verb: "get", Resource: "pods", Subresource: "log", Reason: "forbidden"},
					{Verb: "list", Resource: "secrets", Optional: true}}
			},
			check: "EKS demo: Kubernetes permissions", blocking: true, contains: []string{"get pods/log", "optional, not allowed: list secrets"}},
		{name: "CloudWatch readable", check: "CloudWatch read access", ok: true},
		{name: "Logs denied", setup: func(s *awstest.Server) {
			s.InjectFault(awstest.Fault{Service: "logs", Operation: "DescribeLogGroups", Status: http.StatusBadRequest, Code: "AccessDeniedException"})
		}, check: "CloudWatch Logs read access", contains: []string{"logs:DescribeLogGroups"}},
		{name: "state directory writable", check: "State directory writable", ok: true},
		{name: "identity unknown: AWS checks skipped, not repeated",
			setup: func(s *awstest.Server) {
				s.InjectFault(awstest.Fault{Service: "sts", Operation: "GetCallerIdentity", Status: http.StatusForbidden, Code: "InvalidClientTokenId"})
			},
			check: "AWS checks", contains: []string{"skipped"}},
		{name: "identity unknown blocks", setup: func(s *awstest.Server) {
			s.InjectFault(awstest.Fault{Service: "sts", Operation: "GetCallerIdentity", Status: http.StatusForbidden, Code: "InvalidClientTokenId"})
		}, check: "AWS identity", blocking: true, contains: []string{"GetCallerIdentity"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := account(t)
			if tc.setup != nil {
				tc.setup(s)
			}
			kc := tc.kube
			if kc == nil {
				kc = allowAll
			}
			ids := []string{tmplID}
			if strings.HasPrefix(tc.check, "FIS template EXTnone") {
				ids = []string{"EXTnone"}
			}
			cfg := s.Config()
			cfg.RetryMaxAttempts = 1
			r := Run(context.Background(), Deps{AWS: awsapi.NewClients(cfg), Kube: kc}, Options{TemplateIDs: ids, StateDir: t.TempDir()})
			c, ok := find(r, tc.check)
			if !ok {
				t.Fatalf("no check %q in %+v", tc.check, r.Checks)
			}
			if c.OK != tc.ok || c.Blocking != tc.blocking {
				t.Errorf("%s: ok=%v blocking=%v, want ok=%v blocking=%v (%s / %s)", c.Name, c.OK, c.Blocking, tc.ok, tc.blocking, c.Detail, c.Remedy)
			}
			if tc.blocking && !r.Blocking {
				t.Errorf("report not blocking although %s blocks", c.Name)
			}
			text := c.Detail + " | " + c.Remedy
			for _, w := range tc.contains {
				if !strings.Contains(text, w) {
					t.Errorf("%s: %q lacks %q", c.Name, text, w)
				}
			}
			for _, ch := range r.Checks {
				if strings.Contains(ch.Detail+ch.Remedy, "fake-secret") {
					t.Errorf("%s prints the secret key", ch.Name)
				}
			}
		})
	}
}

// TestRunAllowedIsNotBlocking: a fully set-up account blocks nothing.
func TestRunAllowedIsNotBlocking(t *testing.T) {
	s := account(t)
	r := Run(context.Background(), Deps{AWS: awsapi.NewClients(s.Config()), Kube: allowAll}, Options{TemplateIDs: []string{tmplID}, StateDir: t.TempDir()})
	for _, c := range r.Checks {
		if c.Blocking {
			t.Errorf("%s blocks: %s", c.Name, c.Detail)
		}
	}
	if r.Blocking {
		t.Error("report is blocking")
	}
	if n := s.CallCount("iam", "SimulatePrincipalPolicy"); n != 1 {
		t.Errorf("%d simulations, want 1 for every action at once", n)
	}
}

func TestPrincipalFromCaller(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"arn:aws:sts::123456789012:assumed-role/operator/alice@example.com", "arn:aws:iam::123456789012:role/operator"},
		{"arn:aws-cn:sts::123456789012:assumed-role/ops/s", "arn:aws-cn:iam::123456789012:role/ops"},
		{"arn:aws:iam::123456789012:user/bob", "arn:aws:iam::123456789012:user/bob"},
	} {
		if got, _ := PrincipalFromCaller(tc.in); got != tc.want {
			t.Errorf("PrincipalFromCaller(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// TestRunWithoutRegion: no region is one blocking check, without calls that would fail for the same reason.
func TestRunWithoutRegion(t *testing.T) {
	s := account(t)
	cfg := s.Config()
	cfg.Region = ""
	r := Run(context.Background(), Deps{AWS: awsapi.NewClients(cfg)}, Options{})
	c, ok := find(r, "AWS region")
	if !ok || c.OK || !c.Blocking || !r.Blocking {
		t.Errorf("region check %+v (report blocking %v), want a blocking failure", c, r.Blocking)
	}
	if n := len(s.Calls("", "")); n != 0 {
		t.Errorf("%d AWS calls without a region", n)
	}
}

func TestStateDirNotWritable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes everywhere")
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	for _, readOnly := range []bool{false, true} {
		cs := stateDirChecks(dir, readOnly)
		if cs[0].OK || !cs[0].Blocking {
			t.Errorf("read-only state dir (readOnly check %v): %+v", readOnly, cs[0])
		}
	}
}

// TestStateDirChecksWriteNothingWhenReadOnly: the check_setup tool's read-only check
// creates no file and no directory, and still tells a usable directory from a missing one
// or a file; doctor's check creates the directory and leaves nothing else behind.
func TestStateDirChecksWriteNothingWhenReadOnly(t *testing.T) {
	root := t.TempDir()
	file := filepath.Join(root, "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		dir      string
		readOnly bool
		wantOK   bool
		wantText string
	}{
		{"read-only, usable", filepath.Join(root, "usable"), true, true, ""},
		{"read-only, missing", filepath.Join(root, "missing"), true, false, "does not exist"},
		{"read-only, a file", file, true, false, "not a directory"},
		{"doctor, missing: created", filepath.Join(root, "created"), false, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "read-only, usable" {
				if err := os.Mkdir(tc.dir, 0o700); err != nil {
					t.Fatal(err)
				}
			}
			cs := stateDirChecks(tc.dir, tc.readOnly)
			if cs[0].OK != tc.wantOK || !strings.Contains(cs[0].Detail, tc.wantText) {
				t.Errorf("check = %+v, want ok %v with %q", cs[0], tc.wantOK, tc.wantText)
			}
			entries, err := os.ReadDir(tc.dir)
			switch {
			case tc.name == "read-only, missing":
				if !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("a read-only check created %s (%v)", tc.dir, err)
				}
			case tc.dir != file && (err != nil || len(entries) != 0):
				t.Errorf("left behind in %s: %v (%v)", tc.dir, entries, err)
			}
		})
	}
}

func TestTrustsService(t *testing.T) {
	for _, tc := range []struct {
		doc  string
		want bool
	}{
		{`{"Statement":[{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com","fis.amazonaws.com"]},"Action":["sts:AssumeRole","sts:TagSession"]}]}`, true},
		{`{"Statement":{"Effect":"Allow","Principal":{"Service":"fis.amazonaws.com"},"Action":"sts:AssumeRole"}}`, true},
		{`{"Statement":[{"Effect":"Deny","Principal":{"Service":"fis.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, false},
		{`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:root"},"Action":"sts:AssumeRole"}]}`, false},
		{"%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22fis.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D", true},
	} {
		if got, err := trustsService(tc.doc, "fis.amazonaws.com"); got != tc.want || err != nil {
			t.Errorf("trustsService(%s) = %v, %v; want %v", tc.doc, got, err, tc.want)
		}
	}
}

// TestMultiAccountChecks: a multi-account template's target accounts must each be readable
// (a role of --account-roles, or the caller's own account), and each role must be
// assumable by the caller and act in its account.
func TestMultiAccountChecks(t *testing.T) {
	const (
		multiID = "EXTmulti0000001"
		other   = "210987654321"
	)
	readRole := "arn:aws:iam::" + other + ":role/fis-mcp-read"
	for _, tc := range []struct {
		name        string
		roles       awsapi.AccountRoles
		trusted     bool
		wantTargets bool   // the target accounts check passes
		wantRole    *bool  // the account role check of other (nil: none)
		wantText    string // in the failing check's detail
	}{
		{name: "every target account readable", roles: awsapi.AccountRoles{other: readRole}, trusted: true,
			wantTargets: true, wantRole: ptr(true)},
		{name: "no role for a target account", roles: awsapi.AccountRoles{}, wantText: "no role to read " + other},
		{name: "role not trusted", roles: awsapi.AccountRoles{other: readRole}, trusted: false,
			wantTargets: true, wantRole: ptr(false), wantText: "cannot assume " + readRole},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := account(t)
			s.AddExperimentTemplate(awstest.ExperimentTemplate{ID: multiID, RoleArn: "arn:aws:iam::" + s.AccountID + ":role/" + roleName,
				ExperimentOptions: map[string]string{"accountTargeting": "multi-account"}})
			s.AddTargetAccountConfiguration(multiID, awstest.TargetAccountConfiguration{AccountID: other, RoleArn: "arn:aws:iam::" + other + ":role/fis-target"})
			s.AddTargetAccountConfiguration(multiID, awstest.TargetAccountConfiguration{AccountID: s.AccountID, RoleArn: "arn:aws:iam::" + s.AccountID + ":role/fis-target"})
			b := s.AddAccount(other)
			b.AddRole("fis-mcp-read", "")
			if tc.trusted {
				b.TrustRole(readRole, "arn:aws:iam::"+s.AccountID+":root")
			}
			r := Run(context.Background(), Deps{AWS: awsapi.NewClients(s.Config()), Kube: allowAll},
				Options{TemplateIDs: []string{multiID}, AccountRoles: tc.roles})
			ta, ok := find(r, "Target accounts of "+multiID)
			if !ok || ta.OK != tc.wantTargets || (!ta.OK && !ta.Blocking) {
				t.Errorf("target accounts check %+v (found %v), want ok %v, blocking when not", ta, ok, tc.wantTargets)
			}
			if ta.OK && !strings.Contains(ta.Detail, s.AccountID+" (your account)") {
				t.Errorf("the caller's own target account is not named as read directly: %s", ta.Detail)
			}
			rc, ok := find(r, "Account role for "+other)
			switch {
			case tc.wantRole == nil && ok:
				t.Errorf("an account role check without roles: %+v", rc)
			case tc.wantRole != nil && (!ok || rc.OK != *tc.wantRole):
				t.Errorf("account role check %+v (found %v), want ok %v", rc, ok, *tc.wantRole)
			}
			if tc.wantText != "" && !strings.Contains(ta.Detail+rc.Detail, tc.wantText) {
				t.Errorf("details %q / %q do not say %q", ta.Detail, rc.Detail, tc.wantText)
			}
			if r.Blocking == (tc.wantTargets && (tc.wantRole == nil || *tc.wantRole)) {
				t.Errorf("report blocking %v", r.Blocking)
			}
			if n := len(s.Calls("fis", "GetExperimentTemplate")); n != 1 {
				t.Errorf("%d GetExperimentTemplate calls for one template, want 1", n)
			}
			if _, ok := find(r, "Target accounts of "+tmplID); ok {
				t.Error("a single-account template got a target accounts check")
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
