package metrics

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/session"
)

// AlarmHistory reads the state transitions of the named alarms (metric or composite)
// in [start, end] with DescribeAlarmHistory (StateUpdate items, one paged call
// sequence per alarm), ordered by time. Transitions of alarms that were read are
// returned even when another alarm's call failed; err then joins the failures.
func AlarmHistory(ctx context.Context, c *awsapi.Clients, alarmNames []string, start, end time.Time) ([]session.AlarmTransition, error) {
	return alarmHistory(ctx, c.CloudWatch, alarmNames, start, end)
}

func alarmHistory(ctx context.Context, cw AlarmHistoryReader, alarmNames []string, start, end time.Time) ([]session.AlarmTransition, error) {
	var out []session.AlarmTransition
	var errs []error
	seen := map[string]bool{}
	for _, name := range alarmNames {
		if name == "" || seen[name] {
			continue
		}
		seen[name] = true
		in := &cloudwatch.DescribeAlarmHistoryInput{
			AlarmName:       aws.String(name),
			AlarmTypes:      []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm, cwtypes.AlarmTypeCompositeAlarm},
			HistoryItemType: cwtypes.HistoryItemTypeStateUpdate,
			StartDate:       aws.Time(start),
			EndDate:         aws.Time(end),
			ScanBy:          cwtypes.ScanByTimestampAscending,
		}
		for {
			res, err := cw.DescribeAlarmHistory(ctx, in)
			if err != nil {
				errs = append(errs, awsapi.Wrap(err, "cloudwatch DescribeAlarmHistory", name, "cloudwatch:DescribeAlarmHistory"))
				break
			}
			for _, item := range res.AlarmHistoryItems {
				if t, ok := parseTransition(item); ok {
					if t.Alarm == "" {
						t.Alarm = name
					}
					out = append(out, t)
				}
			}
			next := aws.ToString(res.NextToken)
			if next == "" || next == aws.ToString(in.NextToken) {
				break
			}
			in.NextToken = aws.String(next)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out, errors.Join(errs...)
}

// historyData is the JSON CloudWatch puts in a StateUpdate item's HistoryData.
type historyData struct {
	OldState struct {
		StateValue  string `json:"stateValue"`
		StateReason string `json:"stateReason"`
	} `json:"oldState"`
	NewState struct {
		StateValue  string `json:"stateValue"`
		StateReason string `json:"stateReason"`
	} `json:"newState"`
}

var summaryRE = regexp.MustCompile(`from (\S+) to (\S+)`)

// parseTransition reads a StateUpdate item: HistoryData's oldState/newState, or
// failing that the summary ("Alarm updated from OK to ALARM"). ok is false for
// items that are not state updates or say nothing of the states.
func parseTransition(item cwtypes.AlarmHistoryItem) (session.AlarmTransition, bool) {
	if item.HistoryItemType != "" && item.HistoryItemType != cwtypes.HistoryItemTypeStateUpdate {
		return session.AlarmTransition{}, false
	}
	t := session.AlarmTransition{Alarm: aws.ToString(item.AlarmName), Time: aws.ToTime(item.Timestamp).UTC()}
	var d historyData
	if err := json.Unmarshal([]byte(aws.ToString(item.HistoryData)), &d); err == nil && d.NewState.StateValue != "" {
		t.From, t.To, t.Reason = d.OldState.StateValue, d.NewState.StateValue, d.NewState.StateReason
		return t, true
	}
	if m := summaryRE.FindStringSubmatch(aws.ToString(item.HistorySummary)); m != nil {
		t.From, t.To = m[1], m[2]
		return t, true
	}
	return session.AlarmTransition{}, false
}
