package awstest

import (
	"fmt"
	"net/http"
	"strings"
)

// ECSCluster is a seeded ECS cluster.
type ECSCluster struct {
	Name   string
	Arn    string // default arn:aws:ecs:{region}:{account}:cluster/{name}
	Status string // ACTIVE (default), PROVISIONING, DEPROVISIONING, FAILED, INACTIVE (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Cluster.html)
	Tags   map[string]string
}

// ECSTask is a seeded ECS task.
type ECSTask struct {
	Cluster string // cluster name
	ID      string
	Arn     string // default arn:aws:ecs:{region}:{account}:task/{cluster}/{id}
	// LastStatus: RUNNING (default), PROVISIONING, PENDING, ACTIVATING, DEACTIVATING, STOPPING, STOPPED.
	LastStatus    string
	DesiredStatus string // default RUNNING
	// HealthStatus: UNKNOWN (default), HEALTHY, UNHEALTHY.
	HealthStatus     string
	AvailabilityZone string
	// Service is the ECS service that started the task (its group is "service:{Service}").
	Service    string
	LaunchType string // default FARGATE
	Tags       map[string]string
}

type ecsState struct {
	clusters map[string]*ECSCluster
	tasks    map[string][]*ECSTask // cluster name → tasks, in seed order
}

func ecsService() *service {
	return &service{protocol: protoJSON11, handle: handleECS}
}

// AddECSCluster seeds (or replaces) a cluster.
func (s *Server) AddECSCluster(c ECSCluster) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.Arn == "" {
		c.Arn = fmt.Sprintf("arn:aws:ecs:%s:%s:cluster/%s", s.Region, s.AccountID, c.Name)
	}
	if c.Status == "" {
		c.Status = "ACTIVE"
	}
	if s.ecs.clusters == nil {
		s.ecs.clusters = map[string]*ECSCluster{}
	}
	cc := c
	s.ecs.clusters[c.Name] = &cc
	s.tagResource(c.Arn, c.Tags)
}

// AddECSTask seeds a task and returns its ARN.
func (s *Server) AddECSTask(t ECSTask) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.ID == "" {
		t.ID = strings.ReplaceAll(rjUUID(fmt.Sprintf("%s/task/%d", t.Cluster, len(s.ecs.tasks[t.Cluster]))), "-", "")
	}
	if t.Arn == "" {
		t.Arn = fmt.Sprintf("arn:aws:ecs:%s:%s:task/%s/%s", s.Region, s.AccountID, t.Cluster, t.ID)
	}
	if t.LastStatus == "" {
		t.LastStatus = "RUNNING"
	}
	if t.DesiredStatus == "" {
		t.DesiredStatus = "RUNNING"
	}
	if t.HealthStatus == "" {
		t.HealthStatus = "UNKNOWN"
	}
	if t.LaunchType == "" {
		t.LaunchType = "FARGATE"
	}
	if s.ecs.tasks == nil {
		s.ecs.tasks = map[string][]*ECSTask{}
	}
	tt := t
	s.ecs.tasks[t.Cluster] = append(s.ecs.tasks[t.Cluster], &tt)
	s.tagResource(t.Arn, t.Tags)
	return t.Arn
}

// SetECSTaskStatus changes a task's last status and health ("" leaves one unchanged).
func (s *Server) SetECSTaskStatus(cluster, id, lastStatus, health string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.ecs.tasks[cluster] {
		if t.ID == id || t.Arn == id {
			if lastStatus != "" {
				t.LastStatus = lastStatus
			}
			if health != "" {
				t.HealthStatus = health
			}
		}
	}
}

// ecsClusterName reduces a cluster name or ARN to the name.
func ecsClusterName(id string) string {
	if id == "" {
		return "default"
	}
	if strings.HasPrefix(id, "arn:") {
		if i := strings.LastIndex(id, "cluster/"); i >= 0 {
			return id[i+len("cluster/"):]
		}
	}
	return id
}

func handleECS(s *Server, c *call) {
	switch c.op {
	case "DescribeClusters":
		var in struct {
			Clusters []string `json:"clusters"`
		}
		if err := c.DecodeJSON(&in); err != nil {
			c.Fail(http.StatusBadRequest, "InvalidParameterException", err.Error())
			return
		}
		if len(in.Clusters) == 0 {
			in.Clusters = []string{"default"}
		}
		if len(in.Clusters) > 100 {
			c.Fail(http.StatusBadRequest, "InvalidParameterException", "clusters can have at most 100 items.")
			return
		}
		clusters, failures := []map[string]any{}, []map[string]any{}
		for _, id := range in.Clusters {
			cl := s.ecs.clusters[ecsClusterName(id)]
			if cl == nil {
				failures = append(failures, map[string]any{"arn": fmt.Sprintf("arn:aws:ecs:%s:%s:cluster/%s", s.Region, s.AccountID, ecsClusterName(id)), "reason": "MISSING"})
				continue
			}
			running := 0
			for _, t := range s.ecs.tasks[cl.Name] {
				if t.LastStatus == "RUNNING" {
					running++
				}
			}
			clusters = append(clusters, map[string]any{
				"clusterArn": cl.Arn, "clusterName": cl.Name, "status": cl.Status, "runningTasksCount": running,
			})
		}
		c.JSON(map[string]any{"clusters": clusters, "failures": failures})
	case "DescribeTasks":
		var in struct {
			Cluster string   `json:"cluster"`
			Tasks   []string `json:"tasks"`
		}
		if err := c.DecodeJSON(&in); err != nil {
			c.Fail(http.StatusBadRequest, "InvalidParameterException", err.Error())
			return
		}
		if len(in.Tasks) == 0 || len(in.Tasks) > 100 {
			c.Fail(http.StatusBadRequest, "InvalidParameterException", "Tasks must have between 1 and 100 items.")
			return
		}
		cl := s.ecs.clusters[ecsClusterName(in.Cluster)]
		if cl == nil {
			c.Fail(http.StatusBadRequest, "ClusterNotFoundException", "Cluster not found.")
			return
		}
		tasks, failures := []map[string]any{}, []map[string]any{}
		for _, id := range in.Tasks {
			var found *ECSTask
			for _, t := range s.ecs.tasks[cl.Name] {
				if t.ID == id || t.Arn == id {
					found = t
					break
				}
			}
			if found == nil {
				failures = append(failures, map[string]any{"arn": id, "reason": "MISSING"})
				continue
			}
			m := map[string]any{
				"taskArn": found.Arn, "clusterArn": cl.Arn, "lastStatus": found.LastStatus,
				"desiredStatus": found.DesiredStatus, "healthStatus": found.HealthStatus,
				"launchType": found.LaunchType,
			}
			if found.AvailabilityZone != "" {
				m["availabilityZone"] = found.AvailabilityZone
			}
			if found.Service != "" {
				m["group"] = "service:" + found.Service
			}
			tasks = append(tasks, m)
		}
		c.JSON(map[string]any{"tasks": tasks, "failures": failures})
	case "ListTasks":
		var in struct {
			Cluster       string `json:"cluster"`
			ServiceName   string `json:"serviceName"`
			DesiredStatus string `json:"desiredStatus"`
		}
		if err := c.DecodeJSON(&in); err != nil {
			c.Fail(http.StatusBadRequest, "InvalidParameterException", err.Error())
			return
		}
		cl := s.ecs.clusters[ecsClusterName(in.Cluster)]
		if cl == nil {
			c.Fail(http.StatusBadRequest, "ClusterNotFoundException", "Cluster not found.")
			return
		}
		want := in.DesiredStatus
		if want == "" {
			want = "RUNNING"
		}
		arns := []string{}
		for _, t := range s.ecs.tasks[cl.Name] {
			if t.DesiredStatus != want {
				continue
			}
			if in.ServiceName != "" && t.Service != in.ServiceName {
				continue
			}
			arns = append(arns, t.Arn)
		}
		c.JSON(map[string]any{"taskArns": arns})
	default:
		notImplemented(s, c)
	}
}
