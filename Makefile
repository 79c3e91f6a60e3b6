# fis-mcp: make build | test | lint | run | demo
GO       ?= go
BIN      ?= bin/fis-mcp
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)

.PHONY: build test lint run demo demo-failing bench fuzz clean release-snapshot bundle bundle-validate

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/fis-mcp

# -race runs only where there is concurrency to race (it makes tests 3-20x slower). A
# package is listed when its non-test code starts goroutines (`go` statements: clusters,
# health, sim, kube, kubetest, report, workflow) or its state is shared by goroutines it
# does not start itself: HTTP handlers (awstest), store locks and concurrent-writer tests
# (session, audit); cmd/fis-mcp's end-to-end tests drive a -race build of the whole server
# (mcp-go's concurrent request handling of the tools included). cmd/fis-mcp's
# TestRaceListCoversGoroutines fails when a package with a `go` statement is in neither
# list, so the lists cannot rot silently.
# The slowest first (the end-to-end tests, then the engine's), so the rest fill the other core.
RACE_PKGS := ./cmd/fis-mcp ./session/workflow ./kube/kubetest ./aws/awstest ./aws/clusters \
	./aws/health ./cmd/fis-mcp/sim ./kube ./session ./session/audit
# These run whole without -race (under it: session/report 240 s instead of 28 s, tools
# over 300 s), and again with -race only for the tests of their concurrency: the report's
# parallel log scanner (the tests varying worker count and chunk size) and the tools
# served over an in-process stdio server.
RACE_SUBSET_PKGS := ./session/report ./tools
RACE_SUBSET_RUN := ^(TestScanEquivalenceGolden|TestChunkReaderLongLines|TestStartExperimentElicitationOverStdio)$$
# The end-to-end tests' binary, built once (-race, the e2e version stamp: see
# cmd/fis-mcp/e2e_helpers_test.go, which builds it itself when FIS_MCP_E2E_BIN is unset).
E2E_BIN := bin/fis-mcp-e2e
GOTEST := $(GO) test -count=1 -timeout 15m

# The one test command (CI runs exactly this): vet, formatting, every Go test once (fuzz
# seed corpora included; -race on the packages above), then the TypeScript MCP SDK
# client and MCP Inspector CLI tests when node is installed.
test: lint
	$(GO) build -race -ldflags '-X main.version=v0.0.0-e2e' -o $(E2E_BIN) ./cmd/fis-mcp
	FIS_MCP_E2E_BIN=$(CURDIR)/$(E2E_BIN) $(GOTEST) -race $(RACE_PKGS)
	$(GOTEST) -race -run '$(RACE_SUBSET_RUN)' $(RACE_SUBSET_PKGS)
	@race=$$($(GO) list $(RACE_PKGS)); \
	pkgs=$$($(GO) list ./... | grep -vxF "$$race"); \
	echo "$(GOTEST) <the $$(echo "$$pkgs" | wc -l) other packages>"; \
	$(GOTEST) $$pkgs
	@if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory test-node && $(MAKE) --no-print-directory test-inspector && \
		$(MAKE) --no-print-directory bundle-validate; \
	else \
		echo "SKIP: node/npm not installed: the TypeScript MCP SDK client test did not run"; \
	fi

test-node: build
	cd testdata/node-client && npm ci --no-audit --no-fund --loglevel=error && FIS_MCP_BIN=$(CURDIR)/$(BIN) node client.mjs

# The MCP Inspector CLI (one server process per call, --tool-arg strings).
test-inspector: build
	cd testdata/inspector-cli && npm ci --no-audit --no-fund --loglevel=error && FIS_MCP_BIN=$(CURDIR)/$(BIN) node inspector.mjs

lint:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

run: build
	$(BIN) serve

# Both verdicts: the default scenario (every app recovers), then the failing one (an app
# never recovers); demo-failing runs only the second.
demo: build
	$(BIN) demo
	$(BIN) demo --scenario failing

demo-failing: build
	$(BIN) demo --scenario failing

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParseReadme -fuzztime 60s ./session/expdir

# Release archives (linux/darwin/windows × amd64/arm64, static, checksums) into bin/dist/, with
# goreleaser pinned as a Go tool dependency (go.mod's tool line); see .goreleaser.yaml.
release-snapshot:
	$(GO) tool goreleaser release --snapshot --clean

# The Claude Desktop extension (MCP Bundle) for one platform (default: this machine's):
# make bundle BUNDLE_OS=darwin BUNDLE_ARCH=arm64 → bin/fis-mcp-darwin-arm64.mcpb. The
# staging directory holds manifest.json (cmd/fis-mcp/bundle, version and platform stamped)
# at its root and the binary at server/fis-mcp, as the manifest's entry_point says.
MCPB           ?= npx -y @anthropic-ai/mcpb@2.1.2
BUNDLE_OS      ?= $(shell $(GO) env GOOS)
BUNDLE_ARCH    ?= $(shell $(GO) env GOARCH)
BUNDLE_VERSION ?= $(shell v=$$(git describe --tags --exact-match 2>/dev/null); v=$${v#v}; echo $${v:-0.1.0})
BUNDLE_STAGE   := bin/bundle-$(BUNDLE_OS)-$(BUNDLE_ARCH)
BUNDLE_FILE    := bin/fis-mcp-$(BUNDLE_OS)-$(BUNDLE_ARCH).mcpb
BUNDLE_STAMP   := const fs=require("fs"),[src,dst,ver,os]=process.argv.slice(1),m=JSON.parse(fs.readFileSync(src)); m.version=ver; m.compatibility.platforms=[os==="windows"?"win32":os]; fs.writeFileSync(dst,JSON.stringify(m,null,2)+"\n")

bundle-validate:
	$(MCPB) validate cmd/fis-mcp/bundle/manifest.json

bundle:
	rm -rf $(BUNDLE_STAGE) && mkdir -p $(BUNDLE_STAGE)/server
	CGO_ENABLED=0 GOOS=$(BUNDLE_OS) GOARCH=$(BUNDLE_ARCH) $(GO) build -trimpath -ldflags '$(LDFLAGS)' \
		-o $(BUNDLE_STAGE)/server/fis-mcp$(if $(filter windows,$(BUNDLE_OS)),.exe) ./cmd/fis-mcp
	node -e '$(BUNDLE_STAMP)' cmd/fis-mcp/bundle/manifest.json $(BUNDLE_STAGE)/manifest.json $(BUNDLE_VERSION) $(BUNDLE_OS)
	cp README.md $(BUNDLE_STAGE)/
	$(MCPB) validate $(BUNDLE_STAGE)/manifest.json
	$(MCPB) pack $(BUNDLE_STAGE) $(BUNDLE_FILE)
	@echo "fileSha256 for server.json: $$(sha256sum $(BUNDLE_FILE) | cut -d' ' -f1)"

clean:
	rm -rf bin
