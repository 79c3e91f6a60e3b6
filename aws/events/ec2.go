package events

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	awsx "github.com/fis-mcp/fis-mcp/aws"
	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/session"
)

// Sources of EC2 and Auto Scaling events.
const (
	SourceEC2StateTransitions = "ec2:DescribeInstances"
	SourceScalingActivities   = "autoscaling:DescribeScalingActivities"
)

func addEC2Readers(m map[string]ReadFunc) {
	m["aws:ec2:instance"] = readInstanceTransitions
	m["aws:ec2:spot-instance"] = readInstanceTransitions
	m["aws:ec2:autoscaling-group"] = readScalingActivities
}

// transitionTime matches the time EC2 puts in StateTransitionReason, e.g.
// "User initiated (2026-04-11 10:30:15 GMT)".
var transitionTime = regexp.MustCompile(`\((\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) GMT\)`)

// ParseTransitionTime returns the time in an EC2 StateTransitionReason, if any.
func ParseTransitionTime(reason string) (time.Time, bool) {
	m := transitionTime.FindStringSubmatch(reason)
	if m == nil {
		return time.Time{}, false
	}
	t, err := time.Parse("2006-01-02 15:04:05", m[1])
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// readInstanceTransitions reports each instance's last state transition when EC2 dated it
// inside the window. An instance not running whose reason carries no time is reported as
// observed at the window's end.
func readInstanceTransitions(ctx context.Context, c *awsx.Clients, rs []health.Resource, start, end time.Time) ([]session.Event, error) {
	var ids []string
	for _, r := range rs {
		ids = append(ids, eventResourceID(r))
	}
	var all []session.Event
	var errs []error
	for len(ids) > 0 {
		n := min(len(ids), 1000)
		batch := ids[:n]
		ids = ids[n:]
		out, err := c.EC2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: []ec2types.Filter{{Name: awssdk.String("instance-id"), Values: batch}}})
		if err != nil {
			errs = append(errs, awsx.Wrap(err, "ec2 DescribeInstances", strings.Join(batch[:min(3, len(batch))], ","), "ec2:DescribeInstances"))
			continue
		}
		for _, res := range out.Reservations {
			for _, in := range res.Instances {
				if ev, ok := instanceTransition(in, end); ok {
					all = append(all, ev)
				}
			}
		}
	}
	return inWindowSorted(all, start, end), errors.Join(errs...)
}

func instanceTransition(in ec2types.Instance, end time.Time) (session.Event, bool) {
	state := ""
	if in.State != nil {
		state = string(in.State.Name)
	}
	reason := awssdk.ToString(in.StateTransitionReason)
	msg := "instance " + state
	if reason != "" {
		msg += ": " + reason
	}
	if in.StateReason != nil && awssdk.ToString(in.StateReason.Message) != "" {
		msg += " (" + awssdk.ToString(in.StateReason.Message) + ")"
	}
	ev := session.Event{Source: SourceEC2StateTransitions, Kind: "state-transition", Subject: awssdk.ToString(in.InstanceId), Message: msg}
	if t, ok := ParseTransitionTime(reason); ok {
		ev.Time = t
		return ev, true
	}
	if state != "" && state != string(ec2types.InstanceStateNameRunning) {
		ev.Time, ev.Observed = end, true
		return ev, true
	}
	return ev, false
}

// readScalingActivities reads each group's activities (listed newest first) back to the window's start.
func readScalingActivities(ctx context.Context, c *awsx.Clients, rs []health.Resource, start, end time.Time) ([]session.Event, error) {
	var all []session.Event
	var errs []error
	for _, r := range rs {
		name := eventResourceID(r)
		if i := strings.Index(name, "autoScalingGroupName/"); i >= 0 {
			name = name[i+len("autoScalingGroupName/"):]
		}
		p := autoscaling.NewDescribeScalingActivitiesPaginator(c.AutoScaling, &autoscaling.DescribeScalingActivitiesInput{AutoScalingGroupName: awssdk.String(name), MaxRecords: awssdk.Int32(100)})
	pages:
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				errs = append(errs, awsx.Wrap(err, "autoscaling DescribeScalingActivities", name, "autoscaling:DescribeScalingActivities"))
				break
			}
			for _, a := range page.Activities {
				if a.StartTime == nil {
					continue
				}
				if a.StartTime.Before(start) {
					break pages
				}
				msg := fmt.Sprintf("%s (%s)", awssdk.ToString(a.Description), a.StatusCode)
				if s := awssdk.ToString(a.StatusMessage); s != "" {
					msg += ": " + s
				}
				if cause := awssdk.ToString(a.Cause); cause != "" {
					msg += ". Cause: " + cause
				}
				all = append(all, session.Event{Time: a.StartTime.UTC(), Source: SourceScalingActivities, Kind: "scaling-activity", Subject: name, Message: msg})
			}
		}
	}
	return inWindowSorted(all, start, end), errors.Join(errs...)
}
