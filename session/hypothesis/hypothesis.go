// Package hypothesis turns the criteria of an experiment's hypothesis, written in
// English or Chinese ("orders-api recovers within 60 seconds", "在 2 分钟内恢复") or given
// as a structured object {subject, measure, bound}, into session.Criterion values the
// report can evaluate. A text it cannot read is kept with no Measure: the report shows
// it as not evaluated, never as a guess.
package hypothesis

import "regexp"

// Measures of a criterion (session.Criterion.Measure).
const (
	MeasureRecoverySeconds = "recovery_seconds"
	MeasurePeakErrors      = "peak_errors_per_10s"
	MeasureErrorCount      = "error_count"
	MeasureTimeToImpact    = "time_to_impact_seconds"
	MeasureFinalState      = "final_state"
	MeasureAlarmState      = "alarm_state"
	MeasureActionStatus    = "action_status"
)

// Measures lists every measure, in the order they are documented.
var Measures = []string{MeasureRecoverySeconds, MeasurePeakErrors, MeasureErrorCount, MeasureTimeToImpact,
	MeasureFinalState, MeasureAlarmState, MeasureActionStatus}

// Subject kinds (session.Criterion.SubjectKind).
const (
	SubjectApp        = "app"
	SubjectResource   = "resource"
	SubjectAlarm      = "alarm"
	SubjectAction     = "action"
	SubjectExperiment = "experiment"
)

// Sources of a criterion (session.Criterion.Source).
const (
	SourceStart    = "start_experiment"
	SourceFinalize = "finalize_report"
	SourceReadme   = "readme"
	SourceExpected = "expected-behavior.md"
	SourceDefault  = "default"
)

// Bound values of the state measures.
const (
	StateHealthy   = "healthy"
	StateOK        = "OK"
	StateCompleted = "completed"
)

// IsTimeMeasure reports whether m is measured in seconds.
func IsTimeMeasure(m string) bool { return m == MeasureRecoverySeconds || m == MeasureTimeToImpact }

// IsNumeric reports whether m has a numeric bound.
func IsNumeric(m string) bool {
	return IsTimeMeasure(m) || m == MeasurePeakErrors || m == MeasureErrorCount
}

// KindOf is the subject kind a measure is about.
func KindOf(measure string) string {
	switch measure {
	case MeasureFinalState:
		return SubjectResource
	case MeasureAlarmState:
		return SubjectAlarm
	case MeasureActionStatus:
		return SubjectAction
	case "":
		return ""
	}
	return SubjectApp
}

const (
	tunit = `seconds?|secs?|sec|s|minutes?|mins?|min|m|hours?|hrs?|h|秒钟|秒|分钟|分|小时`
	// English comparison words, longest first.
	opsEN = `in under|in less than|no more than|not more than|no later than|fewer than|less than|at most|at least|more than|greater than|within|under|below|before|after|above|over|in|<=|>=|==|<|>|=`
	opsZH = `不超过|不多于|不高于|不大于|小于等于|大于等于|至多|最多|低于|少于|小于|不到|至少|不少于|不低于|超过|多于|大于|高于|<=|>=|<|>|=`
	per10 = `(?:per\s*10\s*(?:s|secs?|seconds?)|/\s*10\s*s|every\s*10\s*(?:s|seconds?))`
)

var opWords = map[string]string{
	"within": "<=", "in": "<=", "at most": "<=", "no more than": "<=", "not more than": "<=", "no later than": "<=", "<=": "<=",
	"in under": "<", "in less than": "<", "under": "<", "less than": "<", "below": "<", "fewer than": "<", "before": "<", "<": "<",
	"at least": ">=", "after": ">=", ">=": ">=",
	"more than": ">", "greater than": ">", "above": ">", "over": ">", ">": ">",
	"=": "=", "==": "=",
	"不超过": "<=", "不多于": "<=", "不高于": "<=", "不大于": "<=", "小于等于": "<=", "至多": "<=", "最多": "<=",
	"低于": "<", "少于": "<", "小于": "<", "不到": "<",
	"至少": ">=", "不少于": ">=", "不低于": ">=", "大于等于": ">=",
	"超过": ">", "多于": ">", "大于": ">", "高于": ">",
}

// states a resource may be required to end in.
const statesRe = `available|running|active|healthy|inservice|in-service|ok|ready|online|stopped|terminated`

// rule is one phrasing: the regexp, its measure and how to read its groups.
type rule struct {
	re      *regexp.Regexp
	measure string
	// op is the fixed comparison when the phrasing has none ("" = from the "op" group).
	op string
	// bound is the fixed bound when the phrasing has none.
	bound string
	// kind overrides KindOf(measure) (experiment-wide action status).
	kind string
}

func re(s string) *regexp.Regexp { return regexp.MustCompile(`(?i)^` + s + `$`) }

// rules are tried in order; groups are named s (subject), op, n (number), u (time unit), st (state).
var rules = ruleSrcs{
	// English: recovery.
	{re: `(?P<s>.*?)\s*\b(?:recover(?:s|y|ed)?(?:\s+time)?|is back to normal|returns? to (?:its )?(?:pre-fault|baseline|normal|steady[- ]state)(?: error rate)?)\s*(?:is\s+|should be\s+|must be\s+)?(?P<op>` + opsEN + `)\s*` + `(?P<n>\d+(?:\.\d+)?)\s*(?P<u>` + tunit + `)`, measure: MeasureRecoverySeconds},
	{re: `(?P<s>.*?)\s*\b(?:recover(?:s|ed)?|is back to normal|returns? to (?:its )?(?:pre-fault|baseline|normal|steady[- ]state)(?: error rate)?)(?:\s+(?:within|before the end of|in) the observation window)?`, measure: MeasureRecoverySeconds},
	// English: time to impact.
	{re: `(?P<s>.*?)\s*\b(?:first error|time to (?:first )?(?:impact|error)|impact)\s*(?:appears\s+|occurs\s+|shows\s+|is\s+|comes\s+)?(?:after\s+)?(?P<op>` + opsEN + `)\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<u>` + tunit + `)`, measure: MeasureTimeToImpact},
	// English: peak errors per 10 s.
	{re: `(?P<s>.*?)\s*\b(?:peak\s+)?(?:errors?|error rate|error count)\s*` + per10 + `?\s*(?:is\s+|stays?\s+|remains?\s+)?(?P<op>` + opsEN + `)\s*(?P<n>\d+(?:\.\d+)?)\s*(?:errors?\s*)?` + per10, measure: MeasurePeakErrors},
	{re: `(?P<s>.*?)\s*\b(?:peak\s+)?(?:errors?|error rate|error count)\s*` + per10 + `\s*(?:is\s+|stays?\s+|remains?\s+)?(?P<op>` + opsEN + `)\s*(?P<n>\d+(?:\.\d+)?)(?:\s*errors?)?`, measure: MeasurePeakErrors},
	{re: `(?P<s>.*?)\s*(?:\b(?:logs?|has|have|shows?|produces?|sees?|with)\s+)?(?P<op>` + opsEN + `)\s*(?P<n>\d+(?:\.\d+)?)\s*(?:application\s+|app\s+)?errors?\s*` + per10, measure: MeasurePeakErrors},
	{re: `(?P<s>.*?)\s*\bpeak\s+(?:errors?|error rate|error count)\s*(?:is\s+|stays?\s+|remains?\s+)?(?P<op>` + opsEN + `)\s*(?P<n>\d+(?:\.\d+)?)(?:\s*errors?)?`, measure: MeasurePeakErrors},
	// English: error count.
	{re: `(?P<s>.*?)\s*(?:\b(?:logs?|has|have|shows?|produces?|sees?|with)\s+)?(?P<op>` + opsEN + `)\s*(?P<n>\d+(?:\.\d+)?)\s*(?:application\s+|app\s+)?errors?(?:\s+in total)?`, measure: MeasureErrorCount},
	{re: `(?P<s>.*?)\s*\b(?:total\s+errors?|errors?|error count)\s*(?:in total\s+)?(?:is\s+|stays?\s+)?(?P<op>` + opsEN + `)\s*(?P<n>\d+(?:\.\d+)?)`, measure: MeasureErrorCount},
	{re: `(?P<s>.*?)\s*\b(?:logs?\s+|has\s+|have\s+|shows?\s+)?(?:no|zero)\s+(?:application\s+|app\s+)?errors?`, measure: MeasureErrorCount, op: "<=", bound: "0"},
	// English: alarms.
	{re: `(?:the\s+)?(?:stop[- ]condition\s+)?alarm\s+(?P<s>[^\s]+)\s+(?:stays|remains|keeps|is|stays in|remains in)\s+(?:in\s+)?ok(?:\s+state)?`, measure: MeasureAlarmState, op: "=", bound: StateOK},
	{re: `(?:the\s+|all\s+|every\s+|each\s+)?(?:stop[- ]condition\s+)?alarms?\s+(?:stays?|remains?|keeps?|are|is)\s+(?:in\s+)?ok(?:\s+state)?`, measure: MeasureAlarmState, op: "=", bound: StateOK},
	{re: `no\s+(?:stop[- ]condition\s+)?alarms?\s+(?:fires?|goes off|is triggered|triggers|goes (?:in)?to alarm)`, measure: MeasureAlarmState, op: "=", bound: StateOK},
	{re: `(?:the\s+)?(?:stop[- ]condition\s+)?alarm\s+(?P<s>[^\s]+)\s+(?:never fires|does not fire|doesn't fire|is not triggered|never goes off)`, measure: MeasureAlarmState, op: "=", bound: StateOK},
	{re: `(?:the\s+)?(?:stop[- ]condition\s+)?alarms?\s+(?:never fires?|does not fire|do not fire|doesn't fire|don't fire|is not triggered|are not triggered)`, measure: MeasureAlarmState, op: "=", bound: StateOK},
	// English: actions and the experiment.
	{re: `(?:every|all|each)\s+(?:fis\s+)?(?:the\s+)?actions?\s+(?:completes?|is completed|are completed|finish(?:es)?|succeeds?|succeed)`, measure: MeasureActionStatus, op: "=", bound: StateCompleted},
	{re: `(?:the\s+)?action\s+(?P<s>[^\s]+)\s+(?:completes|is completed|finishes|succeeds)`, measure: MeasureActionStatus, op: "=", bound: StateCompleted},
	{re: `(?:the\s+)?(?:fis\s+)?experiment\s+(?:completes|is completed|finishes|succeeds)`, measure: MeasureActionStatus, op: "=", bound: StateCompleted, kind: SubjectExperiment},
	// English: a resource's final state.
	{re: `(?P<s>[^\s]+)\s+(?:is back to|is back in|is back|comes back to|comes back|returns to|gets back to|goes back to|ends in|ends up|ends|is again|is)\s+(?:the\s+|an?\s+)?(?:state\s+)?(?P<st>` + statesRe + `)(?:\s+state)?`, measure: MeasureFinalState, op: "="},

	// Chinese: recovery.
	{re: `(?P<s>.*?)\s*(?:在|于)?\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<u>` + tunit + `)\s*(?:之内|以内|内)\s*(?:完成)?(?:恢复|复原)(?:正常)?`, measure: MeasureRecoverySeconds, op: "<="},
	{re: `(?P<s>.*?)\s*(?:的)?恢复(?:时间|用时|耗时)?\s*(?:应|应该|须|需)?\s*(?P<op>` + opsZH + `)\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<u>` + tunit + `)`, measure: MeasureRecoverySeconds},
	{re: `(?P<s>.*?)\s*(?:在观察窗口内)?(?:恢复|回到故障前的错误率|恢复到故障前的错误率)(?:正常)?`, measure: MeasureRecoverySeconds},
	// Chinese: time to impact.
	{re: `(?P<s>.*?)\s*首个错误\s*(?:在|于)?\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<u>` + tunit + `)\s*(?:之内|以内|内)\s*(?:出现)?`, measure: MeasureTimeToImpact, op: "<="},
	{re: `(?P<s>.*?)\s*(?:首个错误(?:出现)?(?:的)?(?:时间)?|影响时间|受影响时间)\s*(?P<op>` + opsZH + `)\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<u>` + tunit + `)`, measure: MeasureTimeToImpact},
	// Chinese: peak errors per 10 s.
	{re: `(?P<s>.*?)\s*(?:峰值)?错误率\s*(?:应)?\s*(?P<op>` + opsZH + `)\s*每\s*10\s*秒\s*(?P<n>\d+(?:\.\d+)?)\s*(?:次|个|条)?(?:错误)?`, measure: MeasurePeakErrors},
	{re: `(?P<s>.*?)\s*每\s*10\s*秒(?:的)?(?:峰值)?错误(?:数|率|数量)?\s*(?P<op>` + opsZH + `)\s*(?P<n>\d+(?:\.\d+)?)\s*(?:次|个|条)?`, measure: MeasurePeakErrors},
	{re: `(?P<s>.*?)\s*峰值错误(?:数|率)?\s*(?P<op>` + opsZH + `)\s*(?:每\s*10\s*秒\s*)?(?P<n>\d+(?:\.\d+)?)\s*(?:次|个|条)?`, measure: MeasurePeakErrors},
	// Chinese: error count.
	{re: `(?P<s>.*?)\s*错误(?:总数|数|数量|总量)?\s*(?P<op>` + opsZH + `)\s*(?P<n>\d+(?:\.\d+)?)\s*(?:次|个|条)?`, measure: MeasureErrorCount},
	{re: `(?P<s>.*?)\s*(?:没有|无|零)(?:应用)?错误`, measure: MeasureErrorCount, op: "<=", bound: "0"},
	// Chinese: alarms.
	{re: `(?:停止条件)?告警\s*(?P<s>[^\s]*?)\s*(?:保持|一直是|一直为|始终是|始终为|保持为|维持)\s*(?:在\s*)?ok(?:\s*状态)?`, measure: MeasureAlarmState, op: "=", bound: StateOK},
	{re: `(?:停止条件)?告警\s*(?P<s>[^\s]*?)\s*(?:未|没有|不|从未)(?:被)?触发`, measure: MeasureAlarmState, op: "=", bound: StateOK},
	{re: `(?:没有|无)(?:任何)?(?:停止条件)?告警(?:被)?触发`, measure: MeasureAlarmState, op: "=", bound: StateOK},
	// Chinese: actions and the experiment.
	{re: `(?:所有|每个|全部)(?:的)?(?:fis\s*)?动作(?:都|均)?(?:成功)?完成`, measure: MeasureActionStatus, op: "=", bound: StateCompleted},
	{re: `动作\s*(?P<s>[^\s]+?)\s*(?:成功)?完成`, measure: MeasureActionStatus, op: "=", bound: StateCompleted},
	{re: `(?:fis\s*)?实验(?:成功)?完成`, measure: MeasureActionStatus, op: "=", bound: StateCompleted, kind: SubjectExperiment},
	// Chinese: a resource's final state.
	{re: `(?P<s>[^\s]+?)\s*(?:恢复为|恢复到|回到|变回|最终为|最终状态为|状态为|恢复至)\s*(?P<st>` + statesRe + `|健康|可用)\s*(?:状态)?`, measure: MeasureFinalState, op: "="},
}.compile()

type ruleSrc struct {
	re      string
	measure string
	op      string
	bound   string
	kind    string
}

type ruleSrcs []ruleSrc

func (rs ruleSrcs) compile() []rule {
	out := make([]rule, len(rs))
	for i, r := range rs {
		out[i] = rule{re: re(r.re), measure: r.measure, op: r.op, bound: r.bound, kind: r.kind}
	}
	return out
}
