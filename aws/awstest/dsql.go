package awstest

import (
	"fmt"
	"net/http"
	"sort"
	"time"
)

// DSQLCluster is a seeded Aurora DSQL cluster.
type DSQLCluster struct {
	// Identifier is the cluster ID (AWS generates 26 lower-case letters and digits).
	Identifier string
	Arn        string // default arn:aws:dsql:{region}:{account}:cluster/{identifier}
	// Status (https://docs.aws.amazon.com/aurora-dsql/latest/userguide/cluster-lifecycle.html):
	// ACTIVE (default), CREATING, IDLE, INACTIVE, UPDATING, DELETING, DELETED, FAILED,
	// PENDING_SETUP, PENDING_DELETE.
	Status                    string
	DeletionProtectionEnabled bool
	// WitnessRegion and PeerArns make it a multi-Region cluster.
	WitnessRegion string
	PeerArns      []string
	CreationTime  time.Time
	Tags          map[string]string
}

type dsqlState struct {
	clusters map[string]*DSQLCluster
}

// dsqlService speaks restJson1 (GET /cluster/{identifier}), as the Aurora DSQL API reference
// documents: https://docs.aws.amazon.com/aurora-dsql/latest/APIReference/API_GetCluster.html
func dsqlService() *service {
	return &service{
		protocol: protoRestJSON,
		route: restRouter(
			restRoute{"GET", "/cluster/{identifier}", "GetCluster"},
		),
		handle: handleDSQL,
	}
}

// AddDSQLCluster seeds (or replaces) an Aurora DSQL cluster.
func (s *Server) AddDSQLCluster(c DSQLCluster) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.Arn == "" {
		c.Arn = fmt.Sprintf("arn:aws:dsql:%s:%s:cluster/%s", s.Region, s.AccountID, c.Identifier)
	}
	if c.Status == "" {
		c.Status = "ACTIVE"
	}
	if c.CreationTime.IsZero() {
		c.CreationTime = s.clock.Now().Add(-24 * time.Hour)
	}
	c.PeerArns = append([]string(nil), c.PeerArns...)
	if s.dsql.clusters == nil {
		s.dsql.clusters = map[string]*DSQLCluster{}
	}
	cc := c
	s.dsql.clusters[c.Identifier] = &cc
	s.tagResource(c.Arn, c.Tags)
}

// SetDSQLClusterStatus changes a cluster's status.
func (s *Server) SetDSQLClusterStatus(id, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.dsql.clusters[id]; c != nil {
		c.Status = status
	}
}

func handleDSQL(s *Server, c *call) {
	switch c.op {
	case "GetCluster":
		id := c.Param("identifier")
		cl := s.dsql.clusters[id]
		if cl == nil {
			// https://docs.aws.amazon.com/aurora-dsql/latest/APIReference/API_GetCluster.html:
			// ResourceNotFoundException, HTTP 404, with resourceId and resourceType.
			c.w.Header().Set("X-Amzn-Errortype", "ResourceNotFoundException")
			c.w.Header().Set("X-Amzn-Requestid", requestID)
			c.JSONStatus(http.StatusNotFound, map[string]string{
				"message": fmt.Sprintf("Cluster not found: %s", id), "resourceId": id, "resourceType": "cluster",
			})
			return
		}
		out := map[string]any{
			"identifier":                cl.Identifier,
			"arn":                       cl.Arn,
			"status":                    cl.Status,
			"creationTime":              float64(cl.CreationTime.Unix()),
			"deletionProtectionEnabled": cl.DeletionProtectionEnabled,
			"endpoint":                  fmt.Sprintf("%s.dsql.%s.on.aws", cl.Identifier, s.Region),
			"encryptionDetails":         map[string]string{"encryptionType": "AWS_OWNED_KMS_KEY", "encryptionStatus": "ENABLED"},
		}
		if cl.WitnessRegion != "" {
			peers := append([]string{cl.Arn}, cl.PeerArns...)
			sort.Strings(peers)
			out["multiRegionProperties"] = map[string]any{"witnessRegion": cl.WitnessRegion, "clusters": peers}
		}
		if len(cl.Tags) > 0 {
			out["tags"] = cl.Tags
		}
		c.JSON(out)
	default:
		notImplemented(s, c)
	}
}
