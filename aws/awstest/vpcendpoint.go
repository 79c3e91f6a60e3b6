package awstest

import (
	"fmt"
	"time"
)

// VPCEndpoint is a seeded VPC endpoint.
type VPCEndpoint struct {
	ID string // vpce-…
	// Type: Interface (default), Gateway, GatewayLoadBalancer, Resource, ServiceNetwork.
	Type        string
	VPCID       string
	ServiceName string // default com.amazonaws.{region}.s3
	// State, as the service sends it (lower camel case; the API reference lists
	// PendingAcceptance | Pending | Available | Deleting | Deleted | Rejected | Failed | Expired | Partial,
	// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_VpcEndpoint.html): available (default),
	// pendingAcceptance, pending, deleting, deleted, rejected, failed, expired, partial.
	State     string
	SubnetIDs []string
	// LastErrorCode/Message are the endpoint's LastError (set with failed states).
	LastErrorCode, LastErrorMessage string
	Tags                            map[string]string
}

type vpceState struct {
	endpoints map[string]*VPCEndpoint
	order     []string
}

// AddVPCEndpoint seeds (or replaces) a VPC endpoint.
func (s *Server) AddVPCEndpoint(e VPCEndpoint) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.Type == "" {
		e.Type = "Interface"
	}
	if e.State == "" {
		e.State = "available"
	}
	if e.VPCID == "" {
		e.VPCID = "vpc-0abc1234"
	}
	if e.ServiceName == "" {
		e.ServiceName = "com.amazonaws." + s.Region + ".s3"
	}
	e.SubnetIDs = append([]string(nil), e.SubnetIDs...)
	st := &s.vpce
	if st.endpoints == nil {
		st.endpoints = map[string]*VPCEndpoint{}
	}
	if _, ok := st.endpoints[e.ID]; !ok {
		st.order = append(st.order, e.ID)
	}
	ee := e
	st.endpoints[e.ID] = &ee
	s.tagResource(fmt.Sprintf("arn:aws:ec2:%s:%s:vpc-endpoint/%s", s.Region, s.AccountID, e.ID), e.Tags)
}

// SetVPCEndpointState changes an endpoint's state.
func (s *Server) SetVPCEndpointState(id, state string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.vpce.endpoints[id]; e != nil {
		e.State = state
	}
}

type ec2VpcEndpointXML struct {
	VpcEndpointID     string      `xml:"vpcEndpointId"`
	VpcEndpointType   string      `xml:"vpcEndpointType"`
	VpcID             string      `xml:"vpcId"`
	ServiceName       string      `xml:"serviceName"`
	State             string      `xml:"state"`
	SubnetIDs         []string    `xml:"subnetIdSet>item"`
	PrivateDNSEnabled bool        `xml:"privateDnsEnabled"`
	RequesterManaged  bool        `xml:"requesterManaged"`
	CreationTimestamp string      `xml:"creationTimestamp"`
	OwnerID           string      `xml:"ownerId"`
	Tags              []ec2TagXML `xml:"tagSet>item"`
	LastError         *struct {
		Code    string `xml:"code"`
		Message string `xml:"message"`
	} `xml:"lastError,omitempty"`
}

// ec2DescribeVpcEndpoints answers DescribeVpcEndpoints (VpcEndpointId.N, Filter.N, MaxResults,
// NextToken): https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVpcEndpoints.html.
// An unknown ID fails the call with InvalidVpcEndpointId.NotFound naming it.
func ec2DescribeVpcEndpoints(s *Server, c *call) {
	st := &s.vpce
	ids := c.FormList("VpcEndpointId")
	var cands []*VPCEndpoint
	if len(ids) > 0 {
		var ok bool
		if cands, ok = ec2Lookup(c, ids, st.endpoints, "InvalidVpcEndpointId.NotFound", "VPC endpoint ID"); !ok {
			return
		}
	} else {
		for _, id := range st.order {
			cands = append(cands, st.endpoints[id])
		}
	}
	filters := ec2Filters(c)
	var rows []ec2VpcEndpointXML
	for _, e := range cands {
		attrs := map[string]string{"vpc-endpoint-id": e.ID, "vpc-id": e.VPCID, "service-name": e.ServiceName,
			"vpc-endpoint-state": e.State, "vpc-endpoint-type": e.Type}
		if !ec2FilterMatch(filters, attrs, e.Tags) {
			continue
		}
		row := ec2VpcEndpointXML{
			VpcEndpointID: e.ID, VpcEndpointType: e.Type, VpcID: e.VPCID, ServiceName: e.ServiceName, State: e.State,
			SubnetIDs: e.SubnetIDs, PrivateDNSEnabled: e.Type == "Interface", OwnerID: s.AccountID,
			CreationTimestamp: ec2Timestamp(s.clock.Now().Add(-24 * time.Hour)), Tags: ec2Tags(e.Tags),
		}
		if e.LastErrorCode != "" || e.LastErrorMessage != "" {
			row.LastError = &struct {
				Code    string `xml:"code"`
				Message string `xml:"message"`
			}{e.LastErrorCode, e.LastErrorMessage}
		}
		rows = append(rows, row)
	}
	from, to, next, ok := ec2Page(c, len(rows))
	if !ok {
		return
	}
	c.XML(struct {
		RequestID    string              `xml:"requestId"`
		VpcEndpoints []ec2VpcEndpointXML `xml:"vpcEndpointSet>item"`
		NextToken    string              `xml:"nextToken,omitempty"`
	}{requestID, rows[from:to], next})
}
