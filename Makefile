# The one place that runs things: README and .ci/run call these targets.
CARGO ?= cargo

.PHONY: demo test test-all test-rust test-postgres test-py test-c header header-check lint fmt bench bench-search bench-dedupe bench-privacy bench-exchange bench-schedules bench-write-load bench-load bench-servers fuzz

## Run the demo: an SQLite file with seeded customers of two agencies, a list page, a history.
demo:
	$(CARGO) run --release --locked -p crm-core --example demo -- --force target/demo/agency.db

## Run every test (Rust unit, integration and doc tests, examples built and run; the Rust
## integration suite again on PostgreSQL; the Python wheel built, installed in a virtual
## environment and tested with pytest, stubtest and mypy; the C header checked, the C tests
## built as C99 and C++17 and run under AddressSanitizer), with a private PostgreSQL server
## started for the run (scripts/with-postgres: without PostgreSQL installed, its half is
## skipped and said so, except under CI where that fails).
test:
	scripts/with-postgres scripts/with-smtp $(MAKE) test-all

test-all: test-rust test-postgres test-py test-c

## The Rust integration suite on PostgreSQL (CRM_TEST_POSTGRES: a server's connection string;
## each test makes a schema of its own). The tests of the SQLite file itself are left out.
test-postgres:
	@if [ -z "$$CRM_TEST_POSTGRES" ]; then \
	  if [ -n "$$CI" ]; then echo "test-postgres: CRM_TEST_POSTGRES is not set" >&2; exit 1; fi; \
	  echo "test-postgres: CRM_TEST_POSTGRES is not set: SKIPPED"; exit 0; fi; \
	CRM_TEST_STORE=postgres $(CARGO) test --locked -p crm-core --test it -- \
	  --skip persistence:: --skip fuzz::

test-rust:
	$(CARGO) test --workspace --locked --exclude crm-py -- --skip pg_only::
	# The quickstart as `cargo test` built it: `cargo run -p crm-core` would select other
	# features of the shared dependencies and build most of them again.
	target/debug/examples/quickstart

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
	@# The same suite on PostgreSQL: each test's database a schema of its own on the test server.
	@if [ -n "$$CRM_TEST_POSTGRES" ]; then \
	  cd crm-py && CRM_TEST_STORE=postgres ../$(VENV)/bin/python -m pytest -q; \
	elif [ -n "$$CI" ]; then echo "test-py: CRM_TEST_POSTGRES is not set" >&2; exit 1; \
	else echo "test-py: CRM_TEST_POSTGRES is not set: the Python suite on PostgreSQL is SKIPPED"; fi
	$(VENV)/bin/python -m mypy.stubtest crm._crm
	$(VENV)/bin/python -m mypy --strict examples/quickstart.py
	$(VENV)/bin/python examples/quickstart.py

CC ?= cc
CXX ?= c++
C_OUT ?= target/c
FFI_LIB ?= target/debug
SAN ?= -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
C_FLAGS ?= -std=c99 -Wall -Wextra -Wpedantic -Werror -g $(SAN) -Iinclude -Icrm-ffi/tests/c
CXX_FLAGS ?= -std=c++17 -Wall -Wextra -Wpedantic -Werror -g $(SAN) -Iinclude -Icrm-ffi/tests/c
C_LINK = -L$(FFI_LIB) -Wl,-rpath,$(abspath $(FFI_LIB)) -lcrm_ffi
C_TESTS = test_api test_postgres test_feed test_misuse test_bounds test_contact_data test_dedupe test_merge test_privacy test_documents test_lists test_export test_import test_outreach test_schedules test_templates test_finding test_policies
# The C tests run again on PostgreSQL (all but those of the SQLite file itself).
C_TESTS_PG = test_api test_feed test_misuse test_dedupe test_merge test_privacy test_documents test_lists test_export test_import test_outreach test_schedules test_templates test_finding test_policies
export ASAN_OPTIONS = detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS = print_stacktrace=1

## include/crm.h from crm-ffi with the cbindgen pinned in Cargo.lock.
header:
	$(CARGO) run --locked -q -p xtask -- header

## Fails when include/crm.h is not what the current crm-ffi generates.
header-check:
	$(CARGO) run --locked -q -p xtask -- header --check

## The C API: header checked, tests and quickstart built as C99 and as C++17, run under ASan.
test-c: header-check
	$(CARGO) build --locked -p crm-ffi
	mkdir -p $(C_OUT)/scratch
	for t in $(C_TESTS); do \
	  $(CC) $(C_FLAGS) crm-ffi/tests/c/$$t.c $(C_LINK) -o $(C_OUT)/$$t && \
	  $(CXX) $(CXX_FLAGS) -x c++ crm-ffi/tests/c/$$t.c -x none $(C_LINK) -o $(C_OUT)/$$t-cpp && \
	  $(C_OUT)/$$t $(C_OUT)/scratch && $(C_OUT)/$$t-cpp $(C_OUT)/scratch || exit 1; \
	done
	@# The same tests on PostgreSQL: each in a schema of its own on the test server.
	@if [ -n "$$CRM_TEST_POSTGRES" ]; then \
	  for t in $(C_TESTS_PG); do \
	    s=c_$${t}_$$$$_$$(date +%s); \
	    psql -q -v ON_ERROR_STOP=1 "$$CRM_TEST_POSTGRES" -c "CREATE SCHEMA $$s" || exit 1; \
	    echo "$$t on PostgreSQL"; \
	    rm -rf $(C_OUT)/scratch/pg-index-$$t; \
	    CRM_TEST_C_URL="$$CRM_TEST_POSTGRES options='-c search_path=$$s'" \
	      CRM_TEST_C_INDEX=$(C_OUT)/scratch/pg-index-$$t $(C_OUT)/$$t $(C_OUT)/scratch || exit 1; \
	    psql -q "$$CRM_TEST_POSTGRES" -c "DROP SCHEMA $$s CASCADE" >/dev/null; \
	  done; \
	elif [ -n "$$CI" ]; then echo "test-c: CRM_TEST_POSTGRES is not set" >&2; exit 1; \
	else echo "test-c: CRM_TEST_POSTGRES is not set: the C tests on PostgreSQL are SKIPPED"; fi
	$(CC) $(C_FLAGS) examples/quickstart.c $(C_LINK) -o $(C_OUT)/quickstart
	$(CXX) $(CXX_FLAGS) -x c++ examples/quickstart.c -x none $(C_LINK) -o $(C_OUT)/quickstart-cpp
	rm -rf $(C_OUT)/scratch/quickstart.db*
	$(C_OUT)/quickstart && $(C_OUT)/quickstart-cpp $(C_OUT)/scratch/quickstart.db
	{ printf '#include <stdio.h>\n#include "crm.h"\nint main(void) {\n'; \
	  sed -n '/^```c$$/,/^```$$/{/^```/d;p;}' README.md; printf 'return 0;\n}\n'; } > $(C_OUT)/readme.c
	$(CC) $(C_FLAGS) $(C_OUT)/readme.c $(C_LINK) -o $(C_OUT)/readme
	cd $(C_OUT)/scratch && rm -rf agency.db* && ../readme

## Formatting and lints, as CI checks them.
lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --locked --all-targets -- -D warnings
	@# The core without TLS, and without PostgreSQL: both builds stay clean.
	$(CARGO) clippy -p crm-core --locked --no-default-features --features postgres -- -D warnings
	$(CARGO) clippy -p crm-core --locked --no-default-features -- -D warnings

fmt:
	$(CARGO) fmt --all

## Benchmarks: figures printed, nothing asserted. CRM_BENCH_N sets the customer count.
bench:
	$(CARGO) bench --locked -p crm-bench --bench store

## Search benchmark: load, index, keystroke and filter latency, and SQLite FTS5 on the same data.
bench-search:
	$(CARGO) bench --locked -p crm-bench --bench search

## Type-ahead under write load: keystroke latency at 100k customers (CRM_BENCH_N) while another
## thread writes 1,000 customers/s (CRM_BENCH_RATE) and while another process imports a CSV.
bench-write-load:
	$(CARGO) bench --locked -p crm-bench --bench write_load

## SQLite beside PostgreSQL (a private server started for the run): loading, keystrokes, a
## write's latency, writes/s of one tenant and of 4 tenants, and how long until another server
## finds a write. CRM_BENCH_N sets the customer count (default 100,000).
bench-servers:
	scripts/with-postgres $(CARGO) bench --locked -p crm-bench --bench servers

## The fuzz targets (CSV import, search query) for longer than the test run's 64 cases each:
## FUZZ_CASES (default 20,000) cases each, in a release build.
FUZZ_CASES ?= 20000
fuzz:
	CRM_FUZZ_CASES=$(FUZZ_CASES) $(CARGO) test --release --locked -p crm-core --test it fuzz:: -- --nocapture

## Duplicate finder: find_duplicates over 1M customers (CRM_BENCH_N) with a tenth entered twice.
bench-dedupe:
	$(CARGO) bench --locked -p crm-bench --bench dedupe

## Privacy benchmark: plan, export, anonymise (index purge) and a retention dry run. It
## anonymises customers: CRM_BENCH_DB names a copy of a large store, else one is made.
bench-privacy:
	$(CARGO) bench --locked -p crm-bench --bench privacy

## Export benchmark: CSV and XLSX of every customer of CRM_BENCH_DB (read only), else of a
## store of CRM_BENCH_N customers made first.
bench-exchange:
	$(CARGO) bench --locked -p crm-bench --bench exchange

## Schedules benchmark: a weekly search exporting its new matches over CRM_BENCH_N customers
## (default 1,000,000): the first run (everyone new), then the next week's; time, rows, memory.
bench-schedules:
	$(CARGO) bench --locked -p crm-bench --bench schedules

## From files to searchable: 1M customers of eight countries imported (without and with
## duplicate flagging), then 10M bookings; CRM_BENCH_N=100000 for a quicker run.
bench-load:
	$(CARGO) bench --locked -p crm-bench --bench load
