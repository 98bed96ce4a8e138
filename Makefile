# The one place that runs things: README and .ci/run call these targets.
CARGO ?= cargo

.PHONY: demo test test-rust test-py lint fmt bench bench-search

## Run the demo: an SQLite file with seeded customers of two agencies, a list page, a history.
demo:
	$(CARGO) run --release --locked -p crm-core --example demo -- --force target/demo/agency.db

## Run every test (Rust unit, integration and doc tests, examples built and run; the Python
## wheel built, installed in a virtual environment and tested with pytest, stubtest and mypy).
test: test-rust test-py

test-rust:
	$(CARGO) test --workspace --locked --exclude crm-py
	$(CARGO) run --locked -p crm-core --example quickstart

PYTHON ?= python3
VENV ?= target/py-venv
WHEELS ?= target/wheels

## The Python package: build the wheel, install it in a fresh virtual environment, test it.
test-py:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -r crm-py/requirements-dev.txt
	rm -rf $(WHEELS)
	$(VENV)/bin/maturin build --locked --manifest-path crm-py/Cargo.toml --out $(WHEELS)
	$(VENV)/bin/python -m pip install --quiet --force-reinstall --no-deps $(WHEELS)/*.whl
	cd crm-py && ../$(VENV)/bin/python -m pytest -q
	$(VENV)/bin/python -m mypy.stubtest crm._crm
	$(VENV)/bin/python -m mypy --strict examples/quickstart.py
	$(VENV)/bin/python examples/quickstart.py

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
