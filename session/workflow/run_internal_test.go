package workflow

import (
	"strings"
	"testing"
	"time"

	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/session"
)

// TestDiffTargetsPods: FIS resolves an aws:eks:pod target to its pods, the health check
// lists one entry per selector; a dry run of a pod target must not report them as different.
func TestDiffTargetsPods(t *testing.T) {
	selector := session.ResourceHealth{ID: "prod/shop/labelSelector=app=cart", Type: health.TypeEKSPod, Target: "Pods", Status: "Running", Healthy: true}
	cluster := session.ResourceHealth{ID: "demo-aurora", ARN: "arn:aws:rds:us-east-1:123456789012:cluster:demo-aurora", Type: "aws:rds:cluster", Target: "RDS-Cluster"}
	pod := func(name string) session.ResolvedTarget {
		return session.ResolvedTarget{TargetName: "Pods", ResourceType: health.TypeEKSPod, Identifier: name}
	}
	rds := session.ResolvedTarget{TargetName: "RDS-Cluster", ResourceType: "aws:rds:cluster", Identifier: cluster.ARN}
	for _, tc := range []struct {
		name     string
		checked  []session.ResourceHealth
		resolved []session.ResolvedTarget
		want     []string // substrings, one per difference
	}{
		{"pods of the selector", []session.ResourceHealth{selector, cluster}, []session.ResolvedTarget{pod("cart-7d9f-abcde"), pod("cart-7d9f-fghij"), rds}, nil},
		{"no pods resolved", []session.ResourceHealth{selector}, nil, []string{"FIS resolved no pods for that target"}},
		{"both empty", []session.ResourceHealth{{ID: selector.ID, Type: health.TypeEKSPod, Target: "Pods", Status: health.StatusNoTargetsResolved}}, nil, nil},
		{"pods of a target not checked", []session.ResourceHealth{cluster}, []session.ResolvedTarget{pod("cart-1"), rds}, []string{"FIS resolved pod cart-1 (target Pods)"}},
		{"other types still compared", []session.ResourceHealth{selector, cluster}, []session.ResolvedTarget{pod("cart-1")}, []string{"listed demo-aurora"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := diffTargets(&session.HealthResult{Resources: tc.checked}, tc.resolved)
			if len(got) != len(tc.want) {
				t.Fatalf("differences %q, want %d", got, len(tc.want))
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("difference %q lacks %q", got[i], w)
				}
			}
		})
	}
}

// TestHasObserved: a state AWS gives no time for is stamped when seen; a later poll seeing
// the same state again must not record it again, while a different state is new.
func TestHasObserved(t *testing.T) {
	t0 := time.Date(2026, 4, 11, 10, 0, 0, 0, time.UTC)
	seen := session.Event{Time: t0, Source: "ec2:DescribeInstances", Subject: "i-0a4", Message: "instance terminated (Server.SpotInstanceTermination: Spot instance termination)", Observed: true}
	timeline := []session.Event{seen}
	for _, tc := range []struct {
		name string
		e    session.Event
		want bool
	}{
		{"same state, later poll", session.Event{Time: t0.Add(time.Minute), Source: seen.Source, Subject: seen.Subject, Message: seen.Message, Observed: true}, true},
		{"another state", session.Event{Time: t0.Add(time.Minute), Source: seen.Source, Subject: seen.Subject, Message: "instance stopped", Observed: true}, false},
		{"another instance", session.Event{Time: t0.Add(time.Minute), Source: seen.Source, Subject: "i-0a5", Message: seen.Message, Observed: true}, false},
	} {
		if got := hasObserved(timeline, tc.e); got != tc.want {
			t.Errorf("%s: hasObserved = %t, want %t", tc.name, got, tc.want)
		}
	}
}
