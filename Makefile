# krm-flink: `make render` renders the example platform into overlays/,
# `make test` runs every test (CI runs exactly that).
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

GO      ?= go
BIN     := $(CURDIR)/bin
TOOLS   := $(CURDIR)/.tools/bin
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/krm-flink/krm-flink/fn/cli.Version=$(VERSION)

export PATH := $(TOOLS):$(PATH)
export KRM_FLINK_TOOLS := $(TOOLS)

.PHONY: help
help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

.PHONY: build
build: ## build bin/krm-flink
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/krm-flink ./cmd/krm-flink

.PHONY: render
render: build ## render examples/platform into overlays/
	$(BIN)/krm-flink render -f examples/platform --all-envs -o overlays

.PHONY: tools
tools: ## install the pinned tools the tests run (kustomize, kpt, kube-apiserver, etcd)
	hack/install-tools.sh
	@if [ -x hack/install-apiserver.sh ]; then hack/install-apiserver.sh; fi

.PHONY: lint
lint: ## gofmt and go vet
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' | grep -v '^hack/tools/')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...

.PHONY: test
test: tools lint ## run every test, with the race detector, then each fuzz target briefly
	$(GO) test -race -count=1 ./...
	FUZZTIME=$${FUZZTIME:-10s} hack/fuzz.sh

.PHONY: fuzz
fuzz: ## run each native fuzz target for FUZZTIME (default 10s)
	hack/fuzz.sh

.PHONY: golden
# Every package with golden files; each takes -update.
GOLDEN_PKGS := ./fn/cli ./fn/krmfn ./internal/chart/source \
	./internal/component/certmanager ./internal/component/flinkoperator \
	./internal/component/fluentbit ./internal/component/helmcomponent \
	./internal/component/karpenter ./internal/component/rbac ./test/security
golden: generate ## rewrite golden files and overlays/ after an intended output change
	$(GO) test $(GOLDEN_PKGS) -update
	$(MAKE) render

.PHONY: generate
generate: ## regenerate the operator CRD facts, the input JSON Schemas and README's input reference
	$(GO) generate ./internal/flinkcrd
	$(GO) run ./internal/apischema/gen

.PHONY: bench
bench: ## Go benchmarks and hack/bench.sh: krm-flink vs helm template per job
	hack/bench.sh

.PHONY: clean
clean: ## remove build output and installed tools
	rm -rf $(BIN) .tools
