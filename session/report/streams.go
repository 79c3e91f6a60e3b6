package report

import (
	"strings"

	"github.com/fis-mcp/fis-mcp/session"
)

// Stream statuses the collector writes while it runs (kube.Status*; the report does not
// import kube). Once collection stopped, none of these is still true.
var liveStreamStatus = map[string]bool{"following": true, "active": true, "starting": true, "resuming": true, "waiting": true, "": true}

// streamStatus is how a log stream's status reads in the report: once collection
// stopped (LogCollection.StoppedAt), a stream still marked as followed is "stopped" and
// one still queued is "not followed" (none of its lines were collected); an ended or
// failed stream keeps its status.
func streamStatus(lang string, lc *session.LogCollection, st session.LogStream) string {
	status := st.Status
	if lc != nil && lc.StoppedAt != nil {
		switch l := strings.ToLower(strings.TrimSpace(status)); {
		case liveStreamStatus[l]:
			status = tr(lang, "stopped")
		case l == "queued":
			status = tr(lang, "not followed")
		}
	}
	return status
}
