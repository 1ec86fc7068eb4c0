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

.PHONY: all build install dev test unit e2e images node-image lb-image registry-image bench lint clean docker

all: build

build: ## build the mini CLI into bin/mini
	CGO_ENABLED=0 go build -trimpath -ldflags "$(GO_LDFLAGS)" -o $(BIN) ./cmd/mini

install: ## install mini into GOBIN
	CGO_ENABLED=0 go install -trimpath -ldflags "$(GO_LDFLAGS)" ./cmd/mini

docker: ## make sure a Docker engine answers (installs and starts one if needed)
	bash hack/ensure-docker.sh

node-image: docker ## build the node image (cached by inputs)
	bash hack/build-node-image.sh

lb-image: docker ## build the load-balancer image (cached by inputs)
	bash hack/build-lb-image.sh

registry-image: docker ## build the registry image from source (cached by inputs)
	bash hack/build-registry-image.sh

images: node-image lb-image registry-image

dev: build node-image lb-image ## create (or reuse) the cluster "dev"
	@if $(BIN) cluster list dev >/dev/null 2>&1; then echo "cluster dev exists"; else $(BIN) cluster create dev; fi

unit: ## unit tests of both modules (no Docker needed), and a short fuzz pass of the config and flag parsers
	go test ./...
	go test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) ./pkg/config
	go test -run '^$$' -fuzz '^FuzzParsePort$$' -fuzztime $(FUZZTIME) ./pkg/cluster
	go test -run '^$$' -fuzz '^FuzzParseFilter$$' -fuzztime $(FUZZTIME) ./pkg/cluster
	cd images/node && go test ./...
	cd images/registry && go test ./...

e2e: build images ## end-to-end tests against the real engine
	go test -tags integration -count=1 ./pkg/runtime/docker/
	MINI_E2E_BINARY=$(abspath $(BIN)) go test -tags e2e -count=1 -timeout $(E2E_TIMEOUT) -v ./tests/e2e/

test: docker unit e2e ## everything; what CI runs

# Not part of test: without KVM the VM's CPUs are emulated in software, many
# times slower than the host's (a `docker run` in it takes ~10 s), and CI has
# 90 minutes for everything. Parameters (VM_PAYLOAD=smoke, VM_CGROUP=v1,
# VM_SUITE, VM_TESTS, ...): hack/vm/run.sh and docs/vm-testing.md.
.PHONY: test-vm
test-vm: ## e2e tests in a qemu VM unlike this machine: cgroup v2, Docker 26 (Debian trixie)
	bash hack/vm/run.sh

bench: build images ## speed and memory benchmarks → docs/benchmarks.md
	bash hack/bench.sh

lint:
	gofmt -l . | (! grep .) || (echo "gofmt needed"; exit 1)
	go vet ./... && go vet -tags e2e ./tests/e2e/ && go vet -tags integration ./pkg/runtime/docker/
	cd images/node && go vet ./...
	cd images/registry && go vet ./...

clean:
	rm -rf bin _output
