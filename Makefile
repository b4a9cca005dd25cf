# Tollgate. `make run` and `make test` are all a fresh clone needs (README).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO        ?= go
FUNCTIONS := $(notdir $(wildcard functions/*))
BUILD_DIR ?= build
# Lambda: provided.al2023 on arm64, no RPC shim, reproducible and small.
LAMBDA_ENV   := GOOS=linux GOARCH=arm64 CGO_ENABLED=0
LAMBDA_FLAGS := -tags lambda.norpc -trimpath -buildvcs=false -ldflags='-s -w -buildid='
TEST_FLAGS   ?= -count=1 -timeout 12m

.PHONY: help build lint test test-go run bench bench-deps bench-smoke deps clean $(addprefix build-,$(FUNCTIONS))

help: ## list targets
	@grep -E '^[a-zA-Z_%-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

deps: ## download Go modules (DynamoDB Local is fetched and verified on first use)
	$(GO) mod download
	$(GO) mod verify

build: ## build one bootstrap per function into build/<function>/ for provided.al2023/arm64
	@for f in $(FUNCTIONS); do \
		echo "build $$f"; \
		$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(BUILD_DIR)/$$f/bootstrap ./functions/$$f; \
	done

# SAM's makefile build method calls build-<LogicalId> with ARTIFACTS_DIR set.
# Each function's Metadata.BuildMethod is makefile; the logical IDs map to
# function folders here.
build-GatewayFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/gateway

build-IngestFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/ingest

build-ApiFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/api

build-RetentionFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/retention

build-EvalWorkerFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/evalworker

build-DriftFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/drift

lint: ## gofmt, go vet and cfn-lint
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	@command -v cfn-lint >/dev/null || { echo "cfn-lint not found: pip install cfn-lint"; exit 1; }
	cfn-lint template.yaml

test: deps lint test-go ## lint, then every test against the real local stack

test-go:
	$(GO) test $(TEST_FLAGS) ./...

run: ## the whole system locally, with a demo org and key in .local/demo.env
	$(GO) run ./infra/cmd/tollgate-local

bench: bench-deps ## Tollgate vs the upstream, Portkey and nginx: writes BENCHMARKS.md and bench/latency.png
	$(GO) run ./infra/bench/cmd/tollgate-bench

# The peers make bench compares against: Debian's nginx (Portkey is installed
# by the harness itself, pinned, with npm ci).
bench-deps:
	@command -v nginx >/dev/null || { \
		command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] || { echo "make bench needs nginx: apt-get install -y nginx"; exit 1; }; \
		echo "installing nginx for make bench"; apt-get update -qq && apt-get install -y -qq nginx >/dev/null; }

bench-smoke: ## one short iteration of make bench; results go to a temporary directory
	$(GO) run ./infra/bench/cmd/tollgate-bench -smoke

clean:
	rm -rf $(BUILD_DIR) .aws-sam
