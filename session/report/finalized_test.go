package report

import (
	"encoding/json"
	"strings"
	"testing"
)

// The report says who finalized it and when the dead-man's switch stopped the run.
func TestReportSaysWhoFinalizedAndTheDeadMansSwitch(t *testing.T) {
	tests := []struct {
		name        string
		finalizedBy string
		unattended  string
		lang        string
		wantMD      []string
		absentMD    []string
	}{
		{name: "finalize_report", finalizedBy: "finalize_report", lang: "en",
			wantMD: []string{"Finalized by", "finalize_report"}, absentMD: []string{"dead-man"}},
		{name: "supervisor after a dead-man's stop", lang: "en",
			finalizedBy: "the run supervisor (no finalize_report arrived within 2 minutes after the post-experiment baseline)",
			unattended:  "stopped by the dead-man's switch: no tool call for this session for 10 minutes (--stop-if-unattended 10m0s)",
			wantMD: []string{"the run supervisor (no finalize_report arrived within 2 minutes",
				"The run was stopped by the dead-man's switch: no tool call for this session for 10 minutes"}},
		{name: "zh", finalizedBy: "finalize_report", lang: "zh", wantMD: []string{"报告完成者"}},
		{name: "unset: nothing said", lang: "en", absentMD: []string{"Finalized by", "dead-man"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := baseSession()
			s.Run.UnattendedStop = tt.unattended
			a, err := Analyze(s, Options{Now: fixtureNow, Language: tt.lang, FinalizedBy: tt.finalizedBy})
			if err != nil {
				t.Fatal(err)
			}
			md, js, err := Render(s, a, "")
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.wantMD {
				if !strings.Contains(string(md), w) {
					t.Errorf("report lacks %q", w)
				}
			}
			for _, w := range tt.absentMD {
				if strings.Contains(string(md), w) {
					t.Errorf("report has %q", w)
				}
			}
			var j struct {
				FinalizedBy string `json:"finalized_by"`
			}
			if err := json.Unmarshal(js, &j); err != nil {
				t.Fatal(err)
			}
			if j.FinalizedBy != tt.finalizedBy {
				t.Errorf("JSON finalized_by %q, want %q", j.FinalizedBy, tt.finalizedBy)
			}
		})
	}
}
