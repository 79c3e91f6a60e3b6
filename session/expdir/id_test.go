package expdir

import (
	"errors"
	"strings"
	"testing"
)

func TestValidTemplateID(t *testing.T) {
	tests := []struct {
		id   string
		want bool
	}{
		{"EXT1a2b3c4d5e6f7", true},
		{"EXTa", true},
		{"EXT", false},
		{"", false},
		{"ext1a2b3c", false},
		{"EXT1a2b-3c", false},
		{"EXT1a2b3c ", false},
		{" EXT1a2b3c", false},
		{"EXT1a2b3c/..", false},
		{"EXT*", false},
		{"EXT1é", false},
		{"EXT" + strings.Repeat("a", MaxTemplateIDLen-3), true},
		{"EXT" + strings.Repeat("a", MaxTemplateIDLen-2), false},
	}
	for _, tc := range tests {
		if got := ValidTemplateID(tc.id); got != tc.want {
			t.Errorf("ValidTemplateID(%q) = %v, want %v", tc.id, got, tc.want)
		}
	}
}

func TestTemplateIDFromDir(t *testing.T) {
	tests := []struct {
		dir     string
		want    string
		wantErr bool
	}{
		{"2026-04-11-10-30-15-az-power-int-my-cluster-EXT1a2b3c4d5e6f7", "EXT1a2b3c4d5e6f7", false},
		{"/abs/path/2026-04-11-az-power-int-my-cluster-EXT1a2b3c4d5e6f7/", "EXT1a2b3c4d5e6f7", false},
		{"az-power-int-legacy-EXT4d5e6f7a8b9c0", "EXT4d5e6f7a8b9c0", false},
		{"EXT4d5e6f7a8b9c0", "EXT4d5e6f7a8b9c0", false},
		{"./x/../az-EXTabc", "EXTabc", false},
		{"2026-04-11-no-ext-suffix", "", true},
		{"my-cluster-EXT", "", true},
		{"my-clusterEXT1a2b3c", "", true},
		{"my-cluster-ext1a2b3c", "", true},
		{"my-cluster-EXT1a2b3c-old", "", true},
		{"", "", true},
		{"/", "", true},
	}
	for _, tc := range tests {
		got, err := TemplateIDFromDir(tc.dir)
		if got != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("TemplateIDFromDir(%q) = %q, %v; want %q, error %v", tc.dir, got, err, tc.want, tc.wantErr)
		}
		if err != nil {
			if !errors.Is(err, ErrNoTemplateID) {
				t.Errorf("TemplateIDFromDir(%q) error %v does not wrap ErrNoTemplateID", tc.dir, err)
			}
			for _, want := range []string{"must end with the FIS experiment template ID", "EXT1a2b3c4d5e6f7", "{yyyy-mm-dd-HH-MM-SS}"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("TemplateIDFromDir(%q) error %q lacks %q", tc.dir, err, want)
				}
			}
		}
	}
}
