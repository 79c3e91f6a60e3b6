package awstest

import (
	"strings"
	"testing"
)

func TestFISMultiAccountResolve(t *testing.T) {
	s := NewUnstarted()
	b := s.AddAccount("210987654321")
	s.AddInstance(Instance{ID: "i-0aaaaaaaaaaaaaaa1", State: "running", Tags: map[string]string{"app": "orders"}})
	b.AddInstance(Instance{ID: "i-0bbbbbbbbbbbbbbb1", State: "running", Tags: map[string]string{"app": "orders"}})
	tg := TemplateTarget{ResourceType: "aws:ec2:instance", ResourceTags: map[string]string{"app": "orders"}}
	single := &ExperimentTemplate{ID: "EXTsingle"}
	multi := &ExperimentTemplate{ID: "EXTmulti", ExperimentOptions: map[string]string{"accountTargeting": "multi-account"}}
	s.AddTargetAccountConfiguration("EXTmulti", TargetAccountConfiguration{AccountID: "210987654321", RoleArn: "arn:aws:iam::210987654321:role/t"})
	s.AddTargetAccountConfiguration("EXTmulti", TargetAccountConfiguration{AccountID: "999999999999", RoleArn: "arn:aws:iam::999999999999:role/t"})

	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.fisMultiAccountResolve(single, tg); ok {
		t.Error("a single-account template was resolved as multi-account")
	}
	ids, ok := s.fisMultiAccountResolve(multi, tg)
	if !ok || strings.Join(ids, ",") != "arn:aws:ec2:us-east-1:210987654321:instance/i-0bbbbbbbbbbbbbbb1" {
		t.Errorf("multi-account tags resolved to %v (the orchestrator's own instance must not be selected)", ids)
	}
	arnTarget := TemplateTarget{ResourceType: "aws:ec2:instance", ResourceArns: []string{"arn:aws:ec2:us-east-1:999999999999:instance/i-1"}}
	if ids, _ := s.fisMultiAccountResolve(multi, arnTarget); len(ids) != 1 {
		t.Errorf("ARNs = %v", ids)
	}
}
