package health

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/arczonalshift"
	arctypes "github.com/aws/aws-sdk-go-v2/service/arczonalshift/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
)

// addServerlessCheckers registers aws:dynamodb:global-table, aws:s3:bucket, aws:lambda:function
// and aws:arc:zonal-shift-managed-resource (aws:iam:role is registered by addIAMCheckers).
func addServerlessCheckers(r Registry) {
	r["aws:dynamodb:global-table"] = checkDynamoDBTables
	r["aws:s3:bucket"] = checkS3Buckets
	r["aws:lambda:function"] = checkLambdaFunctions
	r[TypeARCManaged] = checkARCManagedResources
}

// dynamodbTableStatuses classifies every DynamoDB TableStatus:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TableDescription.html
var dynamodbTableStatuses = statusTable{
	"ACTIVE":                              ruleOK(),
	"CREATING":                            ruleInProgress("table creation"),
	"UPDATING":                            ruleInProgress("a table update (throughput, indexes or replicas)"),
	"DELETING":                            ruleBlock("the table is being deleted"),
	"INACCESSIBLE_ENCRYPTION_CREDENTIALS": ruleBlock("the KMS key cannot be accessed"),
	"ARCHIVING":                           ruleBlock("the table is being archived (KMS key inaccessible for more than seven days)"),
	"ARCHIVED":                            ruleBlock("the table is archived"),
	"REPLICATION_NOT_AUTHORIZED":          ruleBlock("replication is not authorized"),
}

// dynamodbReplicaStatuses classifies every global table ReplicaStatus:
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ReplicaDescription.html
var dynamodbReplicaStatuses = statusTable{
	"ACTIVE":                              ruleOK(),
	"CREATING":                            ruleInProgress("replica creation"),
	"CREATION_FAILED":                     ruleBlock("the replica could not be created"),
	"UPDATING":                            ruleInProgress("a replica update"),
	"DELETING":                            ruleBlock("the replica is being deleted"),
	"REGION_DISABLED":                     ruleBlock("the replica's Region is disabled"),
	"INACCESSIBLE_ENCRYPTION_CREDENTIALS": ruleBlock("the replica's KMS key cannot be accessed"),
	"ARCHIVING":                           ruleBlock("the replica is being archived"),
	"ARCHIVED":                            ruleBlock("the replica is archived"),
	"REPLICATION_NOT_AUTHORIZED":          ruleBlock("replication to this Region is not authorized"),
}

// lambdaStates classifies every Lambda function State:
// https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html and
// https://docs.aws.amazon.com/lambda/latest/api/API_FunctionConfiguration.html (State).
var lambdaStates = statusTable{
	"Active":             ruleOK(),
	"Inactive":           ruleNote("the function was idle and Lambda reclaimed its resources; the first invocations fail while it goes Pending and back to Active"),
	"Pending":            ruleInProgress("resource creation for the function"),
	"Failed":             ruleBlock("the function's resources could not be created"),
	"Deactivating":       ruleBlock("the function is being deactivated"),
	"Deactivated":        ruleBlock("the function is deactivated"),
	"ActiveNonInvocable": ruleBlock("the function is active but cannot be invoked"),
	"Deleting":           ruleBlock("the function is being deleted"),
}

// lambdaUpdateStatuses classifies every LastUpdateStatus (same pages as lambdaStates).
var lambdaUpdateStatuses = statusTable{
	"Successful": ruleOK(),
	"":           ruleOK(), // never updated
	"InProgress": ruleInProgress("an update of the function"),
	"Failed":     ruleBlock("the last update of the function failed"),
}

// checkDynamoDBTables: healthy when the table and every replica are ACTIVE.
func checkDynamoDBTables(ctx context.Context, env Env, rs []Resource) []Result {
	out := make([]Result, len(rs))
	for i, r := range rs {
		id := r.ID
		if r.ARN != "" {
			id = r.ARN
		}
		resp, err := env.Clients.DynamoDB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(id)})
		if err != nil {
			out[i] = failedCall(r, err, "dynamodb DescribeTable", "dynamodb:DescribeTable")
			continue
		}
		t := resp.Table
		if t == nil || t.TableStatus == "" {
			out[i] = emptyResponse(r, "dynamodb DescribeTable")
			continue
		}
		tableRule := dynamodbTableStatuses.classify(string(t.TableStatus))
		healthy := tableRule.Class != classUnhealthy
		var detail []string
		if !healthy {
			detail = append(detail, "table status "+string(t.TableStatus)+" (needs ACTIVE): "+tableRule.Reason)
		}
		var bad, good []string
		for _, rep := range t.Replicas {
			region := aws.ToString(rep.RegionName)
			if rule := dynamodbReplicaStatuses.classify(string(rep.ReplicaStatus)); rule.Class == classUnhealthy {
				bad = append(bad, fmt.Sprintf("%s %s (%s)", region, rep.ReplicaStatus, rule.Reason))
			} else {
				good = append(good, region)
			}
		}
		switch {
		case len(t.Replicas) == 0:
			detail = append(detail, "no replicas: not a global table")
		case len(bad) > 0:
			healthy = false
			detail = append(detail, "replicas not ACTIVE: "+strings.Join(bad, ", "))
		default:
			detail = append(detail, "replicas ACTIVE: "+strings.Join(good, ", "))
		}
		status := string(t.TableStatus)
		if status == "ACTIVE" && len(bad) > 0 {
			status = "replica-not-active"
		}
		out[i] = describedResult(r, status, healthy, strings.Join(detail, "; "), t)
	}
	return out
}

// BucketAttributes is what is known of a bucket (its filter attributes).
type BucketAttributes struct {
	Name         string
	BucketRegion string
}

// checkS3Buckets: healthy when the bucket exists (HeadBucket).
func checkS3Buckets(ctx context.Context, env Env, rs []Resource) []Result {
	out := make([]Result, len(rs))
	for i, r := range rs {
		resp, err := env.Clients.S3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(r.ID)})
		if err != nil {
			switch awsapi.Code(err) {
			case "NotFound", "NoSuchBucket":
				out[i] = describedResult(r, StatusNotFound, false, fmt.Sprintf("S3 bucket %s does not exist", r.ID), nil)
			case "Forbidden":
				out[i] = Unchecked(r, awsapi.Wrap(err, "s3 HeadBucket", r.ID, "s3:ListBucket").Error()+" (access denied: the bucket exists but cannot be read)")
			default:
				out[i] = failedCall(r, err, "s3 HeadBucket", "s3:ListBucket")
			}
			continue
		}
		attrs := BucketAttributes{Name: r.ID, BucketRegion: aws.ToString(resp.BucketRegion)}
		detail := "exists"
		if attrs.BucketRegion != "" {
			detail += " in " + attrs.BucketRegion
		}
		out[i] = describedResult(r, "exists", true, detail, attrs)
	}
	return out
}

// checkLambdaFunctions: healthy when State is Active and the last update Successful.
func checkLambdaFunctions(ctx context.Context, env Env, rs []Resource) []Result {
	out := make([]Result, len(rs))
	for i, r := range rs {
		id := r.ID
		if r.ARN != "" {
			id = r.ARN
		}
		resp, err := env.Clients.Lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(id)})
		if err != nil {
			out[i] = failedCall(r, err, "lambda GetFunction", "lambda:GetFunction")
			continue
		}
		c := resp.Configuration
		if c == nil || aws.ToString(c.FunctionName) == "" {
			out[i] = emptyResponse(r, "lambda GetFunction")
			continue
		}
		// Functions created before states existed report no State: treat as Active.
		state := c.State
		if state == "" {
			state = lambdatypes.StateActive
		}
		stateRule := lambdaStates.classify(string(state))
		updateRule := lambdaUpdateStatuses.classify(string(c.LastUpdateStatus))
		healthy := stateRule.Class != classUnhealthy && updateRule.Class != classUnhealthy
		var detail []string
		if state != lambdatypes.StateActive {
			d := "state " + string(state)
			if stateRule.Class == classUnhealthy {
				d += " (needs Active): " + stateRule.Reason
			}
			if reason := aws.ToString(c.StateReason); reason != "" {
				d += " (" + reason + ")"
			}
			detail = append(detail, d)
		}
		if c.LastUpdateStatus != "" {
			d := "last update " + string(c.LastUpdateStatus)
			if reason := aws.ToString(c.LastUpdateStatusReason); reason != "" && c.LastUpdateStatus != lambdatypes.LastUpdateStatusSuccessful {
				d += ": " + reason
			}
			detail = append(detail, d)
		}
		res := describedResult(r, string(state), healthy, strings.Join(detail, "; "), c)
		if healthy && stateRule.Class == classNote {
			res = withNote(res, "state "+string(state)+": "+stateRule.Reason)
		}
		out[i] = res
	}
	return out
}

// checkARCManagedResources: healthy when no zonal shift or autoshift is applied.
func checkARCManagedResources(ctx context.Context, env Env, rs []Resource) []Result {
	out := make([]Result, len(rs))
	for i, r := range rs {
		id := r.ID
		if r.ARN != "" {
			id = r.ARN
		}
		resp, err := env.Clients.ARCZonalShift.GetManagedResource(ctx, &arczonalshift.GetManagedResourceInput{ResourceIdentifier: aws.String(id)})
		if err != nil {
			out[i] = failedCall(r, err, "arc-zonal-shift GetManagedResource", "arc-zonal-shift:GetManagedResource")
			continue
		}
		var active []string
		for _, z := range resp.ZonalShifts {
			if z.AppliedStatus == arctypes.AppliedStatusApplied {
				s := fmt.Sprintf("zonal shift %s away from %s", aws.ToString(z.ZonalShiftId), aws.ToString(z.AwayFrom))
				if z.ExpiryTime != nil {
					s += " until " + z.ExpiryTime.UTC().Format("2006-01-02T15:04:05Z")
				}
				active = append(active, s)
			}
		}
		for _, a := range resp.Autoshifts {
			if a.AppliedStatus == arctypes.AutoshiftAppliedStatusApplied {
				active = append(active, "autoshift away from "+aws.ToString(a.AwayFrom))
			}
		}
		if len(active) > 0 {
			out[i] = describedResult(r, "zonal-shift-active", false, strings.Join(active, "; "), resp)
			continue
		}
		out[i] = describedResult(r, "no-active-shift", true, "no zonal shift or autoshift applied", resp)
	}
	return out
}
