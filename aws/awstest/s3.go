package awstest

import (
	"encoding/xml"
	"net/http"
	"sort"
	"time"
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
			restRoute{"GET", "/", "ListBuckets"},
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
	case "ListBuckets":
		s3ListBuckets(s, c)
	default:
		notImplemented(s, c)
	}
}

type s3BucketXML struct {
	Name         string `xml:"Name"`
	CreationDate string `xml:"CreationDate"`
	BucketRegion string `xml:"BucketRegion"`
}

// s3ListBuckets answers ListBuckets with the account's buckets (Name, CreationDate, BucketRegion):
// the output FIS applies aws:s3:bucket filters to (https://docs.aws.amazon.com/fis/latest/userguide/targets.html,
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html).
func s3ListBuckets(s *Server, c *call) {
	names := make([]string, 0, len(s.s3.buckets))
	for n := range s.s3.buckets {
		names = append(names, n)
	}
	sort.Strings(names)
	created := s.clock.Now().Add(-90 * 24 * time.Hour).UTC().Format("2006-01-02T15:04:05.000Z")
	out := struct {
		XMLName xml.Name      `xml:"ListAllMyBucketsResult"`
		Xmlns   string        `xml:"xmlns,attr"`
		OwnerID string        `xml:"Owner>ID"`
		Buckets []s3BucketXML `xml:"Buckets>Bucket"`
	}{Xmlns: "http://s3.amazonaws.com/doc/2006-03-01/", OwnerID: s.AccountID}
	for _, n := range names {
		out.Buckets = append(out.Buckets, s3BucketXML{Name: n, CreationDate: created, BucketRegion: s.s3.buckets[n]})
	}
	b, err := xml.Marshal(out)
	if err != nil {
		c.Fail(http.StatusInternalServerError, "InternalError", "encode ListBuckets: "+err.Error())
		return
	}
	c.Raw(http.StatusOK, "application/xml", append([]byte(xml.Header), b...))
}
