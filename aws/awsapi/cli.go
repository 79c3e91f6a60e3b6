package awsapi

import (
	"bytes"
	"encoding/json"
	"regexp"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/fis"
)

// The AWS CLI equivalents of the mutating FIS calls, rendered from the very SDK input that is
// sent, so what a human is shown is what runs. Syntax: the AWS CLI v2 reference of
// start-experiment (https://docs.aws.amazon.com/goto/cli2/fis-2020-12-01/StartExperiment),
// StopExperiment's id (https://docs.aws.amazon.com/fis/latest/APIReference/API_StopExperiment.html),
// and for --tags and --experiment-options the shorthand syntax
// (https://docs.aws.amazon.com/cli/latest/userguide/shorthand-syntax.html).

// StartExperimentCLI is the `aws fis start-experiment` command making the call in, in region:
// template, client token, actions mode and tags, every value quoted for a POSIX shell.
func StartExperimentCLI(in *fis.StartExperimentInput, region string) string {
	args := []string{"aws", "fis", "start-experiment"}
	if in == nil {
		return cliLine(args, region)
	}
	args = append(args, "--experiment-template-id", ShellQuote(deref(in.ExperimentTemplateId)))
	if t := deref(in.ClientToken); t != "" {
		args = append(args, "--client-token", ShellQuote(t))
	}
	if o := in.ExperimentOptions; o != nil && o.ActionsMode != "" {
		args = append(args, "--experiment-options", ShellQuote("actionsMode="+string(o.ActionsMode)))
	}
	if len(in.Tags) > 0 {
		args = append(args, "--tags", ShellQuote(TagsArg(in.Tags)))
	}
	return cliLine(args, region)
}

// StopExperimentCLI is the `aws fis stop-experiment` command stopping experiment id in region.
func StopExperimentCLI(id, region string) string {
	return cliLine([]string{"aws", "fis", "stop-experiment", "--id", ShellQuote(id)}, region)
}

// CLIFor is the AWS CLI command of a mutating call (operation op with its SDK input params),
// or "" for a call that changes nothing: what the audit trail records.
func CLIFor(op string, params any, region string) string {
	switch op {
	case "StartExperiment":
		if in, ok := params.(*fis.StartExperimentInput); ok {
			return StartExperimentCLI(in, region)
		}
	case "StopExperiment":
		if in, ok := params.(*fis.StopExperimentInput); ok {
			return StopExperimentCLI(deref(in.Id), region)
		}
	}
	return ""
}

func cliLine(args []string, region string) string {
	if region != "" {
		args = append(args, "--region", ShellQuote(region))
	}
	return strings.Join(args, " ")
}

var (
	// shellSafe are the words a POSIX shell passes on unchanged (no quoting, globbing,
	// expansion, word splitting or tilde).
	shellSafe = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`)
	// shorthandKey and shorthandValue are the tag keys and values the CLI's shorthand syntax
	// (key=value,key=value) reads back unchanged; anything else goes as JSON.
	shorthandKey   = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
	shorthandValue = regexp.MustCompile(`^[A-Za-z0-9_.:/@+-]+$`)
)

// ShellQuote quotes s as one word for a POSIX shell: s itself when no character in it is
// special, otherwise single-quoted, each embedded single quote closing the quotes, escaped
// with a backslash and reopening them, so no value can end the word, start a command or
// expand.
func ShellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// TagsArg is the --tags value for tags (before shell quoting): the shorthand
// k1=v1,k2=v2 (sorted by key) when every key and value is plain, else JSON.
func TagsArg(tags map[string]string) string {
	keys := make([]string, 0, len(tags))
	plain := true
	for k, v := range tags {
		keys = append(keys, k)
		if !shorthandKey.MatchString(k) || !shorthandValue.MatchString(v) {
			plain = false
		}
	}
	sort.Strings(keys)
	if !plain {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(tags) // map keys come sorted; strings always encode
		return strings.TrimSuffix(b.String(), "\n")
	}
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + tags[k]
	}
	return strings.Join(parts, ",")
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
