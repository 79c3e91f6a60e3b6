package awstest

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Instance is a fake EC2 instance. Zero fields get defaults from AddInstance:
// State "running", InstanceStatus and SystemStatus "ok", a private IP and DNS name.
type Instance struct {
	ID            string
	ReservationID string
	InstanceType  string
	ImageID       string
	// State is the instance state name: pending, running, shutting-down, terminated, stopping, stopped.
	State string
	// StateTransitionReason is EC2's reason text, e.g. "User initiated (2026-04-11 10:30:15 GMT)".
	StateTransitionReason string
	// StateReasonCode/Message are EC2's StateReason, e.g. "Client.UserInitiatedShutdown".
	StateReasonCode    string
	StateReasonMessage string
	AZ                 string
	SubnetID           string
	VPCID              string
	PrivateIP          string
	PrivateDNS         string
	PublicIP           string
	PublicDNS          string
	// Lifecycle is "spot" or "capacity-block" ("" for on-demand).
	Lifecycle string
	// InstanceStatus and SystemStatus are the status checks: ok, impaired, initializing, insufficient-data, not-applicable
	// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_InstanceStatusSummary.html).
	InstanceStatus string
	SystemStatus   string
	LaunchTime     time.Time
	Tags           map[string]string
}

// Subnet is a fake VPC subnet.
type Subnet struct {
	ID, VPCID, AZ, AZID, CIDR string
	// State: pending, available, unavailable, failed, failed-insufficient-capacity
	// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Subnet.html).
	State string
	Tags  map[string]string
}

// TransitGateway is a fake transit gateway.
type TransitGateway struct {
	ID          string
	Description string
	// State: pending, available, modifying, deleting, deleted.
	State string
	Tags  map[string]string
}

// Volume is a fake EBS volume.
type Volume struct {
	ID, AZ, Type string
	SizeGiB      int
	// State: creating, available, in-use, deleting, deleted, error.
	State string
	// AttachedTo is the instance ID the volume is attached to ("" when detached).
	AttachedTo string
	Device     string
	// KeepOnTermination sets the attachment's DeleteOnTermination to false (a data volume
	// attached after launch; https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_VolumeAttachment.html).
	// The zero value is DeleteOnTermination true, as for a root volume.
	KeepOnTermination bool
	Tags              map[string]string
}

// ec2State is the fake's EC2 state.
type ec2State struct {
	instances     map[string]*Instance
	instanceOrder []string
	subnets       map[string]*Subnet
	subnetOrder   []string
	tgws          map[string]*TransitGateway
	tgwOrder      []string
	volumes       map[string]*Volume
	volumeOrder   []string
}

var ec2StateCodes = map[string]int{
	"pending": 0, "running": 16, "shutting-down": 32, "terminated": 48, "stopping": 64, "stopped": 80,
}

// AddInstance adds (or replaces) an EC2 instance.
func (s *Server) AddInstance(in Instance) {
	s.change(func(time.Time) { s.addInstanceLocked(in) })
}

func (s *Server) addInstanceLocked(in Instance) {
	st := &s.ec2
	if st.instances == nil {
		st.instances = map[string]*Instance{}
	}
	if in.State == "" {
		in.State = "running"
	}
	if in.InstanceStatus == "" {
		in.InstanceStatus = "ok"
	}
	if in.SystemStatus == "" {
		in.SystemStatus = "ok"
	}
	if in.InstanceType == "" {
		in.InstanceType = "m5.large"
	}
	if in.ImageID == "" {
		in.ImageID = "ami-0abcdef1234567890"
	}
	if in.AZ == "" {
		in.AZ = s.Region + "a"
	}
	if in.ReservationID == "" {
		in.ReservationID = "r-" + strings.TrimPrefix(in.ID, "i-")
	}
	if in.PrivateIP == "" {
		n := len(st.instanceOrder)
		in.PrivateIP = fmt.Sprintf("10.0.%d.%d", 1+n/250, 10+n%250)
	}
	if in.PrivateDNS == "" {
		in.PrivateDNS = "ip-" + strings.ReplaceAll(in.PrivateIP, ".", "-") + ".ec2.internal"
		if s.Region != "us-east-1" {
			in.PrivateDNS = "ip-" + strings.ReplaceAll(in.PrivateIP, ".", "-") + "." + s.Region + ".compute.internal"
		}
	}
	if in.LaunchTime.IsZero() {
		in.LaunchTime = s.clock.Now().Add(-24 * time.Hour)
	}
	if _, ok := st.instances[in.ID]; !ok {
		st.instanceOrder = append(st.instanceOrder, in.ID)
	}
	cp := in
	st.instances[in.ID] = &cp
	if len(in.Tags) > 0 {
		s.tagResource(fmt.Sprintf("arn:aws:ec2:%s:%s:instance/%s", s.Region, s.AccountID, in.ID), in.Tags)
	}
}

// SetInstanceState changes an instance's state and its StateTransitionReason
// (empty reason: "User initiated (<now> GMT)" for stopping/stopped/shutting-down/terminated).
func (s *Server) SetInstanceState(id, state, reason string) {
	s.change(func(at time.Time) { s.setInstanceStateLocked(id, state, reason, at) })
}

// SetInstanceStateAt schedules SetInstanceState at simulation time t (the reason records t).
func (s *Server) SetInstanceStateAt(t time.Time, id, state, reason string) {
	s.changeAt(t, func(at time.Time) { s.setInstanceStateLocked(id, state, reason, at) })
}

// setInstanceStateLocked applies a state change that happened at time at.
func (s *Server) setInstanceStateLocked(id, state, reason string, at time.Time) {
	in := s.ec2.instances[id]
	if in == nil {
		return
	}
	in.State = state
	switch {
	case reason != "":
		in.StateTransitionReason = reason
	case state == "running" || state == "pending":
		in.StateTransitionReason = ""
		in.StateReasonCode, in.StateReasonMessage = "", ""
	default:
		in.StateTransitionReason = "User initiated (" + at.UTC().Format("2006-01-02 15:04:05") + " GMT)"
		in.StateReasonCode = "Client.UserInitiatedShutdown"
		in.StateReasonMessage = "Client.UserInitiatedShutdown: User initiated shutdown"
	}
}

// SetInstanceStatus sets an instance's status checks (ok, impaired, initializing, insufficient-data).
func (s *Server) SetInstanceStatus(id, instanceStatus, systemStatus string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if in := s.ec2.instances[id]; in != nil {
		in.InstanceStatus, in.SystemStatus = instanceStatus, systemStatus
	}
}

// AddSubnet adds a subnet (State defaults to available).
func (s *Server) AddSubnet(sn Subnet) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.ec2
	if st.subnets == nil {
		st.subnets = map[string]*Subnet{}
	}
	if sn.State == "" {
		sn.State = "available"
	}
	if sn.AZ == "" {
		sn.AZ = s.Region + "a"
	}
	if sn.CIDR == "" {
		sn.CIDR = fmt.Sprintf("10.0.%d.0/24", len(st.subnetOrder))
	}
	if _, ok := st.subnets[sn.ID]; !ok {
		st.subnetOrder = append(st.subnetOrder, sn.ID)
	}
	st.subnets[sn.ID] = &sn
}

// AddTransitGateway adds a transit gateway (State defaults to available).
func (s *Server) AddTransitGateway(tg TransitGateway) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.ec2
	if st.tgws == nil {
		st.tgws = map[string]*TransitGateway{}
	}
	if tg.State == "" {
		tg.State = "available"
	}
	if _, ok := st.tgws[tg.ID]; !ok {
		st.tgwOrder = append(st.tgwOrder, tg.ID)
	}
	st.tgws[tg.ID] = &tg
}

// AddVolume adds an EBS volume (State defaults to in-use when attached, else available).
func (s *Server) AddVolume(v Volume) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &s.ec2
	if st.volumes == nil {
		st.volumes = map[string]*Volume{}
	}
	if v.State == "" {
		v.State = "available"
		if v.AttachedTo != "" {
			v.State = "in-use"
		}
	}
	if v.AZ == "" {
		v.AZ = s.Region + "a"
	}
	if v.Type == "" {
		v.Type = "gp3"
	}
	if v.SizeGiB == 0 {
		v.SizeGiB = 100
	}
	if v.AttachedTo != "" && v.Device == "" {
		v.Device = "/dev/xvda"
	}
	if _, ok := st.volumes[v.ID]; !ok {
		st.volumeOrder = append(st.volumeOrder, v.ID)
	}
	st.volumes[v.ID] = &v
}

// SetSubnetState, SetTransitGatewayState and SetVolumeState change a resource's state.
func (s *Server) SetSubnetState(id, state string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sn := s.ec2.subnets[id]; sn != nil {
		sn.State = state
	}
}

// SetTransitGatewayState changes a transit gateway's state.
func (s *Server) SetTransitGatewayState(id, state string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if tg := s.ec2.tgws[id]; tg != nil {
		tg.State = state
	}
}

// SetVolumeState changes a volume's state.
func (s *Server) SetVolumeState(id, state string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v := s.ec2.volumes[id]; v != nil {
		v.State = state
	}
}

func ec2Service() *service {
	return &service{protocol: protoEC2Query, xmlns: "http://ec2.amazonaws.com/doc/2016-11-15/", handle: ec2Handle}
}

func ec2Handle(s *Server, c *call) {
	if !ec2FilterLimitOK(c) {
		return
	}
	switch c.op {
	case "DescribeInstances":
		ec2DescribeInstances(s, c)
	case "DescribeInstanceStatus":
		ec2DescribeInstanceStatus(s, c)
	case "DescribeSubnets":
		ec2DescribeSubnets(s, c)
	case "DescribeTransitGateways":
		ec2DescribeTransitGateways(s, c)
	case "DescribeVolumes":
		ec2DescribeVolumes(s, c)
	case "DescribeVpcEndpoints": // aws/awstest/vpcendpoint.go
		ec2DescribeVpcEndpoints(s, c)
	case "DescribeAvailabilityZones": // aws/awstest/ec2_azs.go
		ec2DescribeAvailabilityZones(s, c)
	default:
		notImplemented(s, c)
	}
}

// --- wire shapes (ec2Query: lowerCamel names, lists as <xSet><item>) ---

type ec2TagXML struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

type ec2InstanceStateXML struct {
	Code int    `xml:"code"`
	Name string `xml:"name"`
}

type ec2StateReasonXML struct {
	Code    string `xml:"code"`
	Message string `xml:"message"`
}

type ec2PlacementXML struct {
	AvailabilityZone string `xml:"availabilityZone"`
	Tenancy          string `xml:"tenancy"`
}

type ec2InstanceXML struct {
	InstanceID            string              `xml:"instanceId"`
	ImageID               string              `xml:"imageId"`
	InstanceState         ec2InstanceStateXML `xml:"instanceState"`
	PrivateDNSName        string              `xml:"privateDnsName"`
	DNSName               string              `xml:"dnsName"`
	Reason                string              `xml:"reason"`
	InstanceType          string              `xml:"instanceType"`
	LaunchTime            string              `xml:"launchTime"`
	Placement             ec2PlacementXML     `xml:"placement"`
	SubnetID              string              `xml:"subnetId,omitempty"`
	VPCID                 string              `xml:"vpcId,omitempty"`
	PrivateIPAddress      string              `xml:"privateIpAddress,omitempty"`
	IPAddress             string              `xml:"ipAddress,omitempty"`
	StateReason           *ec2StateReasonXML  `xml:"stateReason,omitempty"`
	InstanceLifecycle     string              `xml:"instanceLifecycle,omitempty"`
	SpotInstanceRequestID string              `xml:"spotInstanceRequestId,omitempty"`
	Tags                  []ec2TagXML         `xml:"tagSet>item"`
}

type ec2ReservationXML struct {
	ReservationID string           `xml:"reservationId"`
	OwnerID       string           `xml:"ownerId"`
	Instances     []ec2InstanceXML `xml:"instancesSet>item"`
}

type ec2StatusDetailXML struct {
	Name   string `xml:"name"`
	Status string `xml:"status"`
}

type ec2StatusSummaryXML struct {
	Status  string               `xml:"status"`
	Details []ec2StatusDetailXML `xml:"details>item"`
}

type ec2InstanceStatusXML struct {
	InstanceID       string              `xml:"instanceId"`
	AvailabilityZone string              `xml:"availabilityZone"`
	InstanceState    ec2InstanceStateXML `xml:"instanceState"`
	InstanceStatus   ec2StatusSummaryXML `xml:"instanceStatus"`
	SystemStatus     ec2StatusSummaryXML `xml:"systemStatus"`
}

type ec2SubnetXML struct {
	SubnetID                string      `xml:"subnetId"`
	SubnetArn               string      `xml:"subnetArn"`
	State                   string      `xml:"state"`
	VPCID                   string      `xml:"vpcId"`
	CIDRBlock               string      `xml:"cidrBlock"`
	AvailableIPAddressCount int         `xml:"availableIpAddressCount"`
	AvailabilityZone        string      `xml:"availabilityZone"`
	AvailabilityZoneID      string      `xml:"availabilityZoneId,omitempty"`
	OwnerID                 string      `xml:"ownerId"`
	Tags                    []ec2TagXML `xml:"tagSet>item"`
}

type ec2TransitGatewayXML struct {
	TransitGatewayID  string      `xml:"transitGatewayId"`
	TransitGatewayArn string      `xml:"transitGatewayArn"`
	State             string      `xml:"state"`
	OwnerID           string      `xml:"ownerId"`
	Description       string      `xml:"description,omitempty"`
	CreationTime      string      `xml:"creationTime"`
	Tags              []ec2TagXML `xml:"tagSet>item"`
}

type ec2VolumeAttachmentXML struct {
	VolumeID            string `xml:"volumeId"`
	InstanceID          string `xml:"instanceId"`
	Device              string `xml:"device"`
	Status              string `xml:"status"`
	AttachTime          string `xml:"attachTime"`
	DeleteOnTermination bool   `xml:"deleteOnTermination"`
}

type ec2VolumeXML struct {
	VolumeID         string                   `xml:"volumeId"`
	Size             int                      `xml:"size"`
	AvailabilityZone string                   `xml:"availabilityZone"`
	Status           string                   `xml:"status"`
	CreateTime       string                   `xml:"createTime"`
	VolumeType       string                   `xml:"volumeType"`
	Encrypted        bool                     `xml:"encrypted"`
	Attachments      []ec2VolumeAttachmentXML `xml:"attachmentSet>item"`
	Tags             []ec2TagXML              `xml:"tagSet>item"`
}

func ec2Timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func ec2Tags(m map[string]string) []ec2TagXML {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]ec2TagXML, 0, len(keys))
	for _, k := range keys {
		out = append(out, ec2TagXML{Key: k, Value: m[k]})
	}
	return out
}

// ec2Filters reads Filter.N.Name / Filter.N.Value.M.
func ec2Filters(c *call) map[string][]string {
	out := map[string][]string{}
	for i := 1; ; i++ {
		name := c.Form(fmt.Sprintf("Filter.%d.Name", i))
		if name == "" {
			return out
		}
		for j := 1; ; j++ {
			v, ok := c.form[fmt.Sprintf("Filter.%d.Value.%d", i, j)]
			if !ok {
				break
			}
			out[name] = append(out[name], v[0])
		}
	}
}

// ec2MaxFilterValues is how many filter values one EC2 call may carry, all filters together.
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html: FilterLimitExceeded,
// "The request uses too many filters or too many filter values" (HTTP 400); the page names no number,
// EC2 answers "The maximum number of filter values specified on a single call is 200".
const ec2MaxFilterValues = 200

// ec2FilterLimitOK fails the call with FilterLimitExceeded when its filters carry more than
// ec2MaxFilterValues values in total, as EC2 does for every Describe action.
func ec2FilterLimitOK(c *call) bool {
	n := 0
	for _, vs := range ec2Filters(c) {
		n += len(vs)
	}
	if n > ec2MaxFilterValues {
		c.Fail(http.StatusBadRequest, "FilterLimitExceeded", fmt.Sprintf("The maximum number of filter values specified on a single call is %d", ec2MaxFilterValues))
		return false
	}
	return true
}

// ec2FilterMatch reports whether every filter accepts the resource, given its
// attribute values (name -> values) and tags.
func ec2FilterMatch(filters map[string][]string, attrs map[string]string, tags map[string]string) bool {
	for name, values := range filters {
		var have []string
		switch {
		case strings.HasPrefix(name, "tag:"):
			v, ok := tags[strings.TrimPrefix(name, "tag:")]
			if !ok {
				return false
			}
			have = []string{v}
		case name == "tag-key":
			for k := range tags {
				have = append(have, k)
			}
		default:
			v, ok := attrs[name]
			if !ok {
				continue // filters the fake does not model are ignored
			}
			have = []string{v}
		}
		if !ec2AnyMatch(values, have) {
			return false
		}
	}
	return true
}

func ec2AnyMatch(patterns, have []string) bool {
	for _, p := range patterns {
		for _, h := range have {
			if ec2Glob(p, h) {
				return true
			}
		}
	}
	return false
}

// ec2Glob matches EC2 filter values, where * and ? are wildcards.
func ec2Glob(p, s string) bool {
	if !strings.ContainsAny(p, "*?") {
		return p == s
	}
	if p == "" {
		return s == ""
	}
	switch p[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if ec2Glob(p[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && ec2Glob(p[1:], s[1:])
	}
	return s != "" && s[0] == p[0] && ec2Glob(p[1:], s[1:])
}

// ec2Page applies MaxResults/NextToken (an offset) to n items.
func ec2Page(c *call, n int) (from, to int, next string, ok bool) {
	if tok := c.Form("NextToken"); tok != "" {
		v, err := strconv.Atoi(strings.TrimPrefix(tok, "tok-"))
		if err != nil || !strings.HasPrefix(tok, "tok-") || v < 0 || v > n {
			c.Fail(http.StatusBadRequest, "InvalidParameterValue", "The parameter NextToken is not valid: "+tok)
			return 0, 0, "", false
		}
		from = v
	}
	to = n
	if mr := c.Form("MaxResults"); mr != "" {
		m, err := strconv.Atoi(mr)
		if err != nil || m < 5 || m > 1000 {
			c.Fail(http.StatusBadRequest, "InvalidParameterValue", "Value ( "+mr+" ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.")
			return 0, 0, "", false
		}
		if from+m < n {
			to = from + m
			next = fmt.Sprintf("tok-%d", to)
		}
	}
	return from, to, next, true
}

// ec2Lookup resolves explicit IDs, failing with code when any is unknown (EC2 lists every missing ID).
func ec2Lookup[T any](c *call, ids []string, m map[string]*T, code, noun string) ([]*T, bool) {
	var out []*T
	var missing []string
	for _, id := range ids {
		if v, ok := m[id]; ok {
			out = append(out, v)
		} else {
			missing = append(missing, id)
		}
	}
	if len(missing) == 1 {
		c.Fail(http.StatusBadRequest, code, fmt.Sprintf("The %s '%s' does not exist", noun, missing[0]))
		return nil, false
	}
	if len(missing) > 1 {
		c.Fail(http.StatusBadRequest, code, fmt.Sprintf("The %ss '%s' do not exist", noun, strings.Join(missing, ", ")))
		return nil, false
	}
	return out, true
}

func ec2InstanceAttrs(in *Instance) map[string]string {
	return map[string]string{
		"instance-id":            in.ID,
		"instance-state-name":    in.State,
		"instance-state-code":    strconv.Itoa(ec2StateCodes[in.State]),
		"availability-zone":      in.AZ,
		"instance-type":          in.InstanceType,
		"instance-lifecycle":     in.Lifecycle,
		"subnet-id":              in.SubnetID,
		"vpc-id":                 in.VPCID,
		"private-ip-address":     in.PrivateIP,
		"private-dns-name":       in.PrivateDNS,
		"reservation-id":         in.ReservationID,
		"instance-status.status": in.InstanceStatus,
		"system-status.status":   in.SystemStatus,
	}
}

func (s *Server) ec2SelectInstances(c *call) ([]*Instance, bool) {
	st := &s.ec2
	ids := c.FormList("InstanceId")
	var cands []*Instance
	if len(ids) > 0 {
		if c.Form("MaxResults") != "" {
			c.Fail(http.StatusBadRequest, "InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults")
			return nil, false
		}
		for _, id := range ids {
			if !strings.HasPrefix(id, "i-") {
				c.Fail(http.StatusBadRequest, "InvalidInstanceID.Malformed", fmt.Sprintf("Invalid id: \"%s\"", id))
				return nil, false
			}
		}
		var ok bool
		if cands, ok = ec2Lookup(c, ids, st.instances, "InvalidInstanceID.NotFound", "instance ID"); !ok {
			return nil, false
		}
	} else {
		for _, id := range st.instanceOrder {
			cands = append(cands, st.instances[id])
		}
	}
	filters := ec2Filters(c)
	var out []*Instance
	for _, in := range cands {
		if ec2FilterMatch(filters, ec2InstanceAttrs(in), in.Tags) {
			out = append(out, in)
		}
	}
	return out, true
}

func (s *Server) ec2InstanceXML(in *Instance) ec2InstanceXML {
	x := ec2InstanceXML{
		InstanceID:        in.ID,
		ImageID:           in.ImageID,
		InstanceState:     ec2InstanceStateXML{Code: ec2StateCodes[in.State], Name: in.State},
		PrivateDNSName:    in.PrivateDNS,
		DNSName:           in.PublicDNS,
		Reason:            in.StateTransitionReason,
		InstanceType:      in.InstanceType,
		LaunchTime:        ec2Timestamp(in.LaunchTime),
		Placement:         ec2PlacementXML{AvailabilityZone: in.AZ, Tenancy: "default"},
		SubnetID:          in.SubnetID,
		VPCID:             in.VPCID,
		PrivateIPAddress:  in.PrivateIP,
		IPAddress:         in.PublicIP,
		InstanceLifecycle: in.Lifecycle,
		Tags:              ec2Tags(in.Tags),
	}
	if in.State == "terminated" {
		x.PrivateDNSName, x.PrivateIPAddress = "", ""
	}
	if in.StateReasonCode != "" {
		x.StateReason = &ec2StateReasonXML{Code: in.StateReasonCode, Message: in.StateReasonMessage}
	}
	if in.Lifecycle == "spot" {
		x.SpotInstanceRequestID = "sir-" + strings.TrimPrefix(in.ID, "i-")
	}
	return x
}

func ec2DescribeInstances(s *Server, c *call) {
	list, ok := s.ec2SelectInstances(c)
	if !ok {
		return
	}
	from, to, next, ok := ec2Page(c, len(list))
	if !ok {
		return
	}
	var res []ec2ReservationXML
	idx := map[string]int{}
	for _, in := range list[from:to] {
		i, seen := idx[in.ReservationID]
		if !seen {
			i = len(res)
			idx[in.ReservationID] = i
			res = append(res, ec2ReservationXML{ReservationID: in.ReservationID, OwnerID: s.AccountID})
		}
		res[i].Instances = append(res[i].Instances, s.ec2InstanceXML(in))
	}
	c.XML(struct {
		RequestID    string              `xml:"requestId"`
		Reservations []ec2ReservationXML `xml:"reservationSet>item"`
		NextToken    string              `xml:"nextToken,omitempty"`
	}{requestID, res, next})
}

func ec2StatusSummary(status string) ec2StatusSummaryXML {
	detail := "passed"
	switch status {
	case "impaired":
		detail = "failed"
	case "initializing":
		detail = "initializing"
	case "insufficient-data":
		detail = "insufficient-data"
	case "not-applicable":
		return ec2StatusSummaryXML{Status: status}
	}
	return ec2StatusSummaryXML{Status: status, Details: []ec2StatusDetailXML{{Name: "reachability", Status: detail}}}
}

func ec2DescribeInstanceStatus(s *Server, c *call) {
	ids := c.FormList("InstanceId")
	if len(ids) > 100 {
		c.Fail(http.StatusBadRequest, "InvalidParameterValue", "The maximum number of instance IDs that can be specified is 100")
		return
	}
	list, ok := s.ec2SelectInstances(c)
	if !ok {
		return
	}
	all := strings.EqualFold(c.Form("IncludeAllInstances"), "true")
	var rows []ec2InstanceStatusXML
	for _, in := range list {
		if !all && in.State != "running" {
			continue
		}
		is, ss := in.InstanceStatus, in.SystemStatus
		if in.State != "running" {
			is, ss = "not-applicable", "not-applicable"
		}
		rows = append(rows, ec2InstanceStatusXML{
			InstanceID:       in.ID,
			AvailabilityZone: in.AZ,
			InstanceState:    ec2InstanceStateXML{Code: ec2StateCodes[in.State], Name: in.State},
			InstanceStatus:   ec2StatusSummary(is),
			SystemStatus:     ec2StatusSummary(ss),
		})
	}
	from, to, next, ok := ec2Page(c, len(rows))
	if !ok {
		return
	}
	c.XML(struct {
		RequestID string                 `xml:"requestId"`
		Statuses  []ec2InstanceStatusXML `xml:"instanceStatusSet>item"`
		NextToken string                 `xml:"nextToken,omitempty"`
	}{requestID, rows[from:to], next})
}

func ec2DescribeSubnets(s *Server, c *call) {
	st := &s.ec2
	ids := c.FormList("SubnetId")
	var cands []*Subnet
	if len(ids) > 0 {
		var ok bool
		if cands, ok = ec2Lookup(c, ids, st.subnets, "InvalidSubnetID.NotFound", "subnet ID"); !ok {
			return
		}
	} else {
		for _, id := range st.subnetOrder {
			cands = append(cands, st.subnets[id])
		}
	}
	filters := ec2Filters(c)
	var rows []ec2SubnetXML
	for _, sn := range cands {
		attrs := map[string]string{"subnet-id": sn.ID, "vpc-id": sn.VPCID, "availability-zone": sn.AZ, "state": sn.State, "cidr-block": sn.CIDR}
		if !ec2FilterMatch(filters, attrs, sn.Tags) {
			continue
		}
		rows = append(rows, ec2SubnetXML{
			SubnetID: sn.ID, State: sn.State, VPCID: sn.VPCID, CIDRBlock: sn.CIDR, AvailableIPAddressCount: 250,
			SubnetArn:        fmt.Sprintf("arn:aws:ec2:%s:%s:subnet/%s", s.Region, s.AccountID, sn.ID),
			AvailabilityZone: sn.AZ, AvailabilityZoneID: sn.AZID, OwnerID: s.AccountID, Tags: ec2Tags(sn.Tags),
		})
	}
	from, to, next, ok := ec2Page(c, len(rows))
	if !ok {
		return
	}
	c.XML(struct {
		RequestID string         `xml:"requestId"`
		Subnets   []ec2SubnetXML `xml:"subnetSet>item"`
		NextToken string         `xml:"nextToken,omitempty"`
	}{requestID, rows[from:to], next})
}

func ec2DescribeTransitGateways(s *Server, c *call) {
	st := &s.ec2
	ids := c.FormList("TransitGatewayIds")
	var cands []*TransitGateway
	if len(ids) > 0 {
		for _, id := range ids {
			if _, ok := st.tgws[id]; !ok {
				c.Fail(http.StatusBadRequest, "InvalidTransitGatewayID.NotFound", fmt.Sprintf("Transit Gateway %s was deleted or does not exist.", id))
				return
			}
			cands = append(cands, st.tgws[id])
		}
	} else {
		for _, id := range st.tgwOrder {
			cands = append(cands, st.tgws[id])
		}
	}
	filters := ec2Filters(c)
	var rows []ec2TransitGatewayXML
	for _, tg := range cands {
		if !ec2FilterMatch(filters, map[string]string{"transit-gateway-id": tg.ID, "state": tg.State}, tg.Tags) {
			continue
		}
		rows = append(rows, ec2TransitGatewayXML{
			TransitGatewayID:  tg.ID,
			TransitGatewayArn: fmt.Sprintf("arn:aws:ec2:%s:%s:transit-gateway/%s", s.Region, s.AccountID, tg.ID),
			State:             tg.State, OwnerID: s.AccountID, Description: tg.Description,
			CreationTime: ec2Timestamp(s.clock.Now().Add(-30 * 24 * time.Hour)), Tags: ec2Tags(tg.Tags),
		})
	}
	from, to, next, ok := ec2Page(c, len(rows))
	if !ok {
		return
	}
	c.XML(struct {
		RequestID string                 `xml:"requestId"`
		TGWs      []ec2TransitGatewayXML `xml:"transitGatewaySet>item"`
		NextToken string                 `xml:"nextToken,omitempty"`
	}{requestID, rows[from:to], next})
}

func ec2DescribeVolumes(s *Server, c *call) {
	st := &s.ec2
	ids := c.FormList("VolumeId")
	var cands []*Volume
	if len(ids) > 0 {
		for _, id := range ids {
			if _, ok := st.volumes[id]; !ok {
				c.Fail(http.StatusBadRequest, "InvalidVolume.NotFound", fmt.Sprintf("The volume '%s' does not exist.", id))
				return
			}
			cands = append(cands, st.volumes[id])
		}
	} else {
		for _, id := range st.volumeOrder {
			cands = append(cands, st.volumes[id])
		}
	}
	filters := ec2Filters(c)
	created := ec2Timestamp(s.clock.Now().Add(-24 * time.Hour))
	var rows []ec2VolumeXML
	for _, v := range cands {
		attrs := map[string]string{"volume-id": v.ID, "status": v.State, "availability-zone": v.AZ, "volume-type": v.Type, "attachment.instance-id": v.AttachedTo}
		if !ec2FilterMatch(filters, attrs, v.Tags) {
			continue
		}
		x := ec2VolumeXML{VolumeID: v.ID, Size: v.SizeGiB, AvailabilityZone: v.AZ, Status: v.State, CreateTime: created, VolumeType: v.Type, Encrypted: true, Tags: ec2Tags(v.Tags)}
		if v.AttachedTo != "" {
			x.Attachments = []ec2VolumeAttachmentXML{{VolumeID: v.ID, InstanceID: v.AttachedTo, Device: v.Device, Status: "attached", AttachTime: created, DeleteOnTermination: !v.KeepOnTermination}}
		}
		rows = append(rows, x)
	}
	from, to, next, ok := ec2Page(c, len(rows))
	if !ok {
		return
	}
	c.XML(struct {
		RequestID string         `xml:"requestId"`
		Volumes   []ec2VolumeXML `xml:"volumeSet>item"`
		NextToken string         `xml:"nextToken,omitempty"`
	}{requestID, rows[from:to], next})
}
