package events

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/session"
)

// Sources of EC2 and Auto Scaling events.
const (
	SourceEC2StateTransitions = "ec2:DescribeInstances"
	SourceScalingActivities   = "autoscaling:DescribeScalingActivities"
)

// StreamScalingActivities is the watermark key of the Auto Scaling groups' activities.
const StreamScalingActivities = "autoscaling:activities"

// ec2MaxFilterValues is how many filter values one EC2 call takes, all filters together: more
// fail with FilterLimitExceeded (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html;
// EC2's message: "The maximum number of filter values specified on a single call is 200").
const ec2MaxFilterValues = 200

func addEC2Planners(m map[string]planner) {
	m["aws:ec2:instance"] = planInstanceTransitions
	m["aws:ec2:spot-instance"] = planInstanceTransitions
	m["aws:ec2:autoscaling-group"] = planScalingActivities
}

func planInstanceTransitions(_ context.Context, _ *awsapi.Clients, rs []health.Resource, p *plan) []error {
	var ids []string
	for _, r := range rs {
		ids = append(ids, eventResourceID(r))
	}
	p.addDirect(func(ctx context.Context, c *awsapi.Clients, start, end time.Time) ([]session.Event, error) {
		return readInstanceTransitions(ctx, c, ids, start, end)
	})
	return nil
}

func planScalingActivities(_ context.Context, _ *awsapi.Clients, rs []health.Resource, p *plan) []error {
	var names []string
	for _, r := range rs {
		name := eventResourceID(r)
		if i := strings.Index(name, "autoScalingGroupName/"); i >= 0 {
			name = name[i+len("autoScalingGroupName/"):]
		}
		names = append(names, name)
	}
	p.want(StreamScalingActivities, readScalingActivities, names...)
	return nil
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
// observed at the window's end. The instance-id filter (which, unlike InstanceIds, does
// not fail on an instance that is gone) takes at most ec2MaxFilterValues IDs a call.
func readInstanceTransitions(ctx context.Context, c *awsapi.Clients, ids []string, start, end time.Time) ([]session.Event, error) {
	var all []session.Event
	var errs []error
	for len(ids) > 0 {
		batch := ids[:min(len(ids), ec2MaxFilterValues)]
		ids = ids[len(batch):]
		p := ec2.NewDescribeInstancesPaginator(c.EC2, &ec2.DescribeInstancesInput{Filters: []ec2types.Filter{{Name: awssdk.String("instance-id"), Values: batch}}})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				errs = append(errs, awsapi.Wrap(err, "ec2 DescribeInstances", strings.Join(batch[:min(3, len(batch))], ",")+fmt.Sprintf(" (%d instances)", len(batch)), "ec2:DescribeInstances"))
				break
			}
			for _, res := range out.Reservations {
				for _, in := range res.Instances {
					if ev, ok := instanceTransition(in, end); ok {
						all = append(all, ev)
					}
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
	ev := session.Event{Source: SourceEC2StateTransitions, Kind: session.EventStateTransition, Subject: awssdk.ToString(in.InstanceId), Message: msg}
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

// terminalActivity reports whether a scaling activity's status is final
// (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_Activity.html: StatusCode).
func terminalActivity(code astypes.ScalingActivityStatusCode) bool {
	switch code {
	case astypes.ScalingActivityStatusCodeSuccessful, astypes.ScalingActivityStatusCodeFailed, astypes.ScalingActivityStatusCodeCancelled:
		return true
	}
	return false
}

// readScalingActivities reads each group's activities back to start. Auto Scaling lists
// activities in progress first, then by start time, newest first
// (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DescribeScalingActivities.html),
// so reading stops at the first finished activity older than start. The watermark is the
// newest start seen, held back to the oldest activity still in progress, whose final
// status a later read must see.
func readScalingActivities(ctx context.Context, c *awsapi.Clients, subjects map[string]bool, start, end time.Time) ([]session.Event, time.Time, error) {
	names := make([]string, 0, len(subjects))
	for n := range subjects {
		names = append(names, n)
	}
	sort.Strings(names)
	var all []session.Event
	var errs []error
	var newest, oldestOpen time.Time
	for _, name := range names {
		p := autoscaling.NewDescribeScalingActivitiesPaginator(c.AutoScaling, &autoscaling.DescribeScalingActivitiesInput{AutoScalingGroupName: awssdk.String(name), MaxRecords: awssdk.Int32(100)})
	pages:
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				errs = append(errs, awsapi.Wrap(err, "autoscaling DescribeScalingActivities", name, "autoscaling:DescribeScalingActivities"))
				break
			}
			for _, a := range page.Activities {
				if a.StartTime == nil {
					continue
				}
				open := !terminalActivity(a.StatusCode)
				if a.StartTime.Before(start) && !open {
					break pages
				}
				newest = latest(newest, *a.StartTime)
				if open && (oldestOpen.IsZero() || a.StartTime.Before(oldestOpen)) {
					oldestOpen = *a.StartTime
				}
				all = append(all, scalingEvent(name, a))
			}
		}
	}
	mark := newest
	if !oldestOpen.IsZero() && oldestOpen.Before(mark) {
		mark = oldestOpen
	}
	if len(errs) > 0 {
		mark = time.Time{}
	}
	return inWindowSorted(all, start, end), mark, errors.Join(errs...)
}

func scalingEvent(group string, a astypes.Activity) session.Event {
	msg := fmt.Sprintf("%s (%s)", awssdk.ToString(a.Description), a.StatusCode)
	if s := awssdk.ToString(a.StatusMessage); s != "" {
		msg += ": " + s
	}
	if cause := awssdk.ToString(a.Cause); cause != "" {
		msg += ". Cause: " + cause
	}
	return session.Event{Time: a.StartTime.UTC(), Source: SourceScalingActivities, Kind: session.EventScalingActivity, Subject: group, Message: msg}
}
