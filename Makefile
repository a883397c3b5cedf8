# credstack — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
NODE_STAMP := interop/node_modules/.installed-stamp
PORT ?= 8000
export PORT
# Test processes (pytest-xdist): each has its own database, live server, browser and Node verifier.
# JOBS=0 runs the suite in one process. Worksteal: an idle process takes queued tests from the busy one, so a
# long test near the end does not leave the other core idle.
JOBS ?= 2
XDIST := -n $(JOBS) --dist worksteal

.PHONY: run test test-sqlite test-postgres install interop lint typecheck bench clean

run: $(STAMP)
	$(BIN)/credstack demo
	$(BIN)/credstack serve

# Each part prints its time (wall clock) when it ends: where make test's time goes (benchmarks/RESULTS.md).
test: $(STAMP) $(NODE_STAMP)
	@t0=$$(date +%s); t=$$t0; \
	lap() { now=$$(date +%s); echo "== $$1: $$((now - t)) s (make test so far: $$((now - t0)) s)"; t=$$now; }; \
	scripts/system-deps.sh && lap "system packages" && \
	$(MAKE) --no-print-directory lint && lap "ruff" && \
	$(MAKE) --no-print-directory typecheck && lap "mypy" && \
	$(MAKE) --no-print-directory test-sqlite && lap "tests on SQLite" && \
	$(MAKE) --no-print-directory test-postgres && lap "tests on PostgreSQL"

test-sqlite: $(STAMP) $(NODE_STAMP)
	@echo "== test suite on SQLite"
	$(BIN)/pytest $(XDIST) $(PYTEST_ARGS)

# Only the tests that reach the database, browser tests excepted (tests/databases.py says why);
# CREDSTACK_TEST_EVERYTHING=1 runs them all.
test-postgres: $(STAMP) $(NODE_STAMP)
	@echo "== test suite on PostgreSQL"
	scripts/with-postgres.sh $(BIN)/pytest $(XDIST) $(PYTEST_ARGS)

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "credstack needs Python 3.11+"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

interop: $(NODE_STAMP)

$(NODE_STAMP): interop/package.json interop/package-lock.json
	@command -v npm >/dev/null || { echo "the interop tests need Node.js 20+ and npm"; exit 1; }
	cd interop && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The import layers are checked by the suite (tests/test_layers.py).
lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

# mypy with django-stubs: strict for credstack.vc and credstack.render (config in pyproject.toml).
typecheck: $(STAMP)
	PYTHONPATH=src $(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/sign.py

clean:
	rm -rf $(VENV) interop/node_modules
