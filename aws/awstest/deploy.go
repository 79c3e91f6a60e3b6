package awstest

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Deployment is what DeployStack created in the fake account from a prepare step's
// cfn-template.yaml: the FIS template, the stack and the supporting resources.
type Deployment struct {
	StackName  string
	TemplateID string
	Template   ExperimentTemplate
	// Roles, Alarms and LogGroups are the names of the IAM roles, CloudWatch alarms and log
	// groups the template declares (added to the fake account).
	Roles     []string
	Alarms    []string
	LogGroups []string
	// TargetAccounts are the AWS::FIS::TargetAccountConfiguration resources of a
	// multi-account template (account ID → role ARN), in the order they appear.
	TargetAccounts []DeployedTargetAccount
	// Outputs are the stack's evaluated outputs.
	Outputs map[string]string
}

// DeployedTargetAccount is one AWS::FIS::TargetAccountConfiguration of a template.
type DeployedTargetAccount struct {
	AccountID   string
	RoleArn     string
	Description string
}

// DeployOptions tune DeployStack.
type DeployOptions struct {
	// Status is the stack status to record (default CREATE_COMPLETE).
	Status string
	// Parameters override the template parameters' defaults.
	Parameters map[string]string
	// AlarmState is the state the declared alarms start in (default OK: a deployed,
	// evaluated stop condition; AddAlarm's own default is INSUFFICIENT_DATA).
	AlarmState string
}

// DeployStack plays the part of CloudFormation for a test: it evaluates the prepare step's
// cfn-template.yaml (Parameters defaults, !Ref, !Sub, !GetAtt and the AWS:: pseudo
// parameters), adds its IAM roles, alarms and log groups, the AWS::FIS::ExperimentTemplate
// under templateID, and the stack with its evaluated outputs. It supports what the prepare
// step writes, not all of CloudFormation; anything it cannot evaluate is an error.
// fis-mcp itself never deploys: this exists only so tests run the real testdata templates.
func (s *Server) DeployStack(stackName, templateID string, cfn []byte, o DeployOptions) (*Deployment, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(cfn, &doc); err != nil {
		return nil, fmt.Errorf("cfn template: %w", err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("cfn template: not a mapping")
	}
	root := mappingOf(doc.Content[0])
	ev := &cfnEval{region: s.Region, account: s.AccountID, stack: stackName, params: map[string]string{},
		physical: map[string]string{}, types: map[string]string{}, props: map[string]*yaml.Node{}}
	if p := root["Parameters"]; p != nil {
		for name, def := range mappingOf(p) {
			if d := mappingOf(def)["Default"]; d != nil {
				ev.params[name] = d.Value
			}
		}
	}
	for k, v := range o.Parameters {
		ev.params[k] = v
	}
	resNode := root["Resources"]
	if resNode == nil {
		return nil, fmt.Errorf("cfn template: no Resources")
	}
	resources := mappingOf(resNode)
	// Physical IDs first: Ref and GetAtt of any resource need them.
	for _, logical := range sortedNodeKeys(resources) {
		m := mappingOf(resources[logical])
		if m["Type"] == nil {
			return nil, fmt.Errorf("resource %s: no Type", logical)
		}
		ev.types[logical] = m["Type"].Value
		ev.props[logical] = m["Properties"]
	}
	for _, logical := range sortedNodeKeys(resources) {
		id, err := ev.physicalID(logical, templateID)
		if err != nil {
			return nil, err
		}
		ev.physical[logical] = id
	}

	d := &Deployment{StackName: stackName, TemplateID: templateID, Outputs: map[string]string{}}
	alarmState := o.AlarmState
	if alarmState == "" {
		alarmState = AlarmOK
	}
	var tmpl *ExperimentTemplate
	for _, logical := range sortedNodeKeys(resources) {
		props, err := ev.value(ev.props[logical])
		if err != nil {
			return nil, fmt.Errorf("resource %s: %w", logical, err)
		}
		pm, _ := props.(map[string]any)
		switch ev.types[logical] {
		case "AWS::IAM::Role":
			name := ev.physical[logical]
			s.AddRole(name, "")
			d.Roles = append(d.Roles, name)
		case "AWS::CloudWatch::Alarm":
			name := ev.physical[logical]
			a := Alarm{Name: name, State: alarmState, Reason: "deployed by the test",
				Namespace: cfnStr(pm["Namespace"]), MetricName: cfnStr(pm["MetricName"]), Statistic: cfnStr(pm["Statistic"]),
				ComparisonOperator: cfnStr(pm["ComparisonOperator"])}
			s.AddAlarm(a)
			d.Alarms = append(d.Alarms, name)
		case "AWS::Logs::LogGroup":
			s.AddLogGroup(ev.physical[logical])
			d.LogGroups = append(d.LogGroups, ev.physical[logical])
		case "AWS::FIS::ExperimentTemplate":
			if tmpl != nil {
				return nil, fmt.Errorf("the template declares more than one AWS::FIS::ExperimentTemplate")
			}
			t, err := fisTemplateFromCFN(templateID, pm)
			if err != nil {
				return nil, fmt.Errorf("resource %s: %w", logical, err)
			}
			tmpl = &t
		case "AWS::FIS::TargetAccountConfiguration":
			d.TargetAccounts = append(d.TargetAccounts, DeployedTargetAccount{
				AccountID: cfnStr(pm["AccountId"]), RoleArn: cfnStr(pm["RoleArn"]), Description: cfnStr(pm["Description"])})
		}
	}
	if tmpl == nil {
		return nil, fmt.Errorf("the template declares no AWS::FIS::ExperimentTemplate")
	}
	d.Template = *tmpl
	if out := root["Outputs"]; out != nil {
		for name, n := range mappingOf(out) {
			v, err := ev.value(mappingOf(n)["Value"])
			if err != nil {
				return nil, fmt.Errorf("output %s: %w", name, err)
			}
			d.Outputs[name] = cfnStr(v)
		}
	}
	s.AddExperimentTemplate(*tmpl)
	for _, ta := range d.TargetAccounts {
		s.AddTargetAccountConfiguration(templateID, TargetAccountConfiguration{AccountID: ta.AccountID, RoleArn: ta.RoleArn, Description: ta.Description})
	}
	status := o.Status
	if status == "" {
		status = "CREATE_COMPLETE"
	}
	params := map[string]string{}
	for k, v := range ev.params {
		params[k] = v
	}
	s.AddStack(Stack{Name: stackName, Status: status, Outputs: d.Outputs, Parameters: params})
	return d, nil
}

// fisTemplateFromCFN maps AWS::FIS::ExperimentTemplate properties (CloudFormation's
// PascalCase) to the fake's template.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-fis-experimenttemplate.html
func fisTemplateFromCFN(id string, p map[string]any) (ExperimentTemplate, error) {
	t := ExperimentTemplate{ID: id, Description: cfnStr(p["Description"]), RoleArn: cfnStr(p["RoleArn"]),
		Actions: map[string]TemplateAction{}, Targets: map[string]TemplateTarget{}, Tags: cfnStrMap(p["Tags"])}
	for name, v := range cfnMap(p["Targets"]) {
		m := cfnMap(v)
		tg := TemplateTarget{ResourceType: cfnStr(m["ResourceType"]), SelectionMode: cfnStr(m["SelectionMode"]),
			ResourceArns: cfnStrList(m["ResourceArns"]), ResourceTags: cfnStrMap(m["ResourceTags"]), Parameters: cfnStrMap(m["Parameters"])}
		for _, f := range cfnList(m["Filters"]) {
			fm := cfnMap(f)
			tg.Filters = append(tg.Filters, TemplateTargetFilter{Path: cfnStr(fm["Path"]), Values: cfnStrList(fm["Values"])})
		}
		if tg.ResourceType == "" {
			return t, fmt.Errorf("target %s has no ResourceType", name)
		}
		t.Targets[name] = tg
	}
	for name, v := range cfnMap(p["Actions"]) {
		m := cfnMap(v)
		a := TemplateAction{ActionID: cfnStr(m["ActionId"]), Description: cfnStr(m["Description"]),
			Parameters: cfnStrMap(m["Parameters"]), Targets: cfnStrMap(m["Targets"]), StartAfter: cfnStrList(m["StartAfter"])}
		if a.ActionID == "" {
			return t, fmt.Errorf("action %s has no ActionId", name)
		}
		t.Actions[name] = a
	}
	for _, v := range cfnList(p["StopConditions"]) {
		m := cfnMap(v)
		t.StopConditions = append(t.StopConditions, StopCondition{Source: cfnStr(m["Source"]), Value: cfnStr(m["Value"])})
	}
	if o := cfnMap(p["ExperimentOptions"]); len(o) > 0 {
		t.ExperimentOptions = map[string]string{}
		if v := cfnStr(o["AccountTargeting"]); v != "" {
			t.ExperimentOptions["accountTargeting"] = v
		}
		if v := cfnStr(o["EmptyTargetResolutionMode"]); v != "" {
			t.ExperimentOptions["emptyTargetResolutionMode"] = v
		}
	}
	if rc := cfnMap(p["ExperimentReportConfiguration"]); len(rc) > 0 {
		c := &TemplateReportConfiguration{}
		out := cfnMap(cfnMap(rc["Outputs"])["ExperimentReportS3Configuration"])
		c.S3Bucket, c.S3Prefix = cfnStr(out["BucketName"]), cfnStr(out["Prefix"])
		for _, ds := range cfnList(cfnMap(rc["DataSources"])["CloudWatchDashboards"]) {
			c.CloudWatchDashboards = append(c.CloudWatchDashboards, cfnStr(cfnMap(ds)["DashboardIdentifier"]))
		}
		c.PreExperimentDuration, c.PostExperimentDuration = cfnStr(rc["PreExperimentDuration"]), cfnStr(rc["PostExperimentDuration"])
		t.ReportConfiguration = c
	}
	return t, nil
}

// cfnEval evaluates CloudFormation intrinsic functions over the YAML nodes.
type cfnEval struct {
	region, account, stack string
	params                 map[string]string
	physical, types        map[string]string
	props                  map[string]*yaml.Node
}

// physicalID is the resource's name as CloudFormation would report it for Ref.
func (e *cfnEval) physicalID(logical, templateID string) (string, error) {
	nameProp := map[string]string{
		"AWS::IAM::Role": "RoleName", "AWS::CloudWatch::Alarm": "AlarmName", "AWS::Logs::LogGroup": "LogGroupName",
		"AWS::CloudWatch::Dashboard": "DashboardName",
	}[e.types[logical]]
	if e.types[logical] == "AWS::FIS::ExperimentTemplate" {
		return templateID, nil
	}
	if nameProp == "" {
		return logical, nil
	}
	n := mappingOf(e.props[logical])[nameProp]
	if n == nil {
		return e.stack + "-" + logical, nil
	}
	// Names refer only to parameters and pseudo parameters in the prepare step's templates.
	v, err := e.value(n)
	if err != nil {
		return "", fmt.Errorf("resource %s %s: %w", logical, nameProp, err)
	}
	return cfnStr(v), nil
}

func (e *cfnEval) value(n *yaml.Node) (any, error) {
	if n == nil {
		return nil, nil
	}
	if name, ok := strings.CutPrefix(n.Tag, "!"); ok && !strings.HasPrefix(name, "!") { // not YAML's own !!str, !!map...
		return e.intrinsic(name, n) // short form: !Ref X, !Sub ..., !GetAtt R.A
	}
	switch n.Kind {
	case yaml.ScalarNode:
		return n.Value, nil
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := e.value(c)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		m := mappingOf(n)
		if len(m) == 1 {
			for k, v := range m {
				if name, ok := strings.CutPrefix(k, "Fn::"); ok || k == "Ref" {
					if !ok {
						name = k
					}
					return e.intrinsic(name, v) // long form: {Ref: X}, {Fn::Sub: ...}
				}
			}
		}
		out := map[string]any{}
		for k, v := range m {
			x, err := e.value(v)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			out[k] = x
		}
		return out, nil
	case yaml.AliasNode:
		return e.value(n.Alias)
	}
	return nil, fmt.Errorf("unsupported YAML node")
}

// intrinsic evaluates the intrinsic function name (Ref, Sub, GetAtt) applied to arg, given in
// either the short (!Sub) or the long ({Fn::Sub: ...}) form.
func (e *cfnEval) intrinsic(name string, arg *yaml.Node) (any, error) {
	switch name {
	case "Ref":
		return e.ref(arg.Value)
	case "Sub":
		if arg.Kind == yaml.SequenceNode {
			return e.subLong(arg.Content)
		}
		return e.sub(arg.Value, nil)
	case "GetAtt":
		if arg.Kind == yaml.SequenceNode && len(arg.Content) == 2 {
			return e.getAtt(arg.Content[0].Value, arg.Content[1].Value)
		}
		res, attr, _ := strings.Cut(arg.Value, ".")
		return e.getAtt(res, attr)
	}
	return nil, fmt.Errorf("!%s is not supported by the test deployer", name)
}

func (e *cfnEval) ref(name string) (string, error) {
	switch name {
	case "AWS::AccountId":
		return e.account, nil
	case "AWS::Region":
		return e.region, nil
	case "AWS::Partition":
		return "aws", nil
	case "AWS::StackName":
		return e.stack, nil
	case "AWS::URLSuffix":
		return "amazonaws.com", nil
	}
	if v, ok := e.params[name]; ok {
		return v, nil
	}
	if v, ok := e.physical[name]; ok {
		return v, nil
	}
	return "", fmt.Errorf("!Ref %s: no such parameter or resource", name)
}

func (e *cfnEval) getAtt(res, attr string) (string, error) {
	id, ok := e.physical[res]
	if !ok {
		return "", fmt.Errorf("!GetAtt %s.%s: no such resource", res, attr)
	}
	if attr != "Arn" {
		return "", fmt.Errorf("!GetAtt %s.%s: only Arn is supported", res, attr)
	}
	switch e.types[res] {
	case "AWS::IAM::Role":
		return fmt.Sprintf("arn:aws:iam::%s:role/%s", e.account, id), nil
	case "AWS::CloudWatch::Alarm":
		return fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", e.region, e.account, id), nil
	case "AWS::Logs::LogGroup":
		// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-logs-loggroup.html: Arn ends in :*
		return fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s:*", e.region, e.account, id), nil
	case "AWS::S3::Bucket":
		return "arn:aws:s3:::" + id, nil
	}
	return "", fmt.Errorf("!GetAtt %s.Arn: resource type %s is not supported", res, e.types[res])
}

var subVarRE = regexp.MustCompile(`\$\{([^}!]+)\}`)

func (e *cfnEval) sub(s string, vars map[string]string) (string, error) {
	var firstErr error
	out := subVarRE.ReplaceAllStringFunc(s, func(m string) string {
		name := m[2 : len(m)-1]
		if v, ok := vars[name]; ok {
			return v
		}
		var v string
		var err error
		if res, attr, ok := strings.Cut(name, "."); ok && !strings.HasPrefix(name, "AWS::") {
			v, err = e.getAtt(res, attr)
		} else {
			v, err = e.ref(name)
		}
		if err != nil && firstErr == nil {
			firstErr = err
		}
		return v
	})
	return out, firstErr
}

func (e *cfnEval) subLong(args []*yaml.Node) (string, error) {
	if len(args) != 2 {
		return "", fmt.Errorf("!Sub takes a string and a map")
	}
	vars := map[string]string{}
	for k, v := range mappingOf(args[1]) {
		x, err := e.value(v)
		if err != nil {
			return "", err
		}
		vars[k] = cfnStr(x)
	}
	return e.sub(args[0].Value, vars)
}

func mappingOf(n *yaml.Node) map[string]*yaml.Node {
	m := map[string]*yaml.Node{}
	if n == nil || n.Kind != yaml.MappingNode {
		return m
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		m[n.Content[i].Value] = n.Content[i+1]
	}
	return m
}

func sortedNodeKeys(m map[string]*yaml.Node) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func cfnMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func cfnList(v any) []any {
	l, _ := v.([]any)
	return l
}

func cfnStr(v any) string {
	s, _ := v.(string)
	return s
}

func cfnStrList(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, cfnStr(e))
		}
		return out
	}
	return nil
}

func cfnStrMap(v any) map[string]string {
	m := cfnMap(v)
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, e := range m {
		out[k] = cfnStr(e)
	}
	return out
}
