// Package stack reads the CloudFormation stack an experiment was deployed with:
// its status, outputs and, when it is not ready, the events that say why.
package stack

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
)

// API is the part of the CloudFormation client this package uses.
type API interface {
	DescribeStacks(ctx context.Context, in *cloudformation.DescribeStacksInput, optFns ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error)
	DescribeStackEvents(ctx context.Context, in *cloudformation.DescribeStackEventsInput, optFns ...func(*cloudformation.Options)) (*cloudformation.DescribeStackEventsOutput, error)
}

// ErrNotFound means the stack does not exist (in this account and region).
var ErrNotFound = errors.New("stack does not exist")

// Stack is the state of one stack.
type Stack struct {
	Name         string
	ID           string
	Status       string
	StatusReason string
	Outputs      map[string]string
}

// Event is one stack event.
type Event struct {
	Time         time.Time
	LogicalID    string
	ResourceType string
	Status       string
	Reason       string
}

// maxEventPages bounds how far FailureEvents pages back through a stack's history.
const maxEventPages = 20

// Describe reads the stack called name. A missing stack gives an error matching ErrNotFound.
func Describe(ctx context.Context, api API, name string) (*Stack, error) {
	if name == "" {
		return nil, fmt.Errorf("cloudformation DescribeStacks: empty stack name")
	}
	out, err := api.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: &name})
	if err != nil {
		if isNotFound(err) {
			return nil, notFound(name, err)
		}
		return nil, awsapi.Wrap(err, "cloudformation DescribeStacks", name, "cloudformation:DescribeStacks")
	}
	if out == nil || len(out.Stacks) == 0 {
		return nil, notFound(name, nil)
	}
	st := out.Stacks[0]
	s := &Stack{
		Name:         deref(st.StackName),
		ID:           deref(st.StackId),
		Status:       string(st.StackStatus),
		StatusReason: deref(st.StackStatusReason),
		Outputs:      map[string]string{},
	}
	if s.Name == "" {
		s.Name = name
	}
	for _, o := range st.Outputs {
		if o.OutputKey != nil {
			s.Outputs[*o.OutputKey] = deref(o.OutputValue)
		}
	}
	return s, nil
}

// Ready reports whether a stack in status can be used: a stable state (see Classify),
// with or without a warning.
func Ready(status string) bool {
	k := Classify(status).Kind
	return k == KindReady || k == KindReadyWithWarning
}

// FailureEvents returns up to n of the stack's most recent events whose status ends in _FAILED,
// newest first, paging back through DescribeStackEvents.
func FailureEvents(ctx context.Context, api API, name string, n int) ([]Event, error) {
	var out []Event
	if n <= 0 {
		return out, nil
	}
	var token *string
	seen := map[string]bool{}
	for page := 0; page < maxEventPages; page++ {
		res, err := api.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: &name, NextToken: token})
		if err != nil {
			if isNotFound(err) {
				return out, notFound(name, err)
			}
			return out, awsapi.Wrap(err, "cloudformation DescribeStackEvents", name, "cloudformation:DescribeStackEvents")
		}
		if res == nil {
			break
		}
		for _, e := range res.StackEvents {
			status := string(e.ResourceStatus)
			if !strings.HasSuffix(status, "_FAILED") {
				continue
			}
			ev := Event{LogicalID: deref(e.LogicalResourceId), ResourceType: deref(e.ResourceType), Status: status, Reason: deref(e.ResourceStatusReason)}
			if e.Timestamp != nil {
				ev.Time = *e.Timestamp
			}
			out = append(out, ev)
			if len(out) == n {
				return out, nil
			}
		}
		if res.NextToken == nil || *res.NextToken == "" || seen[*res.NextToken] {
			break
		}
		seen[*res.NextToken] = true
		token = res.NextToken
	}
	return out, nil
}

// isNotFound recognises CloudFormation's answer for a missing stack:
// ValidationError "Stack with id X does not exist".
func isNotFound(err error) bool {
	return awsapi.Code(err) == "ValidationError" && strings.Contains(err.Error(), "does not exist")
}

func notFound(name string, cause error) error {
	if cause == nil {
		return fmt.Errorf("cloudformation DescribeStacks %s: %w (check the stack name and the region)", name, ErrNotFound)
	}
	return fmt.Errorf("cloudformation DescribeStacks %s: %w (check the stack name and the region): %w", name, ErrNotFound, cause)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
