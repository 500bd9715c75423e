# netpol-preflight — every target installs what it needs (Node 24 comes from
# the npm package `node`; npm scripts put node_modules/.bin first on PATH).
SHELL := /bin/bash
.DEFAULT_GOAL := help
NPM ?= npm
STAMP := node_modules/.installed

.PHONY: help install build typecheck lint format test conformance run clean certs image bench bench-quick soak

help:
	@echo "make run    - start the webhook on the example cluster (examples/)"
	@echo "make test   - install, build, type-check, lint and run the whole test suite"
	@echo "make build | lint | format | conformance | clean"
	@echo "make bench  - benchmark S, M, L (several minutes; bench/results/latest.json); make bench-quick: S, M"
	@echo "make soak   - load (64 connections x 60 s, twice), API server faults, SIGTERM, rotation, long fuzz (~6 min)"
	@echo "make certs  - CA + serving certificate for manifests/overlays/self-signed (openssl)"
	@echo "make image  - build the container image $(IMAGE) (needs a container engine)"

$(STAMP): package.json package-lock.json
	$(NPM) ci --no-audit --no-fund
	@touch $(STAMP)

install: $(STAMP)

build: $(STAMP)
	$(NPM) run --silent build

typecheck: $(STAMP)
	$(NPM) run --silent typecheck

lint: $(STAMP)
	$(NPM) run --silent lint

format: $(STAMP)
	$(NPM) run --silent format

test: build typecheck lint
	$(NPM) run --silent test:all

conformance: build
	$(NPM) run --silent conformance

run: build
	$(NPM) run --silent run:example

# The benchmark of issue 6 (not part of `make test`): each size in a child process; table + JSON.
bench: $(STAMP)
	$(NPM) run --silent bench

bench-quick bench\:quick: $(STAMP)
	$(NPM) run --silent bench:quick

# The reliability soak of issue 7 (not part of `make test`): prints a summary table, exit 1 on failure.
soak: $(STAMP)
	$(NPM) run --silent soak

clean:
	rm -rf dist dist-bench dist-soak .tap coverage

# The self-signed install path: a CA and serving certificate in certs/ (keys
# git-ignored), plus the files manifests/overlays/self-signed reads. Re-running
# keeps the CA and renews the serving certificate.
CERTS_DIR ?= certs
certs:
	bash scripts/gen-certs.sh --certs-dir $(CERTS_DIR) --overlay-dir manifests/overlays/self-signed/generated

# The container image (Dockerfile). CONTAINER_ENGINE=podman works too.
CONTAINER_ENGINE ?= docker
IMAGE ?= netpol-preflight:$(shell node -p "require('./package.json').version" 2>/dev/null || echo dev)
image:
	@command -v $(CONTAINER_ENGINE) >/dev/null 2>&1 || { \
	  echo "make image: '$(CONTAINER_ENGINE)' is not installed; install Docker or set CONTAINER_ENGINE=podman" >&2; exit 1; }
	@$(CONTAINER_ENGINE) info >/dev/null 2>&1 || { \
	  echo "make image: no container engine is reachable ('$(CONTAINER_ENGINE) info' failed): the client is here but no daemon answers." >&2; \
	  echo "            Start Docker (or point DOCKER_HOST at one), or build elsewhere: $(CONTAINER_ENGINE) build -t $(IMAGE) ." >&2; \
	  exit 1; }
	$(CONTAINER_ENGINE) build -t $(IMAGE) .
