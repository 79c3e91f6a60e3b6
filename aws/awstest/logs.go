package awstest

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// LogEvent is one seeded CloudWatch Logs event.
type LogEvent struct {
	Time    time.Time
	Message string
}

type logsEvent struct {
	stream  string
	ts      int64 // epoch ms
	ingest  int64
	message string
	seq     int
}

type logGroup struct {
	name      string
	created   time.Time
	retention int
	events    []logsEvent
	streams   map[string]bool
}

// logsState is the fake's CloudWatch Logs state.
type logsState struct {
	groups map[string]*logGroup
	seq    int
	// pageSize caps the events of one FilterLogEvents page (0: AWS's 10,000).
	pageSize int
}

const (
	logsMaxFilterLimit   = 10000
	logsMaxDescribeLimit = 50
)

func logsService() *service {
	return &service{protocol: protoJSON11, handle: handleLogs}
}

// AddLogGroup creates a log group (no-op when it exists).
func (s *Server) AddLogGroup(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logs.group(name, s.clock.Now())
}

// DeleteLogGroup removes a log group and its events.
func (s *Server) DeleteLogGroup(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.logs.groups, name)
}

// PutLogEvents adds events to a stream of a group (both created when missing, for seeding convenience).
func (s *Server) PutLogEvents(group, stream string, events ...LogEvent) {
	s.change(func(time.Time) { s.PutLogEventsLocked(group, stream, events...) })
}

// PutLogEventsLocked is PutLogEvents for callers holding the lock (At / OnExperimentStart callbacks).
func (s *Server) PutLogEventsLocked(group, stream string, events ...LogEvent) {
	now := s.clock.Now()
	g := s.logs.group(group, now)
	g.streams[stream] = true
	for _, e := range events {
		s.logs.seq++
		g.events = append(g.events, logsEvent{stream: stream, ts: e.Time.UnixMilli(), ingest: now.UnixMilli(), message: e.Message, seq: s.logs.seq})
	}
	sort.SliceStable(g.events, func(i, j int) bool {
		if g.events[i].ts != g.events[j].ts {
			return g.events[i].ts < g.events[j].ts
		}
		return g.events[i].seq < g.events[j].seq
	})
}

// SetFilterLogEventsPageSize caps the events per FilterLogEvents page (to exercise
// nextToken paging); n <= 0 restores AWS's 10,000.
func (s *Server) SetFilterLogEventsPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logs.pageSize = n
}

func (st *logsState) group(name string, now time.Time) *logGroup {
	if st.groups == nil {
		st.groups = map[string]*logGroup{}
	}
	g := st.groups[name]
	if g == nil {
		g = &logGroup{name: name, created: now, streams: map[string]bool{}}
		st.groups[name] = g
	}
	return g
}

func handleLogs(s *Server, c *call) {
	switch c.op {
	case "DescribeLogGroups":
		logsDescribeLogGroups(s, c)
	case "FilterLogEvents":
		logsFilterLogEvents(s, c)
	default:
		notImplemented(s, c)
	}
}

func logsInvalid(c *call, format string, args ...any) {
	c.Fail(http.StatusBadRequest, "InvalidParameterException", fmt.Sprintf(format, args...))
}

func logsPage(token, prefix string) (int, bool) {
	if token == "" {
		return 0, true
	}
	rest, ok := strings.CutPrefix(token, prefix)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil && n >= 0
}

func (s *Server) logGroupArn(name string) string {
	return fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", s.Region, s.AccountID, name)
}

func logsDescribeLogGroups(s *Server, c *call) {
	var in struct {
		LogGroupNamePrefix  string   `json:"logGroupNamePrefix"`
		LogGroupNamePattern string   `json:"logGroupNamePattern"`
		LogGroupIdentifiers []string `json:"logGroupIdentifiers"`
		Limit               int      `json:"limit"`
		NextToken           string   `json:"nextToken"`
	}
	if err := c.DecodeJSON(&in); err != nil {
		c.Fail(http.StatusBadRequest, "SerializationException", err.Error())
		return
	}
	if in.LogGroupNamePrefix != "" && in.LogGroupNamePattern != "" {
		logsInvalid(c, "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
		return
	}
	if in.Limit < 0 || in.Limit > logsMaxDescribeLimit {
		logsInvalid(c, "1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to %d", in.Limit, logsMaxDescribeLimit)
		return
	}
	if in.Limit == 0 {
		in.Limit = logsMaxDescribeLimit
	}
	off, ok := logsPage(in.NextToken, "dlg-")
	if !ok {
		logsInvalid(c, "The specified nextToken is invalid.")
		return
	}
	ids := map[string]bool{}
	for _, id := range in.LogGroupIdentifiers {
		ids[strings.TrimSuffix(id, ":*")] = true
	}
	var names []string
	for n := range s.logs.groups {
		if !strings.HasPrefix(n, in.LogGroupNamePrefix) || !strings.Contains(strings.ToLower(n), strings.ToLower(in.LogGroupNamePattern)) {
			continue
		}
		if len(ids) > 0 && !ids[n] && !ids[s.logGroupArn(n)] {
			continue
		}
		names = append(names, n)
	}
	sort.Strings(names)
	off = min(off, len(names))
	end := min(off+in.Limit, len(names))
	type group struct {
		LogGroupName    string `json:"logGroupName"`
		Arn             string `json:"arn"`
		LogGroupArn     string `json:"logGroupArn"`
		CreationTime    int64  `json:"creationTime"`
		StoredBytes     int64  `json:"storedBytes"`
		RetentionInDays int    `json:"retentionInDays,omitempty"`
		LogGroupClass   string `json:"logGroupClass"`
	}
	var out struct {
		LogGroups []group `json:"logGroups"`
		NextToken string  `json:"nextToken,omitempty"`
	}
	out.LogGroups = []group{}
	for _, n := range names[off:end] {
		g := s.logs.groups[n]
		var size int64
		for _, e := range g.events {
			size += int64(len(e.message))
		}
		arn := s.logGroupArn(n)
		out.LogGroups = append(out.LogGroups, group{n, arn + ":*", arn, g.created.UnixMilli(), size, g.retention, "STANDARD"})
	}
	if end < len(names) {
		out.NextToken = "dlg-" + strconv.Itoa(end)
	}
	c.JSON(out)
}

func logsFilterLogEvents(s *Server, c *call) {
	var in struct {
		LogGroupName        string   `json:"logGroupName"`
		LogGroupIdentifier  string   `json:"logGroupIdentifier"`
		LogStreamNames      []string `json:"logStreamNames"`
		LogStreamNamePrefix string   `json:"logStreamNamePrefix"`
		StartTime           *int64   `json:"startTime"`
		EndTime             *int64   `json:"endTime"`
		FilterPattern       string   `json:"filterPattern"`
		NextToken           string   `json:"nextToken"`
		Limit               int      `json:"limit"`
	}
	if err := c.DecodeJSON(&in); err != nil {
		c.Fail(http.StatusBadRequest, "SerializationException", err.Error())
		return
	}
	name := in.LogGroupName
	switch {
	case name != "" && in.LogGroupIdentifier != "":
		logsInvalid(c, "LogGroup name and LogGroup ARN are mutually exclusive parameters.")
		return
	case name == "" && in.LogGroupIdentifier == "":
		logsInvalid(c, "Either logGroupName or logGroupIdentifier must be specified.")
		return
	case name == "":
		name = in.LogGroupIdentifier
		if arnPrefix := s.logGroupArn(""); strings.HasPrefix(name, arnPrefix) {
			name = strings.TrimSuffix(strings.TrimPrefix(name, arnPrefix), ":*")
		}
	}
	if len(in.LogStreamNames) > 0 && in.LogStreamNamePrefix != "" {
		logsInvalid(c, "logStreamNames and logStreamNamePrefix are mutually exclusive parameters.")
		return
	}
	if in.Limit < 0 || in.Limit > logsMaxFilterLimit {
		logsInvalid(c, "1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to %d", in.Limit, logsMaxFilterLimit)
		return
	}
	g := s.logs.groups[name]
	if g == nil {
		c.Fail(http.StatusBadRequest, "ResourceNotFoundException", "The specified log group does not exist.")
		return
	}
	off, ok := logsPage(in.NextToken, "fle-")
	if !ok {
		logsInvalid(c, "The specified nextToken is invalid.")
		return
	}
	limit := in.Limit
	if limit == 0 {
		limit = logsMaxFilterLimit
	}
	if s.logs.pageSize > 0 && s.logs.pageSize < limit {
		limit = s.logs.pageSize
	}
	streams := map[string]bool{}
	for _, n := range in.LogStreamNames {
		streams[n] = true
	}
	terms := strings.Fields(strings.ReplaceAll(in.FilterPattern, `"`, ""))
	type event struct {
		LogStreamName string `json:"logStreamName"`
		Timestamp     int64  `json:"timestamp"`
		Message       string `json:"message"`
		IngestionTime int64  `json:"ingestionTime"`
		EventID       string `json:"eventId"`
	}
	var out struct {
		Events             []event `json:"events"`
		SearchedLogStreams []struct {
			LogStreamName      string `json:"logStreamName"`
			SearchedCompletely bool   `json:"searchedCompletely"`
		} `json:"searchedLogStreams"`
		NextToken string `json:"nextToken,omitempty"`
	}
	out.Events = []event{}
	i := 0
	for ; off+i < len(g.events); i++ {
		e := g.events[off+i]
		if (len(streams) > 0 && !streams[e.stream]) || !strings.HasPrefix(e.stream, in.LogStreamNamePrefix) ||
			(in.StartTime != nil && e.ts < *in.StartTime) || (in.EndTime != nil && e.ts > *in.EndTime) || !logsMatch(e.message, terms) {
			continue
		}
		if len(out.Events) == limit {
			out.NextToken = "fle-" + strconv.Itoa(off+i)
			break
		}
		out.Events = append(out.Events, event{e.stream, e.ts, e.message, e.ingest, fmt.Sprintf("%056d", e.seq)})
	}
	c.JSON(out)
}

// logsMatch is a simplified filter pattern: every term must appear (case-sensitive, as in CloudWatch).
func logsMatch(msg string, terms []string) bool {
	for _, t := range terms {
		if !strings.Contains(msg, t) {
			return false
		}
	}
	return true
}
