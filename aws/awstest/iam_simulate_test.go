package awstest

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
)

func TestSimulatePrincipalPolicy(t *testing.T) {
	s := New()
	defer s.Close()
	s.AddRole("operator", "")
	s.SimulateDecision(DecisionImplicitDeny, "fis:StartExperiment")
	s.SimulateDecision(DecisionExplicitDeny, "iam:PassRole")
	c := iam.NewFromConfig(s.Config())
	ctx := context.Background()
	out, err := c.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: awssdk.String("arn:aws:iam::123456789012:role/operator"),
		ActionNames:     []string{"fis:GetExperiment", "fis:StartExperiment", "iam:PassRole"},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range out.EvaluationResults {
		got[awssdk.ToString(r.EvalActionName)] = string(r.EvalDecision)
	}
	want := map[string]string{"fis:GetExperiment": "allowed", "fis:StartExperiment": "implicitDeny", "iam:PassRole": "explicitDeny"}
	for a, d := range want {
		if got[a] != d {
			t.Errorf("%s: %q, want %q", a, got[a], d)
		}
	}
	// A role that does not exist (e.g. an ARN without the role's path) is NoSuchEntity.
	_, err = c.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: awssdk.String("arn:aws:iam::123456789012:role/missing"), ActionNames: []string{"fis:GetExperiment"}})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "NoSuchEntity" {
		t.Errorf("unknown role: %v, want NoSuchEntity", err)
	}
}

func TestGetRoleTrustIsURLEncoded(t *testing.T) {
	s := New()
	defer s.Close()
	s.AddRole("r", "")
	c := iam.NewFromConfig(s.Config())
	out, err := c.GetRole(context.Background(), &iam.GetRoleInput{RoleName: awssdk.String("r")})
	if err != nil {
		t.Fatal(err)
	}
	raw := awssdk.ToString(out.Role.AssumeRolePolicyDocument)
	if strings.Contains(raw, "{") {
		t.Errorf("trust policy not URL-encoded: %s", raw)
	}
	doc, _ := url.QueryUnescape(raw)
	if !strings.Contains(doc, `"Service":"fis.amazonaws.com"`) {
		t.Errorf("default trust policy %s does not trust FIS", doc)
	}
	s.SetRoleTrust("r", `{"Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	out, _ = c.GetRole(context.Background(), &iam.GetRoleInput{RoleName: awssdk.String("r")})
	if doc, _ := url.QueryUnescape(awssdk.ToString(out.Role.AssumeRolePolicyDocument)); !strings.Contains(doc, "ec2.amazonaws.com") {
		t.Errorf("SetRoleTrust not served: %s", doc)
	}
}

func TestListAccessEntries(t *testing.T) {
	s := New()
	defer s.Close()
	s.AddEKSCluster(EKSCluster{Name: "a"})
	s.AddEKSCluster(EKSCluster{Name: "b"})
	s.SetCallerIdentity("arn:aws:sts::123456789012:assumed-role/operator/alice", "AROA:alice")
	s.SetAccessEntries("b", "arn:aws:iam::123456789012:role/other")
	c := eks.NewFromConfig(s.Config())
	ctx := context.Background()
	a, err := c.ListAccessEntries(ctx, &eks.ListAccessEntriesInput{ClusterName: awssdk.String("a")})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.AccessEntries) != 1 || a.AccessEntries[0] != "arn:aws:iam::123456789012:role/operator" {
		t.Errorf("default entries %v, want the caller's role", a.AccessEntries)
	}
	b, _ := c.ListAccessEntries(ctx, &eks.ListAccessEntriesInput{ClusterName: awssdk.String("b")})
	if len(b.AccessEntries) != 1 || b.AccessEntries[0] != "arn:aws:iam::123456789012:role/other" {
		t.Errorf("set entries %v", b.AccessEntries)
	}
	if _, err := c.ListAccessEntries(ctx, &eks.ListAccessEntriesInput{ClusterName: awssdk.String("none")}); err == nil {
		t.Error("unknown cluster: no error")
	}
}
