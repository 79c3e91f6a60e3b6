package expdir

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// cfnValue resolves a scalar node: plain, !Ref of a parameter, or !Sub with ${Param} of parameters.
func cfnValue(n *yaml.Node, params map[string]string) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	switch n.Tag {
	case "!Ref":
		return params[n.Value]
	case "!Sub":
		v := n.Value
		for k, p := range params {
			v = strings.ReplaceAll(v, "${"+k+"}", p)
		}
		return v
	}
	return n.Value
}

// get walks mapping keys.
func get(n *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				next = n.Content[i+1]
			}
		}
		n = next
	}
	return n
}

func mapKeys(n *yaml.Node) []string {
	var ks []string
	if n != nil && n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			ks = append(ks, n.Content[i].Value)
		}
	}
	return ks
}

var knownActionIDs = map[string]bool{
	"aws:ec2:stop-instances": true, "aws:ec2:api-insufficient-instance-capacity-error": true,
	"aws:ec2:asg-insufficient-instance-capacity-error": true, "aws:rds:failover-db-cluster": true,
	"aws:elasticache:replicationgroup-interrupt-az-power": true, "aws:network:disrupt-connectivity": true,
	"aws:ebs:pause-volume-io": true, // https://docs.aws.amazon.com/fis/latest/userguide/fis-actions-reference.html
}

// TestTestdataTemplates checks every cfn-template.yaml under testdata follows FORMATS.md:
// an AWS::FIS::ExperimentTemplate whose targets and actions are consistent, a FIS IAM role,
// dashboard fis-{name}, stop-condition alarm fis-stop-{name} (except where none is intended)
// and the ExperimentTemplateId output.
func TestTestdataTemplates(t *testing.T) {
	want := map[string]struct {
		name  string
		alarm bool
	}{
		"2026-04-11-10-30-15-az-power-int-demo-cluster-EXT1a2b3c4d5e6f7":       {"az-power-int-demo-cluster", true},
		"2026-05-02-09-00-00-aurora-failover-orders-db-EXT2b3c4d5e6f7a8":       {"aurora-failover-orders-db", false},
		"2026-05-03-14-20-00-redis-az-power-cache-EXT3c4d5e6f7a8b9":            {"redis-az-power-cache", true},
		"az-power-int-legacy-EXT4d5e6f7a8b9c0":                                 {"az-power-int-legacy", true},
		"2026-06-01-10-00-00-az-power-int-asg-web-EXT5a1b2c3d4e5f6":            {"az-power-int-asg-web", true},
		"2026-06-02-09-30-00-network-disrupt-az-subnets-EXT6b2c3d4e5f6a7":      {"network-disrupt-az-subnets", true},
		"2026-06-03-14-00-00-ec2-stop-skip-canary-EXT7c3d4e5f6a7b8":            {"ec2-stop-skip-canary", true},
		"2026-06-04-11-00-00-multi-account-ec2-stop-payments-EXT8d4e5f6a7b8c9": {"multi-account-ec2-stop-payments", true},
		"2026-06-05-08-15-00-aurora-failover-billing-db-EXT9e5f6a7b8c9d0":      {"aurora-failover-billing-db", true},
		"2026-04-11-no-ext-suffix":                                             {"no-ext-suffix", true},
		"2026-04-11-no-stack-EXT6f7a8b9c0d1e2":                                 {"no-stack", true},
		"2026-04-11-dup-a-EXT7a8b9c0d1e2f3":                                    {"dup-a", true},
		"2026-04-12-dup-b-EXT7a8b9c0d1e2f3":                                    {"dup-b", true},
	}
	var paths []string
	for _, root := range []string{goodRoot, brokenRoot} {
		ps, err := filepath.Glob(filepath.Join(root, "*", CFNTemplateFile))
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, ps...)
	}
	if len(paths) != len(want) {
		t.Fatalf("found %d templates, want %d: %q", len(paths), len(want), paths)
	}
	for _, p := range paths {
		dir := filepath.Base(filepath.Dir(p))
		t.Run(dir, func(t *testing.T) {
			w, ok := want[dir]
			if !ok {
				t.Fatalf("unexpected template %s", p)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			var doc yaml.Node
			if err := yaml.Unmarshal(b, &doc); err != nil {
				t.Fatalf("YAML: %v", err)
			}
			root := doc.Content[0]
			params := map[string]string{}
			for _, k := range mapKeys(get(root, "Parameters")) {
				params[k] = get(root, "Parameters", k, "Default").Value
			}
			if params["ExperimentName"] != w.name {
				t.Errorf("ExperimentName = %q, want %q", params["ExperimentName"], w.name)
			}
			byType := map[string][]string{}
			resources := get(root, "Resources")
			for _, k := range mapKeys(resources) {
				typ := get(resources, k, "Type").Value
				byType[typ] = append(byType[typ], k)
			}
			if len(byType["AWS::FIS::ExperimentTemplate"]) != 1 || len(byType["AWS::IAM::Role"]) != 1 || len(byType["AWS::CloudWatch::Dashboard"]) != 1 {
				t.Fatalf("resources by type: %v", byType)
			}
			role := get(resources, byType["AWS::IAM::Role"][0], "Properties", "AssumeRolePolicyDocument", "Statement")
			if role == nil || len(role.Content) == 0 || get(role.Content[0], "Principal", "Service").Value != "fis.amazonaws.com" {
				t.Error("IAM role is not assumable by fis.amazonaws.com")
			}
			dash := get(resources, byType["AWS::CloudWatch::Dashboard"][0], "Properties", "DashboardName")
			if got := cfnValue(dash, params); got != "fis-"+w.name {
				t.Errorf("dashboard name %q, want fis-%s", got, w.name)
			}
			alarms := byType["AWS::CloudWatch::Alarm"]
			fisName := byType["AWS::FIS::ExperimentTemplate"][0]
			props := get(resources, fisName, "Properties")
			stops := get(props, "StopConditions")
			if w.alarm {
				if len(alarms) != 1 || cfnValue(get(resources, alarms[0], "Properties", "AlarmName"), params) != "fis-stop-"+w.name {
					t.Errorf("stop-condition alarm fis-stop-%s missing (%v)", w.name, alarms)
				}
				if stops == nil || len(stops.Content) != 1 || get(stops.Content[0], "Source").Value != "aws:cloudwatch:alarm" ||
					get(stops.Content[0], "Value").Tag != "!GetAtt" {
					t.Error("FIS template does not use the alarm as stop condition")
				}
			} else {
				if len(alarms) != 0 || stops == nil || len(stops.Content) != 1 || get(stops.Content[0], "Source").Value != "none" {
					t.Errorf("want no stop condition (Source: none), got alarms %v", alarms)
				}
			}
			if get(props, "RoleArn") == nil {
				t.Error("FIS template has no RoleArn")
			}
			targets := get(props, "Targets")
			actions := get(props, "Actions")
			if len(mapKeys(targets)) == 0 || len(mapKeys(actions)) == 0 {
				t.Fatal("FIS template without targets or actions")
			}
			for _, tn := range mapKeys(targets) {
				tg := get(targets, tn)
				if !strings.HasPrefix(get(tg, "ResourceType").Value, "aws:") || get(tg, "SelectionMode") == nil ||
					(get(tg, "ResourceArns") == nil && get(tg, "ResourceTags") == nil && get(tg, "Parameters") == nil) {
					t.Errorf("target %s incomplete", tn)
				}
			}
			for _, an := range mapKeys(actions) {
				a := get(actions, an)
				if id := get(a, "ActionId").Value; !knownActionIDs[id] {
					t.Errorf("action %s: unknown action ID %q", an, id)
				}
				for _, key := range mapKeys(get(a, "Targets")) {
					if ref := get(a, "Targets", key).Value; get(targets, ref) == nil {
						t.Errorf("action %s references unknown target %s", an, ref)
					}
				}
				if sa := get(a, "StartAfter"); sa != nil {
					for _, s := range sa.Content {
						if get(actions, s.Value) == nil {
							t.Errorf("action %s starts after unknown action %s", an, s.Value)
						}
					}
				}
			}
			out := get(root, "Outputs", "ExperimentTemplateId", "Value")
			if out == nil || out.Tag != "!Ref" || out.Value != fisName {
				t.Errorf("output ExperimentTemplateId must be !Ref %s", fisName)
			}
		})
	}
}

// TestTestdataReadmesAgree checks each good README names the stack and dashboard consistently.
func TestTestdataReadmesAgree(t *testing.T) {
	entries, err := os.ReadDir(goodRoot)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		exp, _ := loadDir(t, goodRoot, e.Name())
		if exp.DashboardURL != "" && !strings.Contains(exp.DashboardURL, "dashboard/fis-") {
			t.Errorf("%s: dashboard URL %q", e.Name(), exp.DashboardURL)
		}
		if !strings.HasPrefix(exp.StackName, "fis-") || exp.Region == "" || exp.EstimatedDurationSeconds == 0 || len(exp.AffectedResources) == 0 {
			t.Errorf("%s: incomplete %+v", e.Name(), exp)
		}
	}
}
