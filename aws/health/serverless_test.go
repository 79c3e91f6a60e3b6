package health

import (
	"testing"
	"time"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
)

func TestCheckDynamoDB(t *testing.T) {
	seed := func(f *fakeAWS) {
		f.srv.AddDynamoDBTable(awstest.DynamoDBTable{Name: "orders", Replicas: []awstest.DynamoDBReplica{{Region: "us-east-1"}, {Region: "eu-west-1"}}})
		f.srv.AddDynamoDBTable(awstest.DynamoDBTable{Name: "local"})
	}
	runCheckCases(t, "aws:dynamodb:global-table", []checkCase{
		{name: "active", seed: seed, res: Resource{ID: "orders"}, wantStatus: "ACTIVE", wantHealthy: true, wantDetail: "replicas ACTIVE: us-east-1, eu-west-1", wantAttrs: true},
		{name: "by ARN", seed: seed, res: Resource{ID: "orders", ARN: "arn:aws:dynamodb:us-east-1:123456789012:table/orders"}, wantStatus: "ACTIVE", wantHealthy: true, wantAttrs: true},
		{name: "replica updating", seed: seeds(seed, func(f *fakeAWS) { f.srv.SetDynamoDBReplicaStatus("orders", "eu-west-1", "UPDATING") }),
			res: Resource{ID: "orders"}, wantStatus: "replica-not-active", wantDetail: "eu-west-1 UPDATING", wantAttrs: true},
		{name: "table updating", seed: seeds(seed, func(f *fakeAWS) { f.srv.SetDynamoDBReplicaStatus("orders", "", "UPDATING") }),
			res: Resource{ID: "orders"}, wantStatus: "UPDATING", wantDetail: "needs ACTIVE", wantAttrs: true},
		{name: "not global", seed: seed, res: Resource{ID: "local"}, wantStatus: "ACTIVE", wantHealthy: true, wantDetail: "not a global table", wantAttrs: true},
		{name: "missing", seed: seed, res: Resource{ID: "gone"}, wantStatus: StatusNotFound, wantDetail: "does not exist"},
		{name: "throttled then ok", seed: seeds(seed, fault("dynamodb", "DescribeTable", 400, "ThrottlingException", 2)),
			res: Resource{ID: "orders"}, wantStatus: "ACTIVE", wantHealthy: true, wantAttrs: true},
		{name: "access denied", seed: seeds(seed, fault("dynamodb", "DescribeTable", 400, "AccessDeniedException", 0)),
			res: Resource{ID: "orders"}, wantStatus: StatusUnchecked, wantDetail: "dynamodb:DescribeTable"},
	})
}

func TestCheckS3(t *testing.T) {
	seed := func(f *fakeAWS) { f.srv.AddS3Bucket("reports", nil) }
	runCheckCases(t, "aws:s3:bucket", []checkCase{
		{name: "exists", seed: seed, res: Resource{ID: "reports"}, wantStatus: "exists", wantHealthy: true, wantDetail: "us-east-1", wantAttrs: true},
		{name: "missing", seed: seed, res: Resource{ID: "gone"}, wantStatus: StatusNotFound, wantDetail: "does not exist"},
		{name: "forbidden", seed: seeds(seed, fault("s3", "HeadBucket", 403, "Forbidden", 0)),
			res: Resource{ID: "reports"}, wantStatus: StatusUnchecked, wantDetail: "access denied"},
	})
}

func TestCheckLambda(t *testing.T) {
	seed := func(f *fakeAWS) {
		f.srv.AddLambdaFunction(awstest.LambdaFunction{Name: "api"})
		f.srv.AddLambdaFunction(awstest.LambdaFunction{Name: "broken", State: "Failed", StateReason: "subnet has no free IPs"})
		f.srv.AddLambdaFunction(awstest.LambdaFunction{Name: "deploying", LastUpdateStatus: "InProgress"})
	}
	runCheckCases(t, "aws:lambda:function", []checkCase{
		{name: "active", seed: seed, res: Resource{ID: "api"}, wantStatus: "Active", wantHealthy: true, wantDetail: "last update Successful", wantAttrs: true},
		{name: "by ARN", seed: seed, res: Resource{ID: "api", ARN: "arn:aws:lambda:us-east-1:123456789012:function:api"}, wantStatus: "Active", wantHealthy: true, wantAttrs: true},
		{name: "failed", seed: seed, res: Resource{ID: "broken"}, wantStatus: "Failed", wantDetail: "subnet has no free IPs", wantAttrs: true},
		{name: "update in progress", seed: seed, res: Resource{ID: "deploying"}, wantStatus: "Active", wantDetail: "last update InProgress", wantAttrs: true},
		{name: "missing", seed: seed, res: Resource{ID: "gone"}, wantStatus: StatusNotFound, wantDetail: "does not exist"},
		{name: "access denied", seed: seeds(seed, fault("lambda", "GetFunction", 403, "AccessDeniedException", 0)),
			res: Resource{ID: "api"}, wantStatus: StatusUnchecked, wantDetail: "lambda:GetFunction"},
	})
}

func TestCheckARC(t *testing.T) {
	lb := "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/0123456789abcdef"
	t0 := time.Date(2026, 4, 11, 10, 0, 0, 0, time.UTC)
	seed := func(f *fakeAWS) { f.srv.AddARCManagedResource(awstest.ARCManagedResource{Arn: lb, Name: "web"}) }
	runCheckCases(t, TypeARCManaged, []checkCase{
		{name: "no shift", seed: seed, res: Resource{ID: lb, ARN: lb}, wantStatus: "no-active-shift", wantHealthy: true, wantAttrs: true},
		{name: "expired shift", seed: seeds(seed, func(f *fakeAWS) {
			f.srv.SetZonalShifts(lb, awstest.ARCZonalShift{AwayFrom: "use1-az1", Applied: false, Start: t0, Expiry: t0.Add(time.Hour)})
		}), res: Resource{ID: lb, ARN: lb}, wantStatus: "no-active-shift", wantHealthy: true, wantAttrs: true},
		{name: "active shift", seed: seeds(seed, func(f *fakeAWS) {
			f.srv.SetZonalShifts(lb, awstest.ARCZonalShift{ID: "zs-1", AwayFrom: "use1-az1", Applied: true, Start: t0, Expiry: t0.Add(time.Hour)})
		}), res: Resource{ID: lb, ARN: lb}, wantStatus: "zonal-shift-active", wantDetail: "zonal shift zs-1 away from use1-az1 until 2026-04-11T11:00:00Z", wantAttrs: true},
		{name: "not registered", res: Resource{ID: lb, ARN: lb}, wantStatus: StatusNotFound, wantDetail: "does not exist"},
		{name: "access denied", seed: seeds(seed, fault("percdataplane", "GetManagedResource", 403, "AccessDeniedException", 0)),
			res: Resource{ID: lb, ARN: lb}, wantStatus: StatusUnchecked, wantDetail: "arc-zonal-shift:GetManagedResource"},
	})
}
