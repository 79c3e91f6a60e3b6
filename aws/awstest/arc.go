package awstest

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ARCManagedResource is a resource registered with ARC zonal shift (load balancers, EKS clusters, ...).
type ARCManagedResource struct {
	Arn  string
	Name string
	// AZs are the Availability Zones the resource is deployed in (ListManagedResources' availabilityZones).
	AZs []string
	// AutoshiftStatus: ENABLED or DISABLED (default).
	AutoshiftStatus string
	ZonalShifts     []ARCZonalShift
	Autoshifts      []ARCAutoshift
}

// ARCZonalShift is a zonal shift on a managed resource.
type ARCZonalShift struct {
	ID       string
	AwayFrom string // zone ID, e.g. use1-az1
	Applied  bool   // appliedStatus APPLIED (true) or NOT_APPLIED
	Start    time.Time
	Expiry   time.Time
	Comment  string
	// ShiftType: ZONAL_SHIFT (default), PRACTICE_RUN, FIS_EXPERIMENT, ZONAL_AUTOSHIFT.
	ShiftType string
}

// ARCAutoshift is an AWS-started autoshift on a managed resource.
type ARCAutoshift struct {
	AwayFrom string
	Applied  bool
	Start    time.Time
}

type arcState struct {
	resources map[string]*ARCManagedResource // by ARN
}

func arcService() *service {
	return &service{
		protocol: protoRestJSON,
		route: restRouter(
			restRoute{"GET", "/managedresources/{resourceIdentifier}", "GetManagedResource"},
			restRoute{"GET", "/managedresources", "ListManagedResources"},
		),
		handle: handleARC,
	}
}

// AddARCManagedResource seeds (or replaces) a managed resource.
func (s *Server) AddARCManagedResource(r ARCManagedResource) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.AutoshiftStatus == "" {
		r.AutoshiftStatus = "DISABLED"
	}
	if s.arc.resources == nil {
		s.arc.resources = map[string]*ARCManagedResource{}
	}
	rr := r
	s.arc.resources[r.Arn] = &rr
}

// SetZonalShifts replaces the zonal shifts of a managed resource.
func (s *Server) SetZonalShifts(arn string, shifts ...ARCZonalShift) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.arc.resources[arn]; r != nil {
		r.ZonalShifts = append([]ARCZonalShift(nil), shifts...)
	}
}

func handleARC(s *Server, c *call) {
	switch c.op {
	case "GetManagedResource":
		id := c.Param("resourceIdentifier")
		r := s.arc.resources[id]
		if r == nil {
			for _, cand := range s.arc.resources {
				if cand.Name == id {
					r = cand
					break
				}
			}
		}
		if r == nil {
			c.Fail(http.StatusNotFound, "ResourceNotFoundException", fmt.Sprintf("The resource %s is not registered with zonal shift.", id))
			return
		}
		shifts := []map[string]any{}
		for i, z := range r.ZonalShifts {
			st := "NOT_APPLIED"
			if z.Applied {
				st = "APPLIED"
			}
			typ := z.ShiftType
			if typ == "" {
				typ = "ZONAL_SHIFT"
			}
			zid := z.ID
			if zid == "" {
				zid = rjUUID(fmt.Sprintf("%s/shift/%d", r.Arn, i))
			}
			shifts = append(shifts, map[string]any{
				"appliedStatus": st, "zonalShiftId": zid, "resourceIdentifier": r.Arn, "awayFrom": z.AwayFrom,
				"startTime": rjEpoch(z.Start), "expiryTime": rjEpoch(z.Expiry), "comment": z.Comment, "shiftType": typ,
			})
		}
		autos := []map[string]any{}
		for _, a := range r.Autoshifts {
			st := "NOT_APPLIED"
			if a.Applied {
				st = "APPLIED"
			}
			autos = append(autos, map[string]any{"appliedStatus": st, "awayFrom": a.AwayFrom, "startTime": rjEpoch(a.Start)})
		}
		c.JSON(map[string]any{
			"arn": r.Arn, "name": r.Name, "appliedWeights": map[string]float64{},
			"zonalShifts": shifts, "autoshifts": autos, "zonalAutoshiftStatus": r.AutoshiftStatus,
		})
	case "ListManagedResources":
		arcListManagedResources(s, c)
	default:
		notImplemented(s, c)
	}
}

// arcListManagedResources lists the registered resources as ManagedResourceSummary items, the
// output FIS applies aws:arc:zonal-shift-managed-resource filters to
// (https://docs.aws.amazon.com/fis/latest/userguide/targets.html; summaries per
// https://docs.aws.amazon.com/arc-zonal-shift/latest/api/API_ManagedResourceSummary.html: no tags).
func arcListManagedResources(s *Server, c *call) {
	arns := make([]string, 0, len(s.arc.resources))
	for a := range s.arc.resources {
		arns = append(arns, a)
	}
	sort.Strings(arns)
	from := 0
	if tok := c.Query("nextToken"); tok != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(tok, "arc-"))
		if err != nil || n < 0 || n > len(arns) {
			c.Fail(http.StatusBadRequest, "ValidationException", "Invalid nextToken.")
			return
		}
		from = n
	}
	limit := 100
	if mr := c.Query("maxResults"); mr != "" {
		n, err := strconv.Atoi(mr)
		if err != nil || n < 1 || n > 100 {
			c.Fail(http.StatusBadRequest, "ValidationException", "maxResults must be between 1 and 100.")
			return
		}
		limit = n
	}
	to := min(from+limit, len(arns))
	items := []map[string]any{}
	for _, a := range arns[from:to] {
		r := s.arc.resources[a]
		azs := append([]string{}, r.AZs...)
		weights := map[string]float64{}
		for _, z := range azs {
			weights[z] = 1
		}
		items = append(items, map[string]any{
			"arn": r.Arn, "name": r.Name, "availabilityZones": azs, "appliedWeights": weights,
			"zonalAutoshiftStatus": r.AutoshiftStatus,
		})
	}
	out := map[string]any{"items": items}
	if to < len(arns) {
		out["nextToken"] = fmt.Sprintf("arc-%d", to)
	}
	c.JSON(out)
}
