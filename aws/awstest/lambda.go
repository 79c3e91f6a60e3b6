package awstest

import (
	"fmt"
	"net/http"
	"strings"
)

// LambdaFunction is a seeded Lambda function.
type LambdaFunction struct {
	Name string
	Arn  string // default arn:aws:lambda:{region}:{account}:function:{name}
	// State: Active (default), Pending, Inactive, Failed, Deactivating, Deactivated, ActiveNonInvocable, Deleting
	// (https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html).
	State       string
	StateReason string
	// LastUpdateStatus: Successful (default), InProgress, Failed.
	LastUpdateStatus       string
	LastUpdateStatusReason string
	Runtime                string
	Tags                   map[string]string
}

type lambdaState struct {
	functions map[string]*LambdaFunction
}

func lambdaService() *service {
	return &service{
		protocol: protoRestJSON,
		route: restRouter(
			restRoute{"GET", "/2015-03-31/functions/{FunctionName}", "GetFunction"},
		),
		handle: handleLambda,
	}
}

// AddLambdaFunction seeds (or replaces) a function.
func (s *Server) AddLambdaFunction(f LambdaFunction) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Arn == "" {
		f.Arn = fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", s.Region, s.AccountID, f.Name)
	}
	if f.State == "" {
		f.State = "Active"
	}
	if f.LastUpdateStatus == "" {
		f.LastUpdateStatus = "Successful"
	}
	if f.Runtime == "" {
		f.Runtime = "python3.12"
	}
	if s.lambda.functions == nil {
		s.lambda.functions = map[string]*LambdaFunction{}
	}
	ff := f
	s.lambda.functions[f.Name] = &ff
	s.tagResource(f.Arn, f.Tags)
}

// SetLambdaState changes a function's State and LastUpdateStatus ("" leaves one unchanged).
func (s *Server) SetLambdaState(name, state, lastUpdateStatus string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.lambda.functions[name]; f != nil {
		if state != "" {
			f.State = state
		}
		if lastUpdateStatus != "" {
			f.LastUpdateStatus = lastUpdateStatus
		}
	}
}

// lambdaName reduces a function name, ARN or partial ARN (with an optional qualifier) to the name.
func lambdaName(id string) string {
	if strings.HasPrefix(id, "arn:") {
		parts := strings.Split(id, ":")
		if len(parts) >= 7 {
			return parts[6]
		}
		return id
	}
	// partial ARN 123456789012:function:name
	if parts := strings.Split(id, ":"); len(parts) >= 3 && parts[1] == "function" {
		return parts[2]
	}
	name, _, _ := strings.Cut(id, ":")
	return name
}

func handleLambda(s *Server, c *call) {
	switch c.op {
	case "GetFunction":
		id := c.Param("FunctionName")
		f := s.lambda.functions[lambdaName(id)]
		if f == nil {
			c.Fail(http.StatusNotFound, "ResourceNotFoundException",
				fmt.Sprintf("Function not found: arn:aws:lambda:%s:%s:function:%s", s.Region, s.AccountID, lambdaName(id)))
			return
		}
		conf := map[string]any{
			"FunctionName":     f.Name,
			"FunctionArn":      f.Arn,
			"Runtime":          f.Runtime,
			"State":            f.State,
			"LastUpdateStatus": f.LastUpdateStatus,
			"Version":          "$LATEST",
			"PackageType":      "Zip",
		}
		if f.StateReason != "" {
			conf["StateReason"] = f.StateReason
		}
		if f.LastUpdateStatusReason != "" {
			conf["LastUpdateStatusReason"] = f.LastUpdateStatusReason
		}
		c.JSON(map[string]any{"Configuration": conf, "Tags": f.Tags})
	default:
		notImplemented(s, c)
	}
}
