// Package bundle_test checks the Claude Desktop extension (MCP Bundle) manifest and the MCP
// Registry entry in this directory; `make bundle` packs manifest.json with the binary, and
// `make bundles` stamps the registry entry with the bundles' hashes.
package bundle_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/fis-mcp/fis-mcp/cmd/fis-mcp/bundle"
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

// The release's registry entry: the template stamped with the version and the SHA-256 of
// each bundle built is valid against the registry's schema, names v<version>'s files,
// and carries each file's own hash; a bundle not built is an error, never a made-up hash.
func TestStampRegistryEntry(t *testing.T) {
	tmpl, err := os.ReadFile("server.json")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	want := map[string]string{}
	for i, p := range readJSON(t, "server.json")["packages"].([]any) {
		name := filepath.Base(p.(map[string]any)["identifier"].(string))
		content := []byte(fmt.Sprintf("bundle %d %s", i, name))
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(content)
		want[name] = hex.EncodeToString(sum[:])
	}
	out, err := bundle.StampRegistryEntry(tmpl, "v0.2.0", dir)
	if err != nil {
		t.Fatal(err)
	}
	var entry map[string]any
	if err := json.Unmarshal(out, &entry); err != nil {
		t.Fatal(err)
	}
	if err := validate(registrySchema(t), entry); err != nil {
		t.Fatalf("the stamped entry: %v", err)
	}
	if entry["version"] != "0.2.0" {
		t.Errorf("version %v, want 0.2.0", entry["version"])
	}
	for _, p := range entry["packages"].([]any) {
		p := p.(map[string]any)
		id := p["identifier"].(string)
		name := filepath.Base(id)
		if id != bundle.ReleaseURL+"v0.2.0/"+name || p["version"] != "0.2.0" || p["fileSha256"] != want[name] {
			t.Errorf("package %v, want v0.2.0's %s with sha256 %s", p, name, want[name])
		}
	}

	missing := filepath.Base(entry["packages"].([]any)[0].(map[string]any)["identifier"].(string))
	if err := os.Remove(filepath.Join(dir, missing)); err != nil {
		t.Fatal(err)
	}
	if _, err := bundle.StampRegistryEntry(tmpl, "0.2.0", dir); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("a missing bundle: err %v, want one naming %s", err, missing)
	}
	if _, err := bundle.StampRegistryEntry(tmpl, "", dir); err == nil {
		t.Error("no version: no error")
	}
}

// The committed server.json is the template: its hashes are zeros, so a stale or
// hand-typed hash never reaches the registry (make bundles writes bin/server.json).
func TestCommittedServerJSONIsTheTemplate(t *testing.T) {
	for _, p := range readJSON(t, "server.json")["packages"].([]any) {
		if h := p.(map[string]any)["fileSha256"]; h != strings.Repeat("0", 64) {
			t.Errorf("committed fileSha256 %v: keep zeros in the template; make bundles computes the real ones", h)
		}
	}
}

// make bundles builds exactly the bundles server.json lists.
func TestMakeBundlesBuildsTheListedBundles(t *testing.T) {
	mk, err := os.ReadFile(filepath.Join("..", "..", "..", "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^BUNDLE_PLATFORMS := (.+)$`).FindSubmatch(mk)
	if m == nil {
		t.Fatal("the Makefile has no BUNDLE_PLATFORMS list")
	}
	var built, listed []string
	for _, p := range strings.Fields(string(m[1])) {
		built = append(built, "fis-mcp-"+p+".mcpb")
	}
	for _, p := range readJSON(t, "server.json")["packages"].([]any) {
		listed = append(listed, filepath.Base(p.(map[string]any)["identifier"].(string)))
	}
	sort.Strings(built)
	sort.Strings(listed)
	if strings.Join(built, " ") != strings.Join(listed, " ") {
		t.Errorf("make bundles builds %v; server.json lists %v", built, listed)
	}
}
