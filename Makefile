# Atelier: `make run` for the demo, `make test` for the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# Links sent to customers follow the address the demo runs on (catalog/links.py);
# served on every interface, they use this machine's first address.
LINK_HOST := $(if $(filter 0.0.0.0 ::,$(HOST)),$(shell hostname -I 2>/dev/null | cut -d' ' -f1),$(HOST))
export LOCAL_BASE_URL ?= http://$(LINK_HOST):$(PORT)

# Use the local PostgreSQL and Redis when they answer and nothing was set;
# otherwise the tests fall back to SQLite and say so in their header.
PG_UP := $(shell (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null && echo yes)
REDIS_UP := $(shell (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && echo yes)
TEST_DATABASE_URL := $(if $(DATABASE_URL),$(DATABASE_URL),$(if $(PG_UP),postgres://postgres@127.0.0.1:5432/atelier_test,))
TEST_REDIS_URL := $(if $(REDIS_URL),$(REDIS_URL),$(if $(REDIS_UP),redis://127.0.0.1:6379/14,))

.PHONY: run test test-postgresql test-embedded install install-dev migrate seed lint clean distclean \
	messages translations bootstrap-css
# The 13 translated languages besides English (locale/<dir>: Django's names for them);
# zh_Hant is made from zh_Hans by bin/zh_hant.py, regional variants read their base's catalog.
LOCALES := ca zh_Hans cs da nl fr de it ja ko pl es sv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install translations
	$(MANAGE) migrate --noinput

# Compiled with polib (no GNU gettext needed); `make messages` (needs gettext's xgettext and
# msgmerge) refreshes the catalogs from the code, then bin/translations.py todo/apply/check.
translations: install
	$(MANAGE) compile_translations

messages: install-dev
	$(MANAGE) makemessages $(addprefix -l ,$(LOCALES)) --no-obsolete --ignore='.venv/*' \
		--ignore='tests/*' --ignore='bench/*' --ignore='var/*' --ignore='staticfiles/*'
	$(BIN)/python bin/zh_hant.py
	$(BIN)/python bin/translations.py check || true

seed: migrate
	$(MANAGE) seed_demo

run: seed
	@echo ""
	@echo "  Atelier console:  $(LOCAL_BASE_URL)/"
	@echo "  Company admin:    $(LOCAL_BASE_URL)/admin/"
	@echo "  Demo logins (password atelier-demo): admin, manager.ny, associate.ny1, associate.paris1"
	@echo ""
	HOST=$(HOST) PORT=$(PORT) $(BIN)/honcho start -f Procfile.dev

# The whole suite, twice: on PostgreSQL + Redis when they answer (always on CI), then on
# the embedded default (SQLite file, filesystem broker, no services), in parallel workers.
TEST_WORKERS ?= 2
PYTEST := $(BIN)/pytest -n $(TEST_WORKERS) --durations=5

test: install-dev translations
ifneq ($(TEST_DATABASE_URL),)
	@echo "== 1/2 the suite on PostgreSQL and Redis =="
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) ATELIER_TEST_BACKEND=postgresql \
		$(PYTEST) $(PYTEST_ARGS)
else
	@if [ "$$REQUIRE_SERVICES" = 1 ]; then echo "PostgreSQL is required here" >&2; exit 1; fi
	@echo "== PostgreSQL is not answering on 127.0.0.1:5432: the embedded pass only =="
endif
	@echo "== 2/2 the suite on the embedded default (SQLite, filesystem broker) =="
	env -u DATABASE_URL -u REDIS_URL ATELIER_TEST_BACKEND=embedded $(PYTEST) $(PYTEST_ARGS)

test-postgresql: install-dev translations
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) ATELIER_TEST_BACKEND=postgresql \
		$(PYTEST) $(PYTEST_ARGS)

test-embedded: install-dev translations
	env -u DATABASE_URL -u REDIS_URL ATELIER_TEST_BACKEND=embedded $(PYTEST) $(PYTEST_ARGS)

# Bootstrap's CSS trimmed to the classes the templates, template tags and scripts use
# (bin/trim_bootstrap.py; tests/test_bootstrap_trim.py says when to run it again).
bootstrap-css: | $(BIN)/python
	$(BIN)/python bin/trim_bootstrap.py

# ruff, and the layers contract (import-linter, pyproject.toml): an upward import fails.
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# The demo's database, queue, media and caches; the next `make run` seeds a fresh demo.
clean:
	rm -rf var .pytest_cache .ruff_cache

distclean: clean
	rm -rf $(VENV)
