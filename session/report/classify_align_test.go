package report

import (
	"strings"
	"testing"
)

// TestClassifyEveryAlignment places every phrase at every offset (mod 8, the
// prefilter's stride), at the start and the end of the line, next to letters,
// spaces and bytes above 0x7f, in its own case, upper and lower case, and checks
// classify against the naive matcher.
func TestClassifyEveryAlignment(t *testing.T) {
	c := newClassifier(signatures)
	neighbours := []string{"", " ", "x", "X", "_", "\xc9", "]", ":", "0"}
	n := 0
	for _, p := range c.phrases {
		for _, text := range []string{string(p.orig), strings.ToUpper(string(p.orig)), strings.ToLower(string(p.orig))} {
			for pad := 0; pad < 9; pad++ {
				for _, before := range neighbours {
					for _, after := range neighbours {
						for _, tail := range []string{"", " tail", "ab", "abc"} {
							line := []byte(strings.Repeat("q", pad) + before + text + after + tail)
							if got, want := c.classify(line), naiveClassify(c, line); got != want {
								t.Fatalf("classify(%q) = %+v, naive %+v", line, got, want)
							}
							n++
						}
					}
				}
			}
		}
	}
	if n < 10000 {
		t.Fatalf("only %d lines checked", n)
	}
}
