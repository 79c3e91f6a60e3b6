package awstest

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kinesistypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

func TestKinesisFake(t *testing.T) {
	srv := New()
	defer srv.Close()
	srv.AddKinesisStream(KinesisStream{Name: "orders"})
	srv.AddKinesisStream(KinesisStream{Name: "clicks", Status: "UPDATING", Mode: "ON_DEMAND", OpenShardCount: 4})
	client := kinesis.NewFromConfig(srv.Config())
	tests := []struct {
		name     string
		in       kinesis.DescribeStreamSummaryInput
		status   kinesistypes.StreamStatus
		shards   int32
		notFound bool
	}{
		{"by name", kinesis.DescribeStreamSummaryInput{StreamName: aws.String("orders")}, kinesistypes.StreamStatusActive, 2, false},
		{"by ARN", kinesis.DescribeStreamSummaryInput{StreamARN: aws.String("arn:aws:kinesis:us-east-1:123456789012:stream/clicks")}, kinesistypes.StreamStatusUpdating, 4, false},
		{"missing", kinesis.DescribeStreamSummaryInput{StreamName: aws.String("nope")}, "", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			out, err := client.DescribeStreamSummary(context.Background(), &in)
			if tc.notFound {
				var nf *kinesistypes.ResourceNotFoundException
				if !errors.As(err, &nf) {
					t.Fatalf("err %v, want ResourceNotFoundException", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			s := out.StreamDescriptionSummary
			if s.StreamStatus != tc.status || aws.ToInt32(s.OpenShardCount) != tc.shards || s.StreamCreationTimestamp == nil || s.StreamModeDetails == nil {
				t.Fatalf("summary %+v", s)
			}
		})
	}
	if n := srv.CallCount("kinesis", "DescribeStreamSummary"); n != 3 {
		t.Fatalf("calls %d", n)
	}
}
