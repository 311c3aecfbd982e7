# Vindplaats: `make run` serves the demo site, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= kb.settings.dev

.PHONY: run install install-dev htmx vendor chromium wrk bench bench-quick relevance soak migrate demo serve test test-fast test-sqlite test-postgres lint format messages screenshots clean

run: install migrate demo serve ## Install, migrate, load the demo content and serve it

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed (found $$($(PYTHON) --version))."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed htmx

# The front end's vendored parts come from npm, pinned, and are not committed
# (static/vendor/): htmx (progressive enhancement of the search page) and the
# NL Design System community components (@utrecht/component-library-css,
# EUPL-1.2; our theme is static/css/theme.css). Without npm the site still
# works: our own CSS lays it out, without the components' finish and htmx.
HTMX_VERSION := 2.0.11
NLDS_VERSION := 9.0.4
HTMX := static/vendor/htmx.min.js
NLDS := static/vendor/utrecht/component-library.css

htmx: $(HTMX) $(NLDS)
vendor: htmx

$(HTMX) $(NLDS) &: Makefile
	@if command -v npm >/dev/null 2>&1; then \
		npm install --prefix var/npm --no-save --no-audit --no-fund --silent \
			htmx.org@$(HTMX_VERSION) @utrecht/component-library-css@$(NLDS_VERSION) && \
		mkdir -p static/vendor/utrecht && \
		cp var/npm/node_modules/htmx.org/dist/htmx.min.js $(HTMX) && \
		cp var/npm/node_modules/@utrecht/component-library-css/dist/index.css $(NLDS) && \
		cp var/npm/node_modules/@utrecht/component-library-css/LICENSE.md static/vendor/utrecht/LICENSE.md; \
	else \
		echo "No npm here: the site works without the NL Design System component CSS and htmx (full page loads); their browser tests skip."; \
	fi

install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py createcachetable

demo: install
	$(BIN)/python manage.py load_demo_data
	$(BIN)/python manage.py rebuild_search_index

# The email worker and the periodic jobs (scripts/periodic.sh, cron's stand-in)
# run next to the web server and stop when it stops. Links in emails, the feed
# and the sitemap point at the address served here, unless SITE_URL says otherwise.
# DEBUG is off, so the site's own error pages show (404, 500); --insecure
# serves the static files all the same. `DEBUG=true make serve` gives Django's
# debug pages (docs/development.md).
serve: install
	export SITE_URL="$${SITE_URL:-http://$(HOST):$(PORT)}" DEBUG="$${DEBUG:-false}"; \
	$(BIN)/python manage.py db_worker --backend background --no-reload & worker=$$!; \
	scripts/periodic.sh $(BIN)/python & periodic=$$!; \
	trap 'kill $$worker $$periodic 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT) --insecure

test: install-dev htmx chromium lint test-sqlite test-postgres ## Lint, then the whole suite on SQLite (and PostgreSQL when DATABASE_URL is set)

# The inner loop: everything but the browser tests (Chromium) and the slow
# runs (hypothesis, long sweeps), on SQLite, in two processes (pytest-xdist),
# on the demo site saved by an earlier run while only tests changed
# (tests/saved_demo_site.py). `make test` runs all, on a freshly built demo.
test-fast: install-dev ## The suite without browser tests and slow runs, on SQLite (about 2 minutes)
	env -u DATABASE_URL DJANGO_SETTINGS_MODULE=kb.settings.test $(BIN)/pytest -m "not browser and not slow" -n 2 --dist load --reuse-demo-site

# The suite always runs on the test settings, whatever DJANGO_SETTINGS_MODULE says.
test-sqlite: install-dev
	env -u DATABASE_URL DJANGO_SETTINGS_MODULE=kb.settings.test $(BIN)/pytest

test-postgres: install-dev
	@if [ -n "$$DATABASE_URL" ]; then \
		echo "Running the suite again against $$DATABASE_URL"; \
		DJANGO_SETTINGS_MODULE=kb.settings.test $(BIN)/pytest; \
	else \
		echo "DATABASE_URL is not set: skipping the PostgreSQL run."; \
	fi

# $(call debian_package,COMMAND,PACKAGE,WHAT): install a Debian package when its
# command is missing (as root, or through sudo), or say what will be skipped.
define debian_package
	@if command -v $(1) >/dev/null 2>&1; then \
		: ; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian's $(2)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; \
	elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1; then \
		sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; \
	else \
		echo "No $(1) and no apt-get here: $(3) will be skipped."; \
	fi
endef

chromium: ## Debian's Chromium for the browser tests (Playwright never downloads a browser)
	$(if $(CHROMIUM),@:,$(call debian_package,chromium,chromium,the browser tests))

wrk: ## Debian's wrk, the HTTP load generator of `make bench`
	$(call debian_package,wrk,wrk,the benchmark's HTTP load)

bench: install-dev wrk ## Full benchmark: 10,000 and 100,000 practices on SQLite, then PostgreSQL when DATABASE_URL is set (takes a while)
	$(BIN)/python -m bench

bench-quick: install-dev wrk ## The same at 10,000 practices with short runs (both databases when DATABASE_URL is set)
	$(BIN)/python -m bench --quick

relevance: install-dev ## The judged relevance set (tests/relevance/): nDCG@10, P@5 and R@20 per kind of query
	$(BIN)/python -m bench.relevance

soak: install-dev wrk ## The soak alone (part of make bench): readers and writers for 3 minutes on the demo content
	$(BIN)/python -m bench.soak

screenshots: install-dev chromium ## Main pages at 375 and 1280 px wide, in var/screenshots/
	env -u DATABASE_URL $(BIN)/python scripts/screenshots.py

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: install-dev ## Update the Dutch translations (needs GNU gettext)
	$(BIN)/python manage.py makemessages -l nl --ignore=.venv --ignore=var --ignore=tests --no-obsolete --add-location=file
	$(BIN)/python manage.py compilemessages -l nl --ignore=.venv

clean:
	rm -rf var/db.sqlite3 var/media var/static var/test-cache
