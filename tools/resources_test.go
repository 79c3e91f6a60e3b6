package tools_test

import (
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
)

// resources/list names every written report (one resource per reported session), not
// only the template; a session without a report is not listed, and a listed report reads.
func TestResourcesListTheWrittenReports(t *testing.T) {
	h := newHarness(t)
	list := func() map[string]mcp.Resource {
		t.Helper()
		res, err := h.client.ListResources(t.Context(), mcp.ListResourcesRequest{})
		if err != nil {
			t.Fatalf("resources/list: %v", err)
		}
		out := map[string]mcp.Resource{}
		for _, r := range res.Resources {
			out[r.URI] = r
		}
		return out
	}
	if got := list(); len(got) != 0 {
		t.Fatalf("resources before any report: %v", got)
	}
	reported := h.resolveDemo()
	h.ok("stop_experiment", map[string]any{"session_id": reported, "reason": "no change window"})
	h.ok("finalize_report", map[string]any{"session_id": reported})
	pending := h.resolveDemo()

	got := list()
	uri := "fis-mcp://reports/" + reported
	r, ok := got[uri]
	if !ok || len(got) != 1 {
		t.Fatalf("resources/list = %v, want only %s", got, uri)
	}
	if _, listed := got["fis-mcp://reports/"+pending]; listed {
		t.Errorf("a session without a report is listed")
	}
	if r.MIMEType != "text/markdown" || !strings.Contains(r.Name, reported) || !strings.Contains(r.Description, reported) {
		t.Errorf("report resource: %+v", r)
	}
	read := mcp.ReadResourceRequest{}
	read.Params.URI = uri
	rr, err := h.client.ReadResource(t.Context(), read)
	if err != nil || len(rr.Contents) != 1 {
		t.Fatalf("reading the listed report: %v %v", err, rr)
	}
	if txt, ok := rr.Contents[0].(mcp.TextResourceContents); !ok || !strings.Contains(txt.Text, "FIS Experiment Results") {
		t.Errorf("report contents: %#v", rr.Contents[0])
	}
	tpl, err := h.client.ListResourceTemplates(t.Context(), mcp.ListResourceTemplatesRequest{})
	if err != nil || len(tpl.ResourceTemplates) != 1 {
		t.Errorf("the report template is still listed: %v %v", err, tpl)
	}
}
