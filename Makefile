# The two commands: `make dev` (the whole platform locally) and `make test`.
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
VENV := .venv
UV := $(shell command -v uv 2>/dev/null || echo $(TOOLS)/bin/uv)
BIN := $(VENV)/bin

.PHONY: dev test install lint fmt typecheck pytest tf-fmt bench cold-start clean fuzz

$(TOOLS)/bin/uv:
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv==$(UV_VERSION)"

$(BIN)/python: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --all-extras
	@touch $(BIN)/python

install: $(BIN)/python

dev: install
	$(BIN)/smsctl dev

test: install lint typecheck tf-fmt pytest

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
	rm -rf $(VENV) $(TOOLS) .mypy_cache .ruff_cache dist
