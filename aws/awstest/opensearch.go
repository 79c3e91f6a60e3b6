package awstest

import (
	"fmt"
	"net/http"
)

// OpenSearchDomain is a seeded Amazon OpenSearch Service domain.
type OpenSearchDomain struct {
	Name          string
	Arn           string // default arn:aws:es:{region}:{account}:domain/{name}
	EngineVersion string // default OpenSearch_2.13
	// Endpoint is the public endpoint; VPCEndpoint goes to Endpoints["vpc"].
	Endpoint    string
	VPCEndpoint string
	Processing  bool
	// UpgradeProcessing is true while an engine upgrade runs.
	UpgradeProcessing bool
	Deleted           bool
	// ProcessingStatus is DomainProcessingStatus: Active (default), Creating, Modifying,
	// UpgradingEngineVersion, UpdatingServiceSoftware, Isolated, Deleting.
	ProcessingStatus string
	// ClusterHealth is DescribeDomainHealth's Green (default), Yellow, Red or NotAvailable.
	ClusterHealth string
	InstanceType  string
	InstanceCount int
	// ZoneAwareness with AZCount availability zones.
	ZoneAwareness bool
	AZCount       int
	// LogPublishing maps an enabled log type (INDEX_SLOW_LOGS, SEARCH_SLOW_LOGS,
	// ES_APPLICATION_LOGS, AUDIT_LOGS) to its CloudWatch log group ARN.
	LogPublishing map[string]string
	// DisabledLogs are configured but disabled log types (log type → log group ARN).
	DisabledLogs map[string]string
	Tags         map[string]string
}

type opensearchState struct {
	domains map[string]*OpenSearchDomain
}

func opensearchService() *service {
	return &service{
		protocol: protoRestJSON,
		route: restRouter(
			restRoute{"GET", "/2021-01-01/opensearch/domain/{DomainName}", "DescribeDomain"},
			restRoute{"GET", "/2021-01-01/opensearch/domain/{DomainName}/health", "DescribeDomainHealth"},
		),
		handle: handleOpenSearch,
	}
}

// AddOpenSearchDomain seeds (or replaces) a domain.
func (s *Server) AddOpenSearchDomain(d OpenSearchDomain) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d.Arn == "" {
		d.Arn = fmt.Sprintf("arn:aws:es:%s:%s:domain/%s", s.Region, s.AccountID, d.Name)
	}
	if d.EngineVersion == "" {
		d.EngineVersion = "OpenSearch_2.13"
	}
	if d.ProcessingStatus == "" {
		d.ProcessingStatus = "Active"
	}
	if d.ClusterHealth == "" {
		d.ClusterHealth = "Green"
	}
	if d.InstanceType == "" {
		d.InstanceType = "r6g.large.search"
	}
	if d.InstanceCount == 0 {
		d.InstanceCount = 3
	}
	if s.opensearch.domains == nil {
		s.opensearch.domains = map[string]*OpenSearchDomain{}
	}
	dd := d
	s.opensearch.domains[d.Name] = &dd
	s.tagResource(d.Arn, d.Tags)
}

// UpdateOpenSearchDomain changes a seeded domain in place (fn runs with the lock held).
func (s *Server) UpdateOpenSearchDomain(name string, fn func(*OpenSearchDomain)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d := s.opensearch.domains[name]; d != nil {
		fn(d)
	}
}

func handleOpenSearch(s *Server, c *call) {
	name := c.Param("DomainName")
	d := s.opensearch.domains[name]
	if d == nil {
		c.Fail(http.StatusConflict, "ResourceNotFoundException", fmt.Sprintf("Domain not found: %s", name))
		return
	}
	switch c.op {
	case "DescribeDomain":
		c.JSON(map[string]any{"DomainStatus": openSearchStatusJSON(s, d)})
	case "DescribeDomainHealth":
		state := "Active"
		if d.Processing || d.UpgradeProcessing {
			state = "Processing"
		}
		c.JSON(map[string]any{
			"ClusterHealth":         d.ClusterHealth,
			"DomainState":           state,
			"DataNodeCount":         fmt.Sprint(d.InstanceCount),
			"AvailabilityZoneCount": fmt.Sprint(max(d.AZCount, 1)),
			"DedicatedMaster":       false,
			"MasterNode":            "Available",
		})
	default:
		notImplemented(s, c)
	}
}

func openSearchStatusJSON(s *Server, d *OpenSearchDomain) map[string]any {
	cc := map[string]any{
		"InstanceType":         d.InstanceType,
		"InstanceCount":        d.InstanceCount,
		"ZoneAwarenessEnabled": d.ZoneAwareness,
	}
	if d.ZoneAwareness {
		cc["ZoneAwarenessConfig"] = map[string]any{"AvailabilityZoneCount": max(d.AZCount, 2)}
	}
	logs := map[string]any{}
	for t, g := range d.LogPublishing {
		logs[t] = map[string]any{"CloudWatchLogsLogGroupArn": g, "Enabled": true}
	}
	for t, g := range d.DisabledLogs {
		logs[t] = map[string]any{"CloudWatchLogsLogGroupArn": g, "Enabled": false}
	}
	m := map[string]any{
		"ARN":                    d.Arn,
		"DomainId":               s.AccountID + "/" + d.Name,
		"DomainName":             d.Name,
		"EngineVersion":          d.EngineVersion,
		"Created":                true,
		"Deleted":                d.Deleted,
		"Processing":             d.Processing,
		"UpgradeProcessing":      d.UpgradeProcessing,
		"DomainProcessingStatus": d.ProcessingStatus,
		"ClusterConfig":          cc,
		"LogPublishingOptions":   logs,
	}
	if d.Endpoint != "" {
		m["Endpoint"] = d.Endpoint
	}
	if d.VPCEndpoint != "" {
		m["Endpoints"] = map[string]string{"vpc": d.VPCEndpoint}
	}
	return m
}
