package tools

import (
	"context"
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/fis-mcp/fis-mcp/session"
)

// reportURIPrefix is the report resources' URI prefix (fis-mcp://reports/{session_id}).
const reportURIPrefix = "fis-mcp://reports/"

// reportResources are the written reports as resources, one per reported session (the
// store's list, oldest first by session ID).
func (d *Deps) reportResources() ([]server.ServerResource, error) {
	all, err := d.Store.List()
	if err != nil {
		return nil, err
	}
	var out []server.ServerResource
	for _, s := range all {
		if s.State != session.StateReported {
			continue
		}
		desc := fmt.Sprintf("Results report of session %s: template %s (%s), region %s", s.ID, s.TemplateID, s.Scenario, s.Region)
		if s.ExperimentID != "" {
			desc += ", experiment " + s.ExperimentID
		}
		if s.Verdict != "" {
			desc += ", verdict " + s.Verdict
		}
		res := mcp.NewResource(reportURIPrefix+s.ID, "Report "+s.ID+" ("+s.TemplateID+")",
			mcp.WithResourceDescription(desc), mcp.WithMIMEType("text/markdown"))
		out = append(out, server.ServerResource{Resource: res, Handler: d.readReport})
	}
	return out, nil
}

// syncReportResources makes srv's resources the written reports (before each
// resources/list, so a report written since, by this process or another, is listed).
func (d *Deps) syncReportResources(srv *server.MCPServer) {
	res, err := d.reportResources()
	if err != nil {
		d.Log.Warn().Err(err).Msg("resources/list: the written reports could not be listed")
		return
	}
	stale := map[string]bool{}
	for uri := range srv.ListResources() {
		if strings.HasPrefix(uri, reportURIPrefix) {
			stale[uri] = true
		}
	}
	for _, r := range res {
		delete(stale, r.Resource.URI)
	}
	for uri := range stale {
		srv.DeleteResources(uri)
	}
	if len(res) > 0 {
		srv.AddResources(res...)
	}
}

// reportResourceHooks lists the written reports on every resources/list; bind is
// called with the server once it exists.
func (d *Deps) reportResourceHooks() (opt server.ServerOption, bind func(*server.MCPServer)) {
	var srv *server.MCPServer
	hooks := &server.Hooks{}
	hooks.AddBeforeListResources(func(context.Context, any, *mcp.ListResourcesRequest) {
		if srv != nil {
			d.syncReportResources(srv)
		}
	})
	return server.WithHooks(hooks), func(s *server.MCPServer) { srv = s }
}
