# The one place that runs things: README and .ci/run call these targets.
CARGO ?= cargo

.PHONY: demo test test-rust lint fmt bench bench-search

## Run the demo: an SQLite file with seeded customers of two agencies, a list page, a history.
demo:
	$(CARGO) run --release --locked -p crm-core --example demo -- --force target/demo/agency.db

## Run every test (Rust unit, integration and doc tests, examples built and run).
test: test-rust

test-rust:
	$(CARGO) test --workspace --locked
	$(CARGO) run --locked -p crm-core --example quickstart

## Formatting and lints, as CI checks them.
lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --locked --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

## Benchmarks: figures printed, nothing asserted. CRM_BENCH_N sets the customer count.
bench:
	$(CARGO) bench --locked -p crm-bench --bench store

## Search benchmark: load, index, keystroke and filter latency, and SQLite FTS5 on the same data.
bench-search:
	$(CARGO) bench --locked -p crm-bench --bench search
