package tools_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/rs/zerolog"

	"github.com/fis-mcp/fis-mcp/tools"
)

func awsConfigForSchema() awssdk.Config { return awssdk.Config{Region: "us-east-1"} }

func nopLog() zerolog.Logger { return zerolog.Nop() }

func listToolsRequest() mcp.ListToolsRequest { return mcp.ListToolsRequest{} }

var updateSnaps = flag.Bool("update", false, "rewrite tools/testdata/*.snap")

// TestToolSnaps diffs every tool's definition (name, description, annotations, input and
// output schema) against tools/testdata/<name>.snap. -update rewrites them: the one
// snapshot convention of the repository (the golden reports and the README's target-type
// table are rewritten by -update too).
func TestToolSnaps(t *testing.T) {
	update := *updateSnaps
	deps := tools.NewDeps(nil, awsConfigForSchema(), tools.Config{}, nil, nopLog())
	defer deps.Close()
	all := tools.All(deps)
	if len(all) != 11 {
		t.Errorf("tools.All returns %d tools, want the 11 of the contract", len(all))
	}
	seen := map[string]bool{}
	for _, st := range all {
		name := st.Tool.Name
		t.Run(name, func(t *testing.T) {
			if seen[name] {
				t.Fatalf("tool %s defined twice", name)
			}
			seen[name] = true
			got, err := json.MarshalIndent(st.Tool, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", name+".snap")
			if update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("no snapshot for tool %s (%v): run go test ./tools -run TestToolSnaps -update and review the diff", name, err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("tool %s differs from %s (go test ./tools -run TestToolSnaps -update rewrites it after review):\n%s",
					name, path, lineDiff(string(want), string(got)))
			}
		})
	}
	// A snapshot without a tool is a removed tool: fail so it is noticed.
	files, _ := filepath.Glob(filepath.Join("testdata", "*.snap"))
	for _, f := range files {
		name := filepath.Base(f)
		name = name[:len(name)-len(".snap")]
		if !seen[name] && !update {
			t.Errorf("snapshot %s has no tool: delete it if the tool was removed on purpose", f)
		}
	}
}

// TestToolAnnotations checks the hints of the contract (TOOLS.md) and the shared result fields.
func TestToolAnnotations(t *testing.T) {
	deps := tools.NewDeps(nil, awsConfigForSchema(), tools.Config{}, nil, nopLog())
	defer deps.Close()
	readOnly := map[string]bool{
		"resolve_experiment": true, "health_check": true, "discover_apps": true, "start_logs": true,
		"poll": true, "list_sessions": true, "get_session": true, "check_setup": true,
		"start_experiment": false, "stop_experiment": false, "finalize_report": false,
	}
	destructive := map[string]bool{"start_experiment": true, "stop_experiment": true}
	sessionLess := map[string]bool{"resolve_experiment": true, "list_sessions": true, "check_setup": true}
	for _, st := range tools.All(deps) {
		tool := st.Tool
		t.Run(tool.Name, func(t *testing.T) {
			ro, known := readOnly[tool.Name]
			if !known {
				t.Fatalf("tool %s is not in the contract", tool.Name)
			}
			a := tool.Annotations
			if a.ReadOnlyHint == nil || *a.ReadOnlyHint != ro {
				t.Errorf("readOnlyHint = %v, want %v", ptrStr(a.ReadOnlyHint), ro)
			}
			if a.DestructiveHint == nil || *a.DestructiveHint != destructive[tool.Name] {
				t.Errorf("destructiveHint = %v, want %v", ptrStr(a.DestructiveHint), destructive[tool.Name])
			}
			if a.Title == "" {
				t.Error("no title annotation")
			}
			if tool.Description == "" {
				t.Error("no description")
			}
			whole := schemaMap(t, tool)
			out, _ := whole["outputSchema"].(map[string]any)
			props, _ := out["properties"].(map[string]any)
			for _, k := range []string{"api_calls", "abort"} {
				if _, ok := props[k]; !ok {
					t.Errorf("output schema does not declare %q", k)
				}
				if !slices.Contains(stringsOf(out["required"]), k) {
					t.Errorf("output schema does not require %q", k)
				}
			}
			in, _ := whole["inputSchema"].(map[string]any)
			if !sessionLess[tool.Name] {
				inProps, _ := in["properties"].(map[string]any)
				if _, ok := inProps["session_id"]; !ok {
					t.Errorf("input schema has no session_id")
				}
				if !slices.Contains(stringsOf(in["required"]), "session_id") {
					t.Errorf("input schema does not require session_id: %v", in["required"])
				}
			}
		})
	}
}

// TestToolsListOverMCP checks that a client sees the same tools, with output schemas, over the protocol.
func TestToolsListOverMCP(t *testing.T) {
	h := newHarness(t)
	res, err := h.client.ListTools(t.Context(), listToolsRequest())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tl := range res.Tools {
		names = append(names, tl.Name)
		if tl.OutputSchema.Type != "object" {
			t.Errorf("%s: output schema type %q over MCP", tl.Name, tl.OutputSchema.Type)
		}
	}
	slices.Sort(names)
	want := []string{"check_setup", "discover_apps", "finalize_report", "get_session", "health_check", "list_sessions", "poll",
		"resolve_experiment", "start_experiment", "start_logs", "stop_experiment"}
	if !slices.Equal(names, want) {
		t.Errorf("tools over MCP = %v, want %v", names, want)
	}
}

func ptrStr(b *bool) any {
	if b == nil {
		return "unset"
	}
	return *b
}

func schemaMap(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func stringsOf(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// lineDiff is a small line diff for snapshot failures.
func lineDiff(want, got string) string {
	w, g := splitLines(want), splitLines(got)
	var b bytes.Buffer
	n := max(len(w), len(g))
	shown := 0
	for i := 0; i < n && shown < 40; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			b.WriteString("- " + wl + "\n+ " + gl + "\n")
			shown++
		}
	}
	return b.String()
}

func splitLines(s string) []string { return strings.Split(s, "\n") }
