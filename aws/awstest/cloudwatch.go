package awstest

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// CloudWatch speaks Smithy RPC v2 CBOR. The service is awsQueryCompatible, so
// errors carry both the CBOR {"__type", "message"} body and the
// X-Amzn-Query-Error header with the legacy query code (e.g. "InvalidParameterValue;Sender"),
// which the SDK uses as the error code.

// Alarm types as CloudWatch names them.
const (
	AlarmTypeMetric    = "MetricAlarm"
	AlarmTypeComposite = "CompositeAlarm"
)

// Alarm states.
const (
	AlarmOK               = "OK"
	AlarmAlarm            = "ALARM"
	AlarmInsufficientData = "INSUFFICIENT_DATA"
)

// Alarm is a seeded CloudWatch alarm (metric alarm unless Type is AlarmTypeComposite).
type Alarm struct {
	Name string
	// ARN defaults to arn:aws:cloudwatch:{region}:{account}:alarm:{Name}.
	ARN string
	// Type is AlarmTypeMetric (default) or AlarmTypeComposite.
	Type string
	// State defaults to INSUFFICIENT_DATA, as for a newly created alarm: OK | ALARM | INSUFFICIENT_DATA
	// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricAlarm.html).
	State  string
	Reason string
	// UpdatedAt defaults to the simulation time of AddAlarm.
	UpdatedAt time.Time

	// Metric alarm fields.
	Namespace          string
	MetricName         string
	Dimensions         map[string]string
	Statistic          string
	Period             int32
	EvaluationPeriods  int32
	Threshold          float64
	ComparisonOperator string

	// AlarmRule is the rule of a composite alarm.
	AlarmRule string
}

// AlarmHistoryItem is one alarm history record (seed raw ones with AddAlarmHistory,
// e.g. to test malformed HistoryData).
type AlarmHistoryItem struct {
	AlarmName       string
	AlarmType       string
	Time            time.Time
	HistoryItemType string // StateUpdate, ConfigurationUpdate, Action, ...
	Summary         string
	Data            string
}

// MetricPoint is one explicit datapoint of a seeded metric.
type MetricPoint struct {
	Time  time.Time
	Value float64
}

type cwMetric struct {
	namespace, name string
	dims            map[string]string
	fn              func(time.Time) float64
	points          []MetricPoint
	// highRes: stored at 1-second resolution (PutMetricData StorageResolution 1);
	// otherwise standard resolution, as every AWS-published metric.
	highRes bool
}

// cloudwatchState is the fake's CloudWatch state.
type cloudwatchState struct {
	alarms  map[string]*Alarm
	history []AlarmHistoryItem
	metrics map[string]*cwMetric
	// maxDatapoints caps the datapoints of one GetMetricData page (0: AWS's 100,800).
	maxDatapoints int
}

const (
	cwDefaultMaxDatapoints = 100800
	cwMaxQueries           = 500
	cwMaxAlarmNames        = 100
)

func cloudwatchService() *service {
	return &service{protocol: protoCBOR, handle: handleCloudWatch}
}

func (st *cloudwatchState) init() {
	if st.alarms == nil {
		st.alarms = map[string]*Alarm{}
	}
	if st.metrics == nil {
		st.metrics = map[string]*cwMetric{}
	}
}

// AddAlarm seeds (or replaces) an alarm.
func (s *Server) AddAlarm(a Alarm) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cloudwatch.init()
	cp := a
	if cp.ARN == "" {
		cp.ARN = fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", s.Region, s.AccountID, cp.Name)
	}
	if cp.Type == "" {
		cp.Type = AlarmTypeMetric
	}
	if cp.State == "" {
		cp.State = AlarmInsufficientData
		if cp.Reason == "" {
			cp.Reason = "Unchecked: Initial alarm creation"
		}
	}
	if cp.UpdatedAt.IsZero() {
		cp.UpdatedAt = s.clock.Now()
	}
	cp.Dimensions = cfnCopyMap(a.Dimensions)
	s.cloudwatch.alarms[cp.Name] = &cp
}

// DeleteAlarm removes an alarm (its history stays, as in AWS).
func (s *Server) DeleteAlarm(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.cloudwatch.alarms, name)
}

// SetAlarmState changes an alarm's state at the current simulation time and appends a
// StateUpdate history item; unknown alarms are ignored.
func (s *Server) SetAlarmState(name, state, reason string) {
	s.change(func(at time.Time) { s.SetAlarmStateLocked(name, state, reason, at) })
}

// SetAlarmStateAt schedules a state change at simulation time t (history records t).
func (s *Server) SetAlarmStateAt(t time.Time, name, state, reason string) {
	s.changeAt(t, func(at time.Time) { s.SetAlarmStateLocked(name, state, reason, at) })
}

// SetAlarmStateLocked is SetAlarmState for callers that hold the lock (At and
// OnExperimentStart callbacks); at is the transition time.
func (s *Server) SetAlarmStateLocked(name, state, reason string, at time.Time) {
	a := s.cloudwatch.alarms[name]
	if a == nil {
		return
	}
	old := *a
	a.State, a.Reason, a.UpdatedAt = state, reason, at
	if old.State == state {
		return
	}
	type stateInfo struct {
		StateValue  string `json:"stateValue"`
		StateReason string `json:"stateReason"`
	}
	data, _ := json.Marshal(struct {
		Version  string    `json:"version"`
		OldState stateInfo `json:"oldState"`
		NewState stateInfo `json:"newState"`
	}{"1.0", stateInfo{old.State, old.Reason}, stateInfo{state, reason}})
	s.cloudwatch.history = append(s.cloudwatch.history, AlarmHistoryItem{
		AlarmName: name, AlarmType: a.Type, Time: at, HistoryItemType: "StateUpdate",
		Summary: fmt.Sprintf("Alarm updated from %s to %s", old.State, state), Data: string(data),
	})
}

// AddAlarmHistory appends a raw history item (Type defaults to MetricAlarm, Time to now).
func (s *Server) AddAlarmHistory(h AlarmHistoryItem) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h.AlarmType == "" {
		h.AlarmType = AlarmTypeMetric
	}
	if h.Time.IsZero() {
		h.Time = s.clock.Now()
	}
	s.cloudwatch.history = append(s.cloudwatch.history, h)
}

// SetMetric seeds a metric whose value for each period is fn(period start). fn may
// return NaN for "no datapoint". Only periods that have started by the simulation
// time have data. Dimensions must match a query exactly, as in CloudWatch.
func (s *Server) SetMetric(namespace, metric string, dims map[string]string, fn func(t time.Time) float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cloudwatch.init()
	s.cloudwatch.metrics[cwMetricKey(namespace, metric, dims)] = &cwMetric{namespace: namespace, name: metric, dims: cfnCopyMap(dims), fn: fn}
}

// PutMetricPoints adds explicit datapoints to a metric (aggregated per period by the query's Stat).
func (s *Server) PutMetricPoints(namespace, metric string, dims map[string]string, points ...MetricPoint) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cloudwatch.init()
	k := cwMetricKey(namespace, metric, dims)
	m := s.cloudwatch.metrics[k]
	if m == nil || m.fn != nil {
		m = &cwMetric{namespace: namespace, name: metric, dims: cfnCopyMap(dims)}
		s.cloudwatch.metrics[k] = m
	}
	m.points = append(m.points, points...)
}

// SetMetricStorageResolution sets a seeded metric's storage resolution, as
// PutMetricData's StorageResolution: 1 (high resolution) or 60 (standard, the default).
// Standard-resolution metrics read with a period under 60 s only have data in the
// periods that start on a whole minute (CloudWatch has one value per minute for them:
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html, Period).
func (s *Server) SetMetricStorageResolution(namespace, metric string, dims map[string]string, seconds int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cloudwatch.init()
	k := cwMetricKey(namespace, metric, dims)
	m := s.cloudwatch.metrics[k]
	if m == nil {
		m = &cwMetric{namespace: namespace, name: metric, dims: cfnCopyMap(dims)}
		s.cloudwatch.metrics[k] = m
	}
	m.highRes = seconds > 0 && seconds < 60
}

// SetGetMetricDataPageSize caps the datapoints per GetMetricData page (to exercise
// NextToken paging); n <= 0 restores AWS's 100,800.
func (s *Server) SetGetMetricDataPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cloudwatch.maxDatapoints = n
}

func cwMetricKey(namespace, metric string, dims map[string]string) string {
	var b strings.Builder
	b.WriteString(namespace + "\x00" + metric)
	for _, k := range cfnSortedKeys(dims) {
		b.WriteString("\x00" + k + "=" + dims[k])
	}
	return b.String()
}

// cwFail writes a CloudWatch error: the CBOR body names the shape; the query header the legacy code.
func cwFail(c *call, status int, shape, queryCode, message string) {
	fault := "Sender"
	if status >= 500 {
		fault = "Receiver"
	}
	c.w.Header().Set("X-Amzn-Query-Error", queryCode+";"+fault)
	c.Fail(status, "com.amazonaws.cloudwatch#"+shape, message)
}

func cwInvalidParam(c *call, format string, args ...any) {
	cwFail(c, http.StatusBadRequest, "InvalidParameterValueException", "InvalidParameterValue", fmt.Sprintf(format, args...))
}

func handleCloudWatch(s *Server, c *call) {
	switch c.op {
	case "DescribeAlarms":
		cwDescribeAlarms(s, c)
	case "DescribeAlarmHistory":
		cwDescribeAlarmHistory(s, c)
	case "GetMetricData":
		cwGetMetricData(s, c)
	default:
		notImplemented(s, c)
	}
}

// cwPage returns the offset a NextToken encodes (prefix + decimal offset).
func cwPage(token, prefix string) (int, bool) {
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

type cwDimension struct {
	Name  string `cbor:"Name"`
	Value string `cbor:"Value"`
}

func cwDims(m map[string]string) []cwDimension {
	out := []cwDimension{}
	for _, k := range cfnSortedKeys(m) {
		out = append(out, cwDimension{k, m[k]})
	}
	return out
}

func cwTypeWanted(types []string, typ string) bool {
	if len(types) == 0 {
		// CloudWatch returns only metric alarms when AlarmTypes is omitted.
		return typ == AlarmTypeMetric
	}
	for _, t := range types {
		if t == typ {
			return true
		}
	}
	return false
}

func cwDescribeAlarms(s *Server, c *call) {
	var in struct {
		AlarmNames      []string `cbor:"AlarmNames"`
		AlarmNamePrefix string   `cbor:"AlarmNamePrefix"`
		AlarmTypes      []string `cbor:"AlarmTypes"`
		StateValue      string   `cbor:"StateValue"`
		MaxRecords      int      `cbor:"MaxRecords"`
		NextToken       string   `cbor:"NextToken"`
	}
	if err := c.DecodeCBOR(&in); err != nil {
		c.Fail(http.StatusBadRequest, "SerializationException", err.Error())
		return
	}
	if len(in.AlarmNames) > cwMaxAlarmNames {
		cwInvalidParam(c, "The collection AlarmNames must not have a size greater than %d.", cwMaxAlarmNames)
		return
	}
	if len(in.AlarmNames) > 0 && in.AlarmNamePrefix != "" {
		cwFail(c, http.StatusBadRequest, "InvalidParameterCombinationException", "InvalidParameterCombination",
			"AlarmNames and AlarmNamePrefix cannot be specified together")
		return
	}
	if in.MaxRecords <= 0 || in.MaxRecords > 100 {
		in.MaxRecords = 50
	}
	off, ok := cwPage(in.NextToken, "da-")
	if !ok {
		cwFail(c, http.StatusBadRequest, "InvalidNextToken", "InvalidNextToken", "The service cannot parse the next token")
		return
	}
	want := map[string]bool{}
	for _, n := range in.AlarmNames {
		want[n] = true
	}
	names := make([]string, 0, len(s.cloudwatch.alarms))
	for n, a := range s.cloudwatch.alarms {
		if (len(want) > 0 && !want[n]) || !strings.HasPrefix(n, in.AlarmNamePrefix) ||
			!cwTypeWanted(in.AlarmTypes, a.Type) || (in.StateValue != "" && a.State != in.StateValue) {
			continue
		}
		names = append(names, n)
	}
	sort.Strings(names)
	if off > len(names) {
		off = len(names)
	}
	end := min(off+in.MaxRecords, len(names))

	type metricAlarm struct {
		AlarmName                  string        `cbor:"AlarmName"`
		AlarmArn                   string        `cbor:"AlarmArn"`
		StateValue                 string        `cbor:"StateValue"`
		StateReason                string        `cbor:"StateReason,omitempty"`
		StateUpdatedTimestamp      time.Time     `cbor:"StateUpdatedTimestamp"`
		StateTransitionedTimestamp time.Time     `cbor:"StateTransitionedTimestamp"`
		ActionsEnabled             bool          `cbor:"ActionsEnabled"`
		Namespace                  string        `cbor:"Namespace,omitempty"`
		MetricName                 string        `cbor:"MetricName,omitempty"`
		Dimensions                 []cwDimension `cbor:"Dimensions"`
		Statistic                  string        `cbor:"Statistic,omitempty"`
		Period                     int32         `cbor:"Period,omitempty"`
		EvaluationPeriods          int32         `cbor:"EvaluationPeriods,omitempty"`
		Threshold                  float64       `cbor:"Threshold"`
		ComparisonOperator         string        `cbor:"ComparisonOperator,omitempty"`
	}
	type compositeAlarm struct {
		AlarmName                  string    `cbor:"AlarmName"`
		AlarmArn                   string    `cbor:"AlarmArn"`
		AlarmRule                  string    `cbor:"AlarmRule,omitempty"`
		StateValue                 string    `cbor:"StateValue"`
		StateReason                string    `cbor:"StateReason,omitempty"`
		StateUpdatedTimestamp      time.Time `cbor:"StateUpdatedTimestamp"`
		StateTransitionedTimestamp time.Time `cbor:"StateTransitionedTimestamp"`
		ActionsEnabled             bool      `cbor:"ActionsEnabled"`
	}
	var out struct {
		MetricAlarms    []metricAlarm    `cbor:"MetricAlarms"`
		CompositeAlarms []compositeAlarm `cbor:"CompositeAlarms"`
		NextToken       string           `cbor:"NextToken,omitempty"`
	}
	out.MetricAlarms = []metricAlarm{}
	out.CompositeAlarms = []compositeAlarm{}
	for _, n := range names[off:end] {
		a := s.cloudwatch.alarms[n]
		if a.Type == AlarmTypeComposite {
			out.CompositeAlarms = append(out.CompositeAlarms, compositeAlarm{
				AlarmName: a.Name, AlarmArn: a.ARN, AlarmRule: a.AlarmRule, StateValue: a.State, StateReason: a.Reason,
				StateUpdatedTimestamp: a.UpdatedAt, StateTransitionedTimestamp: a.UpdatedAt, ActionsEnabled: true,
			})
			continue
		}
		out.MetricAlarms = append(out.MetricAlarms, metricAlarm{
			AlarmName: a.Name, AlarmArn: a.ARN, StateValue: a.State, StateReason: a.Reason,
			StateUpdatedTimestamp: a.UpdatedAt, StateTransitionedTimestamp: a.UpdatedAt, ActionsEnabled: true,
			Namespace: a.Namespace, MetricName: a.MetricName, Dimensions: cwDims(a.Dimensions), Statistic: a.Statistic,
			Period: a.Period, EvaluationPeriods: a.EvaluationPeriods, Threshold: a.Threshold, ComparisonOperator: a.ComparisonOperator,
		})
	}
	if end < len(names) {
		out.NextToken = "da-" + strconv.Itoa(end)
	}
	c.CBOR(out)
}

func cwDescribeAlarmHistory(s *Server, c *call) {
	var in struct {
		AlarmName       string     `cbor:"AlarmName"`
		AlarmTypes      []string   `cbor:"AlarmTypes"`
		HistoryItemType string     `cbor:"HistoryItemType"`
		StartDate       *time.Time `cbor:"StartDate"`
		EndDate         *time.Time `cbor:"EndDate"`
		MaxRecords      int        `cbor:"MaxRecords"`
		NextToken       string     `cbor:"NextToken"`
		ScanBy          string     `cbor:"ScanBy"`
	}
	if err := c.DecodeCBOR(&in); err != nil {
		c.Fail(http.StatusBadRequest, "SerializationException", err.Error())
		return
	}
	if in.StartDate != nil && in.EndDate != nil && in.EndDate.Before(*in.StartDate) {
		cwInvalidParam(c, "The parameter StartDate must be less than the parameter EndDate.")
		return
	}
	if in.MaxRecords <= 0 || in.MaxRecords > 100 {
		in.MaxRecords = 100
	}
	off, ok := cwPage(in.NextToken, "dah-")
	if !ok {
		cwFail(c, http.StatusBadRequest, "InvalidNextToken", "InvalidNextToken", "The service cannot parse the next token")
		return
	}
	var items []AlarmHistoryItem
	for _, h := range s.cloudwatch.history {
		if (in.AlarmName != "" && h.AlarmName != in.AlarmName) || !cwTypeWanted(in.AlarmTypes, h.AlarmType) ||
			(in.HistoryItemType != "" && h.HistoryItemType != in.HistoryItemType) ||
			(in.StartDate != nil && h.Time.Before(*in.StartDate)) || (in.EndDate != nil && h.Time.After(*in.EndDate)) {
			continue
		}
		items = append(items, h)
	}
	sort.SliceStable(items, func(i, j int) bool {
		if in.ScanBy == "TimestampAscending" {
			return items[i].Time.Before(items[j].Time)
		}
		return items[i].Time.After(items[j].Time)
	})
	if off > len(items) {
		off = len(items)
	}
	end := min(off+in.MaxRecords, len(items))
	type item struct {
		AlarmName       string    `cbor:"AlarmName"`
		AlarmType       string    `cbor:"AlarmType"`
		Timestamp       time.Time `cbor:"Timestamp"`
		HistoryItemType string    `cbor:"HistoryItemType"`
		HistorySummary  string    `cbor:"HistorySummary"`
		HistoryData     string    `cbor:"HistoryData"`
	}
	var out struct {
		AlarmHistoryItems []item `cbor:"AlarmHistoryItems"`
		NextToken         string `cbor:"NextToken,omitempty"`
	}
	out.AlarmHistoryItems = []item{}
	for _, h := range items[off:end] {
		out.AlarmHistoryItems = append(out.AlarmHistoryItems, item{h.AlarmName, h.AlarmType, h.Time, h.HistoryItemType, h.Summary, h.Data})
	}
	if end < len(items) {
		out.NextToken = "dah-" + strconv.Itoa(end)
	}
	c.CBOR(out)
}

var cwQueryID = regexp.MustCompile(`^[a-z][a-zA-Z0-9_]*$`)

type cwQuery struct {
	ID         string `cbor:"Id"`
	Label      string `cbor:"Label"`
	Expression string `cbor:"Expression"`
	ReturnData *bool  `cbor:"ReturnData"`
	MetricStat *struct {
		Metric struct {
			Namespace  string        `cbor:"Namespace"`
			MetricName string        `cbor:"MetricName"`
			Dimensions []cwDimension `cbor:"Dimensions"`
		} `cbor:"Metric"`
		Period int    `cbor:"Period"`
		Stat   string `cbor:"Stat"`
		Unit   string `cbor:"Unit"`
	} `cbor:"MetricStat"`
}

func cwValidPeriod(p int) bool {
	switch p {
	case 1, 5, 10, 20, 30:
		return true
	}
	return p > 0 && p%60 == 0
}

func cwGetMetricData(s *Server, c *call) {
	var in struct {
		MetricDataQueries []cwQuery  `cbor:"MetricDataQueries"`
		StartTime         *time.Time `cbor:"StartTime"`
		EndTime           *time.Time `cbor:"EndTime"`
		NextToken         string     `cbor:"NextToken"`
		ScanBy            string     `cbor:"ScanBy"`
		MaxDatapoints     int        `cbor:"MaxDatapoints"`
	}
	if err := c.DecodeCBOR(&in); err != nil {
		c.Fail(http.StatusBadRequest, "SerializationException", err.Error())
		return
	}
	switch {
	case in.StartTime == nil || in.EndTime == nil:
		cwInvalidParam(c, "StartTime and EndTime are required")
		return
	case !in.StartTime.Before(*in.EndTime):
		cwInvalidParam(c, "The parameter StartTime must be less than the parameter EndTime.")
		return
	case len(in.MetricDataQueries) == 0:
		cwInvalidParam(c, "The collection MetricDataQueries must not be empty.")
		return
	case len(in.MetricDataQueries) > cwMaxQueries:
		cwInvalidParam(c, "The collection MetricDataQueries must not have a size greater than %d.", cwMaxQueries)
		return
	}
	seen := map[string]bool{}
	for _, q := range in.MetricDataQueries {
		switch {
		case !cwQueryID.MatchString(q.ID):
			cwInvalidParam(c, "The value %q for parameter MetricDataQueries.member.Id is invalid: it must start with a lower case letter and contain only letters, digits and underscores.", q.ID)
			return
		case seen[q.ID]:
			cwInvalidParam(c, "The value %s for parameter MetricDataQueries.member.Id is duplicated.", q.ID)
			return
		case q.MetricStat == nil && q.Expression == "":
			cwInvalidParam(c, "Query %s must have either an Expression or a MetricStat.", q.ID)
			return
		case q.MetricStat != nil && !cwValidPeriod(q.MetricStat.Period):
			cwInvalidParam(c, "The parameter MetricDataQueries.member.MetricStat.Period must be 1, 5, 10, 20, 30 or a multiple of 60 (got %d).", q.MetricStat.Period)
			return
		case q.MetricStat != nil && q.MetricStat.Stat == "":
			cwInvalidParam(c, "The parameter MetricDataQueries.member.MetricStat.Stat is required.")
			return
		}
		seen[q.ID] = true
	}
	off, ok := cwPage(in.NextToken, "gmd-")
	if !ok {
		cwFail(c, http.StatusBadRequest, "InvalidNextToken", "InvalidNextToken", "The service cannot parse the next token")
		return
	}
	limit := s.cloudwatch.maxDatapoints
	if in.MaxDatapoints > 0 && (limit <= 0 || in.MaxDatapoints < limit) {
		limit = in.MaxDatapoints
	}
	if limit <= 0 {
		limit = cwDefaultMaxDatapoints
	}

	type result struct {
		ID         string      `cbor:"Id"`
		Label      string      `cbor:"Label"`
		Timestamps []time.Time `cbor:"Timestamps"`
		Values     []float64   `cbor:"Values"`
		StatusCode string      `cbor:"StatusCode"`
	}
	var out struct {
		MetricDataResults []result `cbor:"MetricDataResults"`
		NextToken         string   `cbor:"NextToken,omitempty"`
	}
	out.MetricDataResults = []result{}
	pos, taken := 0, 0 // position in the flattened datapoints of every query
	for _, q := range in.MetricDataQueries {
		if q.ReturnData != nil && !*q.ReturnData {
			continue
		}
		label := q.Label
		var pts []MetricPoint
		if q.MetricStat != nil {
			if label == "" {
				label = q.MetricStat.Metric.MetricName
			}
			dims := map[string]string{}
			for _, d := range q.MetricStat.Metric.Dimensions {
				dims[d.Name] = d.Value
			}
			m := s.cloudwatch.metrics[cwMetricKey(q.MetricStat.Metric.Namespace, q.MetricStat.Metric.MetricName, dims)]
			pts = m.series(*in.StartTime, *in.EndTime, c.now, time.Duration(q.MetricStat.Period)*time.Second, q.MetricStat.Stat)
		}
		if in.ScanBy != "TimestampAscending" {
			for i, j := 0, len(pts)-1; i < j; i, j = i+1, j-1 {
				pts[i], pts[j] = pts[j], pts[i]
			}
		}
		r := result{ID: q.ID, Label: label, Timestamps: []time.Time{}, Values: []float64{}, StatusCode: "Complete"}
		for _, p := range pts {
			if pos >= off && taken < limit {
				r.Timestamps = append(r.Timestamps, p.Time)
				r.Values = append(r.Values, p.Value)
				taken++
			} else if pos >= off {
				r.StatusCode = "PartialData"
				if out.NextToken == "" {
					out.NextToken = "gmd-" + strconv.Itoa(pos)
				}
			}
			pos++
		}
		out.MetricDataResults = append(out.MetricDataResults, r)
	}
	c.CBOR(out)
}

// series aggregates the metric over [start, end) in periods starting at start
// (rounded down to the minute for periods of a minute or more, to the period for
// shorter ones); only periods that began by now have data. A nil metric has no data.
// Periods under 60 s: nothing when start is more than 3 hours ago (sub-minute data is
// kept 3 hours: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricStat.html),
// and a standard-resolution metric only has its one-minute values, in the periods
// that start on a whole minute (the others have no datapoint).
func (m *cwMetric) series(start, end, now time.Time, period time.Duration, stat string) []MetricPoint {
	if m == nil || period <= 0 {
		return nil
	}
	subMinute := period < time.Minute
	if subMinute && now.Sub(start) > 3*time.Hour {
		return nil
	}
	if subMinute {
		start = start.Truncate(period)
	} else {
		start = start.Truncate(time.Minute)
	}
	var out []MetricPoint
	for t := start; t.Before(end) && !t.After(now); t = t.Add(period) {
		width := period
		if subMinute && !m.highRes {
			if !t.Equal(t.Truncate(time.Minute)) {
				continue
			}
			width = time.Minute // the minute's one stored value
		}
		if m.fn != nil {
			v := m.fn(t)
			if !math.IsNaN(v) {
				out = append(out, MetricPoint{Time: t, Value: v})
			}
			continue
		}
		var vals []float64
		for _, p := range m.points {
			if !p.Time.Before(t) && p.Time.Before(t.Add(width)) && p.Time.Before(end) {
				vals = append(vals, p.Value)
			}
		}
		if len(vals) > 0 {
			out = append(out, MetricPoint{Time: t, Value: cwAggregate(vals, stat)})
		}
	}
	return out
}

func cwAggregate(vals []float64, stat string) float64 {
	sum, lo, hi := 0.0, math.Inf(1), math.Inf(-1)
	for _, v := range vals {
		sum += v
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	switch {
	case stat == "Sum":
		return sum
	case stat == "Minimum":
		return lo
	case stat == "SampleCount":
		return float64(len(vals))
	case stat == "Maximum", strings.HasPrefix(stat, "p"):
		return hi
	}
	return sum / float64(len(vals))
}
