package awstest

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"time"
)

// EKSCluster is a seeded EKS cluster.
type EKSCluster struct {
	Name     string
	Arn      string // default arn:aws:eks:{region}:{account}:cluster/{name}
	Endpoint string
	CAData   []byte // PEM of the cluster CA (served base64-encoded, as EKS does)
	// Status: ACTIVE (default), CREATING, UPDATING, DELETING, FAILED, PENDING
	// (https://docs.aws.amazon.com/eks/latest/APIReference/API_Cluster.html).
	Status  string
	Version string // default 1.31
	// LoggingTypes are the enabled control plane log types (api, audit, authenticator, controllerManager, scheduler).
	LoggingTypes []string
	RoleArn      string
	CreatedAt    time.Time
	Tags         map[string]string
}

// EKSNodegroup is a seeded managed node group.
type EKSNodegroup struct {
	Cluster string
	Name    string
	Arn     string // default arn:aws:eks:{region}:{account}:nodegroup/{cluster}/{name}/{uuid}
	Status  string // default ACTIVE
	// Issues are the node group's health issues.
	Issues            []EKSIssue
	MinSize, MaxSize  int
	DesiredSize       int
	AutoScalingGroups []string
	Subnets           []string
	InstanceTypes     []string
	Version           string
	CreatedAt         time.Time
	ModifiedAt        time.Time
	Tags              map[string]string
}

// EKSIssue is a node group health issue.
type EKSIssue struct {
	Code        string // e.g. AsgInstanceLaunchFailures, NodeCreationFailure, Ec2SubnetInvalidConfiguration
	Message     string
	ResourceIDs []string
}

type eksState struct {
	clusters   map[string]*EKSCluster
	nodegroups map[string]map[string]*EKSNodegroup // cluster → name → node group
	// accessEntries are each cluster's access entry principal ARNs (eks_access.go); nil means the caller's.
	accessEntries map[string][]string
}

func eksService() *service {
	return &service{
		protocol: protoRestJSON,
		route: restRouter(
			restRoute{"GET", "/clusters", "ListClusters"},
			restRoute{"GET", "/clusters/{name}", "DescribeCluster"},
			restRoute{"GET", "/clusters/{name}/node-groups", "ListNodegroups"},
			restRoute{"GET", "/clusters/{name}/node-groups/{nodegroupName}", "DescribeNodegroup"},
			restRoute{"GET", "/clusters/{name}/access-entries", "ListAccessEntries"},
		),
		handle: handleEKS,
	}
}

// AddEKSCluster seeds (or replaces) an EKS cluster.
func (s *Server) AddEKSCluster(c EKSCluster) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.Arn == "" {
		c.Arn = fmt.Sprintf("arn:aws:eks:%s:%s:cluster/%s", s.Region, s.AccountID, c.Name)
	}
	if c.Status == "" {
		c.Status = "ACTIVE"
	}
	if c.Version == "" {
		c.Version = "1.31"
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = s.clock.Now()
	}
	if s.eks.clusters == nil {
		s.eks.clusters = map[string]*EKSCluster{}
	}
	cc := c
	s.eks.clusters[c.Name] = &cc
	s.tagResource(c.Arn, c.Tags)
}

// SetEKSClusterStatus changes a cluster's status (CREATING, ACTIVE, DELETING, FAILED, UPDATING, PENDING).
func (s *Server) SetEKSClusterStatus(name, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.eks.clusters[name]; c != nil {
		c.Status = status
	}
}

// RemoveEKSCluster deletes a cluster and its node groups.
func (s *Server) RemoveEKSCluster(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.eks.clusters, name)
	delete(s.eks.nodegroups, name)
}

// AddNodegroup seeds (or replaces) a managed node group of a cluster.
func (s *Server) AddNodegroup(n EKSNodegroup) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n.Arn == "" {
		n.Arn = fmt.Sprintf("arn:aws:eks:%s:%s:nodegroup/%s/%s/%s", s.Region, s.AccountID, n.Cluster, n.Name, rjUUID(n.Cluster+"/"+n.Name))
	}
	if n.Status == "" {
		n.Status = "ACTIVE"
	}
	if n.CreatedAt.IsZero() {
		n.CreatedAt = s.clock.Now()
	}
	if n.ModifiedAt.IsZero() {
		n.ModifiedAt = n.CreatedAt
	}
	if s.eks.nodegroups == nil {
		s.eks.nodegroups = map[string]map[string]*EKSNodegroup{}
	}
	if s.eks.nodegroups[n.Cluster] == nil {
		s.eks.nodegroups[n.Cluster] = map[string]*EKSNodegroup{}
	}
	nn := n
	s.eks.nodegroups[n.Cluster][n.Name] = &nn
	s.tagResource(n.Arn, n.Tags)
}

// NodegroupArn returns the ARN of a seeded node group ("" when unknown).
func (s *Server) NodegroupArn(cluster, name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := s.eks.nodegroups[cluster][name]; n != nil {
		return n.Arn
	}
	return ""
}

// SetNodegroupStatus changes a node group's status (ACTIVE, DEGRADED, UPDATING, CREATING, DELETING, ...).
func (s *Server) SetNodegroupStatus(cluster, name, status string) {
	s.change(func(time.Time) { s.setNodegroupStatus(cluster, name, status) })
}

// setNodegroupStatus is SetNodegroupStatus with the lock held (for s.At scenarios).
func (s *Server) setNodegroupStatus(cluster, name, status string) {
	if n := s.eks.nodegroups[cluster][name]; n != nil {
		n.Status = status
		n.ModifiedAt = s.clock.Now()
	}
}

// SetNodegroupHealth replaces a node group's health issues (none: healthy).
func (s *Server) SetNodegroupHealth(cluster, name string, issues ...EKSIssue) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := s.eks.nodegroups[cluster][name]; n != nil {
		n.Issues = append([]EKSIssue(nil), issues...)
		n.ModifiedAt = s.clock.Now()
	}
}

func handleEKS(s *Server, c *call) {
	switch c.op {
	case "ListClusters":
		names := make([]string, 0, len(s.eks.clusters))
		for n := range s.eks.clusters {
			names = append(names, n)
		}
		page, next, ok := rjPage(c, names, 100)
		if !ok {
			return
		}
		c.JSON(map[string]any{"clusters": page, "nextToken": rjNilIfEmpty(next)})
	case "DescribeCluster":
		cl := s.eks.clusters[c.Param("name")]
		if cl == nil {
			c.Fail(http.StatusNotFound, "ResourceNotFoundException", fmt.Sprintf("No cluster found for name: %s.", c.Param("name")))
			return
		}
		c.JSON(map[string]any{"cluster": eksClusterJSON(cl)})
	case "ListNodegroups":
		name := c.Param("name")
		if s.eks.clusters[name] == nil {
			c.Fail(http.StatusNotFound, "ResourceNotFoundException", fmt.Sprintf("No cluster found for name: %s.", name))
			return
		}
		var names []string
		for n := range s.eks.nodegroups[name] {
			names = append(names, n)
		}
		page, next, ok := rjPage(c, names, 100)
		if !ok {
			return
		}
		c.JSON(map[string]any{"nodegroups": page, "nextToken": rjNilIfEmpty(next)})
	case "DescribeNodegroup":
		name, ng := c.Param("name"), c.Param("nodegroupName")
		n := s.eks.nodegroups[name][ng]
		if n == nil || s.eks.clusters[name] == nil {
			c.Fail(http.StatusNotFound, "ResourceNotFoundException", fmt.Sprintf("No node group found for name: %s.", ng))
			return
		}
		c.JSON(map[string]any{"nodegroup": eksNodegroupJSON(n)})
	case "ListAccessEntries":
		eksListAccessEntries(s, c)
	default:
		notImplemented(s, c)
	}
}

func eksClusterJSON(cl *EKSCluster) map[string]any {
	logging := []map[string]any{}
	if len(cl.LoggingTypes) > 0 {
		logging = append(logging, map[string]any{"types": cl.LoggingTypes, "enabled": true})
	}
	all := []string{"api", "audit", "authenticator", "controllerManager", "scheduler"}
	var off []string
	for _, t := range all {
		if !rjContains(cl.LoggingTypes, t) {
			off = append(off, t)
		}
	}
	if len(off) > 0 {
		logging = append(logging, map[string]any{"types": off, "enabled": false})
	}
	m := map[string]any{
		"name":      cl.Name,
		"arn":       cl.Arn,
		"createdAt": rjEpoch(cl.CreatedAt),
		"version":   cl.Version,
		"status":    cl.Status,
		"logging":   map[string]any{"clusterLogging": logging},
		"tags":      cl.Tags,
	}
	if cl.Endpoint != "" {
		m["endpoint"] = cl.Endpoint
	}
	if cl.RoleArn != "" {
		m["roleArn"] = cl.RoleArn
	}
	if len(cl.CAData) > 0 {
		m["certificateAuthority"] = map[string]any{"data": base64.StdEncoding.EncodeToString(cl.CAData)}
	}
	return m
}

func eksNodegroupJSON(n *EKSNodegroup) map[string]any {
	issues := []map[string]any{}
	for _, is := range n.Issues {
		issues = append(issues, map[string]any{"code": is.Code, "message": is.Message, "resourceIds": is.ResourceIDs})
	}
	asgs := []map[string]any{}
	for _, a := range n.AutoScalingGroups {
		asgs = append(asgs, map[string]any{"name": a})
	}
	return map[string]any{
		"nodegroupName": n.Name,
		"nodegroupArn":  n.Arn,
		"clusterName":   n.Cluster,
		"version":       n.Version,
		"createdAt":     rjEpoch(n.CreatedAt),
		"modifiedAt":    rjEpoch(n.ModifiedAt),
		"status":        n.Status,
		"capacityType":  "ON_DEMAND",
		"scalingConfig": map[string]any{"minSize": n.MinSize, "maxSize": n.MaxSize, "desiredSize": n.DesiredSize},
		"instanceTypes": n.InstanceTypes,
		"subnets":       n.Subnets,
		"resources":     map[string]any{"autoScalingGroups": asgs},
		"health":        map[string]any{"issues": issues},
		"tags":          n.Tags,
	}
}

// rjPage pages sorted names by the maxResults/nextToken query parameters (restJson list calls).
// It writes an InvalidParameterException and returns ok=false on a bad token or size.
func rjPage(c *call, names []string, defaultMax int) (page []string, next string, ok bool) {
	sort.Strings(names)
	limit := defaultMax
	if v := c.Query("maxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			c.Fail(http.StatusBadRequest, "InvalidParameterException", "maxResults must be between 1 and 100")
			return nil, "", false
		}
		limit = n
	}
	off := 0
	if t := c.Query("nextToken"); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil || n < 0 || n > len(names) {
			c.Fail(http.StatusBadRequest, "InvalidParameterException", "The nextToken is invalid.")
			return nil, "", false
		}
		off = n
	}
	end := min(off+limit, len(names))
	page = append([]string{}, names[off:end]...)
	if end < len(names) {
		next = strconv.Itoa(end)
	}
	return page, next, true
}

func rjNilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// rjEpoch renders a restJson default timestamp (epoch seconds, fractional).
func rjEpoch(t time.Time) float64 {
	return float64(t.UnixMilli()) / 1000
}

func rjContains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// rjUUID derives a stable UUID-shaped string from a seed.
func rjUUID(seed string) string {
	var h uint64 = 14695981039346656037
	for i := 0; i < len(seed); i++ {
		h ^= uint64(seed[i])
		h *= 1099511628211
	}
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", uint32(h>>32), uint16(h>>16), uint16(h), uint16(h>>48), h&0xffffffffffff)
}
