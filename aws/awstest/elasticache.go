package awstest

import (
	"fmt"
	"net/http"
	"time"
)

// ReplicationGroup is a fake ElastiCache (Redis OSS / Valkey) replication group.
// AddReplicationGroup fills endpoints and creates the member cache clusters.
type ReplicationGroup struct {
	ID          string
	Description string
	Engine      string // valkey (default) or redis
	// Status: available, creating, modifying, deleting, create-failed, snapshotting
	// (https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_ReplicationGroup.html).
	Status string
	// ClusterEnabled selects cluster mode: a configuration endpoint, no per-shard primary/reader endpoints.
	ClusterEnabled bool
	// AutomaticFailover and MultiAZ: enabled (default), disabled.
	AutomaticFailover string
	MultiAZ           string
	CacheNodeType     string
	Port              int
	NodeGroups        []CacheNodeGroup
	LogDelivery       []CacheLogDelivery
}

// CacheNodeGroup is one shard of a replication group.
type CacheNodeGroup struct {
	ID     string // default 0001, 0002, ...
	Status string // available (default), modifying, ...
	Slots  string
	// PrimaryEndpoint/ReaderEndpoint default to master./replica. names (cluster mode disabled).
	PrimaryEndpoint string
	ReaderEndpoint  string
	Members         []CacheNodeGroupMember
}

// CacheNodeGroupMember is one node of a shard.
type CacheNodeGroupMember struct {
	CacheClusterID string
	CacheNodeID    string // default 0001
	Role           string // primary or replica (cluster mode disabled only)
	AZ             string
	ReadEndpoint   string
}

// CacheLogDelivery is one LogDeliveryConfiguration.
type CacheLogDelivery struct {
	LogType         string // slow-log or engine-log
	DestinationType string // cloudwatch-logs or kinesis-firehose
	LogGroup        string
	DeliveryStream  string
	Format          string // json or text
	Status          string // active (default), enabling, modifying, disabling, error
}

// CacheCluster is a fake ElastiCache cache cluster (a replication group member or standalone).
type CacheCluster struct {
	ID                 string
	ReplicationGroupID string
	Engine             string
	Status             string // available, modifying, rebooting cache cluster nodes, ...
	AZ                 string
	NodeType           string
	Nodes              []CacheNode
}

// CacheNode is one node of a cache cluster.
type CacheNode struct {
	ID      string
	Status  string
	Address string
	Port    int
	AZ      string
}

type elasticacheState struct {
	groups       map[string]*ReplicationGroup
	groupOrder   []string
	clusters     map[string]*CacheCluster
	clusterOrder []string
	events       []ServiceEvent
}

const ecHostSuffix = "abc123"

func ecRegionCode(region string) string {
	codes := map[string]string{"us-east-1": "use1", "us-east-2": "use2", "us-west-1": "usw1", "us-west-2": "usw2", "eu-west-1": "euw1", "eu-central-1": "euc1", "ap-northeast-1": "apne1", "ap-southeast-1": "apse1"}
	if c, ok := codes[region]; ok {
		return c
	}
	return region
}

// AddReplicationGroup adds (or replaces) a replication group and its member cache clusters.
func (s *Server) AddReplicationGroup(rg ReplicationGroup) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.elasticache
	if st.groups == nil {
		st.groups = map[string]*ReplicationGroup{}
	}
	if st.clusters == nil {
		st.clusters = map[string]*CacheCluster{}
	}
	if rg.Engine == "" {
		rg.Engine = "valkey"
	}
	if rg.Status == "" {
		rg.Status = "available"
	}
	if rg.AutomaticFailover == "" {
		rg.AutomaticFailover = "enabled"
	}
	if rg.MultiAZ == "" {
		rg.MultiAZ = "enabled"
	}
	if rg.CacheNodeType == "" {
		rg.CacheNodeType = "cache.r7g.large"
	}
	if rg.Port == 0 {
		rg.Port = 6379
	}
	dom := fmt.Sprintf("%s.%s.%s.cache.amazonaws.com", rg.ID, ecHostSuffix, ecRegionCode(s.Region))
	rg.NodeGroups = append([]CacheNodeGroup(nil), rg.NodeGroups...)
	for i := range rg.NodeGroups {
		ng := &rg.NodeGroups[i]
		if ng.ID == "" {
			ng.ID = fmt.Sprintf("%04d", i+1)
		}
		if ng.Status == "" {
			ng.Status = "available"
		}
		if !rg.ClusterEnabled {
			if ng.PrimaryEndpoint == "" {
				ng.PrimaryEndpoint = "master." + dom
			}
			if ng.ReaderEndpoint == "" {
				ng.ReaderEndpoint = "replica." + dom
			}
		}
		ng.Members = append([]CacheNodeGroupMember(nil), ng.Members...)
		for j := range ng.Members {
			m := &ng.Members[j]
			if m.CacheNodeID == "" {
				m.CacheNodeID = "0001"
			}
			if m.AZ == "" {
				m.AZ = s.Region + string(rune('a'+j%3))
			}
			if m.ReadEndpoint == "" {
				m.ReadEndpoint = m.CacheClusterID + "." + dom
			}
			if _, ok := st.clusters[m.CacheClusterID]; !ok {
				st.clusterOrder = append(st.clusterOrder, m.CacheClusterID)
			}
			st.clusters[m.CacheClusterID] = &CacheCluster{
				ID: m.CacheClusterID, ReplicationGroupID: rg.ID, Engine: rg.Engine, Status: "available", AZ: m.AZ, NodeType: rg.CacheNodeType,
				Nodes: []CacheNode{{ID: m.CacheNodeID, Status: "available", Address: m.ReadEndpoint, Port: rg.Port, AZ: m.AZ}},
			}
		}
	}
	rg.LogDelivery = append([]CacheLogDelivery(nil), rg.LogDelivery...)
	for i := range rg.LogDelivery {
		if rg.LogDelivery[i].Status == "" {
			rg.LogDelivery[i].Status = "active"
		}
		if rg.LogDelivery[i].Format == "" {
			rg.LogDelivery[i].Format = "json"
		}
	}
	if _, ok := st.groups[rg.ID]; !ok {
		st.groupOrder = append(st.groupOrder, rg.ID)
	}
	st.groups[rg.ID] = &rg
}

// AddCacheCluster adds (or replaces) a standalone cache cluster.
func (s *Server) AddCacheCluster(cc CacheCluster) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.elasticache
	if st.clusters == nil {
		st.clusters = map[string]*CacheCluster{}
	}
	if cc.Status == "" {
		cc.Status = "available"
	}
	if _, ok := st.clusters[cc.ID]; !ok {
		st.clusterOrder = append(st.clusterOrder, cc.ID)
	}
	st.clusters[cc.ID] = &cc
}

// SetReplicationGroupStatus sets a group's status and, when nodeGroupStatus is not "",
// every node group's status.
func (s *Server) SetReplicationGroupStatus(id, status, nodeGroupStatus string) {
	s.change(func(time.Time) { s.setRGStatusLocked(id, status, nodeGroupStatus) })
}

// SetReplicationGroupStatusAt schedules SetReplicationGroupStatus at simulation time t.
func (s *Server) SetReplicationGroupStatusAt(t time.Time, id, status, nodeGroupStatus string) {
	s.changeAt(t, func(time.Time) { s.setRGStatusLocked(id, status, nodeGroupStatus) })
}

func (s *Server) setRGStatusLocked(id, status, ngStatus string) {
	rg := s.elasticache.groups[id]
	if rg == nil {
		return
	}
	rg.Status = status
	if ngStatus != "" {
		for i := range rg.NodeGroups {
			rg.NodeGroups[i].Status = ngStatus
		}
	}
}

// SetCacheClusterStatus sets a cache cluster's status.
func (s *Server) SetCacheClusterStatus(id, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cc := s.elasticache.clusters[id]; cc != nil {
		cc.Status = status
	}
}

// SetReplicationGroupPrimary makes cacheClusterID the primary of its node group.
func (s *Server) SetReplicationGroupPrimary(rgID, cacheClusterID string) {
	s.change(func(time.Time) { s.setRGPrimaryLocked(rgID, cacheClusterID) })
}

func (s *Server) setRGPrimaryLocked(rgID, cacheClusterID string) {
	rg := s.elasticache.groups[rgID]
	if rg == nil {
		return
	}
	for i := range rg.NodeGroups {
		ng := &rg.NodeGroups[i]
		has := false
		for _, m := range ng.Members {
			has = has || m.CacheClusterID == cacheClusterID
		}
		if !has {
			continue
		}
		for j := range ng.Members {
			if ng.Members[j].CacheClusterID == cacheClusterID {
				ng.Members[j].Role = "primary"
			} else {
				ng.Members[j].Role = "replica"
			}
		}
	}
}

// ScriptElastiCacheFailover scripts a primary failover of the first node group of rgID
// (as TestFailover or an AZ power interruption causes) from start over d: the group and
// shard go modifying, a replica (in another AZ when possible) is promoted, the old
// primary recovers as a replica, and the events ElastiCache emits are recorded.
// Call without holding the lock.
func (s *Server) ScriptElastiCacheFailover(rgID string, start time.Time, d time.Duration) {
	s.mu.Lock()
	rg := s.elasticache.groups[rgID]
	var ngID, oldPrimary, oldAZ, target string
	if rg != nil && len(rg.NodeGroups) > 0 {
		ng := rg.NodeGroups[0]
		ngID = ng.ID
		for _, m := range ng.Members {
			if m.Role == "primary" {
				oldPrimary, oldAZ = m.CacheClusterID, m.AZ
			}
		}
		if oldPrimary == "" && len(ng.Members) > 0 {
			oldPrimary, oldAZ = ng.Members[0].CacheClusterID, ng.Members[0].AZ
		}
		for _, m := range ng.Members {
			if m.CacheClusterID != oldPrimary && m.AZ != oldAZ {
				target = m.CacheClusterID
				break
			}
		}
		if target == "" {
			for _, m := range ng.Members {
				if m.CacheClusterID != oldPrimary {
					target = m.CacheClusterID
					break
				}
			}
		}
	}
	s.mu.Unlock()
	if target == "" {
		return
	}
	ev := func(t time.Time, typ, id, msg string) {
		s.At(t, func() {
			s.addServiceEventLocked(ServiceEvent{Service: "elasticache", SourceType: typ, SourceID: id, Time: t, Message: msg})
		})
	}
	s.At(start, func() {
		s.setRGStatusLocked(rgID, "modifying", "")
		if r := s.elasticache.groups[rgID]; r != nil {
			for i := range r.NodeGroups {
				if r.NodeGroups[i].ID == ngID {
					r.NodeGroups[i].Status = "modifying"
				}
			}
		}
		if cc := s.elasticache.clusters[oldPrimary]; cc != nil {
			cc.Status = "rebooting cache cluster nodes"
		}
	})
	ev(start, "replication-group", rgID, "Test Failover API called for node group "+ngID)
	promote := start.Add(d / 3)
	s.At(promote, func() { s.setRGPrimaryLocked(rgID, target) })
	ev(promote, "cache-cluster", oldPrimary, fmt.Sprintf("Failover from primary node %s to replica node %s completed", oldPrimary, target))
	ev(promote, "replication-group", rgID, fmt.Sprintf("Failover from primary node %s to replica node %s completed", oldPrimary, target))
	ev(promote, "replication-group", rgID, "Failover to replica node "+target+" completed")
	ev(start.Add(d/2), "cache-cluster", oldPrimary, "Recovering cache nodes 0001")
	end := start.Add(d)
	s.At(end, func() {
		s.setRGStatusLocked(rgID, "available", "available")
		if cc := s.elasticache.clusters[oldPrimary]; cc != nil {
			cc.Status = "available"
		}
	})
	ev(end, "cache-cluster", oldPrimary, "Finished recovery for cache nodes 0001")
}

func elasticacheService() *service {
	return &service{protocol: protoQuery, xmlns: "http://elasticache.amazonaws.com/doc/2015-02-02/", handle: ecHandle}
}

func ecHandle(s *Server, c *call) {
	switch c.op {
	case "DescribeReplicationGroups":
		ecDescribeReplicationGroups(s, c)
	case "DescribeCacheClusters":
		ecDescribeCacheClusters(s, c)
	case "DescribeEvents":
		ecDescribeEvents(s, c)
	default:
		notImplemented(s, c)
	}
}

type ecEndpointXML struct {
	Address string `xml:"Address"`
	Port    int    `xml:"Port"`
}

type ecNodeGroupMemberXML struct {
	CacheClusterID            string         `xml:"CacheClusterId"`
	CacheNodeID               string         `xml:"CacheNodeId"`
	ReadEndpoint              *ecEndpointXML `xml:"ReadEndpoint,omitempty"`
	PreferredAvailabilityZone string         `xml:"PreferredAvailabilityZone"`
	CurrentRole               string         `xml:"CurrentRole,omitempty"`
}

type ecNodeGroupXML struct {
	NodeGroupID      string                 `xml:"NodeGroupId"`
	Status           string                 `xml:"Status"`
	PrimaryEndpoint  *ecEndpointXML         `xml:"PrimaryEndpoint,omitempty"`
	ReaderEndpoint   *ecEndpointXML         `xml:"ReaderEndpoint,omitempty"`
	Slots            string                 `xml:"Slots,omitempty"`
	NodeGroupMembers []ecNodeGroupMemberXML `xml:"NodeGroupMembers>NodeGroupMember"`
}

type ecLogDeliveryXML struct {
	LogType            string `xml:"LogType"`
	DestinationType    string `xml:"DestinationType"`
	DestinationDetails struct {
		CloudWatchLogsDetails *struct {
			LogGroup string `xml:"LogGroup"`
		} `xml:"CloudWatchLogsDetails,omitempty"`
		KinesisFirehoseDetails *struct {
			DeliveryStream string `xml:"DeliveryStream"`
		} `xml:"KinesisFirehoseDetails,omitempty"`
	} `xml:"DestinationDetails"`
	LogFormat string `xml:"LogFormat"`
	Status    string `xml:"Status"`
}

type ecReplicationGroupXML struct {
	ReplicationGroupID        string             `xml:"ReplicationGroupId"`
	Description               string             `xml:"Description"`
	Status                    string             `xml:"Status"`
	MemberClusters            []string           `xml:"MemberClusters>ClusterId"`
	NodeGroups                []ecNodeGroupXML   `xml:"NodeGroups>NodeGroup"`
	AutomaticFailover         string             `xml:"AutomaticFailover"`
	MultiAZ                   string             `xml:"MultiAZ"`
	ConfigurationEndpoint     *ecEndpointXML     `xml:"ConfigurationEndpoint,omitempty"`
	ClusterEnabled            bool               `xml:"ClusterEnabled"`
	CacheNodeType             string             `xml:"CacheNodeType"`
	TransitEncryptionEnabled  bool               `xml:"TransitEncryptionEnabled"`
	AtRestEncryptionEnabled   bool               `xml:"AtRestEncryptionEnabled"`
	ARN                       string             `xml:"ARN"`
	LogDeliveryConfigurations []ecLogDeliveryXML `xml:"LogDeliveryConfigurations>LogDeliveryConfiguration"`
	ClusterMode               string             `xml:"ClusterMode"`
	Engine                    string             `xml:"Engine"`
}

type ecCacheNodeXML struct {
	CacheNodeID              string         `xml:"CacheNodeId"`
	CacheNodeStatus          string         `xml:"CacheNodeStatus"`
	Endpoint                 *ecEndpointXML `xml:"Endpoint,omitempty"`
	ParameterGroupStatus     string         `xml:"ParameterGroupStatus"`
	CustomerAvailabilityZone string         `xml:"CustomerAvailabilityZone"`
}

type ecCacheClusterXML struct {
	CacheClusterID            string           `xml:"CacheClusterId"`
	CacheNodeType             string           `xml:"CacheNodeType"`
	Engine                    string           `xml:"Engine"`
	CacheClusterStatus        string           `xml:"CacheClusterStatus"`
	NumCacheNodes             int              `xml:"NumCacheNodes"`
	PreferredAvailabilityZone string           `xml:"PreferredAvailabilityZone"`
	CacheNodes                []ecCacheNodeXML `xml:"CacheNodes>CacheNode,omitempty"`
	ReplicationGroupID        string           `xml:"ReplicationGroupId,omitempty"`
	ARN                       string           `xml:"ARN"`
}

type ecEventXML struct {
	SourceIdentifier string `xml:"SourceIdentifier"`
	SourceType       string `xml:"SourceType"`
	Message          string `xml:"Message"`
	Date             string `xml:"Date"`
}

func (s *Server) ecGroupXML(rg *ReplicationGroup) ecReplicationGroupXML {
	x := ecReplicationGroupXML{
		ReplicationGroupID: rg.ID, Description: rg.Description, Status: rg.Status,
		AutomaticFailover: rg.AutomaticFailover, MultiAZ: rg.MultiAZ, ClusterEnabled: rg.ClusterEnabled,
		CacheNodeType: rg.CacheNodeType, TransitEncryptionEnabled: true, AtRestEncryptionEnabled: true,
		ARN:         fmt.Sprintf("arn:aws:elasticache:%s:%s:replicationgroup:%s", s.Region, s.AccountID, rg.ID),
		ClusterMode: "disabled", Engine: rg.Engine,
	}
	if rg.ClusterEnabled {
		x.ClusterMode = "enabled"
		x.ConfigurationEndpoint = &ecEndpointXML{Address: fmt.Sprintf("clustercfg.%s.%s.%s.cache.amazonaws.com", rg.ID, ecHostSuffix, ecRegionCode(s.Region)), Port: rg.Port}
	}
	for _, ng := range rg.NodeGroups {
		nx := ecNodeGroupXML{NodeGroupID: ng.ID, Status: ng.Status, Slots: ng.Slots}
		if !rg.ClusterEnabled {
			nx.PrimaryEndpoint = &ecEndpointXML{Address: ng.PrimaryEndpoint, Port: rg.Port}
			nx.ReaderEndpoint = &ecEndpointXML{Address: ng.ReaderEndpoint, Port: rg.Port}
		}
		for _, m := range ng.Members {
			x.MemberClusters = append(x.MemberClusters, m.CacheClusterID)
			mx := ecNodeGroupMemberXML{CacheClusterID: m.CacheClusterID, CacheNodeID: m.CacheNodeID, PreferredAvailabilityZone: m.AZ}
			if !rg.ClusterEnabled {
				mx.ReadEndpoint = &ecEndpointXML{Address: m.ReadEndpoint, Port: rg.Port}
				mx.CurrentRole = m.Role
			}
			nx.NodeGroupMembers = append(nx.NodeGroupMembers, mx)
		}
		x.NodeGroups = append(x.NodeGroups, nx)
	}
	for _, l := range rg.LogDelivery {
		lx := ecLogDeliveryXML{LogType: l.LogType, DestinationType: l.DestinationType, LogFormat: l.Format, Status: l.Status}
		if l.DestinationType == "cloudwatch-logs" {
			lx.DestinationDetails.CloudWatchLogsDetails = &struct {
				LogGroup string `xml:"LogGroup"`
			}{l.LogGroup}
		} else {
			lx.DestinationDetails.KinesisFirehoseDetails = &struct {
				DeliveryStream string `xml:"DeliveryStream"`
			}{l.DeliveryStream}
		}
		x.LogDeliveryConfigurations = append(x.LogDeliveryConfigurations, lx)
	}
	return x
}

func ecDescribeReplicationGroups(s *Server, c *call) {
	st := &s.elasticache
	var list []*ReplicationGroup
	if id := c.Form("ReplicationGroupId"); id != "" {
		rg := st.groups[id]
		if rg == nil {
			c.Fail(http.StatusNotFound, "ReplicationGroupNotFoundFault", fmt.Sprintf("ReplicationGroup %s not found.", id))
			return
		}
		list = []*ReplicationGroup{rg}
	} else {
		for _, id := range st.groupOrder {
			list = append(list, st.groups[id])
		}
	}
	from, to, marker, ok := rdsPage(c, len(list))
	if !ok {
		return
	}
	var rows []ecReplicationGroupXML
	for _, rg := range list[from:to] {
		rows = append(rows, s.ecGroupXML(rg))
	}
	c.XML(struct {
		Marker string                  `xml:"Marker,omitempty"`
		Groups []ecReplicationGroupXML `xml:"ReplicationGroups>ReplicationGroup"`
	}{marker, rows})
}

func ecDescribeCacheClusters(s *Server, c *call) {
	st := &s.elasticache
	var list []*CacheCluster
	if id := c.Form("CacheClusterId"); id != "" {
		cc := st.clusters[id]
		if cc == nil {
			c.Fail(http.StatusNotFound, "CacheClusterNotFound", fmt.Sprintf("CacheCluster not found: %s", id))
			return
		}
		list = []*CacheCluster{cc}
	} else {
		notInRG := c.Form("ShowCacheClustersNotInReplicationGroups") == "true"
		for _, id := range st.clusterOrder {
			if cc := st.clusters[id]; !notInRG || cc.ReplicationGroupID == "" {
				list = append(list, cc)
			}
		}
	}
	from, to, marker, ok := rdsPage(c, len(list))
	if !ok {
		return
	}
	showNodes := c.Form("ShowCacheNodeInfo") == "true"
	var rows []ecCacheClusterXML
	for _, cc := range list[from:to] {
		x := ecCacheClusterXML{CacheClusterID: cc.ID, CacheNodeType: cc.NodeType, Engine: cc.Engine, CacheClusterStatus: cc.Status,
			NumCacheNodes: len(cc.Nodes), PreferredAvailabilityZone: cc.AZ, ReplicationGroupID: cc.ReplicationGroupID,
			ARN: fmt.Sprintf("arn:aws:elasticache:%s:%s:cluster:%s", s.Region, s.AccountID, cc.ID)}
		if showNodes {
			for _, n := range cc.Nodes {
				x.CacheNodes = append(x.CacheNodes, ecCacheNodeXML{CacheNodeID: n.ID, CacheNodeStatus: n.Status,
					Endpoint: &ecEndpointXML{Address: n.Address, Port: n.Port}, ParameterGroupStatus: "in-sync", CustomerAvailabilityZone: n.AZ})
			}
		}
		rows = append(rows, x)
	}
	c.XML(struct {
		Marker   string              `xml:"Marker,omitempty"`
		Clusters []ecCacheClusterXML `xml:"CacheClusters>CacheCluster"`
	}{marker, rows})
}

func ecDescribeEvents(s *Server, c *call) {
	start, end, err := serviceEventWindow(c.now, c.Form("StartTime"), c.Form("EndTime"), c.Form("Duration"))
	if err != nil {
		c.Fail(http.StatusBadRequest, "InvalidParameterValue", err.Error())
		return
	}
	// https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_DescribeEvents.html:
	// "you can retrieve up to 14 days' worth of events"; no SourceIdentifier means all sources.
	if start.Before(c.now.Add(-14 * 24 * time.Hour)) {
		start = c.now.Add(-14 * 24 * time.Hour)
	}
	// ElastiCache lists events newest first.
	evs := selectServiceEvents(s.elasticache.events, c.Form("SourceType"), c.Form("SourceIdentifier"), start, end, true)
	from, to, marker, ok := rdsPage(c, len(evs))
	if !ok {
		return
	}
	var rows []ecEventXML
	for _, e := range evs[from:to] {
		rows = append(rows, ecEventXML{SourceIdentifier: e.SourceID, SourceType: e.SourceType, Message: e.Message, Date: rdsTimestamp(e.Time)})
	}
	c.XML(struct {
		Marker string       `xml:"Marker,omitempty"`
		Events []ecEventXML `xml:"Events>Event"`
	}{marker, rows})
}
