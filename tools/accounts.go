package tools

import "github.com/fis-mcp/fis-mcp/session"

// resourceLabel names a resource in text, with its account when it has one (multi-account templates).
func resourceLabel(r session.ResourceHealth) string {
	if r.Account == "" {
		return r.ID
	}
	return r.ID + " (account " + r.Account + ")"
}
