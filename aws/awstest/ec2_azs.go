package awstest

import (
	"fmt"
	"strings"
)

type ec2AZXML struct {
	ZoneName    string `xml:"zoneName"`
	ZoneID      string `xml:"zoneId"`
	ZoneState   string `xml:"zoneState"`
	RegionName  string `xml:"regionName"`
	ZoneType    string `xml:"zoneType"`
	OptInStatus string `xml:"optInStatus"`
	GroupName   string `xml:"groupName"`
}

// regionAZPrefix is the AZ ID prefix of a region (us-east-1 → use1, eu-central-1 → euc1).
func regionAZPrefix(region string) string {
	parts := strings.Split(region, "-")
	if len(parts) < 3 {
		return region
	}
	return parts[0] + parts[1][:1] + parts[len(parts)-1]
}

// ec2Zones is the fake account's AZ code ↔ AZ ID mapping: zone letter n is az(n+1)
// (us-east-1b ↔ use1-az2, as in the simulated account), unless a seeded subnet says otherwise.
// In AWS the mapping differs per account, which is why DescribeAvailabilityZones is the way
// to translate (https://docs.aws.amazon.com/ram/latest/userguide/working-with-az-ids.html).
func (s *Server) ec2Zones() [][2]string {
	var out [][2]string
	override := map[string]string{}
	for _, sn := range s.ec2.subnets {
		if sn.AZ != "" && sn.AZID != "" {
			override[sn.AZ] = sn.AZID
		}
	}
	ids := map[string]string{}  // name → ID
	byID := map[string]string{} // ID → name
	var names []string
	for i, l := range "abcdef" {
		name := s.Region + string(l)
		id := fmt.Sprintf("%s-az%d", regionAZPrefix(s.Region), i+1)
		ids[name], byID[id] = id, name
		names = append(names, name)
	}
	for name, id := range override {
		old, ok := ids[name]
		if !ok || old == id {
			continue
		}
		// Swap with the zone that had the ID, so that the mapping stays one to one.
		if other, ok := byID[id]; ok {
			ids[other], byID[old] = old, other
		}
		ids[name], byID[id] = id, name
	}
	for _, name := range names {
		out = append(out, [2]string{name, ids[name]})
	}
	return out
}

// ec2DescribeAvailabilityZones answers DescribeAvailabilityZones, selecting by ZoneName.N,
// ZoneId.N and the zone-name / zone-id filters
// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeAvailabilityZones.html).
func ec2DescribeAvailabilityZones(s *Server, c *call) {
	names, ids := c.FormList("ZoneName"), c.FormList("ZoneId")
	filters := ec2Filters(c)
	var rows []ec2AZXML
	for _, z := range s.ec2Zones() {
		if len(names) > 0 && !containsStr(names, z[0]) || len(ids) > 0 && !containsStr(ids, z[1]) {
			continue
		}
		if !ec2FilterMatch(filters, map[string]string{"zone-name": z[0], "zone-id": z[1], "region-name": s.Region, "state": "available"}, nil) {
			continue
		}
		rows = append(rows, ec2AZXML{ZoneName: z[0], ZoneID: z[1], ZoneState: "available", RegionName: s.Region,
			ZoneType: "availability-zone", OptInStatus: "opt-in-not-required", GroupName: s.Region})
	}
	c.XML(struct {
		RequestID string     `xml:"requestId"`
		Zones     []ec2AZXML `xml:"availabilityZoneInfo>item"`
	}{requestID, rows})
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
