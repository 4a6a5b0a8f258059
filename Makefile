# The two commands of the README are `make start` and `make test`; the rest are their parts.
SHELL := /bin/bash
.DEFAULT_GOAL := help
NPM_STAMP := node_modules/.install-stamp

.PHONY: help start test deps system-deps build lint typecheck openapi openapi-check jest bench

help:
	@echo "make start   build and start the API on https://localhost:4996 (dev PKI, in-memory storage)"
	@echo "make test    install what the tests need and run every test"
	@echo "make openapi regenerate openapi/ (spec and typed client) after changing a controller or DTO"

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

deps: $(NPM_STAMP)

system-deps:
	@tools/ensure-system-deps.sh redis-server:redis-server redis-tools:redis-cli

build: deps
	npx nest build api

start: build
	node dist/apps/api/main.js

lint: deps
	npx eslint . --max-warnings 0
	npx prettier --check . --log-level warn

typecheck: deps
	npx tsc -p tsconfig.json --noEmit

openapi: deps
	node tools/generate-swagger-metadata.js
	npx nest build api
	node dist/apps/api/write-openapi.js openapi

jest: deps system-deps
	npx jest

test: deps system-deps lint typecheck jest
