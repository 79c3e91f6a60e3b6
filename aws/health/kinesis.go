package health

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// TypeKinesisStream is the FIS resource type of Kinesis data streams
// (https://docs.aws.amazon.com/fis/latest/userguide/targets.html).
const TypeKinesisStream = "aws:kinesis:stream"

// addKinesisCheckers registers aws:kinesis:stream.
func addKinesisCheckers(r Registry) {
	r[TypeKinesisStream] = checkKinesisStreams
}

// kinesisStreamStatuses classifies every Kinesis StreamStatus:
// https://docs.aws.amazon.com/kinesis/latest/APIReference/API_StreamDescriptionSummary.html
// (CREATING | DELETING | ACTIVE | UPDATING). During UPDATING the stream still serves
// reads and writes, but a resharding or mode change is in progress: wait for it.
var kinesisStreamStatuses = statusTable{
	"ACTIVE":   ruleOK(),
	"UPDATING": ruleBlock("a change (resharding, stream mode or encryption) is in progress; wait for it to finish"),
	"CREATING": ruleInProgress("stream creation"),
	"DELETING": ruleBlock("the stream is being deleted"),
}

// checkKinesisStreams reads each stream with DescribeStreamSummary, by ARN when known.
func checkKinesisStreams(ctx context.Context, env Env, rs []Resource) []Result {
	out := make([]Result, len(rs))
	for i, r := range rs {
		name := resourceName(r, "stream/")
		in := &kinesis.DescribeStreamSummaryInput{}
		switch {
		case strings.HasPrefix(r.ARN, "arn:"):
			in.StreamARN = aws.String(r.ARN)
		case strings.HasPrefix(r.ID, "arn:"):
			in.StreamARN = aws.String(r.ID)
		default:
			in.StreamName = aws.String(name)
		}
		resp, err := env.Clients.Kinesis.DescribeStreamSummary(ctx, in)
		if err != nil {
			res := failedCall(r, err, "kinesis DescribeStreamSummary", "kinesis:DescribeStreamSummary")
			if res.Status == StatusNotFound {
				res.Detail = fmt.Sprintf("Kinesis stream %s does not exist (deleted, wrong region or wrong account?)", name)
			}
			out[i] = res
			continue
		}
		s := resp.StreamDescriptionSummary
		if s == nil || s.StreamStatus == "" {
			out[i] = emptyResponse(r, "kinesis DescribeStreamSummary")
			continue
		}
		status := string(s.StreamStatus)
		mode := "PROVISIONED"
		if s.StreamModeDetails != nil && s.StreamModeDetails.StreamMode != "" {
			mode = string(s.StreamModeDetails.StreamMode)
		}
		detail := fmt.Sprintf("Kinesis stream %s is %s (%s, %d open shard(s), retention %dh)", aws.ToString(s.StreamName), status, mode, aws.ToInt32(s.OpenShardCount), aws.ToInt32(s.RetentionPeriodHours))
		out[i] = classified(r, kinesisStreamStatuses, "stream status", status, detail, s)
	}
	return out
}
