// Package jsonkind names the JSON type of a decoded value for error messages about
// arguments ("must be a string, not a number"): tools' argument binding and the
// hypothesis criteria arguments both answer a wrong type with it.
package jsonkind

import "encoding/json"

// Of names v's JSON type, with its article: "a number", "an object", "null". v is what
// encoding/json decodes into an any (json.Number with UseNumber).
func Of(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number, float64, float32, int, int64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return "a value of another type"
}
