# The two commands of the README are `make start` and `make test`; the rest are their parts.
SHELL := /bin/bash
.DEFAULT_GOAL := help
NPM_STAMP := node_modules/.install-stamp

.PHONY: help start test deps system-deps build lint typecheck openapi openapi-check jest bench test-deploy

help:
	@echo "make start   build and start the API on https://localhost:4996 (dev PKI, in-memory storage)"
	@echo "make test    install what the tests need and run every test"
	@echo "make openapi regenerate openapi/ (spec and typed client) after changing a controller or DTO"
	@echo "make test-deploy  build the image, run the compose stack with podman and the helm test's script (root)"

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

deps: $(NPM_STAMP)

system-deps:
	@tools/ensure-system-deps.sh redis-server:redis-server redis-tools:redis-cli
	@# Chromium for the Swagger UI browser test (skipped, saying why, when it cannot be installed).
	@tools/ensure-system-deps.sh --optional chromium:chromium

build: deps
	npx nest build api

start: build
	node dist/apps/api/main.js

lint: deps
	npx eslint . --max-warnings 0
	npx prettier --check . --log-level warn

typecheck: deps
	npx tsc -p tsconfig.json --noEmit

# Regenerates the contract from the code: swagger metadata, openapi/ spec and typed client.
openapi: deps
	tools/openapi.sh write

# Fails, showing the difference, when the committed contract is not what the code generates.
openapi-check: build
	tools/openapi.sh check

jest: deps system-deps build
	npx jest

test: deps system-deps lint typecheck openapi-check jest

# Speed, side by side with two floors (node:https and Express 5, each + Redis) in one run, driven by
# wrk (not a test: no thresholds enforced). Settings: README's speed section.
bench: build system-deps
	@tools/ensure-system-deps.sh wrk:wrk
	node bench/run.js

# The image, the compose stack and the chart's smoke test, with podman (installs it; root).
test-deploy: deps
	tools/test-deploy.sh
