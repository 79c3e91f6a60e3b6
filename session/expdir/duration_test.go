package expdir

import "testing"

func TestDurationSeconds(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"PT10M", 600, true},
		{"PT1H30M", 5400, true},
		{"PT45S", 45, true},
		{"pt10m", 600, true},
		{"P1D", 86400, true},
		{"PT1.5H", 5400, true},
		{"PT0.5M", 30, true},
		{"`PT10M`", 600, true},
		{"PT10M (10 minutes)", 600, true},
		{"~PT10M", 600, true},
		{"10 minutes", 600, true},
		{"1 hour 30 minutes", 5400, true},
		{"1h30m", 5400, true},
		{"90s", 90, true},
		{"2 mins", 120, true},
		{"1.5 hours", 5400, true},
		{"approximately 10 minutes", 600, true},
		{"10-15 minutes", 900, true},
		{"10 分钟", 600, true},
		{"1小时", 3600, true},
		{"1个小时30分钟", 5400, true},
		{"30秒", 30, true},
		{"半小时", 1800, true},
		{"half an hour", 1800, true},
		{"P", 0, false},
		{"PT", 0, false},
		{"P1DT", 0, false},
		{"", 0, false},
		{"a while", 0, false},
		{"10", 0, false},
		{"10 things", 0, false},
		{"十分钟", 0, false},
		{"999999999 days", 0, false},
		{"PT999999999H", 0, false},
		{"-10 minutes", 600, true},
	}
	for _, tc := range tests {
		got, ok := DurationSeconds(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("DurationSeconds(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
