package awstest

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// KinesisStream is a seeded Kinesis data stream.
type KinesisStream struct {
	Name string
	Arn  string // default arn:aws:kinesis:{region}:{account}:stream/{name}
	// Status (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_StreamDescriptionSummary.html):
	// ACTIVE (default), CREATING, UPDATING, DELETING.
	Status string
	// Mode is PROVISIONED (default) or ON_DEMAND.
	Mode           string
	OpenShardCount int
	RetentionHours int
	CreationTime   time.Time
	Tags           map[string]string
}

type kinesisState struct {
	streams map[string]*KinesisStream
}

// kinesisService speaks awsJson1.1 (X-Amz-Target Kinesis_20131202.<Operation>), as the
// Kinesis API reference documents: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_DescribeStreamSummary.html
func kinesisService() *service {
	return &service{protocol: protoJSON11, handle: handleKinesis}
}

// AddKinesisStream seeds (or replaces) a stream.
func (s *Server) AddKinesisStream(k KinesisStream) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if k.Arn == "" {
		k.Arn = fmt.Sprintf("arn:aws:kinesis:%s:%s:stream/%s", s.Region, s.AccountID, k.Name)
	}
	if k.Status == "" {
		k.Status = "ACTIVE"
	}
	if k.Mode == "" {
		k.Mode = "PROVISIONED"
	}
	if k.OpenShardCount == 0 {
		k.OpenShardCount = 2
	}
	if k.RetentionHours == 0 {
		k.RetentionHours = 24
	}
	if k.CreationTime.IsZero() {
		k.CreationTime = s.clock.Now().Add(-24 * time.Hour)
	}
	if s.kinesis.streams == nil {
		s.kinesis.streams = map[string]*KinesisStream{}
	}
	kk := k
	s.kinesis.streams[k.Name] = &kk
	s.tagResource(k.Arn, k.Tags)
}

// SetKinesisStreamStatus changes a stream's status.
func (s *Server) SetKinesisStreamStatus(name, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if k := s.kinesis.streams[name]; k != nil {
		k.Status = status
	}
}

func handleKinesis(s *Server, c *call) {
	switch c.op {
	case "DescribeStreamSummary":
		var in struct{ StreamName, StreamARN string }
		if err := c.DecodeJSON(&in); err != nil {
			c.Fail(http.StatusBadRequest, "SerializationException", err.Error())
			return
		}
		name := in.StreamName
		if in.StreamARN != "" {
			i := strings.Index(in.StreamARN, ":stream/")
			if i < 0 {
				c.Fail(http.StatusBadRequest, "InvalidArgumentException", fmt.Sprintf("StreamARN %s is not a valid stream ARN", in.StreamARN))
				return
			}
			name = in.StreamARN[i+len(":stream/"):]
		}
		if name == "" {
			// https://docs.aws.amazon.com/kinesis/latest/APIReference/API_DescribeStreamSummary.html: StreamName or StreamARN.
			c.Fail(http.StatusBadRequest, "InvalidArgumentException", "Either StreamName or StreamARN must be provided")
			return
		}
		k := s.kinesis.streams[name]
		if k == nil {
			// https://docs.aws.amazon.com/kinesis/latest/APIReference/API_DescribeStreamSummary.html: ResourceNotFoundException (HTTP 400).
			c.Fail(http.StatusBadRequest, "ResourceNotFoundException", fmt.Sprintf("Stream %s under account %s not found.", name, s.AccountID))
			return
		}
		c.JSON(map[string]any{"StreamDescriptionSummary": map[string]any{
			"StreamName":              k.Name,
			"StreamARN":               k.Arn,
			"StreamId":                rjUUID("kinesis/" + k.Name),
			"StreamStatus":            k.Status,
			"StreamModeDetails":       map[string]string{"StreamMode": k.Mode},
			"RetentionPeriodHours":    k.RetentionHours,
			"StreamCreationTimestamp": float64(k.CreationTime.Unix()),
			"EnhancedMonitoring":      []map[string]any{{"ShardLevelMetrics": []string{}}},
			"EncryptionType":          "NONE",
			"OpenShardCount":          k.OpenShardCount,
			"ConsumerCount":           0,
		}})
	default:
		notImplemented(s, c)
	}
}
