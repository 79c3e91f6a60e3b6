package health

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
)

// addContainerCheckers registers aws:ecs:cluster and aws:ecs:task.
func addContainerCheckers(r Registry) {
	r["aws:ecs:cluster"] = checkECSClusters
	r[TypeECSTask] = checkECSTasks
}

// ecsClusterStatuses classifies every ECS cluster status:
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Cluster.html (status)
var ecsClusterStatuses = statusTable{
	"ACTIVE":         ruleOK(),
	"PROVISIONING":   ruleInProgress("provisioning of the cluster's capacity provider resources"),
	"DEPROVISIONING": ruleBlock("the cluster's capacity provider resources are being removed"),
	"FAILED":         ruleBlock("the cluster's capacity provider resources failed to be created"),
	"INACTIVE":       ruleBlock("the cluster was deleted"),
}

// ecsTaskStatuses classifies every ECS task lastStatus:
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html
var ecsTaskStatuses = statusTable{
	"RUNNING":        ruleOK(),
	"PROVISIONING":   ruleInProgress("task start-up (provisioning)"),
	"PENDING":        ruleInProgress("task start-up (pending)"),
	"ACTIVATING":     ruleInProgress("task start-up (activating)"),
	"DEACTIVATING":   ruleBlock("the task is shutting down"),
	"STOPPING":       ruleBlock("the task is stopping"),
	"DEPROVISIONING": ruleBlock("the task is stopping (deprovisioning)"),
	"STOPPED":        ruleBlock("the task has stopped"),
	"DELETED":        ruleBlock("the task has stopped and been deleted"),
}

// ecsTaskHealth classifies every ECS task healthStatus:
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html (healthStatus: HEALTHY | UNHEALTHY | UNKNOWN);
// UNKNOWN is reported when no essential container has a health check, or before the first result.
var ecsTaskHealth = statusTable{
	"HEALTHY":   ruleOK(),
	"UNKNOWN":   ruleOK(),
	"":          ruleOK(),
	"UNHEALTHY": ruleBlock("an essential container's health check fails"),
}

// ecsName reduces an ECS cluster name or ARN to the name.
func ecsName(id string) string {
	if strings.HasPrefix(id, "arn:") {
		if i := strings.Index(id, ":cluster/"); i >= 0 {
			return id[i+len(":cluster/"):]
		}
	}
	return id
}

// checkECSClusters: healthy when ACTIVE (one DescribeClusters call per chunk).
func checkECSClusters(ctx context.Context, env Env, rs []Resource) []Result {
	out := make([]Result, len(rs))
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = ecsName(r.ID)
	}
	resp, err := env.Clients.ECS.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: ids})
	if err != nil {
		for i, r := range rs {
			out[i] = failedCall(r, err, "ecs DescribeClusters", "ecs:DescribeClusters")
		}
		return out
	}
	byName := map[string]*ecstypes.Cluster{}
	for k := range resp.Clusters {
		c := &resp.Clusters[k]
		byName[aws.ToString(c.ClusterName)] = c
	}
	missing := map[string]string{}
	for _, f := range resp.Failures {
		missing[ecsName(aws.ToString(f.Arn))] = aws.ToString(f.Reason)
	}
	for i, r := range rs {
		name := ids[i]
		c := byName[name]
		switch {
		case c != nil:
			status := aws.ToString(c.Status)
			if status == "" {
				out[i] = emptyResponse(r, "ecs DescribeClusters")
				continue
			}
			detail := fmt.Sprintf("%d running tasks", c.RunningTasksCount)
			var v verdictOf
			v.add("status", needs(status, ecsClusterStatuses, "ACTIVE"), ecsClusterStatuses.classify(status))
			out[i] = v.result(r, status, detail, c)
		case missing[name] != "":
			out[i] = describedResult(r, StatusNotFound, false, fmt.Sprintf("ECS cluster %s: %s", name, missing[name]), nil)
		default:
			out[i] = emptyResponse(r, "ecs DescribeClusters")
		}
	}
	return out
}

// taskRef splits an aws:ecs:task resource into its cluster and task (ARN preferred).
func taskRef(r Resource) (cluster, task string) {
	id := r.ID
	cluster, taskID, ok := strings.Cut(id, "/")
	if !ok {
		cluster, taskID = "default", id
	}
	if r.ARN != "" {
		return cluster, r.ARN
	}
	return cluster, taskID
}

// checkECSTasks: healthy when RUNNING and not UNHEALTHY (DescribeTasks per cluster).
func checkECSTasks(ctx context.Context, env Env, rs []Resource) []Result {
	out := make([]Result, len(rs))
	byCluster := map[string][]int{}
	var order []string
	for i, r := range rs {
		c, _ := taskRef(r)
		if _, ok := byCluster[c]; !ok {
			order = append(order, c)
		}
		byCluster[c] = append(byCluster[c], i)
	}
	for _, cluster := range order {
		idx := byCluster[cluster]
		tasks := make([]string, len(idx))
		for k, i := range idx {
			_, tasks[k] = taskRef(rs[i])
		}
		resp, err := env.Clients.ECS.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(cluster), Tasks: tasks})
		if err != nil {
			for _, i := range idx {
				res := failedCall(rs[i], err, "ecs DescribeTasks", "ecs:DescribeTasks")
				if awsapi.Code(err) == "ClusterNotFoundException" {
					res = describedResult(rs[i], StatusNotFound, false, fmt.Sprintf("ECS cluster %s does not exist", cluster), nil)
				}
				out[i] = res
			}
			continue
		}
		found := map[string]*ecstypes.Task{}
		for k := range resp.Tasks {
			t := &resp.Tasks[k]
			arn := aws.ToString(t.TaskArn)
			found[arn] = t
			found[arn[strings.LastIndex(arn, "/")+1:]] = t
		}
		failed := map[string]string{}
		for _, f := range resp.Failures {
			failed[aws.ToString(f.Arn)] = aws.ToString(f.Reason)
		}
		for k, i := range idx {
			r := rs[i]
			t := found[tasks[k]]
			if t == nil {
				if reason, ok := failed[tasks[k]]; ok {
					out[i] = describedResult(r, StatusNotFound, false, fmt.Sprintf("ECS task %s: %s", tasks[k], reason), nil)
				} else {
					out[i] = emptyResponse(r, "ecs DescribeTasks")
				}
				continue
			}
			last := aws.ToString(t.LastStatus)
			if last == "" {
				out[i] = emptyResponse(r, "ecs DescribeTasks")
				continue
			}
			health := string(t.HealthStatus)
			detail := "health " + health
			if health == "" {
				detail = "no container health check"
			}
			if az := aws.ToString(t.AvailabilityZone); az != "" {
				detail += "; " + az
			}
			var v verdictOf
			v.add("last status", needs(last, ecsTaskStatuses, "RUNNING"), ecsTaskStatuses.classify(last))
			v.add("health", health, ecsTaskHealth.classify(health))
			out[i] = v.result(r, last, detail, t)
		}
	}
	return out
}
