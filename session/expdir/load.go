package expdir

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/fis-mcp/fis-mcp/session"
)

// Load reads the experiment's README.md (and expected-behavior.md when present) into a
// session.Experiment. Missing README fields are warnings, not errors: the first warning
// names them all ("README.md is missing: Region, Estimated Duration"), and further ones
// say what follows (a missing Region means the caller's AWS config region is used; a
// missing stack name means the stack cannot be checked). The error is for unreadable files.
func Load(d *Dir) (session.Experiment, []string, error) {
	if d == nil {
		return session.Experiment{}, nil, errors.New("expdir.Load: nil directory (call Open first)")
	}
	b, err := ReadFile(d.Readme)
	if err != nil {
		return session.Experiment{}, nil, err
	}
	r, missing := ParseReadme(b)
	exp := session.Experiment{
		Dir:                      d.Path,
		TemplateID:               d.TemplateID,
		Scenario:                 r.Scenario,
		Region:                   r.Region,
		TargetAZ:                 r.TargetAZ,
		Created:                  r.Created,
		EstimatedDuration:        r.EstimatedDuration,
		EstimatedDurationSeconds: r.EstimatedDurationSeconds,
		StackName:                r.StackName,
		DashboardURL:             r.DashboardURL,
		ReadmeLanguage:           r.Language,
		AffectedResources:        r.AffectedResources,
		Hypothesis:               ParseHypothesis(b),
	}
	if exp.AffectedResources == nil {
		exp.AffectedResources = []session.AffectedResource{}
	}

	var warnings []string
	if len(missing) > 0 {
		warnings = append(warnings, "README.md is missing: "+strings.Join(missing, ", "))
	}
	for _, m := range missing {
		switch m {
		case FieldRegion:
			warnings = append(warnings, "README.md has no Region: the region of the AWS configuration will be used instead; check it is the experiment's region")
		case FieldStack:
			warnings = append(warnings, "README.md has no CFN Stack name (neither \"CFN Stack:\" nor \"Stack Name:\"): the CloudFormation stack cannot be checked; add **CFN Stack:** {stack name} to README.md or prepare the experiment again")
		case FieldScenario:
			warnings = append(warnings, "README.md has no \"# FIS Experiment: {Scenario}\" heading: the directory name is used as the scenario")
			exp.Scenario = scenarioFromName(d.Name, d.TemplateID)
		case FieldAffectedResources:
			warnings = append(warnings, "README.md has no Affected Resources table: per-service analysis will rely on the FIS template targets only")
		}
	}
	warnings = append(warnings, r.Warnings...)
	if r.TemplateIDFromReadme != "" && r.TemplateIDFromReadme != d.TemplateID {
		warnings = append(warnings, fmt.Sprintf("README.md gives Experiment Template ID %s but the directory name ends with %s; using %s (the directory's)",
			r.TemplateIDFromReadme, d.TemplateID, d.TemplateID))
	}
	if d.ExpectedBehavior != "" {
		eb, err := ReadFile(d.ExpectedBehavior)
		if err != nil {
			warnings = append(warnings, "expected-behavior.md ignored: "+err.Error())
		} else if exp.ExpectedBehavior = ParseExpectedBehavior(eb); exp.ExpectedBehavior == nil {
			warnings = append(warnings, "expected-behavior.md has no \"### {Service} ({id})\" sections")
		}
	}
	return exp, warnings, nil
}

var timestampPrefixRe = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}(?:-\d{2}-\d{2}-\d{2})?-`)

// scenarioFromName is the directory name without its timestamp prefix and template ID suffix.
func scenarioFromName(name, id string) string {
	s := strings.TrimSuffix(strings.TrimSuffix(name, id), "-")
	s = timestampPrefixRe.ReplaceAllString(s, "")
	if s == "" {
		return name
	}
	return s
}
