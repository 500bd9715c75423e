# netpol-preflight — every target installs what it needs (Node 24 comes from
# the npm package `node`; npm scripts put node_modules/.bin first on PATH).
SHELL := /bin/bash
.DEFAULT_GOAL := help
NPM ?= npm
STAMP := node_modules/.installed

.PHONY: help install build typecheck lint format test conformance run clean

help:
	@echo "make run    - start the webhook on the example cluster (examples/)"
	@echo "make test   - install, build, type-check, lint and run the whole test suite"
	@echo "make build | lint | format | conformance | clean"

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

clean:
	rm -rf dist .tap coverage
