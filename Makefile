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
# Bytecode caches on, whatever the environment says: with PYTHONDONTWRITEBYTECODE set (some CI images and
# sandboxes set it) every pytest process rewrites the asserts of all 250 test modules again (~7 s of CPU
# each, half of collecting) and every process a test starts compiles credstack's source again. The caches
# go to __pycache__ folders, which git ignores (benchmarks/RESULTS.md, the suite's time, 2026-12-06).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test test-sqlite test-postgres install interop lint typecheck bench clean messages

run: $(STAMP)
	$(BIN)/credstack demo
	$(BIN)/credstack serve

# Each part prints its time (wall clock) when it ends: where make test's time goes (benchmarks/RESULTS.md).
# The SQLite phase hands its migrated database to the PostgreSQL phase, whose SQLite homes (the full-disk
# run's) start from a copy of it instead of a migration of their own (tests/migrated.py).
test: $(STAMP) $(NODE_STAMP)
	@t0=$$(date +%s); t=$$t0; \
	handover=$$(mktemp -d); trap 'rm -rf "$$handover"' EXIT; \
	export CREDSTACK_TEST_SQLITE_TEMPLATE="$$handover/credstack.sqlite3"; \
	lap() { now=$$(date +%s); echo "== $$1: $$((now - t)) s (make test so far: $$((now - t0)) s)"; t=$$now; }; \
	scripts/system-deps.sh && lap "system packages" && \
	$(MAKE) --no-print-directory lint && lap "ruff" && \
	$(MAKE) --no-print-directory typecheck && lap "mypy" && \
	$(MAKE) --no-print-directory test-sqlite && lap "tests on SQLite" && \
	$(MAKE) --no-print-directory test-postgres && lap "tests on PostgreSQL"

# Throw-away servers for the tests of a scaled-out deployment: Redis (scripts/with-redis.sh: tasks through RQ,
# cache, rate limits) and an S3-compatible store (scripts/with-s3.sh: moto, for tests/storage and the
# multi-node test); the rest of the suite runs without them, as `make run` does (tests/settings.py).
test-sqlite: $(STAMP) $(NODE_STAMP)
	@echo "== test suite on SQLite"
	scripts/with-redis.sh scripts/with-s3.sh $(BIN)/pytest $(XDIST) $(PYTEST_ARGS)

# Only the tests whose result can depend on the database engine (tests/databases.py, decision 0046);
# CREDSTACK_TEST_EVERYTHING=1 runs them all. The multi-node test (tests/multinode: two web nodes and two
# workers on PostgreSQL + Redis, one worker killed) runs here.
test-postgres: $(STAMP) $(NODE_STAMP)
	@echo "== test suite on PostgreSQL"
	scripts/with-postgres.sh scripts/with-redis.sh scripts/with-s3.sh $(BIN)/pytest $(XDIST) $(PYTEST_ARGS)

install: $(STAMP)

# --no-compile: pip would compile every module of every package to bytecode (13,000 files, sympy and cfn-lint
# among them, which no test imports): ~30 s of a fresh clone's install. Python compiles what is imported on
# first use and caches it (benchmarks/RESULTS.md, the suite's time, 2026-12-06).
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "credstack needs Python 3.11+"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --no-compile -e '.[dev]'
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

# translations (decision 0056): re-extract the strings into src/credstack/locale/*/django.po, then
# recompile the committed .mo files (GNU gettext's msgfmt; scripts/system-deps.sh installs it)
messages: $(STAMP)
	cd src/credstack && DJANGO_SETTINGS_MODULE=credstack.config.settings ../../$(BIN)/django-admin makemessages -l de -l fr -l es -l ar --no-obsolete --add-location file -i "render/*"
	for l in de fr es ar; do msgfmt --check -o src/credstack/locale/$$l/LC_MESSAGES/django.mo src/credstack/locale/$$l/LC_MESSAGES/django.po; done
