package health

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/session"
)

// Stop-condition sources.
const (
	StopSourceAlarm = "aws:cloudwatch:alarm"
	StopSourceNone  = "none"
)

// Alarm states reported in session.AlarmHealth.State beyond CloudWatch's own
// (OK, ALARM, INSUFFICIENT_DATA).
const (
	AlarmStateNotFound = "NOT_FOUND" // no such alarm (metric or composite) in the region
	AlarmStateUnknown  = "UNKNOWN"   // the alarm could not be read
)

// maxAlarmNames is DescribeAlarms' limit on AlarmNames per call.
const maxAlarmNames = 100

// AlarmDescriber is the CloudWatch call the alarm checks need.
type AlarmDescriber interface {
	DescribeAlarms(ctx context.Context, in *cloudwatch.DescribeAlarmsInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error)
}

// AlarmName returns the alarm name of a CloudWatch alarm ARN
// (arn:aws:cloudwatch:region:account:alarm:NAME; names may contain ':'). A value
// that is not an ARN is taken as a name.
func AlarmName(arnOrName string) string {
	if !strings.HasPrefix(arnOrName, "arn:") {
		return arnOrName
	}
	parts := strings.SplitN(arnOrName, ":", 6)
	if len(parts) < 6 {
		return arnOrName
	}
	return strings.TrimPrefix(parts[5], "alarm:")
}

// CheckAlarms checks each stop-condition CloudWatch alarm exists and is OK (an alarm
// already in ALARM would stop the experiment at once). It returns one entry per
// aws:cloudwatch:alarm condition, in order; "none" conditions have no entry. All
// alarms are read with one DescribeAlarms call (per 100 names), metric and
// composite alike. A failed call makes every alarm unhealthy with the reason.
func CheckAlarms(ctx context.Context, c *awsapi.Clients, conds []session.StopCondition) []session.AlarmHealth {
	var out []session.AlarmHealth
	var names []string
	for _, sc := range conds {
		if sc.Source != StopSourceAlarm {
			continue
		}
		name := AlarmName(sc.Value)
		out = append(out, session.AlarmHealth{Name: name, ARN: sc.Value})
		names = append(names, name)
	}
	if len(out) == 0 {
		return out
	}
	alarms, err := describeAlarms(ctx, c.CloudWatch, names)
	for i := range out {
		h := &out[i]
		if err != nil {
			h.State = AlarmStateUnknown
			h.Detail = fmt.Sprintf("could not read the alarm: %v", err)
			continue
		}
		a, ok := alarms[h.Name]
		if !ok {
			h.State = AlarmStateNotFound
			h.Detail = fmt.Sprintf("alarm %q does not exist in %s: FIS cannot use it as a stop condition; redeploy the experiment stack or fix the template", h.Name, c.Region)
			continue
		}
		h.Exists = true
		h.State = a.state
		if h.ARN == "" || !strings.HasPrefix(h.ARN, "arn:") {
			h.ARN = a.arn
		}
		switch a.state {
		case string(cwtypes.StateValueOk):
			h.Healthy = true
		case string(cwtypes.StateValueAlarm):
			h.Detail = "already in ALARM: the experiment would stop at once"
		case string(cwtypes.StateValueInsufficientData):
			// Not a block: FIS stops an experiment only when an alarm enters ALARM
			// (https://docs.aws.amazon.com/fis/latest/userguide/stop-conditions.html), so the
			// experiment can start, but this stop condition may never fire: a loud warning.
			h.Healthy = true
			h.Note = InsufficientDataWarning(h.Name)
			h.Detail = "in INSUFFICIENT_DATA: the alarm has no recent data to evaluate; check its metric is being published"
			if a.reason != "" {
				h.Detail += " (reason: " + a.reason + ")"
			}
		default:
			h.Detail = fmt.Sprintf("in unexpected state %q", a.state)
		}
		if a.reason != "" && !h.Healthy {
			h.Detail += " (reason: " + a.reason + ")"
		}
	}
	return out
}

// InsufficientDataWarning is the loud warning for a stop-condition alarm in INSUFFICIENT_DATA.
func InsufficientDataWarning(name string) string {
	return fmt.Sprintf("alarm %s is INSUFFICIENT_DATA: FIS stops the experiment only on ALARM, so this stop condition may never fire", name)
}

// alarmStates classifies every CloudWatch alarm state for a stop condition:
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricAlarm.html (StateValue: OK | ALARM | INSUFFICIENT_DATA)
// and https://docs.aws.amazon.com/fis/latest/userguide/stop-conditions.html (FIS stops on ALARM).
var alarmStates = statusTable{
	string(cwtypes.StateValueOk):               ruleOK(),
	string(cwtypes.StateValueInsufficientData): ruleNote("FIS stops the experiment only on ALARM, so this stop condition may never fire"),
	string(cwtypes.StateValueAlarm):            ruleBlock("already in ALARM: the experiment would stop at once"),
}

// AddAlarmWarnings appends to hr.Warnings the warning of every stop-condition alarm that
// carries a note (INSUFFICIENT_DATA), once each.
func AddAlarmWarnings(hr *session.HealthResult) {
	have := map[string]bool{}
	for _, w := range hr.Warnings {
		have[w] = true
	}
	for _, a := range hr.Alarms {
		if a.Note != "" && !have[a.Note] {
			have[a.Note] = true
			hr.Warnings = append(hr.Warnings, a.Note)
		}
	}
}

// AlarmStates reads the current state of the named alarms (metric and composite) for
// live sampling while an experiment runs. Alarms that do not exist are absent from the map.
func AlarmStates(ctx context.Context, c *awsapi.Clients, names []string) (map[string]string, error) {
	alarms, err := describeAlarms(ctx, c.CloudWatch, names)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(alarms))
	for n, a := range alarms {
		out[n] = a.state
	}
	return out, nil
}

type alarmInfo struct {
	arn, state, reason string
}

// describeAlarms reads the named alarms, 100 names per call, following NextToken.
func describeAlarms(ctx context.Context, cw AlarmDescriber, names []string) (map[string]alarmInfo, error) {
	uniq := make([]string, 0, len(names))
	seen := map[string]bool{}
	for _, n := range names {
		if n != "" && !seen[n] {
			seen[n] = true
			uniq = append(uniq, n)
		}
	}
	out := map[string]alarmInfo{}
	for start := 0; start < len(uniq); start += maxAlarmNames {
		batch := uniq[start:min(start+maxAlarmNames, len(uniq))]
		in := &cloudwatch.DescribeAlarmsInput{
			AlarmNames: batch,
			MaxRecords: aws.Int32(maxAlarmNames),
			AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm, cwtypes.AlarmTypeCompositeAlarm},
		}
		resource := strings.Join(batch, ",")
		for {
			res, err := cw.DescribeAlarms(ctx, in)
			if err != nil {
				return nil, awsapi.Wrap(err, "cloudwatch DescribeAlarms", resource, "cloudwatch:DescribeAlarms")
			}
			for _, a := range res.MetricAlarms {
				out[aws.ToString(a.AlarmName)] = alarmInfo{aws.ToString(a.AlarmArn), string(a.StateValue), aws.ToString(a.StateReason)}
			}
			for _, a := range res.CompositeAlarms {
				out[aws.ToString(a.AlarmName)] = alarmInfo{aws.ToString(a.AlarmArn), string(a.StateValue), aws.ToString(a.StateReason)}
			}
			next := aws.ToString(res.NextToken)
			if next == "" || next == aws.ToString(in.NextToken) {
				break
			}
			in.NextToken = aws.String(next)
		}
	}
	return out, nil
}
