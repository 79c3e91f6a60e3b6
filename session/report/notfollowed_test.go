package report

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestReportNamesStreamsNotFollowed: the log file appendix and the JSON report
// name every stream the stream limit left out.
func TestReportNamesStreamsNotFollowed(t *testing.T) {
	tests := []struct {
		name        string
		notFollowed []string
		want        string
	}{
		{name: "two left out", notFollowed: []string{"shop/api-2/api", "shop/api-3/api"},
			want: "2 streams not followed: shop/api-2/api, shop/api-3/api (limit 3; raise --max-log-streams or FIS_MCP_MAX_LOG_STREAMS)"},
		{name: "every stream followed", notFollowed: nil, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := baseSession()
			if s.Logs == nil {
				t.Fatal("fixture has no log collection")
			}
			s.Logs.MaxStreams = 3
			s.Logs.NotFollowed = tt.notFollowed
			a, err := Analyze(s, Options{Now: fixtureNow})
			if err != nil {
				t.Fatal(err)
			}
			md, js, err := Render(s, a, "")
			if err != nil {
				t.Fatal(err)
			}
			var j struct {
				NotFollowed string `json:"log_streams_not_followed"`
			}
			if err := json.Unmarshal(js, &j); err != nil {
				t.Fatal(err)
			}
			if tt.want == "" {
				if strings.Contains(string(md), "not followed") || j.NotFollowed != "" {
					t.Fatalf("a report with every stream followed mentions streams not followed: %q", j.NotFollowed)
				}
				return
			}
			_, appendix, _ := strings.Cut(string(md), "Appendix: Log File Locations")
			if !strings.Contains(appendix, tt.want) {
				t.Fatalf("log file appendix lacks %q:\n%s", tt.want, appendix)
			}
			if !strings.HasPrefix(j.NotFollowed, tt.want) {
				t.Fatalf("JSON log_streams_not_followed = %q, want prefix %q", j.NotFollowed, tt.want)
			}
		})
	}
}
