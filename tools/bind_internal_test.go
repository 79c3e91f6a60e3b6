package tools

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/rs/zerolog"
)

// callWith builds a tool call whose arguments arrive as raw JSON, as over stdio.
func callWith(args string) mcp.CallToolRequest {
	var req mcp.CallToolRequest
	if args != "" {
		req.Params.Arguments = json.RawMessage(args)
	}
	return req
}

func TestBindArguments(t *testing.T) {
	tests := []struct {
		name    string
		args    string
		into    func() any // a fresh pointer to an Input struct
		want    any        // the decoded struct (a pointer), when no error is expected
		wantErr string     // the whole message, when an error is expected
	}{
		{
			name: "array as a JSON array",
			args: `{"session_id":"s1","apps":["c1/ns/web","c1/ns/api"]}`,
			into: func() any { return &StartLogsInput{} },
			want: &StartLogsInput{SessionID: "s1", Apps: []string{"c1/ns/web", "c1/ns/api"}},
		},
		{
			name: "array as a JSON-encoded string (MCP Inspector CLI)",
			args: `{"session_id":"s1","apps":"[\"c1/ns/web\"]"}`,
			into: func() any { return &StartLogsInput{} },
			want: &StartLogsInput{SessionID: "s1", Apps: []string{"c1/ns/web"}},
		},
		{
			name: "array as a JSON-encoded string with spaces",
			args: `{"session_id":"s1","clusters":" [\"prod\", \"stage\"] "}`,
			into: func() any { return &DiscoverAppsInput{} },
			want: &DiscoverAppsInput{SessionID: "s1", Clusters: []string{"prod", "stage"}},
		},
		{
			name: "criteria as a JSON-encoded string with text and object",
			args: `{"session_id":"s1","criteria":"[\"orders-api recovers within 90 seconds\",{\"subject\":\"orders-api\",\"measure\":\"error_rate\",\"bound\":\"< 1%\"}]"}`,
			into: func() any { return &StartExperimentInput{} },
			want: &StartExperimentInput{SessionID: "s1", Criteria: []any{"orders-api recovers within 90 seconds",
				map[string]any{"subject": "orders-api", "measure": "error_rate", "bound": "< 1%"}}},
		},
		{
			name: "null for an optional array is absent",
			args: `{"session_id":"s1","apps":null}`,
			into: func() any { return &StartLogsInput{} },
			want: &StartLogsInput{SessionID: "s1"},
		},
		{
			name: "empty string for an optional array is absent",
			args: `{"session_id":"s1","apps":""}`,
			into: func() any { return &StartLogsInput{} },
			want: &StartLogsInput{SessionID: "s1"},
		},
		{
			name: "null for optional scalars is absent",
			args: `{"session_id":"s1","wait":null,"language":null,"criteria":null}`,
			into: func() any { return &FinalizeReportInput{} },
			want: &FinalizeReportInput{SessionID: "s1"},
		},
		{
			name: "no arguments at all",
			args: "",
			into: func() any { return &ListSessionsInput{} },
			want: &ListSessionsInput{},
		},
		{
			name: "boolean and integer given as strings",
			args: `{"session_id":"s1","wait_seconds":"30"}`,
			into: func() any { return &PollInput{} },
			want: &PollInput{SessionID: "s1", WaitSeconds: 30},
		},
		{
			name: "boolean given as a string",
			args: `{"session_id":"s1","wait":"true"}`,
			into: func() any { return &HealthCheckInput{} },
			want: &HealthCheckInput{SessionID: "s1", Wait: true},
		},
		{
			name:    "array given a number",
			args:    `{"session_id":"s1","apps":42}`,
			into:    func() any { return &StartLogsInput{} },
			wantErr: `invalid arguments: "apps" must be an array of strings like ["cluster/namespace/workload"], got a number`,
		},
		{
			name:    "array given a plain string",
			args:    `{"session_id":"s1","apps":"c1/ns/web"}`,
			into:    func() any { return &StartLogsInput{} },
			wantErr: `invalid arguments: "apps" must be an array of strings like ["cluster/namespace/workload"], got the string "c1/ns/web", which is not a JSON array`,
		},
		{
			name:    "array given a string holding an object",
			args:    `{"session_id":"s1","clusters":"{\"a\":1}"}`,
			into:    func() any { return &DiscoverAppsInput{} },
			wantErr: `invalid arguments: "clusters" must be an array of strings like ["cluster-name"], got a string holding an object`,
		},
		{
			name:    "array of strings with a number item",
			args:    `{"session_id":"s1","apps":["c1/ns/web",7]}`,
			into:    func() any { return &StartLogsInput{} },
			wantErr: `invalid arguments: "apps" must be an array of strings like ["cluster/namespace/workload"], got a number as item 2`,
		},
		{
			name:    "criteria given an object",
			args:    `{"session_id":"s1","criteria":{"subject":"x"}}`,
			into:    func() any { return &FinalizeReportInput{} },
			wantErr: `invalid arguments: "criteria" must be an array of texts or {subject, measure, bound} objects like ["orders-api recovers within 90 seconds"], got an object`,
		},
		{
			name:    "string given a number",
			args:    `{"session_id":12}`,
			into:    func() any { return &GetSessionInput{} },
			wantErr: `invalid arguments: "session_id" must be a string, got a number`,
		},
		{
			name:    "boolean given a number",
			args:    `{"session_id":"s1","wait":1}`,
			into:    func() any { return &FinalizeReportInput{} },
			wantErr: `invalid arguments: "wait" must be true or false, got a number`,
		},
		{
			name:    "boolean given a word",
			args:    `{"session_id":"s1","override":"sure"}`,
			into:    func() any { return &HealthCheckInput{} },
			wantErr: `invalid arguments: "override" must be true or false, got the string "sure"`,
		},
		{
			name:    "integer given a fraction",
			args:    `{"session_id":"s1","wait_seconds":1.5}`,
			into:    func() any { return &PollInput{} },
			wantErr: `invalid arguments: "wait_seconds" must be a whole number, got the number 1.5`,
		},
		{
			name:    "integer given an array",
			args:    `{"session_id":"s1","wait_seconds":[30]}`,
			into:    func() any { return &PollInput{} },
			wantErr: `invalid arguments: "wait_seconds" must be a whole number, got an array`,
		},
		{
			name:    "arguments not an object",
			args:    `["s1"]`,
			into:    func() any { return &GetSessionInput{} },
			wantErr: `invalid arguments: the arguments must be a JSON object, got an array`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.into()
			err := bind(callWith(tt.args), got)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("no error, decoded %+v", got)
				}
				if err.Error() != tt.wantErr {
					t.Errorf("error\n got %s\nwant %s", err, tt.wantErr)
				}
				for _, internal := range []string{"json:", "Go struct", "unmarshal", "[]string", "reflect"} {
					if strings.Contains(err.Error(), internal) {
						t.Errorf("error shows Go internals (%q): %s", internal, err)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("decoded %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestBindMapArguments checks arguments given as a Go map (in-process clients).
func TestBindMapArguments(t *testing.T) {
	var req mcp.CallToolRequest
	req.Params.Arguments = map[string]any{"session_id": "s1", "apps": `["c1/ns/web"]`, "ignored": 1}
	var in StartLogsInput
	if err := bind(req, &in); err != nil {
		t.Fatal(err)
	}
	if in.SessionID != "s1" || !reflect.DeepEqual(in.Apps, []string{"c1/ns/web"}) {
		t.Errorf("decoded %+v", in)
	}
}

// TestPlainSchemaTypes checks the rewrite keeps key order and drops only "null".
func TestPlainSchemaTypes(t *testing.T) {
	in := `{"type":"object","properties":{"b":{"type":["null","array"],"items":{"type":"string"}},"a":{"type":"string"},"c":{"type":["null","string","integer"]}},"required":["a"]}`
	want := `{"type":"object","properties":{"b":{"type":"array","items":{"type":"string"}},"a":{"type":"string"},"c":{"type":["string","integer"]}},"required":["a"]}`
	got, err := plainSchemaTypes(json.RawMessage(in))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestSnapshotsHaveNoNullTypes reads every tool snapshot: no input argument may be
// declared with a type list containing "null" (clients such as the MCP Inspector CLI
// then send the value as a string), and an optional array argument is a plain array
// left out of "required".
func TestSnapshotsHaveNoNullTypes(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.snap"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no snapshots (%v)", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var tool struct {
			InputSchema struct {
				Properties map[string]map[string]any `json:"properties"`
				Required   []string                  `json:"required"`
			} `json:"inputSchema"`
		}
		if err := json.Unmarshal(b, &tool); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		required := map[string]bool{}
		for _, r := range tool.InputSchema.Required {
			required[r] = true
		}
		for name, prop := range tool.InputSchema.Properties {
			switch typ := prop["type"].(type) {
			case string:
			case []any:
				for _, x := range typ {
					if x == "null" {
						t.Errorf("%s: argument %q has type %v, containing null", f, name, typ)
					}
				}
			default:
				t.Errorf("%s: argument %q has no type", f, name)
			}
			if prop["type"] == "array" && required[name] {
				t.Errorf("%s: array argument %q is listed in required; array arguments are optional", f, name)
			}
		}
	}
}

// TestToolSchemasPlain checks the live tool definitions, not only the snapshots.
func TestToolSchemasPlain(t *testing.T) {
	d := NewDeps(nil, awssdk.Config{Region: "us-east-1"}, Config{}, nil, zerolog.Nop())
	defer d.Close()
	for _, st := range All(d) {
		if strings.Contains(string(st.Tool.RawInputSchema), `"null"`) {
			t.Errorf("%s: input schema declares null: %s", st.Tool.Name, st.Tool.RawInputSchema)
		}
	}
}
