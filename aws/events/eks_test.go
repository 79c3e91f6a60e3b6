package events

import (
	"context"
	"strings"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/aws/health"
)

func eventClients(srv *awstest.Server) *awsapi.Clients {
	cfg := srv.Config()
	cfg.Retryer = func() awssdk.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = 3; o.MaxBackoff = time.Millisecond })
	}
	return awsapi.NewClients(cfg)
}

func TestReadEKSNodegroups(t *testing.T) {
	t0 := time.Date(2026, 4, 11, 10, 0, 0, 0, time.UTC)
	clock := awstest.NewFakeClock(t0.Add(-time.Hour))
	srv := awstest.New(awstest.WithClock(clock))
	defer srv.Close()
	srv.AddEKSCluster(awstest.EKSCluster{Name: "prod"})
	srv.AddNodegroup(awstest.EKSNodegroup{Cluster: "prod", Name: "calm"})
	srv.AddNodegroup(awstest.EKSNodegroup{Cluster: "prod", Name: "hit"})
	srv.AddNodegroup(awstest.EKSNodegroup{Cluster: "prod", Name: "old"})
	srv.SetNodegroupStatus("prod", "old", "DEGRADED") // before the window
	clock.Set(t0.Add(2 * time.Minute))
	srv.SetNodegroupStatus("prod", "hit", "DEGRADED")
	srv.SetNodegroupHealth("prod", "hit", awstest.EKSIssue{Code: "AsgInstanceLaunchFailures", Message: "no capacity in use1-az2", ResourceIDs: []string{"asg-hit"}})
	c := eventClients(srv)
	read := DefaultReaders()["aws:eks:nodegroup"]
	end := t0.Add(10 * time.Minute)
	evs, err := read(context.Background(), c, []health.Resource{{ID: "prod/calm"}, {ID: "prod/hit"}, {ID: "prod/old"}}, t0, end)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range evs {
		got = append(got, e.Time.Format("15:04")+" "+e.Kind+" "+e.Subject+" observed="+map[bool]string{true: "y", false: "n"}[e.Observed])
		if e.Source != SourceEKSNodegroup {
			t.Fatalf("source %s", e.Source)
		}
	}
	want := "10:02 nodegroup-status prod/hit observed=n|10:02 nodegroup-health prod/hit observed=n|10:10 nodegroup-status prod/old observed=y"
	if strings.Join(got, "|") != want {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "|"), want)
	}
	if !strings.Contains(evs[1].Message, "AsgInstanceLaunchFailures: no capacity in use1-az2 (asg-hit)") {
		t.Fatalf("message %q", evs[1].Message)
	}
	if _, err := read(context.Background(), c, []health.Resource{{ID: "prod/gone"}}, t0, end); err == nil || !strings.Contains(err.Error(), "ResourceNotFoundException") {
		t.Fatalf("err %v", err)
	}
}
