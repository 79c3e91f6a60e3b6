// Package bundle fills in the MCP Registry entry (server.json, in this directory) for a
// release: its version, and each MCP Bundle's download URL and SHA-256, computed from the
// bundles `make bundles` built. The committed server.json is the template; its
// fileSha256 values are zeros until then.
package bundle

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// ReleaseURL is where a release's files are downloaded from (GitHub Releases).
const ReleaseURL = "https://github.com/fis-mcp/fis-mcp/releases/download/"

// StampRegistryEntry returns the template with version set (the entry's and each
// package's) and every mcpb package pointing at v<version>'s bundle of the same file
// name, with fileSha256 the SHA-256 of that file in bundleDir. A bundle missing from
// bundleDir is an error: an entry must never carry a hash that was not computed.
func StampRegistryEntry(template []byte, version, bundleDir string) ([]byte, error) {
	version = TrimV(version)
	if version == "" {
		return nil, fmt.Errorf("no version to stamp")
	}
	var entry map[string]any
	if err := json.Unmarshal(template, &entry); err != nil {
		return nil, fmt.Errorf("the server.json template is not JSON: %w", err)
	}
	entry["version"] = version
	pkgs, _ := entry["packages"].([]any)
	if len(pkgs) == 0 {
		return nil, fmt.Errorf("the server.json template lists no packages")
	}
	for i, p := range pkgs {
		pkg, ok := p.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("package %d of the template is not an object", i)
		}
		if pkg["registryType"] != "mcpb" {
			continue
		}
		id, _ := pkg["identifier"].(string)
		name := path.Base(id)
		if !strings.HasSuffix(name, ".mcpb") {
			return nil, fmt.Errorf("package %d: identifier %q does not name an .mcpb file", i, id)
		}
		sum, err := fileSHA256(filepath.Join(bundleDir, name))
		if err != nil {
			return nil, fmt.Errorf("package %d (%s): %w; build it with make bundles", i, name, err)
		}
		pkg["identifier"] = ReleaseURL + "v" + version + "/" + name
		pkg["version"] = version
		pkg["fileSha256"] = sum
	}
	out, err := json.MarshalIndent(entry, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

func fileSHA256(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// TrimV is version without a leading v, as server.json and the bundle manifest spell it.
func TrimV(version string) string { return strings.TrimPrefix(version, "v") }
