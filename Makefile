# Single entry point. `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export NO_MKDOCS_2_WARNING := 1

.DEFAULT_GOAL := help
.PHONY: help venv dev site release test lint check generate serve screenshots bench clean messages

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-12s %s\n", $$1, $$2}'

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

# --no-deps: requirements-dev.txt pins every package, direct and indirect, so nothing is left to resolve; and
# cffconvert 2.0.0 declares jsonschema<4 but runs with the jsonschema 4 the build pins (tests/test_release.py
# validates CITATION.cff with it), which a resolver would refuse.
# npm: the Nu HTML Checker (vnu.jar) for the browser tests, pinned in package-lock.json. --ignore-scripts: its
# install script would download a Java runtime from GitHub; the tests use the system's java.
$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt $(wildcard package-lock.json)
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -r requirements-dev.txt
	@if [ -f package-lock.json ] && command -v npm >/dev/null 2>&1; then \
	  echo "npm ci --ignore-scripts --no-audit --no-fund"; npm ci --ignore-scripts --no-audit --no-fund --loglevel=error; \
	elif [ -f package-lock.json ]; then echo "npm not found: the HTML validation test will be skipped (a failure under CI)"; fi
	touch $@

venv: $(VENV)/.runtime ## Create .venv with the pinned packages the build needs

dev: $(VENV)/.dev ## Also install the pinned test and lint tools (and vnu.jar with npm)

site: $(VENV)/.runtime ## Check the data and build the website into site/ (only what changed; clean under CI=true)
	$(PY) build_site.py build $(if $(filter true,$(CI)),--clean)

release: site ## Pack site/data/ and CITATION.cff into a versioned, dated archive under dist/
	$(PY) build_site.py release

check: $(VENV)/.runtime ## Check review.yml and studies/*.yml and print every problem
	$(PY) build_site.py check

generate: $(VENV)/.runtime ## Write the generated pages, charts and downloads under docs/
	$(PY) build_site.py generate

serve: $(VENV)/.runtime ## Preview the Spanish edition on http://127.0.0.1:8000 with live reload (EDITION=en: the English one)
	$(PY) build_site.py serve --lang $(or $(EDITION),es)

screenshots: $(VENV)/.dev ## Build, then save screenshots of the main pages under screenshots/
	$(PY) build_site.py build $(if $(filter true,$(CI)),--clean)
	$(PY) tools/screenshots.py screenshots
	$(PY) tools/screenshots.py screenshots --width 390

bench: $(VENV)/.runtime ## Benchmark at 16, 500 and 5,000 studies; writes docs/<lang>/benchmarks.md
	$(PY) -m benchmarks.run 16 500 5000

test: $(VENV)/.dev ## Run the test suite
	$(PY) -m pytest

# The hooks are `language: system`: they find ruff, zizmor and python on the PATH, here the environment's.
lint: $(VENV)/.dev ## Run the pre-commit hooks on every file: the checker, ruff, zizmor
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/pre-commit run --all-files

# The catalogue a translator edits: every message of the templates and the code, with its Spanish.
# PYTHONPATH: babel.cfg names an extractor of the project's own (the schema's field descriptions).
messages: $(VENV)/.runtime ## Add new interface messages to locale/es/LC_MESSAGES/messages.po (to translate)
	PYTHONPATH=$(CURDIR) $(VENV)/bin/pybabel --quiet extract -F babel.cfg -k N_ --no-wrap --add-location=file --sort-by-file \
	  --project="Digital Government in Peru: the evidence" --omit-header -o locale/messages.pot .
	$(VENV)/bin/pybabel --quiet update -i locale/messages.pot -d locale -l es --no-wrap --omit-header --ignore-obsolete --no-fuzzy-matching
	rm locale/messages.pot

clean: ## Remove the built site, the generated files and the cache (keeps .venv and dist/)
	@if [ -x $(PY) ]; then $(PY) build_site.py clean; else rm -rf site; fi
