# mini — thin Makefile; the work lives in hack/ scripts.
# Two commands matter on a fresh machine:
#   make dev    build mini and the images if missing, create cluster "dev"
#   make test   every test: unit, node image and cluster end-to-end
SHELL := /bin/bash
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
GO_LDFLAGS := -s -w -X github.com/minictl/mini/pkg/version.Version=$(VERSION)
BIN := bin/mini
E2E_TIMEOUT ?= 45m
# How long `make unit` fuzzes each parser; longer runs: make unit FUZZTIME=5m
FUZZTIME ?= 10s
# Every go build, test and vet runs with the image build's flags (defined
# once, in hack/lib.sh): the same flags select the same compiled packages in
# Go's cache, so `make unit` after `make images` compiles no Kubernetes
# package again.
export GOFLAGS := $(shell . hack/lib.sh && echo "$$GO_FLAGS")
export CGO_ENABLED := 0
# Go modules besides the root one, each tested and vetted on its own.
MODULES := images/node images/registry images/coredns

.PHONY: all build install dev test unit e2e images node-image lb-image registry-image bench lint clean docker

all: build

build: ## build the mini CLI into bin/mini
	VERSION=$(VERSION) bash hack/build.sh cli

install: ## install mini into GOBIN
	go install -ldflags "$(GO_LDFLAGS)" ./cmd/mini

docker: ## make sure a Docker engine answers (installs and starts one if needed)
	bash hack/ensure-docker.sh

# The image builds: hack/build.sh runs their steps (hack/steps) in
# parallel, one line each; logs in _output/logs. Each is cached by inputs.
node-image: docker ## build the node image
	bash hack/build.sh node-image

lb-image: docker ## build the load-balancer image
	bash hack/build.sh lb-image

registry-image: docker ## build the registry image from source
	bash hack/build.sh registry-image

images: docker ## all three images
	bash hack/build.sh images

dev: docker ## build mini and its images if missing, create (or reuse) the cluster "dev"
	VERSION=$(VERSION) bash hack/build.sh cli node-image lb-image
	@if $(BIN) cluster list dev >/dev/null 2>&1; then echo "cluster dev exists"; else $(BIN) cluster create dev; fi

unit: ## unit tests of both modules (no Docker needed), and a short fuzz pass of the config and flag parsers
	go test ./...
	go test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) ./pkg/config
	go test -run '^$$' -fuzz '^FuzzParsePort$$' -fuzztime $(FUZZTIME) ./pkg/cluster
	go test -run '^$$' -fuzz '^FuzzParseFilter$$' -fuzztime $(FUZZTIME) ./pkg/cluster
	set -e; for m in $(MODULES); do (cd $$m && go test ./...); done

e2e: build images ## end-to-end tests against the real engine
	go test -tags integration -count=1 ./pkg/runtime/docker/
	MINI_E2E_BINARY=$(abspath $(BIN)) go test -tags e2e -count=1 -timeout $(E2E_TIMEOUT) -v ./tests/e2e/

test: docker lint unit e2e ## everything; what CI runs

# Not part of test: without KVM the VM's CPUs are emulated in software, many
# times slower than the host's (a `docker run` in it takes ~10 s), and CI has
# 90 minutes for everything. Parameters (VM_PAYLOAD=smoke, VM_CGROUP=v1,
# VM_SUITE, VM_TESTS, ...): hack/vm/run.sh and docs/vm-testing.md.
.PHONY: test-vm
test-vm: ## e2e tests in a qemu VM unlike this machine: cgroup v2, Docker 26 (Debian trixie)
	bash hack/vm/run.sh

bench: build images ## speed and memory benchmarks → docs/benchmarks.md
	bash hack/bench.sh

lint: ## gofmt and go vet of every module, bash -n of every script, actionlint of the workflows
	@files=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$files" ]; then echo "gofmt needed:" $$files; exit 1; fi
	go vet ./... && go vet -tags e2e ./tests/e2e/ && go vet -tags integration ./pkg/runtime/docker/
	set -e; for m in $(MODULES); do (cd $$m && go vet ./...); done
	set -e; for f in $$(git ls-files '*.sh'); do bash -n $$f; done
	go tool actionlint

clean:
	rm -rf bin _output
