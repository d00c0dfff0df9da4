# kustomer-mock — the README's commands call these targets.
CARGO ?= cargo

.PHONY: run test lint doc fmt build clean scenarios openapi conformance sync-tap-kustomer fuzz fuzz-schemathesis bench bench-peers

## run: start the mock Kustomer API with the fixtures (and example workflows) on :8080
run:
	$(CARGO) run --release -p kmock -- serve

## test: every test of the workspace (unit, end-to-end over loopback HTTP, snapshots)
test:
	$(CARGO) test --workspace --all-targets
	$(CARGO) test --workspace --doc

## scenarios: run every shipped scenario with kmock test
scenarios:
	$(CARGO) run --release -p kmock -- test

## openapi: write the OpenAPI document of /v1 (generated from the code) to docs/openapi.json
openapi:
	$(CARGO) run --quiet -p kmock -- openapi --output docs/openapi.json

## conformance: every operation the mock serves, checked against Kustomer's published
## reference document (../shared/reference/kustomer-core-resources.openapi.json, or
## REFERENCE=path); skipped with a one-line note when the document is not there
conformance:
	$(CARGO) run --quiet -p kmock-conformance -- $(if $(REFERENCE),--reference $(REFERENCE))

## sync-tap-kustomer: a real sync client (tap-kustomer, from PyPI into .fuzz/) syncs its
## streams from kmock serve; each must end without an error and with records
sync-tap-kustomer:
	scripts/sync-tap-kustomer.sh

## fuzz: the seeded request fuzzer, FUZZ_REQUESTS (default 100000) requests over /v1, /__admin
## and the fallback paths, FUZZ_SEED (default 20261126) picks them; release build unless
## FUZZ_PROFILE is set empty (CI's short pass reuses the debug build of make test)
FUZZ_PROFILE ?= --release
fuzz:
	FUZZ_REQUESTS=$${FUZZ_REQUESTS:-100000} $(CARGO) test $(FUZZ_PROFILE) -p kustomer-mock-tests --test fuzz -- --nocapture

## fuzz-schemathesis: schemathesis (installed from PyPI into .fuzz/) against the OpenAPI document
fuzz-schemathesis:
	scripts/fuzz-schemathesis.sh

## lint: formatting, clippy and the API docs, warnings are errors
lint: doc
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

## doc: the workspace's own API docs (--no-deps, so it stays fast), warnings such as a
## broken or private intra-doc link are errors
doc:
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --workspace --no-deps

## fmt: format the code
fmt:
	$(CARGO) fmt --all

build:
	$(CARGO) build --workspace --release

## bench: release build, then every benchmark (baseline, API, workflow, start-up, scale,
## loop) in one run; prints the tables and writes them into BENCHMARKS.md
bench:
	$(CARGO) build --release -p kmock -p kmock-bench
	$(CARGO) run --release -q -p kmock-bench

## bench-peers: installs WireMock (npm wiremock), Mockoon CLI and json-server into .bench/
## and measures them next to `kmock serve` with the same load generator
bench-peers:
	$(CARGO) build --release -p kmock -p kmock-bench
	CARGO="$(CARGO)" harness/bench/peers.sh

clean:
	$(CARGO) clean
