package tools

import (
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/fis-mcp/fis-mcp/aws/setup"
)

// CheckSetupInput selects what check_setup checks beyond the account itself.
type CheckSetupInput struct {
	TemplateID string `json:"template_id,omitempty" jsonschema:"FIS experiment template ID (EXT...) to check: readable, its role exists and trusts fis.amazonaws.com"`
	Region     string `json:"region,omitempty" jsonschema:"AWS region to check (default: the server's region)"`
}

// SetupCheck is one line of check_setup's report.
type SetupCheck struct {
	Name   string `json:"name" jsonschema:"what was checked"`
	OK     bool   `json:"ok" jsonschema:"true when the check passed"`
	Detail string `json:"detail" jsonschema:"what was found"`
	Remedy string `json:"remedy" jsonschema:"what to do when the check failed (empty when it passed)"`
}

// CheckSetupOutput is the setup report (the same checks as fis-mcp doctor).
type CheckSetupOutput struct {
	Checks   []SetupCheck `json:"checks" jsonschema:"every check, in order: credentials and identity, region, IAM per tool, FIS, EKS, CloudWatch, state directory"`
	Blocking bool         `json:"blocking" jsonschema:"true when a failed check blocks an experiment"`
	Common
}

// CheckSetup is the check_setup tool: fis-mcp doctor's checks, read-only.
func CheckSetup(d *Deps) server.ServerTool {
	tool := mcp.NewTool("check_setup",
		mcp.WithDescription("Check what a first experiment needs before starting one (the same checks as `fis-mcp doctor`): AWS credentials and identity, region, the IAM actions of every tool (iam:SimulatePrincipalPolicy), the FIS template, its role and trust, the safety lever, EKS access entries and Kubernetes permissions, CloudWatch and Logs read access, the state directory. Read-only; run it first."),
		mcp.WithTitleAnnotation("Setup: check"),
		mcp.WithReadOnlyHintAnnotation(true),
		mcp.WithDestructiveHintAnnotation(false),
		mcp.WithIdempotentHintAnnotation(true),
		mcp.WithOpenWorldHintAnnotation(true),
		inputSchema[CheckSetupInput](),
		mcp.WithOutputSchema[CheckSetupOutput](),
	)
	return server.ServerTool{Tool: tool, Handler: handle(d, "check_setup", (*Deps).checkSetup)}
}

func (d *Deps) checkSetup(c *call, in CheckSetupInput) (*mcp.CallToolResult, error) {
	region := in.Region
	if region == "" {
		region = d.Config.DefaultRegion
	}
	clients, err := d.AWS(region)
	if err != nil {
		return c.fail("", err)
	}
	opts := setup.Options{ExperimentsDir: d.Config.ExperimentsDir, Simulated: d.Config.Simulated, ReadOnly: true, AccountRoles: d.Config.AccountRoles}
	if in.TemplateID != "" {
		opts.TemplateIDs = []string{in.TemplateID}
	}
	if d.Store != nil {
		opts.StateDir = d.Store.Dir()
	}
	r := setup.Run(c.ctx, setup.Deps{AWS: clients, Kube: setup.KubeAccess(clients.Config)}, opts)
	out := CheckSetupOutput{Checks: []SetupCheck{}, Blocking: r.Blocking}
	var b strings.Builder
	for _, ch := range r.Checks {
		out.Checks = append(out.Checks, SetupCheck{Name: ch.Name, OK: ch.OK, Detail: ch.Detail, Remedy: ch.Remedy})
		word := "ok"
		switch {
		case ch.Blocking:
			word = "BLOCKING"
		case !ch.OK:
			word = "warning"
		}
		fmt.Fprintf(&b, "%-8s %s: %s", word, ch.Name, ch.Detail)
		if ch.Remedy != "" {
			fmt.Fprintf(&b, " → %s", ch.Remedy)
		}
		b.WriteString("\n")
	}
	if r.Blocking {
		b.WriteString("BLOCKED: fix the BLOCKING checks before starting an experiment; show them to the human.\n")
	} else {
		b.WriteString("Ready: nothing blocks an experiment; next: resolve_experiment.\n")
	}
	return c.finish("", &out, &out.Common, b.String())
}
