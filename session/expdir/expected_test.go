package expdir

import (
	"reflect"
	"testing"
)

func TestParseExpectedBehavior(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want map[string]string
	}{
		{"none", "# Expected\n\nnothing here\n", nil},
		{"empty", "", nil},
		{
			"sections",
			"# Expected Behavior\n\nintro\n\n### RDS Aurora (demo-aurora)\n\n- fails over\n\n### ElastiCache (demo-redis)\r\n- promoted\r\n\n## Summary\n\nnot part of a section\n",
			map[string]string{"RDS Aurora (demo-aurora)": "- fails over", "ElastiCache (demo-redis)": "- promoted"},
		},
		{
			"deeper headings and fences stay in the section",
			"### EKS (c/ng)\n#### Nodes\nNotReady\n```\n### not a heading\n```\n",
			map[string]string{"EKS (c/ng)": "#### Nodes\nNotReady\n```\n### not a heading\n```"},
		},
		{
			"duplicate headings are joined",
			"### RDS (db)\na\n### RDS (db)\nb\n",
			map[string]string{"RDS (db)": "a\n\nb"},
		},
		{"bold heading", "### **RDS** (`db`)\nx\n", map[string]string{"RDS (db)": "x"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ParseExpectedBehavior([]byte(tc.in))
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSplitServiceHeading(t *testing.T) {
	tests := []struct{ in, service, id string }{
		{"RDS Aurora (demo-aurora)", "RDS Aurora", "demo-aurora"},
		{"EKS Node Group (legacy-eks/legacy-ng)", "EKS Node Group", "legacy-eks/legacy-ng"},
		{"ElastiCache（cache-redis）", "ElastiCache", "cache-redis"},
		{"Applications", "Applications", ""},
		{"(only)", "(only)", ""},
		{"", "", ""},
	}
	for _, tc := range tests {
		s, id := SplitServiceHeading(tc.in)
		if s != tc.service || id != tc.id {
			t.Errorf("SplitServiceHeading(%q) = %q, %q; want %q, %q", tc.in, s, id, tc.service, tc.id)
		}
	}
}
