// Package bundle_test checks the Claude Desktop extension (MCP Bundle) manifest and the MCP
// Registry entry in this directory; `make bundle` packs manifest.json with the binary.
package bundle_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

const schemaURL = "https://static.modelcontextprotocol.io/schemas/2025-09-29/server.schema.json"

func registrySchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "..", "testdata", "mcp-registry", "server.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(schemaURL, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(schemaURL)
	if err != nil {
		t.Fatalf("the registry schema does not compile: %v", err)
	}
	return sch
}

func readJSON(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

// validate validates v (through a JSON round trip, as the validator wants decoded JSON).
func validate(sch *jsonschema.Schema, v any) error {
	b, _ := json.Marshal(v)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}

// server.json is valid against the registry's schema; the schema is live (each broken
// copy is refused), and its $schema is the schema validated against.
func TestServerJSONFollowsTheRegistrySchema(t *testing.T) {
	sch := registrySchema(t)
	srv := readJSON(t, "server.json")
	if err := validate(sch, srv); err != nil {
		t.Fatalf("server.json: %v", err)
	}
	if srv["$schema"] != schemaURL {
		t.Errorf("$schema = %v, want %s", srv["$schema"], schemaURL)
	}
	broken := []struct {
		name   string
		mutate func(m map[string]any)
	}{
		{"no name", func(m map[string]any) { delete(m, "name") }},
		{"name without a namespace", func(m map[string]any) { m["name"] = "fis-mcp" }},
		{"description over 100 characters", func(m map[string]any) { m["description"] = strings.Repeat("x", 101) }},
		{"bundle without its sha256", func(m map[string]any) { delete(pkg(m), "fileSha256") }},
		{"bundle sha256 not hex", func(m map[string]any) { pkg(m)["fileSha256"] = "sha256:abc" }},
		{"bundle without a transport", func(m map[string]any) { delete(pkg(m), "transport") }},
		{"unknown registry type", func(m map[string]any) { pkg(m)["registryType"] = "zip" }},
	}
	for _, b := range broken {
		t.Run(b.name, func(t *testing.T) {
			m := readJSON(t, "server.json")
			b.mutate(m)
			if err := validate(sch, m); err == nil {
				t.Errorf("a server.json with %s validates", b.name)
			}
		})
	}
}

func pkg(m map[string]any) map[string]any {
	return m["packages"].([]any)[0].(map[string]any)
}

// The bundle manifest and the registry entry agree (version, bundle file names), the
// manifest runs the binary it packs with `serve`, sets only environment variables fis-mcp
// reads from user_config entries it defines, and lists exactly the server's tools.
func TestManifestMatchesTheServer(t *testing.T) {
	man := readJSON(t, "manifest.json")
	srv := readJSON(t, "server.json")
	version, _ := man["version"].(string)
	if version == "" || srv["version"] != version {
		t.Errorf("manifest version %q, server.json version %v", version, srv["version"])
	}
	bundleName := regexp.MustCompile(`^https://github\.com/fis-mcp/fis-mcp/releases/download/v` + regexp.QuoteMeta(version) + `/fis-mcp-(darwin|linux|windows)-(amd64|arm64)\.mcpb$`)
	for i, p := range srv["packages"].([]any) {
		p := p.(map[string]any)
		if p["registryType"] != "mcpb" || !bundleName.MatchString(p["identifier"].(string)) || p["version"] != version {
			t.Errorf("package %d: %v (want an mcpb bundle of release v%s named like make bundle names it)", i, p, version)
		}
	}

	server := man["server"].(map[string]any)
	cfg := server["mcp_config"].(map[string]any)
	if server["type"] != "binary" || cfg["command"] != "${__dirname}/"+server["entry_point"].(string) {
		t.Errorf("server %v: the command must be the packed entry point", server)
	}
	if args := cfg["args"].([]any); len(args) != 1 || args[0] != "serve" {
		t.Errorf("args %v, want [serve]", args)
	}
	mainGo, err := os.ReadFile(filepath.Join("..", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	userConfig := man["user_config"].(map[string]any)
	ref := regexp.MustCompile(`^\$\{user_config\.([a-z_]+)\}$`)
	for env, val := range cfg["env"].(map[string]any) {
		if !bytes.Contains(mainGo, []byte(`env: "`+env+`"`)) {
			t.Errorf("env %s is not in fis-mcp's settings table (main.go)", env)
		}
		m := ref.FindStringSubmatch(val.(string))
		if m == nil || userConfig[m[1]] == nil {
			t.Errorf("env %s = %v does not name a user_config entry", env, val)
		}
	}
	for _, want := range []string{"aws_profile", "region", "experiments_dir", "read_only"} {
		if userConfig[want] == nil {
			t.Errorf("user_config lacks %s", want)
		}
	}

	snaps, err := filepath.Glob(filepath.Join("..", "..", "..", "tools", "testdata", "*.snap"))
	if err != nil || len(snaps) == 0 {
		t.Fatalf("tool snapshots: %v", err)
	}
	var want, got []string
	for _, s := range snaps {
		want = append(want, strings.TrimSuffix(filepath.Base(s), ".snap"))
	}
	for _, tl := range man["tools"].([]any) {
		got = append(got, tl.(map[string]any)["name"].(string))
	}
	sort.Strings(want)
	sort.Strings(got)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("manifest tools %v, server tools %v", got, want)
	}
}
