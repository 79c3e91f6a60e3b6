# fis-mcp: make build | test | lint | run | demo
GO       ?= go
BIN      ?= bin/fis-mcp
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)

.PHONY: build test lint run demo demo-failing bench fuzz clean

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/fis-mcp

# The one test command (CI runs exactly this): vet, formatting, every Go test with the
# race detector (fuzz seed corpora included), then the TypeScript MCP SDK client test
# when node is installed.
test: lint
	$(GO) test -race -count=1 -timeout 15m ./...
	@if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory test-node; \
	else \
		echo "SKIP: node/npm not installed: the TypeScript MCP SDK client test did not run"; \
	fi

test-node: build
	cd testdata/node-client && npm ci --no-audit --no-fund --loglevel=error && FIS_MCP_BIN=$(CURDIR)/$(BIN) node client.mjs

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

clean:
	rm -rf bin
