package humandur

import (
	"testing"
	"time"
)

func TestFormat(t *testing.T) {
	cases := []struct {
		lang string
		d    time.Duration
		want string
	}{
		{"en", 0, "0 s"},
		{"en", -5 * time.Second, "0 s"},
		{"en", 12 * time.Second, "12 s"},
		{"en", 4800 * time.Millisecond, "4.8 s"},
		{"en", 59960 * time.Millisecond, "1 min"},
		{"en", time.Minute, "1 min"},
		{"en", 270 * time.Second, "4 min 30 s"},
		{"en", 124 * time.Second, "2 min 4 s"},
		{"en", time.Hour + 5*time.Minute, "1 h 5 min"},
		{"en", time.Hour + 3*time.Second, "1 h 3 s"},
		{"en", 2 * time.Hour, "2 h"},
		{"", 90 * time.Second, "1 min 30 s"},
		{"zh", 270 * time.Second, "4 分 30 秒"},
		{"zh", 4800 * time.Millisecond, "4.8 秒"},
		{"zh", time.Hour + 5*time.Minute, "1 小时 5 分"},
	}
	for _, c := range cases {
		if got := Format(c.lang, c.d); got != c.want {
			t.Errorf("Format(%q, %v) = %q, want %q", c.lang, c.d, got, c.want)
		}
	}
}

func TestISO(t *testing.T) {
	cases := []struct{ in, want string }{
		{"PT10M", "10 min"},
		{"PT1H30M", "1 h 30 min"},
		{"pt90s", "1 min 30 s"},
		{"PT0.5S", "0.5 s"},
		{" 10 minutes ", "10 minutes"},
		{"", ""},
	}
	for _, c := range cases {
		if got := ISO("en", c.in); got != c.want {
			t.Errorf("ISO(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := ISO("zh", "PT10M"); got != "10 分" {
		t.Errorf("ISO(zh, PT10M) = %q", got)
	}
}
