package awstest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/elasticache"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
)

// setterPair is one fake's X / XAt setter pair, seen through the real SDK.
type setterPair struct {
	name string
	seed func(*awstest.Server)
	now  func(*awstest.Server)
	at   func(*awstest.Server, time.Time)
	// read returns what a client sees; before is its value after seed, after(t) once the
	// change made at simulation time t is applied (the time AWS records, where it records one).
	read   func(context.Context, *awstest.Server) (string, error)
	before string
	after  func(t time.Time) string
}

func setterPairs() []setterPair {
	constant := func(v string) func(time.Time) string { return func(time.Time) string { return v } }
	return []setterPair{
		{
			// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Instance.html: StateTransitionReason,
			// "the reason for the most recent state transition" ("User initiated (<time> GMT)" for a stop).
			name: "SetInstanceState",
			seed: func(s *awstest.Server) { s.AddInstance(awstest.Instance{ID: "i-0a1"}) },
			now:  func(s *awstest.Server) { s.SetInstanceState("i-0a1", "stopped", "") },
			at:   func(s *awstest.Server, t time.Time) { s.SetInstanceStateAt(t, "i-0a1", "stopped", "") },
			read: func(ctx context.Context, s *awstest.Server) (string, error) {
				out, err := ec2.NewFromConfig(s.Config()).DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{"i-0a1"}})
				if err != nil || len(out.Reservations) != 1 || len(out.Reservations[0].Instances) != 1 {
					return "", fmt.Errorf("describe: %v %+v", err, out)
				}
				in := out.Reservations[0].Instances[0]
				return string(in.State.Name) + " / " + awssdk.ToString(in.StateTransitionReason), nil
			},
			before: "running / ",
			after: func(t time.Time) string {
				return "stopped / User initiated (" + t.UTC().Format("2006-01-02 15:04:05") + " GMT)"
			},
		},
		{
			name: "SetASGInstance",
			seed: func(s *awstest.Server) {
				s.AddAutoScalingGroup(awstest.AutoScalingGroup{Name: "web", MinSize: 1, MaxSize: 1, DesiredCapacity: 1,
					Instances: []awstest.ASGInstance{{ID: "i-0a1", AZ: "us-east-1a"}}})
			},
			now: func(s *awstest.Server) { s.SetASGInstance("web", "i-0a1", "Terminating", "Unhealthy") },
			at: func(s *awstest.Server, t time.Time) {
				s.SetASGInstanceAt(t, "web", "i-0a1", "Terminating", "Unhealthy")
			},
			read: func(ctx context.Context, s *awstest.Server) (string, error) {
				out, err := autoscaling.NewFromConfig(s.Config()).DescribeAutoScalingGroups(ctx,
					&autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{"web"}})
				if err != nil || len(out.AutoScalingGroups) != 1 || len(out.AutoScalingGroups[0].Instances) != 1 {
					return "", fmt.Errorf("describe: %v %+v", err, out)
				}
				in := out.AutoScalingGroups[0].Instances[0]
				return string(in.LifecycleState) + " / " + awssdk.ToString(in.HealthStatus), nil
			},
			before: "InService / Healthy",
			after:  constant("Terminating / Unhealthy"),
		},
		{
			// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricAlarm.html:
			// StateUpdatedTimestamp, "the time stamp of the last update to the value of either the StateValue or EvaluationState".
			name: "SetAlarmState",
			seed: func(s *awstest.Server) { s.AddAlarm(awstest.Alarm{Name: "stop", State: awstest.AlarmOK, Reason: "ok"}) },
			now:  func(s *awstest.Server) { s.SetAlarmState("stop", awstest.AlarmAlarm, "breached") },
			at:   func(s *awstest.Server, t time.Time) { s.SetAlarmStateAt(t, "stop", awstest.AlarmAlarm, "breached") },
			read: func(ctx context.Context, s *awstest.Server) (string, error) {
				out, err := cloudwatch.NewFromConfig(s.Config()).DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"stop"}})
				if err != nil || len(out.MetricAlarms) != 1 {
					return "", fmt.Errorf("describe: %v %+v", err, out)
				}
				a := out.MetricAlarms[0]
				return string(a.StateValue) + " / " + awssdk.ToString(a.StateReason) + " / " + awssdk.ToTime(a.StateUpdatedTimestamp).UTC().Format(time.RFC3339), nil
			},
			before: "OK / ok / " + dbT0.Format(time.RFC3339),
			after:  func(t time.Time) string { return "ALARM / breached / " + t.UTC().Format(time.RFC3339) },
		},
		{
			name: "SetReplicationGroupStatus",
			seed: seedRedis,
			now:  func(s *awstest.Server) { s.SetReplicationGroupStatus("sessions", "modifying", "modifying") },
			at: func(s *awstest.Server, t time.Time) {
				s.SetReplicationGroupStatusAt(t, "sessions", "modifying", "modifying")
			},
			read: func(ctx context.Context, s *awstest.Server) (string, error) {
				out, err := elasticache.NewFromConfig(s.Config()).DescribeReplicationGroups(ctx,
					&elasticache.DescribeReplicationGroupsInput{ReplicationGroupId: awssdk.String("sessions")})
				if err != nil || len(out.ReplicationGroups) != 1 || len(out.ReplicationGroups[0].NodeGroups) != 1 {
					return "", fmt.Errorf("describe: %v %+v", err, out)
				}
				rg := out.ReplicationGroups[0]
				return awssdk.ToString(rg.Status) + " / " + awssdk.ToString(rg.NodeGroups[0].Status), nil
			},
			before: "available / available",
			after:  constant("modifying / modifying"),
		},
		{
			name: "SetDBClusterStatus",
			seed: seedAurora,
			now:  func(s *awstest.Server) { s.SetDBClusterStatus("demo-aurora", "failing-over") },
			at:   func(s *awstest.Server, t time.Time) { s.SetDBClusterStatusAt(t, "demo-aurora", "failing-over") },
			read: func(ctx context.Context, s *awstest.Server) (string, error) {
				out, err := rds.NewFromConfig(s.Config()).DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String("demo-aurora")})
				if err != nil || len(out.DBClusters) != 1 {
					return "", fmt.Errorf("describe: %v %+v", err, out)
				}
				return awssdk.ToString(out.DBClusters[0].Status), nil
			},
			before: "available",
			after:  constant("failing-over"),
		},
		{
			name: "SetDBInstanceStatus",
			seed: seedAurora,
			now:  func(s *awstest.Server) { s.SetDBInstanceStatus("demo-aurora-1", "rebooting") },
			at:   func(s *awstest.Server, t time.Time) { s.SetDBInstanceStatusAt(t, "demo-aurora-1", "rebooting") },
			read: func(ctx context.Context, s *awstest.Server) (string, error) {
				out, err := rds.NewFromConfig(s.Config()).DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: awssdk.String("demo-aurora-1")})
				if err != nil || len(out.DBInstances) != 1 {
					return "", fmt.Errorf("describe: %v %+v", err, out)
				}
				return awssdk.ToString(out.DBInstances[0].DBInstanceStatus), nil
			},
			before: "available",
			after:  constant("rebooting"),
		},
	}
}

// TestSettersNowAndAt pins the timing every X / XAt setter pair shares: X is visible to
// the very next request and records the current time; XAt is invisible before t, visible
// to the first request at or after t, and records t, not the time of that request.
func TestSettersNowAndAt(t *testing.T) {
	for _, p := range setterPairs() {
		t.Run(p.name+"/now", func(t *testing.T) {
			ctx := context.Background()
			srv, clk := newDBFake(t)
			p.seed(srv)
			clk.Advance(time.Minute)
			p.now(srv)
			if got, err := p.read(ctx, srv); err != nil || got != p.after(dbT0.Add(time.Minute)) {
				t.Fatalf("after %s: %q, %v; want %q", p.name, got, err, p.after(dbT0.Add(time.Minute)))
			}
		})
		t.Run(p.name+"/at", func(t *testing.T) {
			ctx := context.Background()
			srv, clk := newDBFake(t)
			p.seed(srv)
			when := dbT0.Add(time.Minute)
			p.at(srv, when)
			clk.Set(when.Add(-time.Second))
			if got, err := p.read(ctx, srv); err != nil || got != p.before {
				t.Fatalf("before t: %q, %v; want %q", got, err, p.before)
			}
			clk.Set(when.Add(3 * time.Minute)) // the first request after t comes later than t
			if got, err := p.read(ctx, srv); err != nil || got != p.after(when) {
				t.Fatalf("after t: %q, %v; want %q", got, err, p.after(when))
			}
		})
	}
}

// TestSetterNowRunsBeforeAnEarlierPendingChange pins the order: a change scheduled for an
// earlier time is applied by the first request, after an immediate change made since.
func TestSetterNowRunsBeforeAnEarlierPendingChange(t *testing.T) {
	ctx := context.Background()
	srv, clk := newDBFake(t)
	seedAurora(srv)
	srv.SetDBClusterStatusAt(dbT0.Add(time.Minute), "demo-aurora", "failing-over")
	clk.Advance(2 * time.Minute)
	srv.SetDBClusterStatus("demo-aurora", "available")
	out, err := rds.NewFromConfig(srv.Config()).DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String("demo-aurora")})
	if err != nil || len(out.DBClusters) != 1 {
		t.Fatalf("describe: %v %+v", err, out)
	}
	if got := awssdk.ToString(out.DBClusters[0].Status); got != "failing-over" {
		t.Fatalf("status = %q, want the scheduled change applied last (failing-over)", got)
	}
}
