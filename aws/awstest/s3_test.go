package awstest

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

func TestS3HeadBucket(t *testing.T) {
	srv := New()
	defer srv.Close()
	srv.AddS3Bucket("reports", nil)
	client := s3.NewFromConfig(srv.Config(), func(o *s3.Options) { o.UsePathStyle = true })
	ctx := context.Background()
	out, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("reports")})
	if err != nil || aws.ToString(out.BucketRegion) != "us-east-1" {
		t.Fatalf("head %+v %v", out, err)
	}
	_, err = client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("missing")})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "NotFound" {
		t.Fatalf("err %v", err)
	}
}
