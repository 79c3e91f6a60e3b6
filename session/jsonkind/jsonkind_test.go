package jsonkind

import (
	"encoding/json"
	"testing"
)

func TestOf(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want string
	}{
		{nil, "null"},
		{true, "a boolean"},
		{1.5, "a number"},
		{json.Number("42"), "a number"},
		{int64(7), "a number"},
		{"x", "a string"},
		{[]any{1}, "an array"},
		{map[string]any{}, "an object"},
		{struct{}{}, "a value of another type"},
	} {
		if got := Of(tc.v); got != tc.want {
			t.Errorf("Of(%#v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}
