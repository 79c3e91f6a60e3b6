# fis-mcp: make build | test | lint | run | demo
GO       ?= go
BIN      ?= bin/fis-mcp
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)

.PHONY: build test lint run demo demo-failing bench fuzz clean release-snapshot bundle bundles bundle-validate \
	test-e2e test-race test-unit test-clients test-node test-inspector test-release FORCE

build:
	$(SHIP_ENV) $(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/fis-mcp

# -race runs only where there is concurrency to race (it makes tests 3-20x slower). A
# package is listed when its non-test code starts goroutines (`go` statements: clusters,
# health, sim, kube, kubetest, report, workflow) or its state is shared by goroutines it
# does not start itself: HTTP handlers (awstest), store locks and concurrent-writer tests
# (session, audit); cmd/fis-mcp's end-to-end tests drive a -race build of the whole server
# (mcp-go's concurrent request handling of the tools included). cmd/fis-mcp's
# TestRaceListCoversGoroutines fails when a package with a `go` statement is in neither
# list, so the lists cannot rot silently.
RACE_PKGS := ./cmd/fis-mcp ./session/workflow ./kube/kubetest ./aws/awstest ./aws/clusters \
	./aws/health ./cmd/fis-mcp/sim ./kube ./session ./session/audit
# These run whole without -race (under it: session/report 240 s instead of 28 s, tools
# over 300 s), and again with -race only for the tests of their concurrency: the report's
# parallel log scanner (the tests varying worker count and chunk size) and the tools
# served over an in-process stdio server.
RACE_SUBSET_PKGS := ./session/report ./tools
RACE_SUBSET_RUN := ^(TestScanEquivalenceGolden|TestChunkReaderLongLines|TestStartExperimentElicitationOverStdio)$$
# The end-to-end tests (cmd/fis-mcp) mostly wait for simulated experiments and baselines
# (a minute each), not for the CPU: they all run at once (-parallel 16), in their own
# group. Their binary is built once (-race, the e2e version stamp: see
# cmd/fis-mcp/e2e_helpers_test.go, which builds it itself when FIS_MCP_E2E_BIN is unset).
E2E_PKG := ./cmd/fis-mcp
E2E_BIN := bin/fis-mcp-e2e
# make test builds the code as it ships (static, CGO_ENABLED=0, and -trimpath, as make
# build and the release archives are), so that lint, the tests without -race, the
# clients' binary and the release check share one build of every package instead of
# compiling it three times; -race needs cgo. go test's own vet pass is off (lint ran the
# whole of go vet), and test binaries are linked without DWARF (-w: panics and race
# reports still name files and lines).
SHIP_ENV := CGO_ENABLED=0 GOFLAGS='$(strip $(shell $(GO) env GOFLAGS) -trimpath)'
RACE_ENV := CGO_ENABLED=1 GOFLAGS='$(strip $(shell $(GO) env GOFLAGS) -trimpath)'
GOTEST := $(GO) test -count=1 -timeout 15m -vet=off -ldflags=-w

# The one test command (CI runs exactly this): vet and formatting, then five groups at
# once: the end-to-end tests (-race), the other -race packages, every other package
# without -race (fuzz seed corpora included), the TypeScript MCP SDK client, MCP
# Inspector CLI and MCP Bundle manifest checks (when node is installed), and the
# release check (goreleaser builds this platform's archive; test-release opens it). Each
# group's output is printed whole when the group ends (--output-sync). Lint runs first
# and alone: starting the race build beside it did not make a cold run faster (12 min 52 s
# against 12 min 53 s with lint first; a cold run is bound by the CPU).
test: lint
	@echo "make test: 5 groups at once (e2e, race, unit, clients, release); each prints when it ends"
	@$(MAKE) --no-print-directory -j5 --output-sync=target test-e2e test-race test-unit test-clients test-release

# The race build of every package, once, before the two -race groups start.
$(E2E_BIN): FORCE
	$(RACE_ENV) $(GO) build -race -ldflags '-X main.version=v0.0.0-e2e' -o $(E2E_BIN) ./cmd/fis-mcp

test-e2e: $(E2E_BIN)
	FIS_MCP_E2E_BIN=$(CURDIR)/$(E2E_BIN) $(RACE_ENV) $(GOTEST) -race -parallel 16 $(E2E_PKG)

test-race: $(E2E_BIN)
	$(RACE_ENV) $(GOTEST) -race $(filter-out $(E2E_PKG),$(RACE_PKGS))
	$(RACE_ENV) $(GOTEST) -race -run '$(RACE_SUBSET_RUN)' $(RACE_SUBSET_PKGS)

test-unit:
	@race=$$($(GO) list $(RACE_PKGS)); \
	pkgs=$$($(GO) list ./... | grep -vxF "$$race"); \
	echo "$(GOTEST) <the $$(echo "$$pkgs" | wc -l) other packages>"; \
	$(SHIP_ENV) $(GOTEST) $$pkgs

test-clients:
	@if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory test-node test-inspector bundle-validate; \
	else \
		echo "SKIP: node/npm not installed: the TypeScript MCP SDK client, Inspector CLI and bundle checks did not run"; \
	fi

# The TypeScript MCP SDK client (testdata/node-client) drives the release build.
test-node: build
	cd testdata/node-client && npm ci --no-audit --no-fund --loglevel=error && FIS_MCP_BIN=$(CURDIR)/$(BIN) node client.mjs

# The MCP Inspector CLI (one server process per call, --tool-arg strings).
test-inspector: build
	cd testdata/inspector-cli && npm ci --no-audit --no-fund --loglevel=error && FIS_MCP_BIN=$(CURDIR)/$(BIN) node inspector.mjs

lint:
	$(SHIP_ENV) $(GO) vet ./...
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
	$(SHIP_ENV) $(GO) tool goreleaser release --snapshot --clean

# make test's release check: goreleaser runs .goreleaser.yaml limited to this platform (the
# six platforms of release-snapshot are six builds of every package: minutes each), then
# the archive is opened: the checksum list holds it, it carries the README, and its
# binary reports the snapshot version goreleaser stamped.
RELEASE_OS     := $(shell $(GO) env GOOS)
RELEASE_ARCH   := $(shell $(GO) env GOARCH)
RELEASE_CONFIG := bin/goreleaser-$(RELEASE_OS)-$(RELEASE_ARCH).yaml
test-release:
	@mkdir -p bin && sed -e 's/^    goos: .*/    goos: [$(RELEASE_OS)]/' -e 's/^    goarch: .*/    goarch: [$(RELEASE_ARCH)]/' \
		.goreleaser.yaml > $(RELEASE_CONFIG)
	@grep -q '^    goos: \[$(RELEASE_OS)\]' $(RELEASE_CONFIG) && grep -q '^    goarch: \[$(RELEASE_ARCH)\]' $(RELEASE_CONFIG) || \
		{ echo "test-release: .goreleaser.yaml has no goos/goarch lines to limit to $(RELEASE_OS)/$(RELEASE_ARCH)"; exit 1; }
	$(SHIP_ENV) $(GO) tool goreleaser release --snapshot --clean --config $(RELEASE_CONFIG) > bin/goreleaser.log 2>&1 || \
		{ cat bin/goreleaser.log; exit 1; }
	@cd bin/dist && set -e; \
	archive=$$(ls fis-mcp_*_$(RELEASE_OS)_$(RELEASE_ARCH).tar.gz); \
	version=$${archive#fis-mcp_}; version=$${version%_$(RELEASE_OS)_$(RELEASE_ARCH).tar.gz}; \
	grep -q " $$archive$$" fis-mcp_*_checksums.txt || { echo "test-release: $$archive is not in the checksum list"; exit 1; }; \
	sha256sum --quiet -c fis-mcp_*_checksums.txt; \
	rm -rf open && mkdir open && tar -xzf $$archive -C open; \
	test -s open/README.md || { echo "test-release: $$archive has no README.md"; exit 1; }; \
	got=$$(./open/fis-mcp version); \
	case "$$got" in *"$$version"*) ;; *) echo "test-release: the archived binary says '$$got', want version $$version"; exit 1;; esac; \
	echo "test-release: $$archive (checksum listed and verified, README included): $$got"

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
BUNDLE_STAMP   := const fs=require("fs"),[src,dst,ver,os]=process.argv.slice(1),m=JSON.parse(fs.readFileSync(src)); m.version=ver; m.compatibility.platforms=[os==="windows"?"win32":os]; if(os==="windows"){m.server.entry_point+=".exe"; m.server.mcp_config.command+=".exe"} fs.writeFileSync(dst,JSON.stringify(m,null,2)+"\n")

# The bundles the MCP Registry entry lists (cmd/fis-mcp/bundle/server.json; its test checks
# this list against it), then that entry for the release, bin/server.json, with each
# bundle's SHA-256 (the committed template's are zeros). Publish with mcp-publisher from bin/.
BUNDLE_PLATFORMS := darwin-arm64 darwin-amd64 windows-amd64 linux-amd64
bundles:
	@set -e; for p in $(BUNDLE_PLATFORMS); do \
		$(MAKE) --no-print-directory bundle BUNDLE_OS=$${p%-*} BUNDLE_ARCH=$${p#*-}; \
	done
	$(GO) run ./cmd/fis-mcp/bundle/registry-entry -version $(BUNDLE_VERSION) -bundles bin -o bin/server.json

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

FORCE:
