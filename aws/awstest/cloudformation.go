package awstest

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Stack is a seeded CloudFormation stack.
type Stack struct {
	Name string
	// ID is the stack ARN; derived from the name when empty.
	ID           string
	Status       string
	StatusReason string
	Description  string
	Outputs      map[string]string
	Parameters   map[string]string
	Tags         map[string]string
	// CreationTime defaults to the simulation time of AddStack.
	CreationTime time.Time
	// Events are the stack's events in any order; DescribeStackEvents returns them newest first.
	Events []StackEvent
}

// StackEvent is one CloudFormation stack event.
type StackEvent struct {
	Time         time.Time
	LogicalID    string
	PhysicalID   string
	ResourceType string
	Status       string
	Reason       string
}

// cfnState is the fake's CloudFormation state.
type cfnState struct {
	stacks map[string]*Stack
}

// cfnEventsPageSize is how many events one DescribeStackEvents page holds.
const cfnEventsPageSize = 100

func cloudformationService() *service {
	return &service{protocol: protoQuery, xmlns: "http://cloudformation.amazonaws.com/doc/2010-05-15/", handle: handleCloudFormation}
}

// AddStack seeds (or replaces) a stack.
func (s *Server) AddStack(st Stack) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cfn.stacks == nil {
		s.cfn.stacks = map[string]*Stack{}
	}
	cp := st
	if cp.ID == "" {
		cp.ID = fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/%08x-0000-4000-8000-000000000000",
			s.Region, s.AccountID, cp.Name, len(s.cfn.stacks)+1)
	}
	if cp.CreationTime.IsZero() {
		cp.CreationTime = s.clock.Now()
	}
	cp.Outputs = cfnCopyMap(st.Outputs)
	cp.Parameters = cfnCopyMap(st.Parameters)
	cp.Tags = cfnCopyMap(st.Tags)
	cp.Events = append([]StackEvent(nil), st.Events...)
	s.cfn.stacks[cp.Name] = &cp
}

// SetStackStatus changes a stack's status (recording a stack-level event); unknown stacks are ignored.
func (s *Server) SetStackStatus(name, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.cfn.stacks[name]
	if st == nil {
		return
	}
	st.Status = status
	st.Events = append(st.Events, StackEvent{
		Time: s.clock.Now(), LogicalID: st.Name, PhysicalID: st.ID,
		ResourceType: "AWS::CloudFormation::Stack", Status: status,
	})
}

func cfnCopyMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func cfnSortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// cfnDeleted is the status of a deleted stack.
const cfnDeleted = "DELETE_COMPLETE"

// lookup finds a stack by name or stack ID. Any status string is held as seeded (the
// documented StackStatus values: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Stack.html).
// https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html: "Running stacks: You
// can specify either the stack's name or its unique stack ID. Deleted stacks: You must specify the unique stack ID."
func (st *cfnState) lookup(nameOrID string) *Stack {
	if s := st.stacks[nameOrID]; s != nil && s.Status != cfnDeleted {
		return s
	}
	for _, s := range st.stacks {
		if s.ID == nameOrID {
			return s
		}
	}
	return nil
}

type cfnKV struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type cfnOutput struct {
	OutputKey   string `xml:"OutputKey"`
	OutputValue string `xml:"OutputValue"`
}

type cfnParameter struct {
	ParameterKey   string `xml:"ParameterKey"`
	ParameterValue string `xml:"ParameterValue"`
}

type cfnStackXML struct {
	StackID           string         `xml:"StackId"`
	StackName         string         `xml:"StackName"`
	Description       string         `xml:"Description,omitempty"`
	CreationTime      string         `xml:"CreationTime"`
	StackStatus       string         `xml:"StackStatus"`
	StackStatusReason string         `xml:"StackStatusReason,omitempty"`
	Parameters        []cfnParameter `xml:"Parameters>member,omitempty"`
	Outputs           []cfnOutput    `xml:"Outputs>member,omitempty"`
	Tags              []cfnKV        `xml:"Tags>member,omitempty"`
}

type cfnEventXML struct {
	EventID              string `xml:"EventId"`
	StackID              string `xml:"StackId"`
	StackName            string `xml:"StackName"`
	LogicalResourceID    string `xml:"LogicalResourceId"`
	PhysicalResourceID   string `xml:"PhysicalResourceId,omitempty"`
	ResourceType         string `xml:"ResourceType"`
	Timestamp            string `xml:"Timestamp"`
	ResourceStatus       string `xml:"ResourceStatus"`
	ResourceStatusReason string `xml:"ResourceStatusReason,omitempty"`
}

// cfnTime formats a timestamp the way awsQuery services do.
func cfnTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func handleCloudFormation(s *Server, c *call) {
	switch c.op {
	case "DescribeStacks":
		cfnDescribeStacks(s, c)
	case "DescribeStackEvents":
		cfnDescribeStackEvents(s, c)
	default:
		notImplemented(s, c)
	}
}

func cfnStackNotFound(c *call, name string) {
	c.Fail(http.StatusBadRequest, "ValidationError", fmt.Sprintf("Stack with id %s does not exist", name))
}

func cfnDescribeStacks(s *Server, c *call) {
	var stacks []*Stack
	if name := c.Form("StackName"); name != "" {
		st := s.cfn.lookup(name)
		if st == nil {
			cfnStackNotFound(c, name)
			return
		}
		stacks = []*Stack{st}
	} else {
		for _, st := range s.cfn.stacks {
			if st.Status != cfnDeleted { // deleted stacks are described only by stack ID (see lookup)
				stacks = append(stacks, st)
			}
		}
		sort.Slice(stacks, func(i, j int) bool { return stacks[i].Name < stacks[j].Name })
	}
	type result struct {
		Stacks []cfnStackXML `xml:"Stacks>member"`
	}
	var res result
	for _, st := range stacks {
		x := cfnStackXML{
			StackID: st.ID, StackName: st.Name, Description: st.Description,
			CreationTime: cfnTime(st.CreationTime), StackStatus: st.Status, StackStatusReason: st.StatusReason,
		}
		for _, k := range cfnSortedKeys(st.Parameters) {
			x.Parameters = append(x.Parameters, cfnParameter{k, st.Parameters[k]})
		}
		for _, k := range cfnSortedKeys(st.Outputs) {
			x.Outputs = append(x.Outputs, cfnOutput{k, st.Outputs[k]})
		}
		for _, k := range cfnSortedKeys(st.Tags) {
			x.Tags = append(x.Tags, cfnKV{k, st.Tags[k]})
		}
		res.Stacks = append(res.Stacks, x)
	}
	c.XML(res)
}

func cfnDescribeStackEvents(s *Server, c *call) {
	name := c.Form("StackName")
	st := s.cfn.lookup(name)
	if st == nil {
		cfnStackNotFound(c, name)
		return
	}
	events := append([]StackEvent(nil), st.Events...)
	// Newest first; ties keep the later-seeded event first.
	idx := make([]int, len(events))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		ea, eb := events[idx[a]], events[idx[b]]
		if !ea.Time.Equal(eb.Time) {
			return ea.Time.After(eb.Time)
		}
		return idx[a] > idx[b]
	})
	start := 0
	if tok := c.Form("NextToken"); tok != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(tok, "events-"))
		if err != nil || n < 0 || n > len(events) {
			c.Fail(http.StatusBadRequest, "ValidationError", "Invalid NextToken")
			return
		}
		start = n
	}
	end := min(start+cfnEventsPageSize, len(events))
	type result struct {
		StackEvents []cfnEventXML `xml:"StackEvents>member"`
		NextToken   string        `xml:"NextToken,omitempty"`
	}
	var res result
	for _, i := range idx[start:end] {
		e := events[i]
		res.StackEvents = append(res.StackEvents, cfnEventXML{
			EventID: fmt.Sprintf("%s-%08d", e.LogicalID, i), StackID: st.ID, StackName: st.Name,
			LogicalResourceID: e.LogicalID, PhysicalResourceID: e.PhysicalID, ResourceType: e.ResourceType,
			Timestamp: cfnTime(e.Time), ResourceStatus: e.Status, ResourceStatusReason: e.Reason,
		})
	}
	if end < len(events) {
		res.NextToken = fmt.Sprintf("events-%d", end)
	}
	c.XML(res)
}
