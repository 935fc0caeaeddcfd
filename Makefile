# The two commands a newcomer needs:  `make run`  and  `make test`.
# Both set up everything first (virtualenv, front-end build, translations) and are safe to repeat.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi

.PHONY: run test production setup lint typecheck pytest pdf-deps browser-deps java-deps translations assets clean

run: setup pdf-deps
	$(BIN)/flask db upgrade
	$(BIN)/flask seed
	$(BIN)/flask demo
	$(BIN)/flask run --host 127.0.0.1 --port 5000

test: setup pdf-deps browser-deps java-deps lint typecheck pytest

# The production topology on this machine (Procfile, run by honcho): the production configuration on the
# local PostgreSQL (database portal_trial) and Redis, two web processes at http://127.0.0.1:8001 and :8002,
# a worker, beat and a mail sink that prints each e-mail. PRODUCTION_TRIAL: plain HTTP, links to this machine.
TRIAL_DIR := instance/production-trial
production: setup pdf-deps
	mkdir -p $(TRIAL_DIR)/web1 $(TRIAL_DIR)/web2 $(TRIAL_DIR)/worker $(TRIAL_DIR)/beat
	test -s $(TRIAL_DIR)/secret-key || $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(48))" > $(TRIAL_DIR)/secret-key
	psql -h 127.0.0.1 -U postgres -d test -tAc "SELECT 1 FROM pg_database WHERE datname = 'portal_trial'" | grep -q 1 || psql -h 127.0.0.1 -U postgres -d test -c "CREATE DATABASE portal_trial"
	set -a; . ./production-trial.env; SECRET_KEY=$$(cat $(TRIAL_DIR)/secret-key); TRIAL_DIR=$(TRIAL_DIR); set +a; \
	  $(BIN)/flask db upgrade && $(BIN)/flask seed && exec $(BIN)/honcho start

setup: $(VENV)/.installed portal/static/css/portal.css translations

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

portal/static/css/portal.css: node_modules/.installed assets/build.mjs assets/init.js $(wildcard assets/scss/*.scss) $(wildcard assets/images/*)
	npm run --silent build

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d translations 2>/dev/null

# Debian's libraries under WeasyPrint (receipts and decision letters): Pango and HarfBuzz's subsetter.
pdf-deps:
	@ldconfig -p | grep -q libharfbuzz-subset.so.0 && ldconfig -p | grep -q libpangoft2-1.0.so.0 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core; }

# Debian's Chromium for the browser tests (never a downloaded browser build).
browser-deps:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# Debian's Java for the Nu HTML checker (npm package vnu-jar), which checks every page the browser tests visit.
java-deps:
	@command -v java >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless; }

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy --strict workflows

pytest: setup
	$(BIN)/pytest

# Refresh the message catalogues after changing user-facing text.
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations

clean:
	rm -rf $(VENV) node_modules portal/static instance
