package awsapi_test

import (
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/fis/types"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
)

func TestShellQuote(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"EXT1a2b3c4d5e6f7", "EXT1a2b3c4d5e6f7"},
		{"fis-mcp-0123abcd", "fis-mcp-0123abcd"},
		{"actionsMode=skip-all", "actionsMode=skip-all"},
		{"a=b,c=d:e/f.g@h+i%j_k", "a=b,c=d:e/f.g@h+i%j_k"},
		{"", "''"},
		{"a b", "'a b'"},
		{"it's", `'it'\''s'`},
		{"$(id)", "'$(id)'"},
		{"`id`", "'`id`'"},
		{"~", "'~'"},
		{"a~b", "'a~b'"},
		{"*", "'*'"},
		{`a\b`, `'a\b'`},
		{"a;b&c|d", "'a;b&c|d'"},
		{"line\nbreak", "'line\nbreak'"},
		{`{"k":"v"}`, `'{"k":"v"}'`},
	} {
		if got := awsapi.ShellQuote(tc.in); got != tc.want {
			t.Errorf("ShellQuote(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestTagsArg(t *testing.T) {
	for _, tc := range []struct {
		tags map[string]string
		want string
	}{
		{map[string]string{"fis-mcp-session": "fis-20260411-103015-a1b2c3", "created-by": "fis-mcp"}, "created-by=fis-mcp,fis-mcp-session=fis-20260411-103015-a1b2c3"},
		{map[string]string{"k": "arn:aws:iam::1:role/x@y+z"}, "k=arn:aws:iam::1:role/x@y+z"},
		{map[string]string{"k": "a,b"}, `{"k":"a,b"}`},
		{map[string]string{"k": "a=b"}, `{"k":"a=b"}`},
		{map[string]string{"k": ""}, `{"k":""}`},
		{map[string]string{"k:1": "v"}, `{"k:1":"v"}`},
		{map[string]string{"b": "x y", "a": "<&>"}, `{"a":"<&>","b":"x y"}`},
		{map[string]string{"k": `say "hi"`}, `{"k":"say \"hi\""}`},
	} {
		if got := awsapi.TagsArg(tc.tags); got != tc.want {
			t.Errorf("TagsArg(%v) = %s, want %s", tc.tags, got, tc.want)
		}
	}
}

// CLIFor renders the mutating FIS calls from their SDK input (what the audit trail records)
// and nothing for calls that change nothing.
func TestCLIFor(t *testing.T) {
	start := &fis.StartExperimentInput{ExperimentTemplateId: awssdk.String("EXT1"), ClientToken: awssdk.String("tok"),
		ExperimentOptions: &types.StartExperimentExperimentOptionsInput{ActionsMode: types.ActionsModeSkipAll}, Tags: map[string]string{"k": "v"}}
	for _, tc := range []struct {
		op     string
		params any
		want   string
	}{
		{"StartExperiment", start, "aws fis start-experiment --experiment-template-id EXT1 --client-token tok --experiment-options actionsMode=skip-all --tags k=v --region us-east-1"},
		{"StartExperiment", &fis.StartExperimentInput{ExperimentTemplateId: awssdk.String("EXT1")}, "aws fis start-experiment --experiment-template-id EXT1 --region us-east-1"},
		{"StopExperiment", &fis.StopExperimentInput{Id: awssdk.String("EXP1")}, "aws fis stop-experiment --id EXP1 --region us-east-1"},
		{"GetExperiment", &fis.GetExperimentInput{Id: awssdk.String("EXP1")}, ""},
		{"StartExperiment", &cloudformation.DescribeStacksInput{}, ""},
		{"StartExperiment", nil, ""},
		{"DescribeStacks", &cloudformation.DescribeStacksInput{StackName: awssdk.String("s")}, ""},
	} {
		if got := awsapi.CLIFor(tc.op, tc.params, "us-east-1"); got != tc.want {
			t.Errorf("CLIFor(%s, %T) = %q, want %q", tc.op, tc.params, got, tc.want)
		}
	}
}
