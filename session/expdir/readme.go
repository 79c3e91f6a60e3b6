package expdir

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/fis-mcp/fis-mcp/session"
)

// Field labels reported as missing by ParseReadme, in English whatever the README's language.
const (
	FieldScenario          = "Scenario"
	FieldRegion            = "Region"
	FieldStack             = "CFN Stack"
	FieldEstimatedDuration = "Estimated Duration"
	FieldAffectedResources = "Affected Resources"
)

// Readme is the metadata of an experiment README.md.
type Readme struct {
	// Title is the whole H1 text; Scenario is its part after "FIS Experiment:" / "FIS 实验:".
	Title     string
	Scenario  string
	Directory string
	Region    string
	// TargetAZ is an AZ ID (use1-az2) or name (us-east-1b); optional.
	TargetAZ string
	Created  string
	// StackName is HeaderStackName ("CFN Stack:") or, failing that, DeploymentStackName
	// ("Stack Name:" of the deployment status section).
	StackName           string
	HeaderStackName     string
	DeploymentStackName string
	// EstimatedDuration is the value as written (notes removed); EstimatedDurationSeconds
	// is 0 when it is absent or not a duration.
	EstimatedDuration        string
	EstimatedDurationSeconds int
	DeploymentStatus         string
	TemplateIDFromReadme     string
	DashboardURL             string
	AffectedResources        []session.AffectedResource
	// Language is "zh" when the headings and labels are mostly Chinese, else "en".
	Language string
	// Warnings are problems other than missing fields: unrecognised values, conflicts.
	Warnings []string
}

type field int

const (
	fNone field = iota
	fScenario
	fDirectory
	fRegion
	fTargetAZ
	fCreated
	fHeaderStack
	fDeploymentStack
	fDuration
	fStatus
	fStatusExplicit
	fTemplateID
	fDashboard
)

// labelAliases maps normalised labels (lower case; spaces, '*', '_', '-', '`' removed) to fields.
var labelAliases = map[string]field{}

func init() {
	for f, names := range map[field][]string{
		fScenario:        {"scenario", "scenarioname", "experimentscenario", "场景", "实验场景", "场景名称"},
		fDirectory:       {"directory", "experimentdirectory", "dir", "folder", "目录", "实验目录"},
		fRegion:          {"region", "awsregion", "targetregion", "区域", "地域", "目标区域", "aws区域", "区域名称"},
		fTargetAZ:        {"targetaz", "targetazid", "az", "azid", "targetavailabilityzone", "targetavailabilityzoneid", "availabilityzone", "availabilityzoneid", "目标可用区", "可用区", "目标az", "目标可用区id", "可用区id", "目标azid"},
		fCreated:         {"created", "createdat", "createdon", "creationtime", "creationdate", "date", "创建时间", "创建于", "创建日期", "创建", "日期"},
		fHeaderStack:     {"cfnstack", "cloudformationstack", "stack", "cfnstackname", "cloudformationstackname", "cfn堆栈", "cloudformation堆栈", "堆栈", "cfn栈", "cfn堆栈名称", "cloudformation堆栈名称", "cfn堆栈名"},
		fDeploymentStack: {"stackname", "堆栈名称", "堆栈名", "栈名称", "栈名"},
		fDuration:        {"estimatedduration", "duration", "expectedduration", "totalduration", "experimentduration", "estimatedtime", "预计时长", "预计持续时间", "预估时长", "预计耗时", "持续时间", "时长", "实验时长", "预计时间"},
		fStatus:          {"status", "状态"},
		fStatusExplicit:  {"deploymentstatus", "stackstatus", "cfnstatus", "cfnstackstatus", "部署状态", "堆栈状态", "cfn状态"},
		fTemplateID:      {"experimenttemplateid", "templateid", "fistemplateid", "fisexperimenttemplateid", "experimenttemplate", "实验模板id", "模板id", "fis实验模板id", "fis模板id", "实验模板"},
		fDashboard:       {"cloudwatchdashboardurl", "dashboardurl", "dashboard", "cloudwatchdashboard", "cloudwatch仪表板url", "cloudwatch仪表板", "仪表板url", "仪表板", "仪表盘", "仪表盘url", "cloudwatch仪表盘", "cloudwatch仪表盘url", "cloudwatch控制面板", "监控面板", "控制面板"},
	} {
		for _, n := range names {
			labelAliases[n] = f
		}
	}
}

var (
	regionRe      = regexp.MustCompile(`(?:^|[^a-z0-9-])([a-z]{2}(?:-[a-z]+)+-\d{1,2})(?:$|[^a-z0-9])`)
	azIDRe        = regexp.MustCompile(`(?:^|[^a-z0-9-])([a-z]{2,6}\d{1,2}-az\d{1,2})(?:$|[^a-z0-9])`)
	azNameRe      = regexp.MustCompile(`(?:^|[^a-z0-9-])([a-z]{2}(?:-[a-z]+)+-\d{1,2}[a-z](?:-[a-z]+-\d[a-z])?)(?:$|[^a-z0-9])`)
	templateIDRe  = regexp.MustCompile(`(?:^|[^A-Za-z0-9])(EXT[A-Za-z0-9]+)`)
	stackNameRe   = regexp.MustCompile(`^[A-Za-z][-A-Za-z0-9]{0,127}$`)
	stackArnRe    = regexp.MustCompile(`^arn:aws[a-z-]*:cloudformation:[^:]*:\d*:stack/([^/]+)/`)
	statusRe      = regexp.MustCompile(`(?:^|[^A-Za-z0-9_])([A-Z]+(?:_[A-Z]+)+)(?:$|[^A-Za-z0-9_])`)
	urlRe         = regexp.MustCompile("https?://[^\\s)>\\]\"'`]+")
	mdLinkRe      = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
	brRe          = regexp.MustCompile(`(?i)<br\s*/?>`)
	h1ScenarioRe  = regexp.MustCompile(`(?i)^(?:aws\s*)?fis\s*(experiment|实验|故障注入实验|故障注入|混沌实验)\s*(?:[:：\-–—|]\s*)?(.*)$`)
	orderedListRe = regexp.MustCompile(`^\d{1,3}[.)]\s+`)
	separatorRe   = regexp.MustCompile(`^:?-+:?$`)
)

// parser accumulates what ParseReadme finds.
type parser struct {
	r                  Readme
	zh, en             int
	scenarioLabel      string
	statusInSection    string
	durationFull       string
	seen               map[field]bool
	affectedTables     [][][]string
	otherTables        [][][]string
	affectedList       []session.AffectedResource
	affectedSectionSet bool
}

// ParseReadme reads the metadata of an experiment README.md. It never fails: it returns
// what it found and the labels (FieldScenario, FieldRegion, FieldStack,
// FieldEstimatedDuration, FieldAffectedResources) it could not find. Target AZ is optional
// and never reported missing.
func ParseReadme(b []byte) (Readme, []string) {
	s := string(b)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = strings.TrimPrefix(s, "\uFEFF")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	lines := strings.Split(s, "\n")

	p := &parser{seen: map[field]bool{}}
	p.scan(lines)
	return p.finish()
}

// section kinds.
const (
	secOther = iota
	secAffected
	secDeployment
)

func (p *parser) scan(lines []string) {
	var (
		fence        string // the opening fence marker while inside a fenced code block
		inComment    bool
		sec          = secOther
		secLevel     int
		table        [][]string
		tableSection int
	)
	flush := func() {
		if len(table) == 0 {
			return
		}
		if tableSection == secAffected {
			p.affectedTables = append(p.affectedTables, table)
		} else {
			p.otherTables = append(p.otherTables, table)
		}
		table = nil
	}
	for i, raw := range lines {
		line := raw
		// HTML comments, possibly spanning lines.
		if inComment {
			end := strings.Index(line, "-->")
			if end < 0 {
				continue
			}
			line = line[end+3:]
			inComment = false
		}
		line, inComment = stripComments(line)
		trimmed := strings.TrimSpace(line)

		// Fenced code blocks are examples, never metadata.
		if fence != "" {
			if strings.HasPrefix(trimmed, fence) {
				fence = ""
			}
			continue
		}
		if strings.HasPrefix(trimmed, "```") {
			fence = "```"
			flush()
			continue
		}
		if strings.HasPrefix(trimmed, "~~~") {
			fence = "~~~"
			flush()
			continue
		}

		if level, text, ok := heading(line); ok {
			flush()
			if level <= secLevel || sec == secOther {
				sec, secLevel = secOther, 0
			}
			p.heading(level, text)
			if kind := sectionKind(text); kind != secOther {
				sec, secLevel = kind, level
				if kind == secAffected {
					p.affectedSectionSet = true
				}
			}
			continue
		}

		if isTableLine(trimmed, table != nil, lines, i) {
			if table == nil {
				tableSection = sec
			}
			table = append(table, splitRow(trimmed))
			continue
		}
		flush()
		if trimmed == "" {
			continue
		}
		label, value, ok := splitLabel(trimmed)
		if !ok {
			continue
		}
		if sec == secAffected && lookupLabel(label) == fNone {
			if res, ok := listResource(trimmed, label, value); ok {
				p.affectedList = append(p.affectedList, res)
			}
			continue
		}
		p.label(label, value, sec)
	}
	flush()
}

// stripComments removes complete <!-- --> comments from line and reports whether an
// unterminated one starts in it.
func stripComments(line string) (string, bool) {
	for {
		start := strings.Index(line, "<!--")
		if start < 0 {
			return line, false
		}
		end := strings.Index(line[start+4:], "-->")
		if end < 0 {
			return line[:start], true
		}
		line = line[:start] + line[start+4+end+3:]
	}
}

// heading parses an ATX heading ("## Text").
func heading(line string) (int, string, bool) {
	s := strings.TrimLeft(line, " ")
	if len(line)-len(s) > 3 {
		return 0, "", false
	}
	level := 0
	for level < len(s) && s[level] == '#' {
		level++
	}
	if level == 0 || level > 6 {
		return 0, "", false
	}
	rest := s[level:]
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return 0, "", false
	}
	rest = strings.TrimSpace(rest)
	rest = strings.TrimSpace(strings.TrimRight(rest, "#"))
	return level, cleanInline(rest), true
}

func sectionKind(text string) int {
	k := normKey(text)
	switch {
	case strings.Contains(k, "affectedresource") || strings.Contains(k, "impactedresource") ||
		strings.Contains(k, "受影响的资源") || strings.Contains(k, "受影响资源") || strings.Contains(k, "影响的资源"):
		return secAffected
	case strings.Contains(k, "deploy") || strings.Contains(k, "部署"):
		return secDeployment
	}
	return secOther
}

func (p *parser) heading(level int, text string) {
	if level == 1 && p.r.Title == "" {
		p.r.Title = text
		if m := h1ScenarioRe.FindStringSubmatch(text); m != nil {
			if hasHan(m[1]) {
				p.zh += 2
			} else {
				p.en += 2
			}
			p.r.Scenario = strings.TrimSpace(m[2])
		} else {
			p.r.Scenario = text
			p.countLang(text)
		}
		return
	}
	if level > 1 {
		p.countLang(text)
	}
}

func (p *parser) countLang(text string) {
	switch {
	case hasHan(text):
		p.zh++
	case strings.IndexFunc(text, func(r rune) bool { return r < utf8.RuneSelf && unicode.IsLetter(r) }) >= 0:
		p.en++
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// isTableLine reports whether trimmed is a row of a pipe table: it starts with "|", or it
// continues an open table, or it is a header followed by a separator row.
func isTableLine(trimmed string, open bool, lines []string, i int) bool {
	if !strings.Contains(trimmed, "|") {
		return false
	}
	if open || strings.HasPrefix(trimmed, "|") {
		return true
	}
	if i+1 < len(lines) {
		return isSeparatorRow(splitRow(strings.TrimSpace(lines[i+1])))
	}
	return false
}

// splitRow splits a table row into trimmed cells; "\|" is a literal pipe.
func splitRow(s string) []string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "|")
	if strings.HasSuffix(s, "|") && !strings.HasSuffix(s, `\|`) {
		s = s[:len(s)-1]
	}
	var cells []string
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && s[i+1] == '|':
			b.WriteByte('|')
			i++
		case s[i] == '|':
			cells = append(cells, strings.TrimSpace(b.String()))
			b.Reset()
		default:
			b.WriteByte(s[i])
		}
	}
	return append(cells, strings.TrimSpace(b.String()))
}

func isSeparatorRow(cells []string) bool {
	n := 0
	for _, c := range cells {
		c = strings.ReplaceAll(c, " ", "")
		if c == "" {
			continue
		}
		if !separatorRe.MatchString(c) {
			return false
		}
		n++
	}
	return n > 0
}

// splitLabel splits "- **Label:** value", "Label: value", "**标签**：值" into label and value.
func splitLabel(s string) (string, string, bool) {
	for {
		switch {
		case len(s) >= 2 && (s[0] == '-' || s[0] == '+' || s[0] == '>') && (s[1] == ' ' || s[1] == '\t'):
			s = strings.TrimSpace(s[2:])
			continue
		case len(s) >= 2 && s[0] == '*' && (s[1] == ' ' || s[1] == '\t'):
			s = strings.TrimSpace(s[2:])
			continue
		case strings.HasPrefix(s, "• "):
			s = strings.TrimSpace(s[len("• "):])
			continue
		}
		if loc := orderedListRe.FindStringIndex(s); loc != nil {
			s = strings.TrimSpace(s[loc[1]:])
			continue
		}
		break
	}
	i := strings.IndexAny(s, ":：")
	if i <= 0 {
		return "", "", false
	}
	label, value := s[:i], s[i:]
	_, w := utf8.DecodeRuneInString(value)
	value = value[w:]
	label = strings.TrimSpace(strings.Trim(label, "*_` \t"))
	if label == "" || utf8.RuneCountInString(label) > 60 {
		return "", "", false
	}
	value = strings.TrimLeft(value, "*_ \t\u3000")
	return label, cleanValue(value), true
}

// normKey lower-cases s and drops spaces, '*', '_', '-', '`', '.', and any parenthesised part.
func normKey(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range strings.ToLower(s) {
		switch {
		case r == '(' || r == '（':
			depth++
		case r == ')' || r == '）':
			if depth > 0 {
				depth--
			}
		case depth > 0, unicode.IsSpace(r), r == '*', r == '_', r == '-', r == '`', r == '.', r == ':', r == '：':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// parenKey is normKey of the first parenthesised part of s ("区域 (Region)" gives "region").
func parenKey(s string) string {
	open := strings.IndexAny(s, "(（")
	if open < 0 {
		return ""
	}
	_, w := utf8.DecodeRuneInString(s[open:])
	rest := s[open+w:]
	end := strings.IndexAny(rest, ")）")
	if end < 0 {
		return ""
	}
	return normKey(rest[:end])
}

func lookupLabel(label string) field {
	if f, ok := labelAliases[normKey(label)]; ok {
		return f
	}
	if f, ok := labelAliases[parenKey(label)]; ok {
		return f
	}
	return fNone
}

// cleanInline removes Markdown emphasis, code marks, links and <br>.
func cleanInline(s string) string {
	s = mdLinkRe.ReplaceAllString(s, "$1")
	s = brRe.ReplaceAllString(s, " ")
	s = strings.ReplaceAll(s, "**", "")
	s = strings.ReplaceAll(s, "`", "")
	if len(s) >= 4 && strings.HasPrefix(s, "__") && strings.HasSuffix(s, "__") {
		s = s[2 : len(s)-2]
	}
	return strings.TrimSpace(s)
}

// cleanValue trims a label's value of surrounding emphasis, code marks and spaces.
func cleanValue(v string) string {
	v = brRe.ReplaceAllString(v, " ")
	v = strings.Trim(v, " \t\u3000*`")
	if len(v) >= 4 && strings.HasPrefix(v, "__") && strings.HasSuffix(v, "__") {
		v = v[2 : len(v)-2]
	}
	v = strings.ReplaceAll(v, "**", "")
	return strings.TrimSpace(strings.ReplaceAll(v, "`", ""))
}

// stripNotes removes trailing parenthesised notes: "use1-az2 (if applicable)" gives "use1-az2".
func stripNotes(v string) string {
	for {
		v = strings.TrimSpace(v)
		r, w := utf8.DecodeLastRuneInString(v)
		if r != ')' && r != '）' {
			return v
		}
		depth := 0
		cut := -1
		for i := len(v) - w; i > 0; {
			r, size := utf8.DecodeLastRuneInString(v[:i])
			i -= size
			if r == ')' || r == '）' {
				depth++
			} else if r == '(' || r == '（' {
				if depth == 0 {
					cut = i
					break
				}
				depth--
			}
		}
		if cut < 0 {
			return v
		}
		v = v[:cut]
	}
}

var placeholders = map[string]bool{
	"": true, "n/a": true, "na": true, "none": true, "-": true, "—": true, "–": true, "tbd": true, "todo": true,
	"null": true, "nil": true, "unknown": true, "无": true, "不适用": true, "暂无": true, "未知": true, "待定": true,
	"if applicable": true, "如适用": true, "optional": true, "可选": true, "not applicable": true,
}

func isPlaceholder(v string) bool {
	v = strings.TrimSpace(v)
	if placeholders[strings.ToLower(v)] {
		return true
	}
	if len(v) >= 2 && (v[0] == '{' && v[len(v)-1] == '}' || v[0] == '<' && v[len(v)-1] == '>' ||
		v[0] == '[' && v[len(v)-1] == ']') {
		return true
	}
	return strings.HasPrefix(v, "${") || strings.HasPrefix(v, "(") || strings.HasPrefix(v, "（")
}

func (p *parser) warnf(format string, args ...any) {
	p.r.Warnings = append(p.r.Warnings, fmt.Sprintf(format, args...))
}

// label records one "Label: value" line.
func (p *parser) label(label, value string, sec int) {
	f := lookupLabel(label)
	if f == fNone {
		return
	}
	if f == fStatus {
		if sec != secDeployment {
			return
		}
		f = fStatusExplicit
	}
	if hasHan(label) {
		p.zh++
	} else {
		p.en++
	}
	if p.seen[f] {
		return
	}
	if f == fDashboard {
		// A URL may sit in a Markdown link or be followed by a note.
		if u := urlRe.FindString(value); u != "" {
			p.r.DashboardURL = u
			p.seen[f] = true
		}
		return
	}
	stripped := stripNotes(value)
	if isPlaceholder(stripped) {
		if _, ok := DurationSeconds(value); f != fDuration || !ok {
			return
		}
		stripped = value
	}
	switch f {
	case fScenario:
		p.scenarioLabel = stripped
	case fDirectory:
		p.r.Directory = stripped
	case fCreated:
		p.r.Created = value
	case fRegion:
		m := regionRe.FindStringSubmatch(strings.ToLower(value))
		if m == nil {
			p.warnf("Region %q is not an AWS Region name (such as us-east-1)", value)
			return
		}
		p.r.Region = m[1]
	case fTargetAZ:
		lower := strings.ToLower(value)
		if m := azIDRe.FindStringSubmatch(lower); m != nil {
			p.r.TargetAZ = m[1]
		} else if m := azNameRe.FindStringSubmatch(lower); m != nil {
			p.r.TargetAZ = m[1]
		} else {
			p.r.TargetAZ = stripped
		}
	case fHeaderStack, fDeploymentStack:
		name, ok := stackName(stripped)
		if !ok {
			p.warnf("%s value %q is not a CloudFormation stack name", label, value)
			return
		}
		if f == fHeaderStack {
			p.r.HeaderStackName = name
		} else {
			p.r.DeploymentStackName = name
		}
	case fDuration:
		p.r.EstimatedDuration = stripped
		p.durationFull = value
	case fStatusExplicit:
		if m := statusRe.FindStringSubmatch(stripped); m != nil {
			p.r.DeploymentStatus = m[1]
		} else {
			p.r.DeploymentStatus = stripped
		}
	case fTemplateID:
		m := templateIDRe.FindStringSubmatch(value)
		if m == nil || !ValidTemplateID(m[1]) {
			p.warnf("%s value %q is not an FIS experiment template ID", label, value)
			return
		}
		p.r.TemplateIDFromReadme = m[1]
	}
	p.seen[f] = true
}

// stackName extracts a stack name from a value: a name, or a stack ARN.
func stackName(v string) (string, bool) {
	if m := stackArnRe.FindStringSubmatch(v); m != nil {
		v = m[1]
	}
	if fields := strings.Fields(v); len(fields) > 0 {
		v = strings.TrimRight(fields[0], ",.;，。；")
	}
	return v, stackNameRe.MatchString(v)
}

// listResource reads a bullet "- RDS Aurora Cluster: demo-aurora (writer failover)" of an
// Affected Resources section written as a list.
func listResource(line, label, value string) (session.AffectedResource, bool) {
	if !strings.HasPrefix(line, "- ") && !strings.HasPrefix(line, "* ") && !strings.HasPrefix(line, "+ ") {
		return session.AffectedResource{}, false
	}
	fields := strings.Fields(value)
	if len(fields) == 0 {
		return session.AffectedResource{}, false
	}
	id := strings.Trim(cleanInline(fields[0]), ",;，；")
	impact := strings.TrimSpace(strings.Join(fields[1:], " "))
	impact = strings.TrimLeft(impact, "-—–:：( \t")
	impact = strings.TrimRight(impact, ")） \t")
	if id == "" {
		return session.AffectedResource{}, false
	}
	return session.AffectedResource{Type: cleanInline(label), Identifier: id, Impact: cleanInline(impact)}, true
}

// column indexes of an affected resources table.
type columns struct{ typ, id, impact int }

var (
	typeHeaders   = map[string]bool{"resourcetype": true, "type": true, "service": true, "servicetype": true, "awsservice": true, "资源类型": true, "类型": true, "服务": true, "服务类型": true}
	idHeaders     = map[string]bool{"identifier": true, "id": true, "resourceid": true, "resourceidentifier": true, "name": true, "resourcename": true, "arn": true, "resourcearn": true, "标识符": true, "标识": true, "资源标识符": true, "资源标识": true, "资源id": true, "名称": true, "资源名称": true}
	impactHeaders = map[string]bool{"impact": true, "expectedimpact": true, "effect": true, "faultimpact": true, "expectedbehavior": true, "影响": true, "预期影响": true, "影响说明": true, "影响描述": true, "故障影响": true, "预期行为": true}
)

// headerColumns maps header cells to columns; ok is false when neither a type nor an
// identifier column is named.
func headerColumns(cells []string) (columns, bool) {
	c := columns{-1, -1, -1}
	var generic []int
	for i, cell := range cells {
		for _, k := range []string{normKey(cell), parenKey(cell)} {
			switch {
			case k == "":
				continue
			case typeHeaders[k] && c.typ < 0:
				c.typ = i
			case idHeaders[k] && c.id < 0:
				c.id = i
			case impactHeaders[k] && c.impact < 0:
				c.impact = i
			case k == "resource" || k == "资源":
				generic = append(generic, i)
			default:
				continue
			}
			break
		}
	}
	for _, i := range generic {
		if i == c.typ || i == c.id || i == c.impact {
			continue
		}
		if c.id < 0 {
			c.id = i
		} else if c.typ < 0 {
			c.typ = i
		}
	}
	return c, c.typ >= 0 || c.id >= 0
}

func cell(row []string, i int) string {
	if i < 0 || i >= len(row) {
		return ""
	}
	return cleanInline(row[i])
}

// tableResources turns a table into affected resources. named says whether the header
// named the columns (otherwise positional columns were assumed).
func tableResources(t [][]string) (res []session.AffectedResource, cols columns, named bool) {
	if len(t) == 0 {
		return nil, columns{}, false
	}
	cols, named = headerColumns(t[0])
	body := t[1:]
	if !named {
		cols = columns{0, 1, 2}
		if !isSeparatorRow(t[0]) && (len(t) < 2 || !isSeparatorRow(t[1])) {
			body = t // no header row at all
		}
	}
	for _, row := range body {
		if isSeparatorRow(row) {
			continue
		}
		r := session.AffectedResource{Type: cell(row, cols.typ), Identifier: cell(row, cols.id), Impact: cell(row, cols.impact)}
		if r.Type == "" && r.Identifier == "" {
			continue
		}
		if named && r.Type == cell(t[0], cols.typ) && r.Identifier == cell(t[0], cols.id) {
			continue // repeated header
		}
		res = append(res, r)
	}
	return res, cols, named
}

func (p *parser) affected() {
	for _, t := range p.affectedTables {
		res, _, named := tableResources(t)
		if len(res) > 0 && !named {
			p.warnf("Affected Resources table header %q was not recognised; assumed the columns Resource Type | Identifier | Impact", strings.Join(t[0], " | "))
		}
		if len(t) > 0 {
			p.countLang(strings.Join(t[0], " "))
		}
		p.r.AffectedResources = append(p.r.AffectedResources, res...)
	}
	if len(p.r.AffectedResources) == 0 && len(p.affectedList) > 0 {
		p.r.AffectedResources = p.affectedList
	}
	if len(p.r.AffectedResources) > 0 || p.affectedSectionSet {
		return
	}
	// No Affected Resources section: accept a table elsewhere whose header names both columns.
	for _, t := range p.otherTables {
		if c, ok := headerColumns(t[0]); ok && c.typ >= 0 && c.id >= 0 {
			res, _, _ := tableResources(t)
			p.r.AffectedResources = append(p.r.AffectedResources, res...)
		}
	}
}

// metadataTables reads "| Region | us-east-1 |" rows of tables outside Affected Resources.
func (p *parser) metadataTables() {
	for _, t := range p.otherTables {
		for _, row := range t {
			if len(row) >= 2 && lookupLabel(row[0]) != fNone {
				p.label(cleanInline(row[0]), cleanValue(row[1]), secDeployment)
			}
		}
	}
}

func (p *parser) finish() (Readme, []string) {
	p.metadataTables()
	p.affected()
	r := &p.r
	if r.Scenario == "" {
		r.Scenario = p.scenarioLabel
	}
	switch {
	case r.HeaderStackName != "":
		r.StackName = r.HeaderStackName
		if r.DeploymentStackName != "" && r.DeploymentStackName != r.HeaderStackName {
			p.warnf("README.md names two different stacks: CFN Stack %q and Stack Name %q (deployment status); using %q",
				r.HeaderStackName, r.DeploymentStackName, r.HeaderStackName)
		}
	case r.DeploymentStackName != "":
		r.StackName = r.DeploymentStackName
	}
	if r.EstimatedDuration != "" {
		secs, ok := DurationSeconds(r.EstimatedDuration)
		if !ok {
			secs, ok = DurationSeconds(p.durationFull)
		}
		if ok {
			r.EstimatedDurationSeconds = secs
		} else {
			p.warnf("Estimated Duration %q is not a duration (expected ISO 8601 such as PT10M, or text such as \"10 minutes\")", r.EstimatedDuration)
		}
	}
	r.Language = "en"
	if p.zh > p.en {
		r.Language = "zh"
	}
	var missing []string
	if r.Scenario == "" {
		missing = append(missing, FieldScenario)
	}
	if r.Region == "" {
		missing = append(missing, FieldRegion)
	}
	if r.StackName == "" {
		missing = append(missing, FieldStack)
	}
	if r.EstimatedDuration == "" {
		missing = append(missing, FieldEstimatedDuration)
	}
	if len(r.AffectedResources) == 0 {
		missing = append(missing, FieldAffectedResources)
	}
	return *r, missing
}
