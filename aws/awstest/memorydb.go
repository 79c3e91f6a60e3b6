package awstest

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// MemoryDBCluster is a fake MemoryDB cluster.
type MemoryDBCluster struct {
	Name string
	// Status: available, creating, updating, deleting, snapshotting, ...
	// (https://docs.aws.amazon.com/memorydb/latest/APIReference/API_Cluster.html names examples only).
	Status                 string
	Engine                 string // valkey (default) or redis
	EngineVersion          string
	NodeType               string
	MultiRegionClusterName string
	// Endpoint defaults to clustercfg.{name}.xxxxxx.memorydb.{region}.amazonaws.com.
	Endpoint string
	Port     int
	Shards   []MemoryDBShard
}

// MemoryDBShard is one shard of a MemoryDB cluster.
type MemoryDBShard struct {
	Name   string // default 0001, ...
	Status string // available (default)
	Slots  string
	Nodes  []MemoryDBNode
}

// MemoryDBNode is one node of a shard.
type MemoryDBNode struct {
	Name     string // e.g. my-cluster-0001-001
	Status   string // available (default)
	AZ       string
	Endpoint string
}

// MultiRegionCluster is a fake MemoryDB multi-Region cluster.
type MultiRegionCluster struct {
	Name     string
	Status   string // available (default), creating, updating, deleting
	Engine   string
	NodeType string
	Clusters []RegionalCluster
}

// RegionalCluster is one Region's member of a multi-Region cluster.
type RegionalCluster struct {
	ClusterName string
	Region      string
	Status      string
}

type memorydbState struct {
	clusters   map[string]*MemoryDBCluster
	order      []string
	multi      map[string]*MultiRegionCluster
	multiOrder []string
	events     []ServiceEvent
}

// AddMemoryDBCluster adds (or replaces) a MemoryDB cluster.
func (s *Server) AddMemoryDBCluster(cl MemoryDBCluster) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.memorydb
	if st.clusters == nil {
		st.clusters = map[string]*MemoryDBCluster{}
	}
	if cl.Status == "" {
		cl.Status = "available"
	}
	if cl.Engine == "" {
		cl.Engine = "valkey"
	}
	if cl.EngineVersion == "" {
		cl.EngineVersion = "7.2"
	}
	if cl.NodeType == "" {
		cl.NodeType = "db.r7g.large"
	}
	if cl.Port == 0 {
		cl.Port = 6379
	}
	if cl.Endpoint == "" {
		cl.Endpoint = fmt.Sprintf("clustercfg.%s.xxxxxx.memorydb.%s.amazonaws.com", cl.Name, s.Region)
	}
	cl.Shards = append([]MemoryDBShard(nil), cl.Shards...)
	for i := range cl.Shards {
		sh := &cl.Shards[i]
		if sh.Name == "" {
			sh.Name = fmt.Sprintf("%04d", i+1)
		}
		if sh.Status == "" {
			sh.Status = "available"
		}
		sh.Nodes = append([]MemoryDBNode(nil), sh.Nodes...)
		for j := range sh.Nodes {
			n := &sh.Nodes[j]
			if n.Name == "" {
				n.Name = fmt.Sprintf("%s-%s-%03d", cl.Name, sh.Name, j+1)
			}
			if n.Status == "" {
				n.Status = "available"
			}
			if n.AZ == "" {
				n.AZ = s.Region + string(rune('a'+j%3))
			}
			if n.Endpoint == "" {
				n.Endpoint = fmt.Sprintf("%s.%s.xxxxxx.memorydb.%s.amazonaws.com", n.Name, cl.Name, s.Region)
			}
		}
	}
	if _, ok := st.clusters[cl.Name]; !ok {
		st.order = append(st.order, cl.Name)
	}
	st.clusters[cl.Name] = &cl
}

// AddMultiRegionCluster adds (or replaces) a MemoryDB multi-Region cluster.
func (s *Server) AddMultiRegionCluster(m MultiRegionCluster) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.memorydb
	if st.multi == nil {
		st.multi = map[string]*MultiRegionCluster{}
	}
	if m.Status == "" {
		m.Status = "available"
	}
	if m.Engine == "" {
		m.Engine = "valkey"
	}
	m.Clusters = append([]RegionalCluster(nil), m.Clusters...)
	for i := range m.Clusters {
		if m.Clusters[i].Status == "" {
			m.Clusters[i].Status = "available"
		}
	}
	if _, ok := st.multi[m.Name]; !ok {
		st.multiOrder = append(st.multiOrder, m.Name)
	}
	st.multi[m.Name] = &m
}

// SetMemoryDBClusterStatus sets a cluster's status and, when shardStatus is not "", every shard's.
func (s *Server) SetMemoryDBClusterStatus(name, status, shardStatus string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cl := s.memorydb.clusters[name]; cl != nil {
		cl.Status = status
		if shardStatus != "" {
			for i := range cl.Shards {
				cl.Shards[i].Status = shardStatus
			}
		}
	}
}

// SetMultiRegionClusterStatus sets a multi-Region cluster's status.
func (s *Server) SetMultiRegionClusterStatus(name, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.memorydb.multi[name]; m != nil {
		m.Status = status
	}
}

func memorydbService() *service {
	return &service{protocol: protoJSON11, handle: mdbHandle}
}

func mdbHandle(s *Server, c *call) {
	switch c.op {
	case "DescribeClusters":
		mdbDescribeClusters(s, c)
	case "DescribeMultiRegionClusters":
		mdbDescribeMultiRegionClusters(s, c)
	case "DescribeEvents":
		mdbDescribeEvents(s, c)
	default:
		notImplemented(s, c)
	}
}

type mdbEndpointJSON struct {
	Address string `json:"Address"`
	Port    int    `json:"Port"`
}

type mdbNodeJSON struct {
	Name             string          `json:"Name"`
	Status           string          `json:"Status"`
	AvailabilityZone string          `json:"AvailabilityZone"`
	CreateTime       float64         `json:"CreateTime"`
	Endpoint         mdbEndpointJSON `json:"Endpoint"`
}

type mdbShardJSON struct {
	Name          string        `json:"Name"`
	Status        string        `json:"Status"`
	Slots         string        `json:"Slots,omitempty"`
	Nodes         []mdbNodeJSON `json:"Nodes"`
	NumberOfNodes int           `json:"NumberOfNodes"`
}

type mdbClusterJSON struct {
	Name                   string          `json:"Name"`
	Status                 string          `json:"Status"`
	MultiRegionClusterName string          `json:"MultiRegionClusterName,omitempty"`
	NumberOfShards         int             `json:"NumberOfShards"`
	Shards                 []mdbShardJSON  `json:"Shards,omitempty"`
	AvailabilityMode       string          `json:"AvailabilityMode"`
	ClusterEndpoint        mdbEndpointJSON `json:"ClusterEndpoint"`
	NodeType               string          `json:"NodeType"`
	Engine                 string          `json:"Engine"`
	EngineVersion          string          `json:"EngineVersion"`
	TLSEnabled             bool            `json:"TLSEnabled"`
	ARN                    string          `json:"ARN"`
}

type mdbEventJSON struct {
	SourceName string  `json:"SourceName"`
	SourceType string  `json:"SourceType"`
	Message    string  `json:"Message"`
	Date       float64 `json:"Date"`
}

func mdbEpoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

// mdbPage applies MaxResults/NextToken (an offset).
func mdbPage(c *call, n int, maxS *int, tok string) (from, to int, next string, ok bool) {
	if tok != "" {
		v, err := strconv.Atoi(tok)
		if err != nil || v < 0 || v > n {
			c.Fail(http.StatusBadRequest, "InvalidParameterValueException", "Invalid NextToken")
			return 0, 0, "", false
		}
		from = v
	}
	limit := 100
	if maxS != nil {
		if *maxS < 1 || *maxS > 100 {
			c.Fail(http.StatusBadRequest, "InvalidParameterValueException", "MaxResults must be between 1 and 100")
			return 0, 0, "", false
		}
		limit = *maxS
	}
	to = n
	if from+limit < n {
		to = from + limit
		next = strconv.Itoa(to)
	}
	return from, to, next, true
}

func mdbDescribeClusters(s *Server, c *call) {
	var in struct {
		ClusterName      string
		MaxResults       *int
		NextToken        string
		ShowShardDetails bool
	}
	if err := c.DecodeJSON(&in); err != nil {
		c.Fail(http.StatusBadRequest, "SerializationException", err.Error())
		return
	}
	st := &s.memorydb
	var list []*MemoryDBCluster
	if in.ClusterName != "" {
		cl := st.clusters[in.ClusterName]
		if cl == nil {
			c.Fail(http.StatusNotFound, "ClusterNotFoundFault", fmt.Sprintf("Cluster %s not found", in.ClusterName))
			return
		}
		list = []*MemoryDBCluster{cl}
	} else {
		for _, n := range st.order {
			list = append(list, st.clusters[n])
		}
	}
	from, to, next, ok := mdbPage(c, len(list), in.MaxResults, in.NextToken)
	if !ok {
		return
	}
	rows := []mdbClusterJSON{}
	for _, cl := range list[from:to] {
		x := mdbClusterJSON{Name: cl.Name, Status: cl.Status, MultiRegionClusterName: cl.MultiRegionClusterName, NumberOfShards: len(cl.Shards),
			AvailabilityMode: "singleaz", ClusterEndpoint: mdbEndpointJSON{cl.Endpoint, cl.Port}, NodeType: cl.NodeType, Engine: cl.Engine,
			EngineVersion: cl.EngineVersion, TLSEnabled: true, ARN: fmt.Sprintf("arn:aws:memorydb:%s:%s:cluster/%s", s.Region, s.AccountID, cl.Name)}
		for _, sh := range cl.Shards {
			if len(sh.Nodes) > 1 {
				x.AvailabilityMode = "multiaz"
			}
			if !in.ShowShardDetails {
				continue
			}
			sx := mdbShardJSON{Name: sh.Name, Status: sh.Status, Slots: sh.Slots, NumberOfNodes: len(sh.Nodes)}
			for _, n := range sh.Nodes {
				sx.Nodes = append(sx.Nodes, mdbNodeJSON{Name: n.Name, Status: n.Status, AvailabilityZone: n.AZ,
					CreateTime: mdbEpoch(c.now.Add(-24 * time.Hour)), Endpoint: mdbEndpointJSON{n.Endpoint, cl.Port}})
			}
			x.Shards = append(x.Shards, sx)
		}
		rows = append(rows, x)
	}
	mdbReply(c, "Clusters", rows, next)
}

// mdbReply writes a list reply with NextToken only when there is one.
func mdbReply(c *call, key string, rows any, next string) {
	out := map[string]any{key: rows}
	if next != "" {
		out["NextToken"] = next
	}
	c.JSON(out)
}

func mdbDescribeMultiRegionClusters(s *Server, c *call) {
	var in struct {
		MultiRegionClusterName string
		MaxResults             *int
		NextToken              string
		ShowClusterDetails     bool
	}
	if err := c.DecodeJSON(&in); err != nil {
		c.Fail(http.StatusBadRequest, "SerializationException", err.Error())
		return
	}
	st := &s.memorydb
	var list []*MultiRegionCluster
	if in.MultiRegionClusterName != "" {
		m := st.multi[in.MultiRegionClusterName]
		if m == nil {
			c.Fail(http.StatusNotFound, "MultiRegionClusterNotFoundFault", fmt.Sprintf("Multi-region cluster %s not found", in.MultiRegionClusterName))
			return
		}
		list = []*MultiRegionCluster{m}
	} else {
		for _, n := range st.multiOrder {
			list = append(list, st.multi[n])
		}
	}
	from, to, next, ok := mdbPage(c, len(list), in.MaxResults, in.NextToken)
	if !ok {
		return
	}
	rows := []map[string]any{}
	for _, m := range list[from:to] {
		x := map[string]any{
			"MultiRegionClusterName": m.Name, "Status": m.Status, "Engine": m.Engine, "NodeType": m.NodeType,
			"ARN": fmt.Sprintf("arn:aws:memorydb::%s:multiregioncluster/%s", s.AccountID, m.Name), "TLSEnabled": true,
		}
		if in.ShowClusterDetails {
			var cls []map[string]any
			for _, rc := range m.Clusters {
				cls = append(cls, map[string]any{"ClusterName": rc.ClusterName, "Region": rc.Region, "Status": rc.Status,
					"ARN": fmt.Sprintf("arn:aws:memorydb:%s:%s:cluster/%s", rc.Region, s.AccountID, rc.ClusterName)})
			}
			x["Clusters"] = cls
		}
		rows = append(rows, x)
	}
	mdbReply(c, "MultiRegionClusters", rows, next)
}

func mdbDescribeEvents(s *Server, c *call) {
	var in struct {
		SourceName string
		SourceType string
		StartTime  *float64
		EndTime    *float64
		Duration   *int
		MaxResults *int
		NextToken  string
	}
	if err := c.DecodeJSON(&in); err != nil {
		c.Fail(http.StatusBadRequest, "SerializationException", err.Error())
		return
	}
	fmtF := func(f *float64) string {
		if f == nil {
			return ""
		}
		return strconv.FormatFloat(*f, 'f', -1, 64)
	}
	dur := ""
	if in.Duration != nil {
		dur = strconv.Itoa(*in.Duration)
	}
	start, end, err := serviceEventWindow(c.now, fmtF(in.StartTime), fmtF(in.EndTime), dur)
	if err != nil {
		c.Fail(http.StatusBadRequest, "InvalidParameterValueException", err.Error())
		return
	}
	// https://docs.aws.amazon.com/memorydb/latest/APIReference/API_DescribeEvents.html: "you can
	// retrieve up to 14 days' worth of events"; no SourceName means all sources.
	if start.Before(c.now.Add(-14 * 24 * time.Hour)) {
		start = c.now.Add(-14 * 24 * time.Hour)
	}
	evs := selectServiceEvents(s.memorydb.events, in.SourceType, in.SourceName, start, end, true)
	from, to, next, ok := mdbPage(c, len(evs), in.MaxResults, in.NextToken)
	if !ok {
		return
	}
	rows := []mdbEventJSON{}
	for _, e := range evs[from:to] {
		rows = append(rows, mdbEventJSON{SourceName: e.SourceID, SourceType: e.SourceType, Message: e.Message, Date: mdbEpoch(e.Time)})
	}
	mdbReply(c, "Events", rows, next)
}
