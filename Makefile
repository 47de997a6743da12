# One entry point for people and CI. Every target builds .venv when it is missing or stale,
# so on a fresh machine `make run` and `make test` are the only commands to type.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test demo bench explore lint typecheck clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/aftersales serve --demo

demo: $(STAMP)
	$(BIN)/aftersales demo

lint: $(STAMP)
	$(BIN)/ruff check app policies sheet_schema tests
	$(BIN)/ruff format --check app policies sheet_schema tests
	$(BIN)/lint-imports
	$(BIN)/hadolint Dockerfile

typecheck: $(STAMP)
	$(BIN)/mypy

test: $(STAMP) lint typecheck
	@./.ci/ensure-services
	$(BIN)/python -m pytest -n 2 -q --ignore=tests/bench

bench: $(STAMP)
	$(BIN)/python -m pytest tests/bench -q -p no:xdist -s

# The property and fuzz tests with fresh random examples (make test replays fixed ones).
explore: $(STAMP)
	HYPOTHESIS_PROFILE=explore $(BIN)/python -m pytest -n 2 -q tests/sync/test_properties.py \
		tests/policies/test_properties.py tests/fuzz tests/auth/test_hmac.py tests/store/test_codec.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
