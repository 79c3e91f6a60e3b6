package tools

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/fis-mcp/fis-mcp/session/jsonkind"
)

// Schemas every client can send, and arguments every client sends.
//
// The schema generator declares a slice as ["null","array"] (a nil slice marshals
// to null); some clients (the MCP Inspector CLI) cannot build a value for a type
// list and send the JSON text as a string. inputSchema declares every argument with
// its plain type (optional ones are simply left out of "required"), and bind
// accepts a JSON-encoded string for an array argument, null for an absent one, and
// answers a wrong type with the argument's name and expected shape.

// inputSchema is mcp.WithInputSchema[T] with plain types: every "type":["null",X]
// of the generated schema becomes "type":X.
func inputSchema[T any]() mcp.ToolOption {
	generate := mcp.WithInputSchema[T]()
	return func(t *mcp.Tool) {
		generate(t)
		if t.RawInputSchema == nil {
			return
		}
		if plain, err := plainSchemaTypes(t.RawInputSchema); err == nil {
			t.RawInputSchema = plain
		}
	}
}

// plainSchemaTypes rewrites a JSON schema, keeping its key order, so that no "type"
// is a list of null and one other type.
func plainSchemaTypes(raw json.RawMessage) (json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	v, err := readOrdered(dec)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := writeOrdered(&buf, dropNullType(v)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// orderedObject is a JSON object that keeps its key order.
type orderedObject []orderedField

type orderedField struct {
	key string
	val any
}

func readOrdered(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch d := tok.(type) {
	case json.Delim:
		switch d {
		case '{':
			var obj orderedObject
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, _ := kt.(string)
				val, err := readOrdered(dec)
				if err != nil {
					return nil, err
				}
				obj = append(obj, orderedField{key, val})
			}
			_, err := dec.Token() // '}'
			if obj == nil {
				obj = orderedObject{}
			}
			return obj, err
		case '[':
			arr := []any{}
			for dec.More() {
				val, err := readOrdered(dec)
				if err != nil {
					return nil, err
				}
				arr = append(arr, val)
			}
			_, err := dec.Token() // ']'
			return arr, err
		}
		return nil, fmt.Errorf("unexpected %v", d)
	default:
		return tok, nil
	}
}

func writeOrdered(buf *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case orderedObject:
		buf.WriteByte('{')
		for i, f := range x {
			if i > 0 {
				buf.WriteByte(',')
			}
			k, _ := json.Marshal(f.key)
			buf.Write(k)
			buf.WriteByte(':')
			if err := writeOrdered(buf, f.val); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	case []any:
		buf.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeOrdered(buf, e); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return err
		}
		buf.Write(b)
	}
	return nil
}

// dropNullType replaces, at every depth, "type":["null",X] by "type":X.
func dropNullType(v any) any {
	switch x := v.(type) {
	case orderedObject:
		for i, f := range x {
			if types, ok := f.val.([]any); ok && f.key == "type" {
				var rest []any
				for _, t := range types {
					if t != "null" {
						rest = append(rest, t)
					}
				}
				switch {
				case len(rest) == 1:
					x[i].val = rest[0]
				case len(rest) > 1:
					x[i].val = rest
				}
				continue
			}
			x[i].val = dropNullType(f.val)
		}
		return x
	case []any:
		for i := range x {
			x[i] = dropNullType(x[i])
		}
		return x
	}
	return v
}

// argExamples shows the expected shape of an argument in error messages.
var argExamples = map[string]string{
	"apps":     `["cluster/namespace/workload"]`,
	"clusters": `["cluster-name"]`,
	"criteria": `["orders-api recovers within 90 seconds"]`,
}

// argError is a wrong argument: its name, the expected shape and what came.
type argError struct {
	name, want, got string
}

func (e *argError) Error() string {
	return fmt.Sprintf("%q must be %s, got %s", e.name, e.want, e.got)
}

// bind decodes the tool arguments into v (a pointer to an Input struct): null is
// an absent argument, a JSON-encoded string is accepted for an array (and "true"/
// "42" for a boolean/integer), and a wrong type is named with the expected shape.
func bind(req mcp.CallToolRequest, v any) error {
	args, err := argumentObject(req)
	if err != nil {
		return fmt.Errorf("invalid arguments: %w", err)
	}
	if err := normalizeArgs(args, reflect.TypeOf(v)); err != nil {
		return fmt.Errorf("invalid arguments: %w", err)
	}
	data, err := json.Marshal(args)
	if err != nil {
		return errors.New("invalid arguments: they cannot be read as JSON")
	}
	if err := json.Unmarshal(data, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			name, _, _ := strings.Cut(te.Field, ".")
			return fmt.Errorf("invalid arguments: %q has the wrong type (got %s)", name, te.Value)
		}
		return errors.New("invalid arguments: they do not match the tool's input schema")
	}
	return nil
}

// argumentObject returns the call's arguments as a JSON object (numbers kept exact).
func argumentObject(req mcp.CallToolRequest) (map[string]any, error) {
	var raw []byte
	switch a := req.Params.Arguments.(type) {
	case json.RawMessage:
		raw = a
	case nil:
	default:
		b, err := json.Marshal(a)
		if err != nil {
			return nil, errors.New("the arguments cannot be read as JSON")
		}
		raw = b
	}
	if len(req.Params.RawArguments) > 0 {
		raw = req.Params.RawArguments
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return map[string]any{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var top any
	if err := dec.Decode(&top); err != nil {
		return nil, errors.New("the arguments are not valid JSON")
	}
	switch t := top.(type) {
	case nil:
		return map[string]any{}, nil
	case map[string]any:
		return t, nil
	default:
		return nil, fmt.Errorf("the arguments must be a JSON object, got %s", jsonkind.Of(top))
	}
}

// normalizeArgs checks and converts each argument of the struct type t (a pointer
// to struct) in place.
func normalizeArgs(args map[string]any, t reflect.Type) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		val, ok := args[name]
		if !ok {
			continue
		}
		if s, isStr := val.(string); val == nil || isStr && strings.TrimSpace(s) == "" && isArrayType(f.Type) {
			delete(args, name) // null (or "" for an array): the argument is absent
			continue
		}
		conv, err := normalizeArg(name, val, f.Type)
		if err != nil {
			return err
		}
		args[name] = conv
	}
	return nil
}

func isArrayType(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind() == reflect.Slice || t.Kind() == reflect.Array
}

func normalizeArg(name string, val any, t reflect.Type) (any, error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		if _, ok := val.(string); !ok {
			return nil, &argError{name, "a string", jsonkind.Of(val)}
		}
	case reflect.Bool:
		switch x := val.(type) {
		case bool:
		case string:
			b, err := strconv.ParseBool(strings.TrimSpace(x))
			if err != nil {
				return nil, &argError{name, "true or false", fmt.Sprintf("the string %q", clip(x))}
			}
			return b, nil
		default:
			return nil, &argError{name, "true or false", jsonkind.Of(val)}
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		s := ""
		switch x := val.(type) {
		case json.Number:
			s = x.String()
		case string:
			s = strings.TrimSpace(x)
		default:
			return nil, &argError{name, "a whole number", jsonkind.Of(val)}
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			// 30.0 is a whole number too.
			fl, ferr := strconv.ParseFloat(s, 64)
			if ferr != nil || fl != float64(int64(fl)) {
				return nil, &argError{name, "a whole number", describeValue(val)}
			}
			n = int64(fl)
		}
		if t.Kind() >= reflect.Uint && n < 0 {
			return nil, &argError{name, "a whole number of at least 0", describeValue(val)}
		}
		return json.Number(strconv.FormatInt(n, 10)), nil
	case reflect.Float32, reflect.Float64:
		switch x := val.(type) {
		case json.Number:
		case string:
			if _, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err != nil {
				return nil, &argError{name, "a number", describeValue(val)}
			}
			return json.Number(strings.TrimSpace(x)), nil
		default:
			return nil, &argError{name, "a number", jsonkind.Of(val)}
		}
	case reflect.Slice, reflect.Array:
		return normalizeArray(name, val, t.Elem())
	}
	return val, nil
}

// normalizeArray accepts a JSON array or a string holding one.
func normalizeArray(name string, val any, elem reflect.Type) (any, error) {
	want := arrayShape(name, elem)
	if s, ok := val.(string); ok {
		text := strings.TrimSpace(s)
		dec := json.NewDecoder(strings.NewReader(text))
		dec.UseNumber()
		var decoded any
		if err := dec.Decode(&decoded); err != nil || dec.More() {
			return nil, &argError{name, want, fmt.Sprintf("the string %q, which is not a JSON array", clip(s))}
		}
		if _, isArr := decoded.([]any); !isArr {
			return nil, &argError{name, want, fmt.Sprintf("a string holding %s", jsonkind.Of(decoded))}
		}
		val = decoded
	}
	items, ok := val.([]any)
	if !ok {
		return nil, &argError{name, want, jsonkind.Of(val)}
	}
	for elem.Kind() == reflect.Pointer {
		elem = elem.Elem()
	}
	if elem.Kind() == reflect.String {
		for i, it := range items {
			if _, ok := it.(string); !ok {
				return nil, &argError{name, want, fmt.Sprintf("%s as item %d", jsonkind.Of(it), i+1)}
			}
		}
	}
	return items, nil
}

// arrayShape describes an array argument: "an array of strings like [...]".
func arrayShape(name string, elem reflect.Type) string {
	s := "an array"
	switch elem.Kind() {
	case reflect.String:
		s = "an array of strings"
	case reflect.Interface:
		if name == "criteria" {
			s = "an array of texts or {subject, measure, bound} objects"
		}
	}
	if ex, ok := argExamples[name]; ok {
		s += " like " + ex
	}
	return s
}

// describeValue is jsonkind.Of with the value for scalars: `the number 1.5`.
func describeValue(v any) string {
	switch x := v.(type) {
	case json.Number:
		return "the number " + clip(x.String())
	case string:
		return fmt.Sprintf("the string %q", clip(x))
	}
	return jsonkind.Of(v)
}

// clip shortens a value quoted back in an error message.
func clip(s string) string {
	const max = 60
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
