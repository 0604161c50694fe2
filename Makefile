# Cluster Readiness Survey: set up, run, test.
# `make run`  - create .venv, install, migrate SQLite under var/, load instruments + demo data, serve
#               (and run the background worker, `manage.py run_worker`, beside the server).
# `make test` - create .venv, install, run the whole test suite (SQLite); with CI=true also
#               the same suite on PostgreSQL and the real-browser tests.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1
STAMP := $(VENV)/.installed

.PHONY: run test setup system-deps demo messages clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

setup: $(STAMP) ## install the requirements into .venv

demo: setup ## migrate and load instruments and demo data (idempotent)
	mkdir -p var
	DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py load_instruments
	DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py make_demo_data

run: demo ## set up and serve the demo site on http://$(HOST):$(PORT)/
	@echo
	@echo "Demo accounts (demo settings only):"
	@DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py create_demo_accounts
	@echo
	@echo "Main pages:"
	@echo "  Start page:            http://$(HOST):$(PORT)/"
	@echo "  Questionnaire (open):  http://$(HOST):$(PORT)/w/social-capital-2026/"
	@echo "  Admin:                 http://$(HOST):$(PORT)/admin/"
	@echo "  Interviews:            http://$(HOST):$(PORT)/interviews/   (interviewer)"
	@echo "  Coding, consensus:     http://$(HOST):$(PORT)/coding/       (coder1, coder2, researcher)"
	@echo "  Analysis:              http://$(HOST):$(PORT)/analysis/     (researcher, admin)"
	@echo "  Fieldwork:             http://$(HOST):$(PORT)/fieldwork/    (researcher, admin: e-mails, dashboard)"
	@echo
	@echo "The background worker (e-mails, report bundles) runs beside the server; e-mails are printed here."
	@export DJANGO_SETTINGS_MODULE=config.settings.dev; \
	$(PY) manage.py run_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

system-deps: ## GNU gettext for the translation checks (installed when running as root)
	@command -v msgfmt >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null) || echo "gettext not installed: the catalogue-coverage test will be skipped"; }

test: setup system-deps ## run the whole test suite (with CI=true: browsers and PostgreSQL too)
ifeq ($(CI),true)
	$(MAKE) browser-deps
	$(MAKE) tex-deps
	$(MAKE) reader-deps
	REQUIRE_BROWSER=1 $(PY) -m pytest
	$(MAKE) test-postgres
else
	$(PY) -m pytest
endif

messages: setup ## refresh and compile the Russian catalogue
	$(PY) manage.py makemessages -l ru --ignore=.venv --ignore=var --no-obsolete
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var

# --- production server, PostgreSQL, browsers, backups, load ------------------------------
.PHONY: serve worker collectstatic test-postgres browser-deps tex-deps test-browser backup restore load-test bench-peer
PROD_ENV := DJANGO_SETTINGS_MODULE=config.settings.production
AXE_VERSION := 4.14.1
AXE_DIR := var/axe
APT_GET := DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900

collectstatic: setup ## gather static files into staticfiles/ (served by WhiteNoise)
	$(PROD_ENV) $(PY) manage.py collectstatic --noinput -v0

serve: collectstatic ## production server: gunicorn + WhiteNoise, config.settings.production, DATABASE_URL
	$(PROD_ENV) $(PY) manage.py migrate --noinput
	@echo "Run the background worker beside gunicorn (e-mails, report bundles; one or more per machine,"
	@echo "under systemd or the like; docs/deployment.md):"
	@echo "  $(PROD_ENV) $(PY) manage.py run_worker"
	$(PROD_ENV) GUNICORN_BIND=$${GUNICORN_BIND:-$(HOST):$(PORT)} \
		$(VENV)/bin/gunicorn -c config/gunicorn.conf.py config.wsgi:application

test-postgres: setup ## the whole suite against a throwaway PostgreSQL server on 127.0.0.1:54329
	REQUIRE_BROWSER=$${REQUIRE_BROWSER:-$(if $(filter true,$(CI)),1,)} bash .ci/with-postgres $(PY) -m pytest -p no:cacheprovider

worker: setup ## the background worker alone (e-mails, report bundles): manage.py run_worker
	$(PY) manage.py run_worker

reader-deps: ## PSPP and R with haven and readxl, for the tests that read the exports back as researchers do
	@command -v pspp >/dev/null 2>&1 && command -v Rscript >/dev/null 2>&1 && Rscript -e 'library(haven); library(readxl)' >/dev/null 2>&1 || { $(APT_GET) update -qq && $(APT_GET) install -y -qq --no-install-recommends pspp r-base-core r-cran-haven r-cran-readxl >/dev/null; }

tex-deps: ## pdflatex with Cyrillic and pdffonts, for the tests that compile the LaTeX tables and check PDF fonts
	@command -v pdflatex >/dev/null 2>&1 && command -v pdffonts >/dev/null 2>&1 || { $(APT_GET) update -qq && $(APT_GET) install -y -qq --no-install-recommends texlive-latex-base texlive-latex-recommended texlive-lang-cyrillic texlive-fonts-recommended poppler-utils >/dev/null; }

browser-deps: ## Debian's chromium (if missing) and the pinned axe-core (npm, into var/axe)
	@command -v chromium >/dev/null 2>&1 || { $(APT_GET) update -qq && $(APT_GET) install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null; }
	@test -f $(AXE_DIR)/node_modules/axe-core/axe.min.js || \
		npm install --silent --no-audit --no-fund --prefix $(AXE_DIR) axe-core@$(AXE_VERSION)

test-browser: setup browser-deps ## only the real-browser tests (chromium, axe-core)
	REQUIRE_BROWSER=1 $(PY) -m pytest -m browser

backup: setup ## back the database up into var/backups/ (pg_dump -Fc, or SQLite's backup API)
	$(PY) manage.py backup_db

restore: setup ## restore a backup: make restore FILE=var/backups/...
	@test -n "$(FILE)" || { echo "Usage: make restore FILE=path/to/backup"; exit 2; }
	$(PY) manage.py restore_db "$(FILE)" --yes

load-test: setup ## load and fault benchmark: gunicorn + PostgreSQL on loopback (minutes; not in CI)
	PG_FSYNC=on PG_MAX_CONNECTIONS=200 bash .ci/with-postgres $(PY) benchmarks/load_test.py $(ARGS)

bench-peer: setup ## a whole respondent submission against django-survey-and-report 1.5.0 (own venv under var/; not in CI)
	$(PY) benchmarks/bench_peer.py $(ARGS)
