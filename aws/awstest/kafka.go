package awstest

import (
	"fmt"
	"net/http"
	"sort"
	"time"
)

// MSKCluster is a seeded Amazon MSK (kafka) cluster.
type MSKCluster struct {
	Name string
	Arn  string // default arn:aws:kafka:{region}:{account}:cluster/{name}/{uuid}
	// State: ACTIVE (default), CREATING, UPDATING, DELETING, FAILED, HEALING, MAINTENANCE, REBOOTING_BROKER
	// (https://docs.aws.amazon.com/msk/1.0/apireference/clusters-clusterarn.html#clusters-clusterarn-model-clusterstate).
	State        string
	StateCode    string // StateInfo.Code (e.g. for FAILED)
	StateMessage string
	// ClusterType: PROVISIONED (default) or SERVERLESS.
	ClusterType   string
	KafkaVersion  string
	InstanceType  string
	BrokerNodes   int
	ClientSubnets []string
	// BrokerLogGroup, when set, enables broker logs to this CloudWatch log group.
	BrokerLogGroup string
	// Bootstrap broker strings (comma-separated host:port lists), by client authentication.
	BootstrapBrokers        string
	BootstrapBrokersTLS     string
	BootstrapBrokersSaslIam string
	CreatedAt               time.Time
	Tags                    map[string]string
	Operations              []MSKOperation
}

// MSKOperation is one cluster operation (ListClusterOperationsV2).
type MSKOperation struct {
	Arn   string // default derived from the cluster ARN
	Type  string // e.g. UPDATE_BROKER_COUNT, REBOOT_NODE, UPDATE_CLUSTER_CONFIGURATION
	State string // PENDING, UPDATE_IN_PROGRESS, UPDATE_COMPLETE, UPDATE_FAILED
	Start time.Time
	End   time.Time // zero while in progress
}

type kafkaState struct {
	clusters map[string]*MSKCluster // by ARN
}

func kafkaService() *service {
	return &service{
		protocol: protoRestJSON,
		route: restRouter(
			restRoute{"GET", "/api/v2/clusters/{ClusterArn}", "DescribeClusterV2"},
			restRoute{"GET", "/api/v2/clusters/{ClusterArn}/operations", "ListClusterOperationsV2"},
			restRoute{"GET", "/v1/clusters/{ClusterArn}", "DescribeCluster"},
			restRoute{"GET", "/v1/clusters/{ClusterArn}/bootstrap-brokers", "GetBootstrapBrokers"},
		),
		handle: handleKafka,
	}
}

// AddMSKCluster seeds (or replaces) an MSK cluster and returns its ARN.
func (s *Server) AddMSKCluster(c MSKCluster) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.Arn == "" {
		c.Arn = fmt.Sprintf("arn:aws:kafka:%s:%s:cluster/%s/%s", s.Region, s.AccountID, c.Name, rjUUID("msk/"+c.Name))
	}
	if c.State == "" {
		c.State = "ACTIVE"
	}
	if c.ClusterType == "" {
		c.ClusterType = "PROVISIONED"
	}
	if c.KafkaVersion == "" {
		c.KafkaVersion = "3.6.0"
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = s.clock.Now()
	}
	for i := range c.Operations {
		if c.Operations[i].Arn == "" {
			c.Operations[i].Arn = fmt.Sprintf("arn:aws:kafka:%s:%s:cluster-operation/%s/%s", s.Region, s.AccountID, c.Name, rjUUID(fmt.Sprintf("%s/op/%d", c.Arn, i)))
		}
	}
	if s.kafka.clusters == nil {
		s.kafka.clusters = map[string]*MSKCluster{}
	}
	cc := c
	s.kafka.clusters[c.Arn] = &cc
	s.tagResource(c.Arn, c.Tags)
	return c.Arn
}

// SetMSKClusterState changes a cluster's state.
func (s *Server) SetMSKClusterState(arn, state string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.kafka.clusters[arn]; c != nil {
		c.State = state
	}
}

// AddMSKOperation records an operation on a cluster.
func (s *Server) AddMSKOperation(arn string, op MSKOperation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.kafka.clusters[arn]
	if c == nil {
		return
	}
	if op.Arn == "" {
		op.Arn = fmt.Sprintf("arn:aws:kafka:%s:%s:cluster-operation/%s/%s", s.Region, s.AccountID, c.Name, rjUUID(fmt.Sprintf("%s/op/%d", arn, len(c.Operations))))
	}
	c.Operations = append(c.Operations, op)
}

func handleKafka(s *Server, c *call) {
	arn := c.Param("ClusterArn")
	cl := s.kafka.clusters[arn]
	if cl == nil {
		c.Fail(http.StatusNotFound, "NotFoundException", fmt.Sprintf("The requested resource was not found: cluster %s", arn))
		return
	}
	switch c.op {
	case "DescribeClusterV2":
		info := map[string]any{
			"clusterArn":     cl.Arn,
			"clusterName":    cl.Name,
			"clusterType":    cl.ClusterType,
			"creationTime":   cl.CreatedAt.UTC().Format(time.RFC3339),
			"currentVersion": "K1",
			"state":          cl.State,
			"tags":           cl.Tags,
		}
		if cl.StateCode != "" || cl.StateMessage != "" {
			info["stateInfo"] = map[string]any{"code": cl.StateCode, "message": cl.StateMessage}
		}
		if cl.ClusterType == "SERVERLESS" {
			info["serverless"] = map[string]any{"vpcConfigs": []map[string]any{{"subnetIds": cl.ClientSubnets}}}
		} else {
			info["provisioned"] = mskProvisionedJSON(cl)
		}
		c.JSON(map[string]any{"clusterInfo": info})
	case "DescribeCluster":
		if cl.ClusterType == "SERVERLESS" {
			c.Fail(http.StatusBadRequest, "BadRequestException", "This operation cannot be performed on serverless clusters.")
			return
		}
		info := mskProvisionedJSON(cl)
		info["clusterArn"] = cl.Arn
		info["clusterName"] = cl.Name
		info["creationTime"] = cl.CreatedAt.UTC().Format(time.RFC3339)
		info["currentVersion"] = "K1"
		info["state"] = cl.State
		info["tags"] = cl.Tags
		c.JSON(map[string]any{"clusterInfo": info})
	case "GetBootstrapBrokers":
		out := map[string]any{}
		if cl.BootstrapBrokers != "" {
			out["bootstrapBrokerString"] = cl.BootstrapBrokers
		}
		if cl.BootstrapBrokersTLS != "" {
			out["bootstrapBrokerStringTls"] = cl.BootstrapBrokersTLS
		}
		if cl.BootstrapBrokersSaslIam != "" {
			out["bootstrapBrokerStringSaslIam"] = cl.BootstrapBrokersSaslIam
		}
		c.JSON(out)
	case "ListClusterOperationsV2":
		ops := append([]MSKOperation(nil), cl.Operations...)
		sort.SliceStable(ops, func(i, j int) bool { return ops[i].Start.After(ops[j].Start) })
		// Keep the newest-first order across pages: page over zero-padded indexes.
		idx := make([]string, len(ops))
		for i := range ops {
			idx[i] = fmt.Sprintf("%08d", i)
		}
		page, next, ok := rjPage(c, idx, 100)
		if !ok {
			return
		}
		list := []map[string]any{}
		for _, p := range page {
			var i int
			_, _ = fmt.Sscanf(p, "%d", &i)
			o := ops[i]
			m := map[string]any{
				"clusterArn":     cl.Arn,
				"clusterType":    cl.ClusterType,
				"operationArn":   o.Arn,
				"operationType":  o.Type,
				"operationState": o.State,
				"startTime":      o.Start.UTC().Format(time.RFC3339),
			}
			if !o.End.IsZero() {
				m["endTime"] = o.End.UTC().Format(time.RFC3339)
			}
			list = append(list, m)
		}
		c.JSON(map[string]any{"clusterOperationInfoList": list, "nextToken": rjNilIfEmpty(next)})
	default:
		notImplemented(s, c)
	}
}

func mskProvisionedJSON(cl *MSKCluster) map[string]any {
	broker := map[string]any{"cloudWatchLogs": map[string]any{"enabled": cl.BrokerLogGroup != ""}}
	if cl.BrokerLogGroup != "" {
		broker["cloudWatchLogs"] = map[string]any{"enabled": true, "logGroup": cl.BrokerLogGroup}
	}
	return map[string]any{
		"brokerNodeGroupInfo": map[string]any{
			"brokerAZDistribution": "DEFAULT",
			"clientSubnets":        cl.ClientSubnets,
			"instanceType":         cl.InstanceType,
		},
		"currentBrokerSoftwareInfo": map[string]any{"kafkaVersion": cl.KafkaVersion},
		"numberOfBrokerNodes":       cl.BrokerNodes,
		"loggingInfo":               map[string]any{"brokerLogs": broker},
	}
}
