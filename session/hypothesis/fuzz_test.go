package hypothesis

import (
	"testing"
	"unicode/utf8"
)

// FuzzParse: any text parses without panicking, keeps its text, and a parsed criterion
// always has a bound a report can show.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"orders-api recovers within 60 seconds", "在 2 分钟内恢复", "错误率低于每 10 秒 5 次", "alarm x stays OK",
		"", "-", "**", "recovers within 99999999999999999999999 s", "peak errors per 10s <= 1e9", "\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := Parse(s, SourceReadme)
		if c.Measure != "" && BoundText(c) == "" {
			t.Fatalf("Parse(%q) = %+v: no bound text", s, c)
		}
		if utf8.ValidString(s) && s != "" && Normalize(s) != "" && c.Text == "" {
			t.Fatalf("Parse(%q) dropped the text", s)
		}
	})
}
