# Xinbao: `make run` serves the whole system (runtime packages only); `make test` runs every test.
# Each target installs what is missing first, so both work on a fresh machine.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Runtime packages (`.`) for make run; runtime plus test and type-check tools (`.[dev]`) for
# make test. The dev stamp keeps its old name: it says the whole set is in.
RUNTIME_STAMP := $(VENV)/.installed-runtime
STAMP := $(VENV)/.installed
VENDOR := xinbao/static/vendor
export XINBAO_VAR_DIR ?= $(CURDIR)/var

.PHONY: run test lint typecheck deps runtime-python assets messages messages-update runtime-deps system-deps demo bench clean

run: runtime-python assets messages
	$(PY) manage.py migrate --no-input
	$(PY) manage.py collectstatic --no-input -v0
	@if [ ! -f var/.demo-loaded ]; then \
		XINBAO_DEMO=1 $(PY) manage.py demo && touch var/.demo-loaded; \
	else XINBAO_DEMO=1 $(PY) manage.py demo --logins; fi
	@echo "Xinbao: http://127.0.0.1:8000  (Ctrl-C stops web, worker and scanner)"
	XINBAO_DEMO=1 $(PY) manage.py serve

test: deps assets messages system-deps lint typecheck
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest --create-db -q

lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

typecheck: deps
	$(VENV)/bin/mypy xinbao bench conftest.py manage.py

# Python packages: installed again only when pyproject.toml changes.
runtime-python: $(RUNTIME_STAMP)
$(RUNTIME_STAMP): pyproject.toml
	@if [ $(STAMP) -nt pyproject.toml ]; then touch $@; else \
		test -x $(PY) || $(PYTHON) -m venv $(VENV); \
		$(PY) -m pip install -q --upgrade pip; \
		$(PY) -m pip install -q -e .; \
		touch $@; fi

deps: $(STAMP)
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP) $(RUNTIME_STAMP)

# Front-end assets from npm (package-lock.json), copied into static: no CDN at run time.
assets: $(VENDOR)/.copied
$(VENDOR)/.copied: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)/bootstrap $(VENDOR)/htmx $(VENDOR)/echarts
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/js/bootstrap.bundle.min.js $(VENDOR)/bootstrap/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts/
	touch $@

# The zh_Hans catalogue is compiled from the committed .po file (needs GNU gettext).
messages: runtime-python runtime-deps
	$(PY) manage.py compilemessages -v0

# Debian packages, installed only when missing and only where we may (root).
# Runtime: gettext (the catalogue), CJK fonts and Pango (PDF documents with WeasyPrint).
# Tests add Chromium (browser tests), poppler-utils (reading the PDFs back) and LibreOffice
# Writer (DOCX files laid out as an office suite lays them out).
define apt_install_missing
	@missing=""; \
	for check in $(1); do \
		package=$${check%%=*}; test=$${check#*=}; \
		sh -c "$$test" >/dev/null 2>&1 || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		else echo "Please install:$$missing (sudo apt-get install$$missing)"; exit 1; fi; \
	fi
endef

RUNTIME_CHECKS := "gettext=command -v msgfmt" \
	"fonts-noto-cjk=fc-list | grep -q 'Noto Serif CJK'" \
	"libpangoft2-1.0-0=ls /usr/lib/*/libpangoft2-1.0.so.0"
TEST_CHECKS := "chromium=command -v chromium" "poppler-utils=command -v pdftotext" \
	"libreoffice-writer-nogui=command -v soffice" "dovecot-imapd=command -v dovecot"

runtime-deps:
	$(call apt_install_missing,$(RUNTIME_CHECKS))

system-deps: runtime-deps
	$(call apt_install_missing,$(TEST_CHECKS))

# After changing user-facing strings: refresh the catalogue, then translate the new entries.
messages-update: runtime-python
	$(PY) manage.py makemessages -l zh_Hans --no-location --no-obsolete

demo: runtime-python
	XINBAO_DEMO=1 $(PY) manage.py demo

# Benchmarks (not tests): every bench/*.py prints its figures and saves them under bench/results/.
bench: deps assets messages
	@set -e; for script in bench/*.py; do echo "== $$script"; $(PY) $$script; done

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var/static
