package events

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/session"
)

// SourceEKSNodegroup names the API EKS node group events come from.
const SourceEKSNodegroup = "eks:DescribeNodegroup"

func addEKSPlanners(m map[string]planner) {
	m["aws:eks:nodegroup"] = func(_ context.Context, _ *awsapi.Clients, rs []health.Resource, p *plan) []error {
		p.addDirect(func(ctx context.Context, c *awsapi.Clients, start, end time.Time) ([]session.Event, error) {
			return readEKSNodegroups(ctx, c, rs, start, end)
		})
		return nil
	}
}

// readEKSNodegroups reports each node group's health issues and any status other than
// ACTIVE, plus a status change within the window. EKS keeps no history: the node group's
// modifiedAt is used when it falls in [start, end]; otherwise the event is stamped end and
// marked Observed (it is the state seen now, not when it began).
func readEKSNodegroups(ctx context.Context, c *awsapi.Clients, rs []health.Resource, start, end time.Time) ([]session.Event, error) {
	var out []session.Event
	var errs []error
	for _, r := range rs {
		cluster, ng, ok := strings.Cut(r.ID, "/")
		if !ok {
			errs = append(errs, fmt.Errorf("eks DescribeNodegroup %s: node group identifier is not cluster/nodegroup", r.ID))
			continue
		}
		resp, err := c.EKS.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String(cluster), NodegroupName: aws.String(ng)})
		if err != nil {
			errs = append(errs, awsapi.Wrap(err, "eks DescribeNodegroup", r.ID, "eks:DescribeNodegroup"))
			continue
		}
		n := resp.Nodegroup
		if n == nil {
			continue
		}
		at, observed := end, true
		if m := n.ModifiedAt; m != nil && !m.Before(start) && !m.After(end) {
			at, observed = m.UTC(), false
		}
		status := string(n.Status)
		if n.Status != ekstypes.NodegroupStatusActive || !observed {
			out = append(out, session.Event{Time: at, Source: SourceEKSNodegroup, Kind: session.EventNodegroupStatus, Subject: r.ID,
				Message: fmt.Sprintf("node group %s status %s", r.ID, status), Observed: observed})
		}
		if n.Health != nil {
			for _, is := range n.Health.Issues {
				msg := fmt.Sprintf("node group %s health issue %s", r.ID, is.Code)
				if m := aws.ToString(is.Message); m != "" {
					msg += ": " + m
				}
				if len(is.ResourceIds) > 0 {
					msg += " (" + strings.Join(is.ResourceIds, ", ") + ")"
				}
				out = append(out, session.Event{Time: at, Source: SourceEKSNodegroup, Kind: session.EventNodegroupHealth, Subject: r.ID, Message: msg, Observed: observed})
			}
		}
	}
	return out, errors.Join(errs...)
}
