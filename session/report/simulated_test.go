package report

import (
	"encoding/json"
	"strings"
	"testing"
)

// A run against the simulated account is marked as such in the Markdown (en and zh) and
// the JSON twin; a real run is not.
func TestReportMarksASimulatedRun(t *testing.T) {
	tests := []struct {
		name      string
		simulated bool
		lang      string
		banner    string
	}{
		{"simulated en", true, "en", "**SIMULATED run:**"},
		{"simulated zh", true, "zh", "**模拟运行：**"},
		{"real", false, "en", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := baseSession()
			s.Simulated = tt.simulated
			a, err := Analyze(s, Options{Now: fixtureNow, Language: tt.lang})
			if err != nil {
				t.Fatal(err)
			}
			md, js, err := Render(s, a, "")
			if err != nil {
				t.Fatal(err)
			}
			hasBanner := strings.Contains(string(md), "SIMULATED") || strings.Contains(string(md), "模拟运行")
			if tt.banner != "" && !strings.Contains(string(md), tt.banner) {
				t.Errorf("report lacks %q", tt.banner)
			}
			if tt.banner == "" && hasBanner {
				t.Error("a real run is marked simulated")
			}
			var doc struct {
				Simulated *bool `json:"simulated"`
			}
			if err := json.Unmarshal(js, &doc); err != nil {
				t.Fatal(err)
			}
			if doc.Simulated == nil || *doc.Simulated != tt.simulated {
				t.Errorf("JSON simulated = %v, want %t", doc.Simulated, tt.simulated)
			}
		})
	}
}
