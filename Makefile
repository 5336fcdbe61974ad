# Entry points used by the README and CI. Everything runs from the project's own virtualenv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
DEV_ENV := MOBILITE_ENV=development
MO := mobilite/translations/en/LC_MESSAGES/messages.mo
PO := mobilite/translations/en/LC_MESSAGES/messages.po

.PHONY: run test install migrate demo scheduler translations extract-messages lint typecheck bench-match bench-web bench-round bench-load clean

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP) $(MO)

$(MO): $(PO) | $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d mobilite/translations -D messages

translations: $(MO)

migrate: install
	$(DEV_ENV) $(BIN)/alembic upgrade head

demo: migrate
	$(DEV_ENV) $(BIN)/flask --app wsgi demo --if-empty

# The web server and the scheduler run side by side; Ctrl-C stops both.
run: demo
	@echo "mobilite: http://127.0.0.1:5000"
	@trap 'kill 0' INT TERM EXIT; \
	$(DEV_ENV) $(BIN)/flask --app wsgi scheduler & \
	$(DEV_ENV) $(BIN)/flask --app wsgi run --host 127.0.0.1 --port 5000

scheduler: migrate
	$(DEV_ENV) $(BIN)/flask --app wsgi scheduler

# One worker per core (pytest-xdist); PYTEST_ARGS="-n 0" runs in one process.
test: install
	$(PY) -m pytest -n auto --dist worksteal $(PYTEST_ARGS)

# ruff (lint and format) and the type check; .ci/run runs it before the tests.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MAKE) --no-print-directory typecheck

# The engine is held to mypy --strict; the app to check_untyped_defs (pyproject.toml).
typecheck: install
	$(BIN)/mypy --strict appariement
	$(BIN)/mypy mobilite

bench-match: install
	$(PY) -m appariement.bench $(BENCH_ARGS)
	$(PY) -m appariement.bench_cli

# Latency of the offer search and the HR home page on 20,000 offers and 50,000 requests.
bench-web: install
	MOBILITE_BENCH_POSTGRES_URL=$${MOBILITE_BENCH_POSTGRES_URL-postgresql://postgres@127.0.0.1:5432/mobilite_bench} \
	$(PY) -m benchmarks.bench_web $(BENCH_ARGS)

# A whole weekly round (load, solve, save) on 20,000 approved requests and 4,000 sessions in PostgreSQL.
bench-round: install
	MOBILITE_BENCH_POSTGRES_URL=$${MOBILITE_BENCH_POSTGRES_URL-postgresql://postgres@127.0.0.1:5432/mobilite_bench} \
	$(PY) -m benchmarks.bench_round $(BENCH_ARGS)

# gunicorn (4 workers) on PostgreSQL under 30 concurrent clients for 2 minutes: throughput, p50/p95/p99, errors.
bench-load: install
	MOBILITE_BENCH_LOAD_POSTGRES_URL=$${MOBILITE_BENCH_LOAD_POSTGRES_URL-postgresql://postgres@127.0.0.1:5432/mobilite_bench_load} \
	$(PY) -m benchmarks.bench_load $(BENCH_ARGS)

extract-messages: install
	$(BIN)/pybabel extract --no-location --sort-output -k _l -k lazy_gettext -F babel.cfg -o mobilite/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -i mobilite/translations/messages.pot -d mobilite/translations -D messages

clean:
	rm -rf $(VENV) instance .pytest_cache
