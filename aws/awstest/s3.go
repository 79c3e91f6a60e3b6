package awstest

import (
	"net/http"
)

// s3State holds the account's buckets (name → region).
type s3State struct {
	buckets map[string]string
}

func s3Service() *service {
	return &service{
		protocol: protoRestXML,
		route: restRouter(
			restRoute{"HEAD", "/{Bucket}", "HeadBucket"},
		),
		handle: handleS3,
	}
}

// AddS3Bucket seeds a bucket (in the server's region), tagged with tags.
func (s *Server) AddS3Bucket(name string, tags map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.s3.buckets == nil {
		s.s3.buckets = map[string]string{}
	}
	s.s3.buckets[name] = s.Region
	s.tagResource("arn:aws:s3:::"+name, tags)
}

// RemoveS3Bucket deletes a bucket.
func (s *Server) RemoveS3Bucket(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.s3.buckets, name)
}

func handleS3(s *Server, c *call) {
	switch c.op {
	case "HeadBucket":
		region, ok := s.s3.buckets[c.Param("Bucket")]
		if !ok {
			// HEAD replies carry no body: the SDK reports the bare status as "NotFound".
			c.Raw(http.StatusNotFound, "application/xml", nil)
			return
		}
		c.w.Header().Set("X-Amz-Bucket-Region", region)
		c.Raw(http.StatusOK, "", nil)
	default:
		notImplemented(s, c)
	}
}
