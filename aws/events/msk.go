package events

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kafka"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/session"
)

// SourceMSKOperations names the API MSK events come from.
const SourceMSKOperations = "kafka:ListClusterOperationsV2"

func addMSKPlanners(m map[string]planner) {
	pl := func(_ context.Context, _ *awsapi.Clients, rs []health.Resource, p *plan) []error {
		p.addDirect(func(ctx context.Context, c *awsapi.Clients, start, end time.Time) ([]session.Event, error) {
			return readMSKOperations(ctx, c, rs, start, end)
		})
		return nil
	}
	m["aws:msk:cluster"] = pl
	m["aws:kafka:cluster"] = pl
}

// readMSKOperations lists each cluster's operations that overlap [start, end]: an event
// when one starts in the window and one when it ends in the window.
func readMSKOperations(ctx context.Context, c *awsapi.Clients, rs []health.Resource, start, end time.Time) ([]session.Event, error) {
	var out []session.Event
	for _, r := range rs {
		arn := health.MSKClusterArn(r)
		if arn == "" {
			return out, fmt.Errorf("kafka ListClusterOperationsV2 %s: the cluster ARN is needed", r.ID)
		}
		p := kafka.NewListClusterOperationsV2Paginator(c.Kafka, &kafka.ListClusterOperationsV2Input{ClusterArn: aws.String(arn)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return out, awsapi.Wrap(err, "kafka ListClusterOperationsV2", arn, "kafka:ListClusterOperationsV2")
			}
			for _, op := range page.ClusterOperationInfoList {
				if op.StartTime == nil {
					continue
				}
				typ, state := aws.ToString(op.OperationType), aws.ToString(op.OperationState)
				st := op.StartTime.UTC()
				if op.StartTime.After(end) || (op.EndTime != nil && op.EndTime.Before(start)) {
					continue
				}
				if !st.Before(start) {
					msg := fmt.Sprintf("MSK cluster %s operation %s started", r.ID, typ)
					if op.EndTime == nil {
						msg += " (" + state + ")"
					}
					out = append(out, session.Event{Time: st, Source: SourceMSKOperations, Kind: session.EventOperationStart, Subject: r.ID, Message: msg})
				}
				if e := op.EndTime; e != nil && !e.Before(start) && !e.After(end) {
					out = append(out, session.Event{Time: e.UTC(), Source: SourceMSKOperations, Kind: session.EventOperationEnd, Subject: r.ID,
						Message: fmt.Sprintf("MSK cluster %s operation %s ended: %s", r.ID, typ, state)})
				}
				if st.Before(start) && (op.EndTime == nil || op.EndTime.After(end)) {
					out = append(out, session.Event{Time: start, Source: SourceMSKOperations, Kind: session.EventOperationInProgress, Subject: r.ID,
						Message: fmt.Sprintf("MSK cluster %s operation %s in progress since %s (%s)", r.ID, typ, st.Format(time.RFC3339), state)})
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out, nil
}
