// Command registry-entry writes the MCP Registry entry of a release (make bundles runs it):
//
//	go run ./cmd/fis-mcp/bundle/registry-entry -version 0.1.0 -bundles bin -o bin/server.json
//
// It reads the template cmd/fis-mcp/bundle/server.json and fills in the version and each
// bundle's URL and SHA-256 (bundle.StampRegistryEntry).
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/fis-mcp/fis-mcp/cmd/fis-mcp/bundle"
)

func main() {
	template := flag.String("template", "cmd/fis-mcp/bundle/server.json", "the server.json template")
	version := flag.String("version", "", "the release version (v optional)")
	bundles := flag.String("bundles", "bin", "the directory holding the built .mcpb bundles")
	out := flag.String("o", "bin/server.json", "where to write the registry entry")
	flag.Parse()
	if err := run(*template, *version, *bundles, *out); err != nil {
		fmt.Fprintln(os.Stderr, "registry-entry:", err)
		os.Exit(1)
	}
}

func run(template, version, bundles, out string) error {
	b, err := os.ReadFile(template)
	if err != nil {
		return err
	}
	entry, err := bundle.StampRegistryEntry(b, version, bundles)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, entry, 0o644); err != nil {
		return err
	}
	fmt.Printf("%s: the registry entry of v%s, with the SHA-256 of each bundle in %s\n", out, bundle.TrimV(version), bundles)
	return nil
}
