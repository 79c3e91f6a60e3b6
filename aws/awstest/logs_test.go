package awstest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"
)

func logsTestServer(t *testing.T) (*Server, *cloudwatchlogs.Client) {
	t.Helper()
	srv := New(WithClock(NewFakeClock(cwT0)))
	t.Cleanup(srv.Close)
	return srv, cloudwatchlogs.NewFromConfig(srv.Config())
}

func TestLogsDescribeLogGroups(t *testing.T) {
	srv, cl := logsTestServer(t)
	for i := 0; i < 5; i++ {
		srv.AddLogGroup(fmt.Sprintf("/aws/rds/cluster/db%d/postgresql", i))
	}
	srv.AddLogGroup("/aws/eks/prod/cluster")
	srv.AddLogGroup("/aws/eks/prod/cluster") // idempotent
	ctx := context.Background()

	p := cloudwatchlogs.NewDescribeLogGroupsPaginator(cl, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/rds/"), Limit: aws.Int32(2)})
	var names []string
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, g := range out.LogGroups {
			names = append(names, aws.ToString(g.LogGroupName))
			if aws.ToInt64(g.CreationTime) != cwT0.UnixMilli() || !strings.HasSuffix(aws.ToString(g.Arn), ":*") {
				t.Fatalf("group %+v", g)
			}
		}
	}
	if pages != 3 || len(names) != 5 || names[0] != "/aws/rds/cluster/db0/postgresql" {
		t.Fatalf("pages %d names %v", pages, names)
	}
	out, err := cl.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePattern: aws.String("EKS")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.LogGroups) != 1 || aws.ToString(out.LogGroups[0].LogGroupArn) != "arn:aws:logs:us-east-1:123456789012:log-group:/aws/eks/prod/cluster" {
		t.Fatalf("pattern %+v", out.LogGroups)
	}
	out, err = cl.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/nothing")})
	if err != nil || len(out.LogGroups) != 0 || out.NextToken != nil {
		t.Fatalf("empty: %+v %v", out, err)
	}
}

func TestLogsFilterLogEvents(t *testing.T) {
	srv, cl := logsTestServer(t)
	g := "/aws/rds/cluster/db/postgresql"
	srv.PutLogEvents(g, "db-instance-1",
		LogEvent{cwT0.Add(2 * time.Second), "b second"},
		LogEvent{cwT0, "a first"},
		LogEvent{cwT0.Add(10 * time.Second), "e last ERROR"})
	srv.PutLogEvents(g, "db-instance-2",
		LogEvent{cwT0.Add(3 * time.Second), "c ERROR third"},
		LogEvent{cwT0.Add(5 * time.Second), "d fourth"},
		LogEvent{cwT0.Add(-time.Second), "before window"})
	ctx := context.Background()
	window := func(in *cloudwatchlogs.FilterLogEventsInput) *cloudwatchlogs.FilterLogEventsInput {
		in.StartTime, in.EndTime = aws.Int64(cwT0.UnixMilli()), aws.Int64(cwT0.Add(10*time.Second).UnixMilli())
		return in
	}
	tests := []struct {
		name string
		in   *cloudwatchlogs.FilterLogEventsInput
		want string
	}{
		{"window, interleaved by time, end inclusive", window(&cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(g)}), "abcde"},
		{"by identifier ARN", window(&cloudwatchlogs.FilterLogEventsInput{LogGroupIdentifier: aws.String("arn:aws:logs:us-east-1:123456789012:log-group:" + g + ":*")}), "abcde"},
		{"stream names", window(&cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(g), LogStreamNames: []string{"db-instance-2"}}), "cd"},
		{"filter pattern", window(&cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(g), FilterPattern: aws.String(`"ERROR"`)}), "ce"},
		{"no window", &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(g)}, "babcde"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got strings.Builder
			p := cloudwatchlogs.NewFilterLogEventsPaginator(cl, tc.in)
			for p.HasMorePages() {
				out, err := p.NextPage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range out.Events {
					got.WriteString(aws.ToString(e.Message)[:1])
				}
			}
			if got.String() != tc.want {
				t.Fatalf("got %q want %q", got.String(), tc.want)
			}
		})
	}

	// Paging: page size 2 over 5 events is 3 pages, with the right fields.
	srv.SetFilterLogEventsPageSize(2)
	p := cloudwatchlogs.NewFilterLogEventsPaginator(cl, window(&cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(g)}))
	var events []logstypes.FilteredLogEvent
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		events = append(events, out.Events...)
	}
	if pages != 3 || len(events) != 5 {
		t.Fatalf("pages %d events %d", pages, len(events))
	}
	if e := events[2]; aws.ToString(e.LogStreamName) != "db-instance-2" || aws.ToInt64(e.Timestamp) != cwT0.Add(3*time.Second).UnixMilli() || aws.ToString(e.EventId) == "" {
		t.Fatalf("event %+v", e)
	}
}

func TestLogsErrors(t *testing.T) {
	srv, cl := logsTestServer(t)
	srv.AddLogGroup("g")
	ctx := context.Background()
	tests := []struct {
		name     string
		in       *cloudwatchlogs.FilterLogEventsInput
		wantCode string
	}{
		{"unknown group", &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("nope")}, "ResourceNotFoundException"},
		{"name and identifier", &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("g"), LogGroupIdentifier: aws.String("g")}, "InvalidParameterException"},
		{"bad token", &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("g"), NextToken: aws.String("x")}, "InvalidParameterException"},
		{"limit too large", &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("g"), Limit: aws.Int32(10001)}, "InvalidParameterException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cl.FilterLogEvents(ctx, tc.in)
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) || apiErr.ErrorCode() != tc.wantCode {
				t.Fatalf("err %v, want %s", err, tc.wantCode)
			}
		})
	}
	_, err := cl.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("nope")})
	var rnf *logstypes.ResourceNotFoundException
	if !errors.As(err, &rnf) || !strings.Contains(rnf.ErrorMessage(), "log group does not exist") {
		t.Fatalf("want modelled ResourceNotFoundException, got %v", err)
	}
	// An empty group answers an empty page.
	out, err := cl.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("g")})
	if err != nil || len(out.Events) != 0 || out.NextToken != nil {
		t.Fatalf("empty group: %+v %v", out, err)
	}
}
