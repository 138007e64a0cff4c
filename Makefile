# The two commands a newcomer needs: `make demo` (the main job) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test lint demo pulumi clean

# uv (from PyPI, like nox's sessions use it) installs in seconds what pip takes a minute for;
# `pip install -e '.[test]'` gives the same environment.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict pulumi_fruxon

# The Pulumi CLI: the one on PATH (>= 3.216), else built from source into .tools/bin (cached).
pulumi:
	scripts/install-pulumi >/dev/null

# The sessions of noxfile.py: the tests on each supported Python, the built wheel, then the
# end-to-end tests (whose session gets the Pulumi CLI, waiting for a build .ci/run started).
test: lint
	$(BIN)/nox

demo: $(STAMP)
	$(BIN)/python scripts/demo.py

clean:
	rm -rf $(VENV) .tools .nox .pytest_cache .mypy_cache .ruff_cache
