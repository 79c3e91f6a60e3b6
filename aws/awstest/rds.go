package awstest

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// DBCluster is a fake RDS/Aurora (or DocumentDB, Engine "docdb") cluster.
type DBCluster struct {
	ID            string
	Engine        string // aurora-postgresql (default), aurora-mysql, docdb, ...
	EngineVersion string
	// Status: any documented DB cluster status, e.g. available, backing-up, storage-optimization, failing-over,
	// modifying, stopped (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/accessing-monitoring.html#Overview.DBCluster.Status).
	Status         string
	Endpoint       string // default {id}.cluster-c1a2b3c4d5e6.{region}.rds.amazonaws.com (docdb.amazonaws.com for docdb)
	ReaderEndpoint string
	Port           int
	MultiAZ        bool
	Members        []DBClusterMember
	// LogExports are the EnabledCloudwatchLogsExports (e.g. "postgresql", "error", "audit").
	LogExports      []string
	CustomEndpoints []DBClusterEndpoint
	Tags            map[string]string
}

// DBClusterMember is one member instance; AddDBCluster creates its DB instance.
type DBClusterMember struct {
	InstanceID    string
	Writer        bool
	AZ            string
	Status        string // the member DB instance's status (default available)
	InstanceClass string
}

// DBClusterEndpoint is a custom cluster endpoint.
type DBClusterEndpoint struct {
	ID string
	// Endpoint defaults to {id}.cluster-custom-c1a2b3c4d5e6.{region}.rds.amazonaws.com.
	Endpoint      string
	CustomType    string // READER or ANY
	StaticMembers []string
	Status        string
}

// DBInstance is a fake RDS DB instance (standalone or an Aurora/DocumentDB cluster member).
type DBInstance struct {
	ID        string
	ClusterID string
	Engine    string // postgres (default), mysql, aurora-postgresql, docdb, ...
	Class     string
	// Status: any documented DB instance status, e.g. available, backing-up, configuring-enhanced-monitoring,
	// storage-optimization, rebooting, modifying, stopped, storage-full
	// (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/accessing-monitoring.html#Overview.DBInstance.Status).
	Status      string
	AZ          string
	SecondaryAZ string
	MultiAZ     bool
	Address     string // default {id}.c1a2b3c4d5e6.{region}.rds.amazonaws.com
	Port        int
	LogExports  []string
	Tags        map[string]string
}

// ServiceEvent is one entry of an RDS, ElastiCache or MemoryDB DescribeEvents history.
type ServiceEvent struct {
	// Service: "rds" (also DocumentDB), "elasticache" or "memorydb".
	Service string
	// SourceType: db-cluster, db-instance (rds); replication-group, cache-cluster (elasticache);
	// cluster, node (memorydb).
	SourceType string
	SourceID   string
	Time       time.Time
	Message    string
	Categories []string
}

type rdsState struct {
	clusters      map[string]*DBCluster
	clusterOrder  []string
	instances     map[string]*DBInstance
	instanceOrder []string
	events        []ServiceEvent
}

const rdsHostSuffix = "c1a2b3c4d5e6"

func rdsDomain(engine, region string) string {
	if engine == "docdb" {
		return region + ".docdb.amazonaws.com"
	}
	return region + ".rds.amazonaws.com"
}

func rdsDefaultPort(engine string) int {
	switch {
	case engine == "docdb":
		return 27017
	case strings.Contains(engine, "mysql"), engine == "mariadb":
		return 3306
	case strings.Contains(engine, "sqlserver"):
		return 1433
	case strings.Contains(engine, "oracle"):
		return 1521
	}
	return 5432
}

// AddDBCluster adds (or replaces) a cluster and creates its member DB instances.
func (s *Server) AddDBCluster(cl DBCluster) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.rds
	if st.clusters == nil {
		st.clusters = map[string]*DBCluster{}
	}
	if cl.Engine == "" {
		cl.Engine = "aurora-postgresql"
	}
	if cl.EngineVersion == "" {
		cl.EngineVersion = map[string]string{"docdb": "5.0.0", "aurora-mysql": "8.0.mysql_aurora.3.05.2"}[cl.Engine]
		if cl.EngineVersion == "" {
			cl.EngineVersion = "16.4"
		}
	}
	if cl.Status == "" {
		cl.Status = "available"
	}
	if cl.Port == 0 {
		cl.Port = rdsDefaultPort(cl.Engine)
	}
	dom := rdsDomain(cl.Engine, s.Region)
	if cl.Endpoint == "" {
		cl.Endpoint = fmt.Sprintf("%s.cluster-%s.%s", cl.ID, rdsHostSuffix, dom)
	}
	if cl.ReaderEndpoint == "" {
		cl.ReaderEndpoint = fmt.Sprintf("%s.cluster-ro-%s.%s", cl.ID, rdsHostSuffix, dom)
	}
	cl.Members = append([]DBClusterMember(nil), cl.Members...)
	azs := map[string]bool{}
	for i := range cl.Members {
		m := &cl.Members[i]
		if m.AZ == "" {
			m.AZ = s.Region + string(rune('a'+i%3))
		}
		azs[m.AZ] = true
		if m.Status == "" {
			m.Status = "available"
		}
		class := m.InstanceClass
		if class == "" {
			class = "db.r6g.large"
		}
		s.addDBInstanceLocked(DBInstance{ID: m.InstanceID, ClusterID: cl.ID, Engine: cl.Engine, Class: class, Status: m.Status, AZ: m.AZ, Port: cl.Port})
	}
	if len(azs) > 1 {
		cl.MultiAZ = true
	}
	cl.CustomEndpoints = append([]DBClusterEndpoint(nil), cl.CustomEndpoints...)
	for i := range cl.CustomEndpoints {
		e := &cl.CustomEndpoints[i]
		if e.Endpoint == "" {
			e.Endpoint = fmt.Sprintf("%s.cluster-custom-%s.%s", e.ID, rdsHostSuffix, dom)
		}
		if e.CustomType == "" {
			e.CustomType = "ANY"
		}
		if e.Status == "" {
			e.Status = "available"
		}
	}
	if _, ok := st.clusters[cl.ID]; !ok {
		st.clusterOrder = append(st.clusterOrder, cl.ID)
	}
	st.clusters[cl.ID] = &cl
	if len(cl.Tags) > 0 {
		s.tagResource(fmt.Sprintf("arn:aws:rds:%s:%s:cluster:%s", s.Region, s.AccountID, cl.ID), cl.Tags)
	}
}

// AddDBInstance adds (or replaces) a DB instance.
func (s *Server) AddDBInstance(in DBInstance) {
	s.change(func(time.Time) { s.addDBInstanceLocked(in) })
}

func (s *Server) addDBInstanceLocked(in DBInstance) {
	st := &s.rds
	if st.instances == nil {
		st.instances = map[string]*DBInstance{}
	}
	if in.Engine == "" {
		in.Engine = "postgres"
	}
	if in.Class == "" {
		in.Class = "db.m6g.large"
	}
	if in.Status == "" {
		in.Status = "available"
	}
	if in.AZ == "" {
		in.AZ = s.Region + "a"
	}
	if in.Port == 0 {
		in.Port = rdsDefaultPort(in.Engine)
	}
	if in.Address == "" {
		in.Address = fmt.Sprintf("%s.%s.%s", in.ID, rdsHostSuffix, rdsDomain(in.Engine, s.Region))
	}
	if _, ok := st.instances[in.ID]; !ok {
		st.instanceOrder = append(st.instanceOrder, in.ID)
	}
	st.instances[in.ID] = &in
	if len(in.Tags) > 0 {
		s.tagResource(fmt.Sprintf("arn:aws:rds:%s:%s:db:%s", s.Region, s.AccountID, in.ID), in.Tags)
	}
}

// SetDBClusterStatus sets a cluster's status.
func (s *Server) SetDBClusterStatus(id, status string) {
	s.change(func(time.Time) { s.setDBClusterStatusLocked(id, status) })
}

// SetDBClusterStatusAt schedules SetDBClusterStatus at simulation time t.
func (s *Server) SetDBClusterStatusAt(t time.Time, id, status string) {
	s.changeAt(t, func(time.Time) { s.setDBClusterStatusLocked(id, status) })
}

func (s *Server) setDBClusterStatusLocked(id, status string) {
	if cl := s.rds.clusters[id]; cl != nil {
		cl.Status = status
	}
}

// SetDBInstanceStatus sets a DB instance's status.
func (s *Server) SetDBInstanceStatus(id, status string) {
	s.change(func(time.Time) { s.setDBInstanceStatusLocked(id, status) })
}

// SetDBInstanceStatusAt schedules SetDBInstanceStatus at simulation time t.
func (s *Server) SetDBInstanceStatusAt(t time.Time, id, status string) {
	s.changeAt(t, func(time.Time) { s.setDBInstanceStatusLocked(id, status) })
}

func (s *Server) setDBInstanceStatusLocked(id, status string) {
	if in := s.rds.instances[id]; in != nil {
		in.Status = status
	}
}

// SetDBClusterWriter makes instanceID the cluster's writer ("" leaves the cluster without one).
func (s *Server) SetDBClusterWriter(clusterID, instanceID string) {
	s.change(func(time.Time) { s.setDBClusterWriterLocked(clusterID, instanceID) })
}

func (s *Server) setDBClusterWriterLocked(clusterID, instanceID string) {
	cl := s.rds.clusters[clusterID]
	if cl == nil {
		return
	}
	for i := range cl.Members {
		cl.Members[i].Writer = cl.Members[i].InstanceID == instanceID
	}
}

// SetDBClusterLogExports replaces a cluster's EnabledCloudwatchLogsExports.
func (s *Server) SetDBClusterLogExports(id string, types ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cl := s.rds.clusters[id]; cl != nil {
		cl.LogExports = append([]string(nil), types...)
	}
}

// AddServiceEvent records an event in the RDS, ElastiCache or MemoryDB DescribeEvents history.
func (s *Server) AddServiceEvent(e ServiceEvent) {
	s.change(func(time.Time) { s.addServiceEventLocked(e) })
}

func (s *Server) addServiceEventLocked(e ServiceEvent) {
	if e.Time.IsZero() {
		e.Time = s.clock.Now()
	}
	switch e.Service {
	case "elasticache":
		s.elasticache.events = append(s.elasticache.events, e)
	case "memorydb":
		s.memorydb.events = append(s.memorydb.events, e)
	default:
		e.Service = "rds"
		s.rds.events = append(s.rds.events, e)
	}
}

// ScriptAuroraFailover scripts a writer failover of clusterID starting at start and
// lasting d: the cluster goes failing-over, the writer moves to a reader (in another AZ
// when there is one), the old writer restarts as a reader, and the db-cluster and
// db-instance events RDS emits are recorded at their times. Call without holding the lock.
func (s *Server) ScriptAuroraFailover(clusterID string, start time.Time, d time.Duration) {
	s.mu.Lock()
	cl := s.rds.clusters[clusterID]
	var oldWriter, target string
	var oldAZ string
	if cl != nil {
		for _, m := range cl.Members {
			if m.Writer {
				oldWriter, oldAZ = m.InstanceID, m.AZ
			}
		}
		for _, m := range cl.Members {
			if m.InstanceID != oldWriter && m.AZ != oldAZ {
				target = m.InstanceID
				break
			}
		}
		if target == "" {
			for _, m := range cl.Members {
				if m.InstanceID != oldWriter {
					target = m.InstanceID
					break
				}
			}
		}
	}
	s.mu.Unlock()
	if cl == nil || target == "" {
		return
	}
	ev := func(t time.Time, typ, id, msg string, cats ...string) {
		s.At(t, func() {
			s.addServiceEventLocked(ServiceEvent{Service: "rds", SourceType: typ, SourceID: id, Time: t, Message: msg, Categories: cats})
		})
	}
	setCl := func(t time.Time, status string) { s.SetDBClusterStatusAt(t, clusterID, status) }
	setIn := s.SetDBInstanceStatusAt
	cross := "Started cross AZ failover to DB instance: " + target
	if oldAZ == "" {
		cross = "Started same AZ failover to DB instance: " + target
	}
	setCl(start, "failing-over")
	ev(start, "db-cluster", clusterID, cross, "failover")
	mid := start.Add(d / 2)
	s.At(mid, func() { s.setDBClusterWriterLocked(clusterID, target) })
	if oldWriter != "" {
		setIn(mid, oldWriter, "rebooting")
		ev(mid, "db-instance", oldWriter, "A new writer was promoted. Restarting database as a reader.", "availability")
		setIn(start.Add(d*3/4), oldWriter, "available")
		ev(start.Add(d*3/4), "db-instance", oldWriter, "DB instance restarted", "availability")
	}
	setCl(start.Add(d), "available")
	ev(start.Add(d), "db-cluster", clusterID, "Completed failover to DB instance: "+target, "failover")
}

func rdsService() *service {
	return &service{protocol: protoQuery, xmlns: "http://rds.amazonaws.com/doc/2014-10-31/", handle: rdsHandle}
}

func rdsHandle(s *Server, c *call) {
	switch c.op {
	case "DescribeDBClusters":
		rdsDescribeDBClusters(s, c)
	case "DescribeDBInstances":
		rdsDescribeDBInstances(s, c)
	case "DescribeDBClusterEndpoints":
		rdsDescribeDBClusterEndpoints(s, c)
	case "DescribeEvents":
		rdsDescribeEvents(s, c)
	default:
		notImplemented(s, c)
	}
}

func rdsTimestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// rdsFilters reads awsQuery filters: Filters.Filter.N.Name / Filters.Filter.N.Values.Value.M.
func rdsFilters(c *call) map[string][]string {
	out := map[string][]string{}
	for i := 1; ; i++ {
		name := c.Form(fmt.Sprintf("Filters.Filter.%d.Name", i))
		if name == "" {
			name = c.Form(fmt.Sprintf("Filters.member.%d.Name", i))
		}
		if name == "" {
			return out
		}
		for j := 1; ; j++ {
			v, ok := c.form[fmt.Sprintf("Filters.Filter.%d.Values.Value.%d", i, j)]
			if !ok {
				v, ok = c.form[fmt.Sprintf("Filters.member.%d.Values.member.%d", i, j)]
			}
			if !ok {
				break
			}
			out[name] = append(out[name], v[0])
		}
	}
}

func rdsFilterOK(filters map[string][]string, attrs map[string][]string) bool {
	for name, values := range filters {
		have, modelled := attrs[name]
		if !modelled {
			continue
		}
		match := false
		for _, v := range values {
			for _, h := range have {
				if v == h {
					match = true
				}
			}
		}
		if !match {
			return false
		}
	}
	return true
}

// rdsPage applies MaxRecords (20..100, default 100) and Marker (an offset).
func rdsPage(c *call, n int) (from, to int, marker string, ok bool) {
	if m := c.Form("Marker"); m != "" {
		v, err := strconv.Atoi(strings.TrimPrefix(m, "mk-"))
		if err != nil || !strings.HasPrefix(m, "mk-") || v < 0 || v > n {
			c.Fail(http.StatusBadRequest, "InvalidParameterValue", "Invalid marker: "+m)
			return 0, 0, "", false
		}
		from = v
	}
	limit := 100
	if mr := c.Form("MaxRecords"); mr != "" {
		v, err := strconv.Atoi(mr)
		if err != nil || v < 20 || v > 100 {
			c.Fail(http.StatusBadRequest, "InvalidParameterValue", "Invalid value for MaxRecords: must be between 20 and 100")
			return 0, 0, "", false
		}
		limit = v
	}
	to = n
	if from+limit < n {
		to = from + limit
		marker = fmt.Sprintf("mk-%d", to)
	}
	return from, to, marker, true
}

// rdsIdentifier accepts an identifier or an ARN (…:cluster:id / …:db:id).
func rdsIdentifier(v string) string {
	if strings.HasPrefix(v, "arn:") {
		if i := strings.LastIndexByte(v, ':'); i >= 0 {
			return v[i+1:]
		}
	}
	return v
}

type rdsClusterMemberXML struct {
	DBInstanceIdentifier          string `xml:"DBInstanceIdentifier"`
	IsClusterWriter               bool   `xml:"IsClusterWriter"`
	DBClusterParameterGroupStatus string `xml:"DBClusterParameterGroupStatus"`
	PromotionTier                 int    `xml:"PromotionTier"`
}

type rdsTagXML struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type rdsClusterXML struct {
	DBClusterIdentifier          string                `xml:"DBClusterIdentifier"`
	DBClusterArn                 string                `xml:"DBClusterArn"`
	AvailabilityZones            []string              `xml:"AvailabilityZones>AvailabilityZone"`
	Status                       string                `xml:"Status"`
	Endpoint                     string                `xml:"Endpoint"`
	ReaderEndpoint               string                `xml:"ReaderEndpoint"`
	CustomEndpoints              []string              `xml:"CustomEndpoints>member,omitempty"`
	MultiAZ                      bool                  `xml:"MultiAZ"`
	Engine                       string                `xml:"Engine"`
	EngineVersion                string                `xml:"EngineVersion"`
	Port                         int                   `xml:"Port"`
	DBClusterMembers             []rdsClusterMemberXML `xml:"DBClusterMembers>DBClusterMember"`
	HostedZoneID                 string                `xml:"HostedZoneId"`
	StorageEncrypted             bool                  `xml:"StorageEncrypted"`
	DbClusterResourceID          string                `xml:"DbClusterResourceId"`
	EnabledCloudwatchLogsExports []string              `xml:"EnabledCloudwatchLogsExports>member,omitempty"`
	EngineMode                   string                `xml:"EngineMode,omitempty"`
	TagList                      []rdsTagXML           `xml:"TagList>Tag,omitempty"`
}

type rdsEndpointXML struct {
	Address      string `xml:"Address"`
	Port         int    `xml:"Port"`
	HostedZoneID string `xml:"HostedZoneId"`
}

type rdsInstanceXML struct {
	DBInstanceIdentifier         string          `xml:"DBInstanceIdentifier"`
	DBInstanceClass              string          `xml:"DBInstanceClass"`
	Engine                       string          `xml:"Engine"`
	DBInstanceStatus             string          `xml:"DBInstanceStatus"`
	Endpoint                     *rdsEndpointXML `xml:"Endpoint,omitempty"`
	AvailabilityZone             string          `xml:"AvailabilityZone"`
	SecondaryAvailabilityZone    string          `xml:"SecondaryAvailabilityZone,omitempty"`
	MultiAZ                      bool            `xml:"MultiAZ"`
	DBClusterIdentifier          string          `xml:"DBClusterIdentifier,omitempty"`
	DBInstanceArn                string          `xml:"DBInstanceArn"`
	DbInstancePort               int             `xml:"DbInstancePort"`
	DbiResourceID                string          `xml:"DbiResourceId"`
	EnabledCloudwatchLogsExports []string        `xml:"EnabledCloudwatchLogsExports>member,omitempty"`
	PubliclyAccessible           bool            `xml:"PubliclyAccessible"`
	TagList                      []rdsTagXML     `xml:"TagList>Tag,omitempty"`
}

type rdsClusterEndpointXML struct {
	DBClusterEndpointIdentifier string   `xml:"DBClusterEndpointIdentifier,omitempty"`
	DBClusterIdentifier         string   `xml:"DBClusterIdentifier"`
	Endpoint                    string   `xml:"Endpoint"`
	Status                      string   `xml:"Status"`
	EndpointType                string   `xml:"EndpointType"`
	CustomEndpointType          string   `xml:"CustomEndpointType,omitempty"`
	StaticMembers               []string `xml:"StaticMembers>member,omitempty"`
	DBClusterEndpointArn        string   `xml:"DBClusterEndpointArn,omitempty"`
}

type rdsEventXML struct {
	SourceIdentifier string   `xml:"SourceIdentifier"`
	SourceType       string   `xml:"SourceType"`
	Message          string   `xml:"Message"`
	EventCategories  []string `xml:"EventCategories>EventCategory"`
	Date             string   `xml:"Date"`
	SourceArn        string   `xml:"SourceArn"`
}

func rdsTags(m map[string]string) []rdsTagXML {
	var out []rdsTagXML
	for _, t := range ec2Tags(m) {
		out = append(out, rdsTagXML(t))
	}
	return out
}

func (s *Server) rdsClusterXML(cl *DBCluster) rdsClusterXML {
	x := rdsClusterXML{
		DBClusterIdentifier: cl.ID,
		DBClusterArn:        fmt.Sprintf("arn:aws:rds:%s:%s:cluster:%s", s.Region, s.AccountID, cl.ID),
		Status:              cl.Status, Endpoint: cl.Endpoint, ReaderEndpoint: cl.ReaderEndpoint, MultiAZ: cl.MultiAZ,
		Engine: cl.Engine, EngineVersion: cl.EngineVersion, Port: cl.Port, HostedZoneID: "Z2R2ITUGPM61AM",
		StorageEncrypted: true, DbClusterResourceID: "cluster-" + strings.ToUpper(cl.ID),
		EnabledCloudwatchLogsExports: cl.LogExports, TagList: rdsTags(cl.Tags),
	}
	if cl.Engine != "docdb" {
		x.EngineMode = "provisioned"
	}
	seen := map[string]bool{}
	for i, m := range cl.Members {
		x.DBClusterMembers = append(x.DBClusterMembers, rdsClusterMemberXML{DBInstanceIdentifier: m.InstanceID, IsClusterWriter: m.Writer, DBClusterParameterGroupStatus: "in-sync", PromotionTier: 1 + i%15})
		if !seen[m.AZ] {
			seen[m.AZ] = true
			x.AvailabilityZones = append(x.AvailabilityZones, m.AZ)
		}
	}
	for _, e := range cl.CustomEndpoints {
		x.CustomEndpoints = append(x.CustomEndpoints, e.Endpoint)
	}
	return x
}

func rdsDescribeDBClusters(s *Server, c *call) {
	st := &s.rds
	var list []*DBCluster
	if id := c.Form("DBClusterIdentifier"); id != "" {
		cl := st.clusters[rdsIdentifier(id)]
		if cl == nil {
			c.Fail(http.StatusNotFound, "DBClusterNotFoundFault", fmt.Sprintf("DBCluster %s not found.", rdsIdentifier(id)))
			return
		}
		list = []*DBCluster{cl}
	} else {
		for _, id := range st.clusterOrder {
			list = append(list, st.clusters[id])
		}
	}
	filters := rdsFilters(c)
	if ids := filters["db-cluster-id"]; len(ids) > 0 {
		for i := range ids {
			ids[i] = rdsIdentifier(ids[i])
		}
	}
	var rows []rdsClusterXML
	for _, cl := range list {
		if !rdsFilterOK(filters, map[string][]string{"db-cluster-id": {cl.ID}, "engine": {cl.Engine}}) {
			continue
		}
		rows = append(rows, s.rdsClusterXML(cl))
	}
	from, to, marker, ok := rdsPage(c, len(rows))
	if !ok {
		return
	}
	c.XML(struct {
		Marker     string          `xml:"Marker,omitempty"`
		DBClusters []rdsClusterXML `xml:"DBClusters>DBCluster"`
	}{marker, rows[from:to]})
}

func (s *Server) rdsInstanceXML(in *DBInstance) rdsInstanceXML {
	x := rdsInstanceXML{
		DBInstanceIdentifier: in.ID, DBInstanceClass: in.Class, Engine: in.Engine, DBInstanceStatus: in.Status,
		AvailabilityZone: in.AZ, SecondaryAvailabilityZone: in.SecondaryAZ, MultiAZ: in.MultiAZ, DBClusterIdentifier: in.ClusterID,
		DBInstanceArn: fmt.Sprintf("arn:aws:rds:%s:%s:db:%s", s.Region, s.AccountID, in.ID),
		DbiResourceID: "db-" + strings.ToUpper(in.ID), EnabledCloudwatchLogsExports: in.LogExports,
		TagList: rdsTags(in.Tags),
	}
	if cl := s.rds.clusters[in.ClusterID]; cl != nil && len(in.LogExports) == 0 {
		x.EnabledCloudwatchLogsExports = cl.LogExports
	}
	switch in.Status {
	case "creating", "deleting":
	default:
		x.Endpoint = &rdsEndpointXML{Address: in.Address, Port: in.Port, HostedZoneID: "Z2R2ITUGPM61AM"}
	}
	return x
}

func rdsDescribeDBInstances(s *Server, c *call) {
	st := &s.rds
	var list []*DBInstance
	if id := c.Form("DBInstanceIdentifier"); id != "" {
		in := st.instances[rdsIdentifier(id)]
		if in == nil {
			c.Fail(http.StatusNotFound, "DBInstanceNotFound", fmt.Sprintf("DBInstance %s not found.", rdsIdentifier(id)))
			return
		}
		list = []*DBInstance{in}
	} else {
		for _, id := range st.instanceOrder {
			list = append(list, st.instances[id])
		}
	}
	filters := rdsFilters(c)
	for _, k := range []string{"db-instance-id", "db-cluster-id"} {
		for i := range filters[k] {
			filters[k][i] = rdsIdentifier(filters[k][i])
		}
	}
	var rows []rdsInstanceXML
	for _, in := range list {
		attrs := map[string][]string{"db-instance-id": {in.ID}, "db-cluster-id": {in.ClusterID}, "engine": {in.Engine}}
		if !rdsFilterOK(filters, attrs) {
			continue
		}
		rows = append(rows, s.rdsInstanceXML(in))
	}
	from, to, marker, ok := rdsPage(c, len(rows))
	if !ok {
		return
	}
	c.XML(struct {
		Marker      string           `xml:"Marker,omitempty"`
		DBInstances []rdsInstanceXML `xml:"DBInstances>DBInstance"`
	}{marker, rows[from:to]})
}

func rdsDescribeDBClusterEndpoints(s *Server, c *call) {
	st := &s.rds
	var list []*DBCluster
	if id := c.Form("DBClusterIdentifier"); id != "" {
		cl := st.clusters[rdsIdentifier(id)]
		if cl == nil {
			c.Fail(http.StatusNotFound, "DBClusterNotFoundFault", fmt.Sprintf("DBCluster %s not found.", rdsIdentifier(id)))
			return
		}
		list = []*DBCluster{cl}
	} else {
		for _, id := range st.clusterOrder {
			list = append(list, st.clusters[id])
		}
	}
	want := c.Form("DBClusterEndpointIdentifier")
	var rows []rdsClusterEndpointXML
	for _, cl := range list {
		if want == "" {
			rows = append(rows,
				rdsClusterEndpointXML{DBClusterIdentifier: cl.ID, Endpoint: cl.Endpoint, Status: "available", EndpointType: "WRITER"},
				rdsClusterEndpointXML{DBClusterIdentifier: cl.ID, Endpoint: cl.ReaderEndpoint, Status: "available", EndpointType: "READER"})
		}
		for _, e := range cl.CustomEndpoints {
			if want != "" && e.ID != want {
				continue
			}
			rows = append(rows, rdsClusterEndpointXML{
				DBClusterEndpointIdentifier: e.ID, DBClusterIdentifier: cl.ID, Endpoint: e.Endpoint, Status: e.Status,
				EndpointType: "CUSTOM", CustomEndpointType: e.CustomType, StaticMembers: e.StaticMembers,
				DBClusterEndpointArn: fmt.Sprintf("arn:aws:rds:%s:%s:cluster-endpoint:%s", s.Region, s.AccountID, e.ID),
			})
		}
	}
	from, to, marker, ok := rdsPage(c, len(rows))
	if !ok {
		return
	}
	c.XML(struct {
		Marker    string                  `xml:"Marker,omitempty"`
		Endpoints []rdsClusterEndpointXML `xml:"DBClusterEndpoints>DBClusterEndpointList"`
	}{marker, rows[from:to]})
}

// serviceEventWindow reads StartTime/EndTime/Duration (minutes, default 60) of a DescribeEvents call.
func serviceEventWindow(now time.Time, startS, endS, durS string) (start, end time.Time, err error) {
	end = now
	if endS != "" {
		if end, err = parseServiceTime(endS); err != nil {
			return
		}
	}
	dur := 60 * time.Minute
	if durS != "" {
		n, perr := strconv.Atoi(durS)
		if perr != nil {
			return start, end, fmt.Errorf("invalid Duration %q", durS)
		}
		dur = time.Duration(n) * time.Minute
	}
	start = end.Add(-dur)
	if startS != "" {
		if start, err = parseServiceTime(startS); err != nil {
			return
		}
		if endS == "" && durS != "" {
			end = start.Add(dur)
		}
	}
	return start, end, nil
}

func parseServiceTime(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		sec := int64(f)
		return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("invalid timestamp %q", v)
}

// selectServiceEvents filters events by source type/id and window; newestFirst orders them.
func selectServiceEvents(all []ServiceEvent, srcType, srcID string, start, end time.Time, newestFirst bool) []ServiceEvent {
	var out []ServiceEvent
	for _, e := range all {
		if srcType != "" && e.SourceType != srcType {
			continue
		}
		if srcID != "" && e.SourceID != srcID {
			continue
		}
		if e.Time.Before(start) || e.Time.After(end) {
			continue
		}
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if newestFirst {
			return out[i].Time.After(out[j].Time)
		}
		return out[i].Time.Before(out[j].Time)
	})
	return out
}

func rdsDescribeEvents(s *Server, c *call) {
	srcID, srcType := c.Form("SourceIdentifier"), c.Form("SourceType")
	if srcID != "" && srcType == "" {
		c.Fail(http.StatusBadRequest, "InvalidParameterCombination", "Cannot specify source identifier without source type")
		return
	}
	start, end, err := serviceEventWindow(c.now, c.Form("StartTime"), c.Form("EndTime"), c.Form("Duration"))
	if err != nil {
		c.Fail(http.StatusBadRequest, "InvalidParameterValue", err.Error())
		return
	}
	// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeEvents.html: events of the
	// past 14 days; SourceIdentifier "If not specified, then all sources are included".
	if start.Before(c.now.Add(-14 * 24 * time.Hour)) {
		start = c.now.Add(-14 * 24 * time.Hour) // RDS keeps 14 days of events
	}
	evs := selectServiceEvents(s.rds.events, srcType, rdsIdentifier(srcID), start, end, false)
	from, to, marker, ok := rdsPage(c, len(evs))
	if !ok {
		return
	}
	var rows []rdsEventXML
	for _, e := range evs[from:to] {
		kind := map[string]string{"db-cluster": "cluster", "db-instance": "db"}[e.SourceType]
		if kind == "" {
			kind = e.SourceType
		}
		cats := e.Categories
		if cats == nil {
			cats = []string{}
		}
		rows = append(rows, rdsEventXML{SourceIdentifier: e.SourceID, SourceType: e.SourceType, Message: e.Message, EventCategories: cats,
			Date: rdsTimestamp(e.Time), SourceArn: fmt.Sprintf("arn:aws:rds:%s:%s:%s:%s", s.Region, s.AccountID, kind, e.SourceID)})
	}
	c.XML(struct {
		Marker string        `xml:"Marker,omitempty"`
		Events []rdsEventXML `xml:"Events>Event"`
	}{marker, rows})
}
