# Cluster Readiness Survey: set up, run, test.
# `make run`  - create .venv, install, migrate SQLite under var/, load instruments + demo data, serve.
# `make test` - create .venv, install, run the whole test suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1
STAMP := $(VENV)/.installed

.PHONY: run test setup demo messages clean

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
	@echo
	DJANGO_SETTINGS_MODULE=config.settings.dev $(PY) manage.py runserver $(HOST):$(PORT)

test: setup ## run the whole test suite
	$(PY) -m pytest

messages: setup ## refresh and compile the Russian catalogue
	$(PY) manage.py makemessages -l ru --ignore=.venv --ignore=var --no-obsolete
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var
