package awstest

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go"
)

func TestDynamoDBFake(t *testing.T) {
	srv := New()
	defer srv.Close()
	srv.AddDynamoDBTable(DynamoDBTable{Name: "orders", Replicas: []DynamoDBReplica{{Region: "us-east-1"}, {Region: "eu-west-1"}}})
	srv.SetDynamoDBReplicaStatus("orders", "eu-west-1", "UPDATING")
	client := dynamodb.NewFromConfig(srv.Config())
	ctx := context.Background()
	for _, id := range []string{"orders", "arn:aws:dynamodb:us-east-1:123456789012:table/orders"} {
		out, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		if string(out.Table.TableStatus) != "ACTIVE" || len(out.Table.Replicas) != 2 || string(out.Table.Replicas[1].ReplicaStatus) != "UPDATING" {
			t.Fatalf("table %+v", out.Table)
		}
	}
	_, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("nope")})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ResourceNotFoundException" {
		t.Fatalf("err %v", err)
	}
}
