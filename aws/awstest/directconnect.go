package awstest

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// DXVirtualInterface is a seeded Direct Connect virtual interface.
type DXVirtualInterface struct {
	ID   string // dxvif-xxxxxxxx
	Name string
	// Type: private (default), public, transit.
	Type         string
	ConnectionID string
	Vlan         int
	// State (https://docs.aws.amazon.com/directconnect/latest/APIReference/API_VirtualInterface.html):
	// available (default), confirming, verifying, pending, down, testing, deleting, deleted, rejected, unknown.
	State string
	// BGPStatus is the status of its one BGP peer: up (default when available), down, unknown.
	BGPStatus string
	Tags      map[string]string
}

type directconnectState struct {
	vifs  map[string]*DXVirtualInterface
	order []string
}

// dxPageSize is how many virtual interfaces one DescribeVirtualInterfaces page holds; the
// API reference caps maxResults at 100. Where it is silent (no maxResults), the fake pages
// anyway, the less convenient behaviour.
const dxPageSize = 100

// directconnectService speaks awsJson1.1 (X-Amz-Target OvertureService.<Operation>), as the
// Direct Connect API reference documents: https://docs.aws.amazon.com/directconnect/latest/APIReference/API_DescribeVirtualInterfaces.html
func directconnectService() *service {
	return &service{protocol: protoJSON11, handle: handleDirectConnect}
}

// DXVirtualInterfaceARN is the ARN of a virtual interface (resource dxvif/{id}).
func (s *Server) DXVirtualInterfaceARN(id string) string {
	return fmt.Sprintf("arn:aws:directconnect:%s:%s:dxvif/%s", s.Region, s.AccountID, id)
}

// AddDXVirtualInterface seeds (or replaces) a virtual interface.
func (s *Server) AddDXVirtualInterface(v DXVirtualInterface) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v.Type == "" {
		v.Type = "private"
	}
	if v.State == "" {
		v.State = "available"
	}
	if v.BGPStatus == "" {
		v.BGPStatus = "down"
		if v.State == "available" {
			v.BGPStatus = "up"
		}
	}
	if v.ConnectionID == "" {
		v.ConnectionID = "dxcon-fgabc123"
	}
	if v.Vlan == 0 {
		v.Vlan = 100 + len(s.directconnect.order)
	}
	st := &s.directconnect
	if st.vifs == nil {
		st.vifs = map[string]*DXVirtualInterface{}
	}
	if _, ok := st.vifs[v.ID]; !ok {
		st.order = append(st.order, v.ID)
	}
	vv := v
	st.vifs[v.ID] = &vv
	s.tagResource(s.DXVirtualInterfaceARN(v.ID), v.Tags)
}

// SetDXVirtualInterfaceState changes a virtual interface's state.
func (s *Server) SetDXVirtualInterfaceState(id, state string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v := s.directconnect.vifs[id]; v != nil {
		v.State = state
	}
}

func handleDirectConnect(s *Server, c *call) {
	switch c.op {
	case "DescribeVirtualInterfaces":
		dxDescribeVirtualInterfaces(s, c)
	default:
		notImplemented(s, c)
	}
}

func dxDescribeVirtualInterfaces(s *Server, c *call) {
	var in struct {
		ConnectionID       string `json:"connectionId"`
		VirtualInterfaceID string `json:"virtualInterfaceId"`
		MaxResults         int    `json:"maxResults"`
		NextToken          string `json:"nextToken"`
	}
	if err := c.DecodeJSON(&in); err != nil {
		c.Fail(http.StatusBadRequest, "SerializationException", err.Error())
		return
	}
	st := &s.directconnect
	var rows []*DXVirtualInterface
	if in.VirtualInterfaceID != "" {
		v := st.vifs[in.VirtualInterfaceID]
		if v == nil {
			// Direct Connect reports client-side errors as DirectConnectClientException (HTTP 400):
			// https://docs.aws.amazon.com/directconnect/latest/APIReference/API_DescribeVirtualInterfaces.html
			c.Fail(http.StatusBadRequest, "DirectConnectClientException", fmt.Sprintf("Virtual interface %s not found", in.VirtualInterfaceID))
			return
		}
		rows = append(rows, v)
	} else {
		ids := append([]string(nil), st.order...)
		sort.Strings(ids)
		for _, id := range ids {
			if v := st.vifs[id]; in.ConnectionID == "" || v.ConnectionID == in.ConnectionID {
				rows = append(rows, v)
			}
		}
	}
	size := dxPageSize
	if in.MaxResults > 0 && in.MaxResults < size {
		size = in.MaxResults
	}
	from := 0
	if in.NextToken != "" {
		n, err := strconv.Atoi(in.NextToken)
		if err != nil || n < 0 || n > len(rows) {
			c.Fail(http.StatusBadRequest, "DirectConnectClientException", "Invalid nextToken "+in.NextToken)
			return
		}
		from = n
	}
	to := min(from+size, len(rows))
	out := map[string]any{"virtualInterfaces": s.dxVIFJSON(rows[from:to])}
	if to < len(rows) {
		out["nextToken"] = strconv.Itoa(to)
	}
	c.JSON(out)
}

func (s *Server) dxVIFJSON(vs []*DXVirtualInterface) []map[string]any {
	out := make([]map[string]any, 0, len(vs))
	for _, v := range vs {
		var tags []map[string]string
		for k, val := range v.Tags {
			tags = append(tags, map[string]string{"key": k, "value": val})
		}
		sort.Slice(tags, func(i, j int) bool { return tags[i]["key"] < tags[j]["key"] })
		out = append(out, map[string]any{
			"ownerAccount":          s.AccountID,
			"virtualInterfaceId":    v.ID,
			"location":              "EqDC2",
			"connectionId":          v.ConnectionID,
			"virtualInterfaceType":  v.Type,
			"virtualInterfaceName":  v.Name,
			"vlan":                  v.Vlan,
			"asn":                   65000,
			"amazonSideAsn":         64512,
			"addressFamily":         "ipv4",
			"amazonAddress":         "169.254.0.1/30",
			"customerAddress":       "169.254.0.2/30",
			"virtualInterfaceState": v.State,
			"mtu":                   1500,
			"jumboFrameCapable":     false,
			"region":                s.Region,
			"bgpPeers": []map[string]any{{
				"bgpPeerId": "dxpeer-" + strings.TrimPrefix(v.ID, "dxvif-"), "asn": 65000, "addressFamily": "ipv4",
				"bgpPeerState": "available", "bgpStatus": v.BGPStatus,
			}},
			"tags": tags,
		})
	}
	return out
}
