// Package cwlogs pulls the CloudWatch Logs events of a managed service's log group
// for the experiment window and writes them in the collector's line format
// (session/logline), so the same analysis reads pod logs and managed-service logs.
package cwlogs

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/session/logline"
)

// Container is the container name written for every CloudWatch Logs line
// (the pod is the log stream name).
const Container = "cloudwatch"

// DefaultMaxEvents bounds Fetch when maxEvents <= 0.
const DefaultMaxEvents = 100000

// maxPageLimit is FilterLogEvents' largest limit.
const maxPageLimit = 10000

// EventFilterer is the CloudWatch Logs call Fetch needs.
type EventFilterer interface {
	FilterLogEvents(ctx context.Context, in *cloudwatchlogs.FilterLogEventsInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.FilterLogEventsOutput, error)
}

// Fetch writes the events of group in [start, end] to w, one logline per message line
// (pod = log stream name with '/' and spaces made '_', container = "cloudwatch";
// a multi-line message becomes several lines with the same time). It reads at most
// maxEvents events (DefaultMaxEvents when <= 0); truncated says more were left.
// n counts events written. Throttling is retried by the SDK's retryer; a missing
// group is a clear not-found error.
func Fetch(ctx context.Context, c *awsapi.Clients, group string, start, end time.Time, w io.Writer, maxEvents int) (n int, truncated bool, err error) {
	return fetch(ctx, c.Logs, c.Region, group, start, end, w, maxEvents)
}

func fetch(ctx context.Context, logs EventFilterer, region, group string, start, end time.Time, w io.Writer, maxEvents int) (n int, truncated bool, err error) {
	if group == "" {
		return 0, false, fmt.Errorf("cloudwatch logs: empty log group name")
	}
	if end.Before(start) {
		return 0, false, fmt.Errorf("logs FilterLogEvents %s: window end %s is before start %s", group, end.Format(time.RFC3339), start.Format(time.RFC3339))
	}
	if maxEvents <= 0 {
		maxEvents = DefaultMaxEvents
	}
	in := &cloudwatchlogs.FilterLogEventsInput{
		LogGroupName: aws.String(group),
		StartTime:    aws.Int64(start.UnixMilli()),
		EndTime:      aws.Int64(end.UnixMilli()),
	}
	var buf []byte
	for {
		// Ask for one more than still allowed, to know whether the bound truncated the log.
		in.Limit = aws.Int32(int32(min(maxEvents-n+1, maxPageLimit)))
		res, err := logs.FilterLogEvents(ctx, in)
		if err != nil {
			werr := awsapi.Wrap(err, "logs FilterLogEvents", group, "logs:FilterLogEvents")
			if awsapi.IsNotFound(err) {
				return n, false, fmt.Errorf("cloudwatch log group %q does not exist in %s (is the service's log export enabled?): %w", group, region, werr)
			}
			return n, false, werr
		}
		for _, e := range res.Events {
			if n == maxEvents {
				return n, true, nil
			}
			buf = appendEvent(buf[:0], e.Timestamp, aws.ToString(e.LogStreamName), aws.ToString(e.Message))
			if _, err := w.Write(buf); err != nil {
				return n, false, fmt.Errorf("write cloudwatch log group %s events: %w", group, err)
			}
			n++
		}
		next := aws.ToString(res.NextToken)
		if next == "" || next == aws.ToString(in.NextToken) {
			return n, false, nil
		}
		if err := ctx.Err(); err != nil {
			return n, false, err
		}
		in.NextToken = aws.String(next)
	}
}

// appendEvent appends one event as collector lines.
func appendEvent(dst []byte, ts *int64, stream, message string) []byte {
	t := time.UnixMilli(aws.ToInt64(ts)).UTC()
	pod := podName(stream)
	msg := []byte(strings.TrimRight(message, "\r\n"))
	if !bytes.ContainsAny(msg, "\r\n") {
		return logline.Append(dst, t, pod, Container, msg)
	}
	for _, line := range bytes.Split(msg, []byte("\n")) {
		line = bytes.TrimRight(line, "\r")
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		dst = logline.Append(dst, t, pod, Container, line)
	}
	return dst
}

// podName makes a log stream name fit the [pod/container] field: logline splits
// it at the first '/' and ends it at "] ".
func podName(stream string) string {
	if stream == "" {
		return "-"
	}
	return strings.NewReplacer("/", "_", " ", "_").Replace(stream)
}
