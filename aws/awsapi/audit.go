package awsapi

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/audit"
)

// auditMiddleware records every SDK operation (after all retries) into the
// context's audit.Recorder: service, operation, identifying parameter, result, latency.
func auditMiddleware(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("FisMcpAudit",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			rec := audit.From(ctx)
			if rec == nil {
				return next.HandleInitialize(ctx, in)
			}
			start := time.Now()
			out, md, err := next.HandleInitialize(ctx, in)
			service := awsmiddleware.GetServiceID(ctx)
			op := awsmiddleware.GetOperationName(ctx)
			resource := identifyingParam(in.Parameters)
			call := session.APICall{
				Time:      start.UTC(),
				Service:   service,
				Operation: op,
				Resource:  resource,
				Result:    resultOf(err),
				LatencyMS: time.Since(start).Milliseconds(),
				CLI:       CLIFor(op, in.Parameters, awsmiddleware.GetRegion(ctx)),
			}
			rec.Add(call)
			return out, md, err
		}), middleware.After)
}

func resultOf(err error) string {
	if err == nil {
		return "ok"
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	if errors.Is(err, context.Canceled) {
		return "canceled"
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout"
	}
	return "error"
}

// identifyingFields are the input fields that name the resource of a call, in priority order.
// Values of any other field (never credentials: the SDK does not pass them as parameters) are not recorded.
var identifyingFields = []string{
	"ExperimentTemplateId", "StackName", "Id", "ExperimentId", "ClusterName", "NodegroupName", "Name",
	"DBClusterIdentifier", "DBInstanceIdentifier", "ReplicationGroupId", "CacheClusterId", "ClusterArn",
	"DomainName", "FunctionName", "TableName", "GlobalTableName", "RoleName", "Bucket", "AlarmNames",
	"AlarmName", "LogGroupName", "LogGroupIdentifier", "InstanceIds", "SubnetIds", "TransitGatewayIds",
	"AutoScalingGroupNames", "Cluster", "Tasks", "Clusters", "ResourceARNList", "SourceIdentifier",
	"TagFilters", "Filters",
}

func identifyingParam(params any) string {
	v := reflect.ValueOf(params)
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return ""
	}
	for _, name := range identifyingFields {
		f := v.FieldByName(name)
		if !f.IsValid() {
			continue
		}
		if s := renderParam(f); s != "" {
			return s
		}
	}
	return ""
}

func renderParam(f reflect.Value) string {
	switch f.Kind() {
	case reflect.Pointer:
		if f.IsNil() {
			return ""
		}
		return renderParam(f.Elem())
	case reflect.String:
		return f.String()
	case reflect.Slice:
		var parts []string
		for i := 0; i < f.Len() && i < 5; i++ {
			if s := renderParam(f.Index(i)); s != "" {
				parts = append(parts, s)
			}
		}
		if f.Len() > 5 {
			parts = append(parts, fmt.Sprintf("+%d more", f.Len()-5))
		}
		return strings.Join(parts, ",")
	case reflect.Struct:
		// tag filters name their key; describe filters (Name + Values) their values
		if k := f.FieldByName("Key"); k.IsValid() {
			return renderParam(k)
		}
		if v := f.FieldByName("Values"); v.IsValid() {
			return renderParam(v)
		}
	}
	return ""
}
