package awstest

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// taggingState is the Resource Groups Tagging API's view of the account: the tags of
// every resource ARN any service's seed registered (see TagResource).
type taggingState struct {
	tags map[string]map[string]string // ARN → tags
}

func taggingService() *service {
	return &service{protocol: protoJSON11, handle: handleTagging}
}

// TagResource adds (or overwrites) tags on the resource named by arn, of any service,
// so that the Tagging API's GetResources finds it. Seeds of other services call it too.
func (s *Server) TagResource(arn string, tags map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tagResource(arn, tags)
}

// UntagResource removes tag keys from the resource (all of its tags when no key is given).
func (s *Server) UntagResource(arn string, keys ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(keys) == 0 {
		delete(s.tagging.tags, arn)
		return
	}
	for _, k := range keys {
		delete(s.tagging.tags[arn], k)
	}
}

// tagResource is TagResource with the lock held (for other services' seed methods).
func (s *Server) tagResource(arn string, tags map[string]string) {
	if arn == "" || len(tags) == 0 {
		return
	}
	if s.tagging.tags == nil {
		s.tagging.tags = map[string]map[string]string{}
	}
	m := s.tagging.tags[arn]
	if m == nil {
		m = map[string]string{}
		s.tagging.tags[arn] = m
	}
	for k, v := range tags {
		m[k] = v
	}
}

// arnResourceType splits an ARN into its service and resource type
// ("arn:aws:ec2:r:a:instance/i-1" → "ec2", "instance"; S3 buckets → "s3", "bucket").
func arnResourceType(arn string) (service, typ string) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return "", ""
	}
	service, res := parts[2], parts[5]
	if i := strings.IndexAny(res, "/:"); i >= 0 {
		return service, res[:i]
	}
	if service == "s3" {
		return service, "bucket"
	}
	return service, ""
}

// taggingUnsupported reports whether GetResources leaves the ARN out: "IAM users and roles can
// only be used in TagResources and UntagResources operations. The GetResources operation does
// not currently support IAM users and roles", and for Auto Scaling groups "the GetTagKeys,
// GetTagValues and GetResources operations aren't supported at this time and return an empty
// response" (https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/supported-services.html).
func taggingUnsupported(arn string) bool {
	svc, typ := arnResourceType(arn)
	switch svc {
	case "autoscaling":
		return true
	case "iam":
		return typ == "role" || typ == "user"
	}
	return false
}

func matchesTypeFilter(arn string, filters []string) bool {
	if len(filters) == 0 {
		return true
	}
	svc, typ := arnResourceType(arn)
	for _, f := range filters {
		fs, ft, hasType := strings.Cut(f, ":")
		if !strings.EqualFold(fs, svc) {
			continue
		}
		if !hasType || strings.EqualFold(ft, typ) {
			return true
		}
	}
	return false
}

type taggingFilter struct {
	Key    string
	Values []string
}

func matchesTagFilters(tags map[string]string, filters []taggingFilter) bool {
	for _, f := range filters {
		v, ok := tags[f.Key]
		if !ok {
			return false
		}
		if len(f.Values) == 0 {
			continue
		}
		found := false
		for _, want := range f.Values {
			if v == want {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

type taggingTag struct {
	Key   string
	Value string
}

type taggingMapping struct {
	ResourceARN string
	Tags        []taggingTag
}

func handleTagging(s *Server, c *call) {
	switch c.op {
	case "GetResources":
		taggingGetResources(s, c)
	default:
		notImplemented(s, c)
	}
}

func taggingGetResources(s *Server, c *call) {
	var in struct {
		PaginationToken     string
		TagFilters          []taggingFilter
		ResourcesPerPage    *int
		ResourceTypeFilters []string
		ResourceARNList     []string
	}
	if err := c.DecodeJSON(&in); err != nil {
		c.Fail(http.StatusBadRequest, "InvalidParameterException", "malformed request: "+err.Error())
		return
	}
	perPage := 50
	if in.ResourcesPerPage != nil {
		if *in.ResourcesPerPage < 1 || *in.ResourcesPerPage > 100 {
			c.Fail(http.StatusBadRequest, "InvalidParameterException", "ResourcesPerPage must be between 1 and 100")
			return
		}
		perPage = *in.ResourcesPerPage
	}
	if len(in.ResourceARNList) > 0 && (len(in.TagFilters) > 0 || len(in.ResourceTypeFilters) > 0) {
		c.Fail(http.StatusBadRequest, "InvalidParameterException", "ResourceARNList cannot be combined with TagFilters or ResourceTypeFilters")
		return
	}
	offset := 0
	if in.PaginationToken != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(in.PaginationToken, "page-"))
		if err != nil || !strings.HasPrefix(in.PaginationToken, "page-") || n < 0 {
			c.Fail(http.StatusBadRequest, "InvalidParameterException", "invalid PaginationToken")
			return
		}
		offset = n
	}
	var arns []string
	if len(in.ResourceARNList) > 0 {
		for _, a := range in.ResourceARNList {
			if _, ok := s.tagging.tags[a]; ok && !taggingUnsupported(a) {
				arns = append(arns, a)
			}
		}
	} else {
		for a, tags := range s.tagging.tags {
			if len(tags) > 0 && !taggingUnsupported(a) && matchesTypeFilter(a, in.ResourceTypeFilters) && matchesTagFilters(tags, in.TagFilters) {
				arns = append(arns, a)
			}
		}
	}
	sort.Strings(arns)
	out := struct {
		PaginationToken        string
		ResourceTagMappingList []taggingMapping
	}{ResourceTagMappingList: []taggingMapping{}}
	if offset > len(arns) {
		offset = len(arns)
	}
	end := min(offset+perPage, len(arns))
	for _, a := range arns[offset:end] {
		m := taggingMapping{ResourceARN: a}
		for k, v := range s.tagging.tags[a] {
			m.Tags = append(m.Tags, taggingTag{Key: k, Value: v})
		}
		sort.Slice(m.Tags, func(i, j int) bool { return m.Tags[i].Key < m.Tags[j].Key })
		out.ResourceTagMappingList = append(out.ResourceTagMappingList, m)
	}
	if end < len(arns) {
		out.PaginationToken = "page-" + strconv.Itoa(end)
	}
	c.JSON(out)
}
