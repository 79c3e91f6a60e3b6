package awstest

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// AutoScalingGroup is a fake EC2 Auto Scaling group.
type AutoScalingGroup struct {
	Name                              string
	MinSize, MaxSize, DesiredCapacity int
	AZs                               []string
	HealthCheckType                   string // EC2 (default) or ELB
	// Status is "" normally, "Delete in progress" while being deleted.
	Status    string
	Instances []ASGInstance
	Tags      map[string]string
}

// ASGInstance is one instance of an Auto Scaling group.
type ASGInstance struct {
	ID           string
	AZ           string
	InstanceType string
	// LifecycleState: Pending, InService, Terminating, Terminated, Standby, ... (default InService).
	LifecycleState string
	// HealthStatus: Healthy (default) or Unhealthy.
	HealthStatus string
}

// ScalingActivity is one Auto Scaling activity.
type ScalingActivity struct {
	ID          string
	Group       string
	Description string
	Cause       string
	StartTime   time.Time
	EndTime     time.Time
	// StatusCode: Successful (default), InProgress, Failed, Cancelled, ...
	StatusCode    string
	StatusMessage string
	Details       string
}

type autoscalingState struct {
	groups     map[string]*AutoScalingGroup
	order      []string
	activities []*ScalingActivity
}

// AddAutoScalingGroup adds (or replaces) a group; instances default to InService/Healthy.
func (s *Server) AddAutoScalingGroup(g AutoScalingGroup) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.autoscaling
	if st.groups == nil {
		st.groups = map[string]*AutoScalingGroup{}
	}
	if g.HealthCheckType == "" {
		g.HealthCheckType = "EC2"
	}
	g.Instances = append([]ASGInstance(nil), g.Instances...)
	for i := range g.Instances {
		in := &g.Instances[i]
		if in.LifecycleState == "" {
			in.LifecycleState = "InService"
		}
		if in.HealthStatus == "" {
			in.HealthStatus = "Healthy"
		}
		if in.InstanceType == "" {
			in.InstanceType = "m5.large"
		}
		if in.AZ == "" {
			in.AZ = s.Region + "a"
		}
	}
	if len(g.AZs) == 0 {
		seen := map[string]bool{}
		for _, in := range g.Instances {
			if !seen[in.AZ] {
				seen[in.AZ] = true
				g.AZs = append(g.AZs, in.AZ)
			}
		}
	}
	if _, ok := st.groups[g.Name]; !ok {
		st.order = append(st.order, g.Name)
	}
	st.groups[g.Name] = &g
}

// SetASGInstance changes one instance's lifecycle state and health status.
func (s *Server) SetASGInstance(group, instanceID, lifecycleState, healthStatus string) {
	s.change(func(time.Time) { s.setASGInstanceLocked(group, instanceID, lifecycleState, healthStatus) })
}

// SetASGInstanceAt schedules SetASGInstance at simulation time t.
func (s *Server) SetASGInstanceAt(t time.Time, group, instanceID, lifecycleState, healthStatus string) {
	s.changeAt(t, func(time.Time) { s.setASGInstanceLocked(group, instanceID, lifecycleState, healthStatus) })
}

func (s *Server) setASGInstanceLocked(group, instanceID, lifecycleState, healthStatus string) {
	g := s.autoscaling.groups[group]
	if g == nil {
		return
	}
	for i := range g.Instances {
		if g.Instances[i].ID == instanceID {
			g.Instances[i].LifecycleState, g.Instances[i].HealthStatus = lifecycleState, healthStatus
		}
	}
}

// AddScalingActivity records an activity (ID and status default when empty).
func (s *Server) AddScalingActivity(a ScalingActivity) {
	s.change(func(time.Time) { s.addScalingActivityLocked(a) })
}

// SetScalingActivityStatus changes the status code (and end time, now) of activity id.
func (s *Server) SetScalingActivityStatus(id, statusCode string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.autoscaling.activities {
		if a.ID == id {
			a.StatusCode, a.EndTime = statusCode, s.clock.Now()
		}
	}
}

func (s *Server) addScalingActivityLocked(a ScalingActivity) {
	st := &s.autoscaling
	if a.ID == "" {
		a.ID = fmt.Sprintf("a1b2c3d4-0000-4000-8000-%012d", len(st.activities)+1)
	}
	if a.StatusCode == "" {
		a.StatusCode = "Successful"
	}
	st.activities = append(st.activities, &a)
}

func autoscalingService() *service {
	return &service{protocol: protoQuery, xmlns: "http://autoscaling.amazonaws.com/doc/2011-01-01/", handle: asgHandle}
}

func asgHandle(s *Server, c *call) {
	switch c.op {
	case "DescribeAutoScalingGroups":
		asgDescribeGroups(s, c)
	case "DescribeScalingActivities":
		asgDescribeActivities(s, c)
	default:
		notImplemented(s, c)
	}
}

type asgInstanceXML struct {
	InstanceID           string `xml:"InstanceId"`
	InstanceType         string `xml:"InstanceType"`
	AvailabilityZone     string `xml:"AvailabilityZone"`
	LifecycleState       string `xml:"LifecycleState"`
	HealthStatus         string `xml:"HealthStatus"`
	ProtectedFromScaleIn bool   `xml:"ProtectedFromScaleIn"`
}

type asgTagXML struct {
	ResourceID        string `xml:"ResourceId"`
	ResourceType      string `xml:"ResourceType"`
	Key               string `xml:"Key"`
	Value             string `xml:"Value"`
	PropagateAtLaunch bool   `xml:"PropagateAtLaunch"`
}

type asgGroupXML struct {
	AutoScalingGroupName string           `xml:"AutoScalingGroupName"`
	AutoScalingGroupARN  string           `xml:"AutoScalingGroupARN"`
	MinSize              int              `xml:"MinSize"`
	MaxSize              int              `xml:"MaxSize"`
	DesiredCapacity      int              `xml:"DesiredCapacity"`
	DefaultCooldown      int              `xml:"DefaultCooldown"`
	AvailabilityZones    []string         `xml:"AvailabilityZones>member"`
	HealthCheckType      string           `xml:"HealthCheckType"`
	Instances            []asgInstanceXML `xml:"Instances>member"`
	CreatedTime          string           `xml:"CreatedTime"`
	Status               string           `xml:"Status,omitempty"`
	Tags                 []asgTagXML      `xml:"Tags>member"`
}

type asgActivityXML struct {
	ActivityID           string `xml:"ActivityId"`
	AutoScalingGroupName string `xml:"AutoScalingGroupName"`
	Description          string `xml:"Description"`
	Cause                string `xml:"Cause"`
	StartTime            string `xml:"StartTime"`
	EndTime              string `xml:"EndTime,omitempty"`
	StatusCode           string `xml:"StatusCode"`
	StatusMessage        string `xml:"StatusMessage,omitempty"`
	Progress             int    `xml:"Progress"`
	Details              string `xml:"Details,omitempty"`
}

// asgPage applies MaxRecords/NextToken (an offset) with the given default and maximum.
func asgPage(c *call, n, def, max int) (from, to int, next string, ok bool) {
	if tok := c.Form("NextToken"); tok != "" {
		v, err := strconv.Atoi(strings.TrimPrefix(tok, "asg-"))
		if err != nil || v < 0 || v > n {
			c.Fail(http.StatusBadRequest, "InvalidNextToken", "The token '"+tok+"' is invalid.")
			return 0, 0, "", false
		}
		from = v
	}
	limit := def
	if mr := c.Form("MaxRecords"); mr != "" {
		m, err := strconv.Atoi(mr)
		if err != nil || m < 1 || m > max {
			c.Fail(http.StatusBadRequest, "ValidationError", fmt.Sprintf("1 validation error detected: Value '%s' at 'maxRecords' failed to satisfy constraint: Member must have value less than or equal to %d", mr, max))
			return 0, 0, "", false
		}
		limit = m
	}
	to = n
	if from+limit < n {
		to = from + limit
		next = fmt.Sprintf("asg-%d", to)
	}
	return from, to, next, true
}

func asgDescribeGroups(s *Server, c *call) {
	st := &s.autoscaling
	names := c.FormList("AutoScalingGroupNames")
	var list []*AutoScalingGroup
	if len(names) > 0 {
		for _, n := range names {
			if g := st.groups[n]; g != nil {
				list = append(list, g) // unknown names are simply absent, as in AWS
			}
		}
	} else {
		for _, n := range st.order {
			list = append(list, st.groups[n])
		}
	}
	filters, ok := asgFilters(c)
	if !ok {
		return
	}
	list = asgFilterGroups(list, filters)
	from, to, next, ok := asgPage(c, len(list), 50, 100)
	if !ok {
		return
	}
	var rows []asgGroupXML
	for _, g := range list[from:to] {
		x := asgGroupXML{
			AutoScalingGroupName: g.Name,
			AutoScalingGroupARN:  fmt.Sprintf("arn:aws:autoscaling:%s:%s:autoScalingGroup:6d3f0c8e-1111-4b5c-9d2e-0123456789ab:autoScalingGroupName/%s", s.Region, s.AccountID, g.Name),
			MinSize:              g.MinSize, MaxSize: g.MaxSize, DesiredCapacity: g.DesiredCapacity, DefaultCooldown: 300,
			AvailabilityZones: g.AZs, HealthCheckType: g.HealthCheckType, Status: g.Status,
			CreatedTime: rdsTimestamp(s.clock.Now().Add(-30 * 24 * time.Hour)),
		}
		for _, in := range g.Instances {
			x.Instances = append(x.Instances, asgInstanceXML{InstanceID: in.ID, InstanceType: in.InstanceType, AvailabilityZone: in.AZ, LifecycleState: in.LifecycleState, HealthStatus: in.HealthStatus})
		}
		for _, t := range ec2Tags(g.Tags) {
			x.Tags = append(x.Tags, asgTagXML{ResourceID: g.Name, ResourceType: "auto-scaling-group", Key: t.Key, Value: t.Value, PropagateAtLaunch: true})
		}
		rows = append(rows, x)
	}
	c.XML(struct {
		Groups    []asgGroupXML `xml:"AutoScalingGroups>member"`
		NextToken string        `xml:"NextToken,omitempty"`
	}{rows, next})
}

func asgDescribeActivities(s *Server, c *call) {
	st := &s.autoscaling
	group := c.Form("AutoScalingGroupName")
	ids := map[string]bool{}
	for _, id := range c.FormList("ActivityIds") {
		ids[id] = true
	}
	var list []*ScalingActivity
	for _, a := range st.activities {
		if group != "" && a.Group != group {
			continue
		}
		if len(ids) > 0 && !ids[a.ID] {
			continue
		}
		list = append(list, a)
	}
	// https://docs.aws.amazon.com/sdkfornet1/latest/apidocs/html/T_Amazon_AutoScaling_Model_DescribeScalingActivitiesRequest.htm:
	// "Activities are sorted by the start time. Activities still in progress appear first on the list" (newest first).
	inProgress := func(a *ScalingActivity) bool {
		return a.StatusCode != "" && a.StatusCode != "Successful" && a.StatusCode != "Failed" && a.StatusCode != "Cancelled"
	}
	sort.SliceStable(list, func(i, j int) bool {
		if pi, pj := inProgress(list[i]), inProgress(list[j]); pi != pj {
			return pi
		}
		return list[i].StartTime.After(list[j].StartTime)
	})
	from, to, next, ok := asgPage(c, len(list), 100, 100)
	if !ok {
		return
	}
	var rows []asgActivityXML
	for _, a := range list[from:to] {
		x := asgActivityXML{ActivityID: a.ID, AutoScalingGroupName: a.Group, Description: a.Description, Cause: a.Cause,
			StartTime: rdsTimestamp(a.StartTime), StatusCode: a.StatusCode, StatusMessage: a.StatusMessage, Details: a.Details, Progress: 100}
		if !a.EndTime.IsZero() {
			x.EndTime = rdsTimestamp(a.EndTime)
		}
		if a.StatusCode == "InProgress" {
			x.Progress = 50
		}
		rows = append(rows, x)
	}
	c.XML(struct {
		Activities []asgActivityXML `xml:"Activities>member"`
		NextToken  string           `xml:"NextToken,omitempty"`
	}{rows, next})
}

// asgFilter is one DescribeAutoScalingGroups filter (Filters.member.N.Name / .Values.member.M).
type asgFilter struct {
	name   string
	values []string
}

// asgFilters reads the request's filters. DescribeAutoScalingGroups accepts tag:<key>,
// tag-key and tag-value filters; filters combine with AND, a filter's values with OR
// (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DescribeAutoScalingGroups.html).
func asgFilters(c *call) ([]asgFilter, bool) {
	var out []asgFilter
	for i := 1; ; i++ {
		name := c.Form(fmt.Sprintf("Filters.member.%d.Name", i))
		if name == "" {
			return out, true
		}
		if !strings.HasPrefix(name, "tag:") && name != "tag-key" && name != "tag-value" {
			c.Fail(http.StatusBadRequest, "ValidationError", fmt.Sprintf("Filter name '%s' is invalid. Valid filter names are tag:<key>, tag-key, tag-value.", name))
			return nil, false
		}
		f := asgFilter{name: name, values: c.FormList(fmt.Sprintf("Filters.member.%d.Values", i))}
		out = append(out, f)
	}
}

func asgFilterGroups(list []*AutoScalingGroup, filters []asgFilter) []*AutoScalingGroup {
	if len(filters) == 0 {
		return list
	}
	var out []*AutoScalingGroup
	for _, g := range list {
		if asgMatches(g, filters) {
			out = append(out, g)
		}
	}
	return out
}

func asgMatches(g *AutoScalingGroup, filters []asgFilter) bool {
	for _, f := range filters {
		ok := false
		for _, v := range f.values {
			switch {
			case strings.HasPrefix(f.name, "tag:"):
				got, has := g.Tags[strings.TrimPrefix(f.name, "tag:")]
				ok = ok || (has && got == v)
			case f.name == "tag-key":
				_, has := g.Tags[v]
				ok = ok || has
			case f.name == "tag-value":
				for _, tv := range g.Tags {
					ok = ok || tv == v
				}
			}
		}
		if !ok {
			return false
		}
	}
	return true
}
